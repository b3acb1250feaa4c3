//! `subject.toml`: what a subject is and how to build and run it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name every subject folder has.
pub const MANIFEST_FILE: &str = "subject.toml";

/// A parsed and validated `subject.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SubjectManifest {
    /// Unique name: lowercase letters, digits and `-`.
    pub name: String,
    /// Implementation language, e.g. `go` or `rust`.
    pub language: String,
    /// Display name of the framework.
    pub framework: String,
    /// The framework's module path (Go) or crate name (Rust).
    pub module: String,
    /// The exact pinned version of the framework.
    pub version: String,
    /// How to build the subject.
    pub build: BuildSpec,
    /// How to run the built subject.
    pub run: RunSpec,
    /// How to build the binary a team would ship, for the deployment figures.
    /// Subjects without it get no deployment figures.
    #[serde(default)]
    pub deploy: Option<DeploySpec>,
    /// How to build the OpenTelemetry variant, for the observability checks. Subjects
    /// without it are "not measured" on that axis.
    #[serde(default)]
    pub otel: Option<OtelSpec>,
    /// Free-form notes shown in reports.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    /// Where the `/ping` literal is and which dev-loop tool suits the subject, for
    /// `podium reload`. Subjects without it cannot be reload-graded.
    #[serde(default)]
    pub reload: Option<ReloadSpec>,
}

/// `[reload]`: what `podium reload` edits and which dev-loop tool it uses by default.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReloadSpec {
    /// The file (relative to the subject folder) holding the `/ping` handler's literal.
    pub handler: PathBuf,
    /// The literal as written in the source, quotes included (e.g. `"pong"`); the edits
    /// replace it with `"pong-<k>"`.
    pub literal: String,
    /// The default dev-loop tool: `air`, `watchexec`, `cargo-watch`, or a command.
    pub tool: String,
}

/// `[build]`: a shell command run in the subject's folder.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// Run with `sh -c` in the subject folder; `$PODIUM_OUT` is the output folder.
    pub command: String,
    /// Paths outside the subject folder (relative to it) whose content affects the build.
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
}

/// `[run]`: the built executable and its arguments.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Executable (relative to the build output folder) followed by its arguments.
    pub command: Vec<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// `[deploy]`: a shell command building the binary a team would ship (stripped, static
/// where the toolchain allows), measured for the deployment figures.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DeploySpec {
    /// Run with `sh -c` in the subject folder, with the same variables as `[build]`
    /// (`$PODIUM_OUT`, `$PODIUM_CACHE`); it must write `$PODIUM_OUT/server`. Podium runs
    /// a Go subject's command with `CGO_ENABLED=0` first.
    pub command: String,
}

/// `[otel]`: the subject's OpenTelemetry variant.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OtelSpec {
    /// Builds the variant into `$PODIUM_OUT/server`: `sh -c` in the subject folder with
    /// the same variables as `[build]`.
    pub command: String,
    /// Paths outside the subject folder (relative to it) the variant's build also reads,
    /// besides `build.inputs`.
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
    /// How it is instrumented, in words, with module and version.
    pub instrumentation: String,
    /// Who maintains the instrumentation.
    pub maintainer: OtelMaintainer,
    /// The OpenTelemetry SDK the variant is built with, as pinned.
    pub sdk: String,
    /// Files (relative to the subject folder) that exist only for the variant; edits in
    /// shared files are marked with `// otel:` comments.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// Older SDK release lines for the compatibility matrix.
    #[serde(default)]
    pub older_sdk: Vec<OlderSdk>,
}

/// Who maintains a subject's OpenTelemetry instrumentation.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum OtelMaintainer {
    /// The framework's own organisation.
    Framework,
    /// OpenTelemetry's contrib repositories.
    OpentelemetryContrib,
    /// Someone else.
    ThirdParty,
    /// No instrumentation exists; the variant wraps the server itself.
    None,
}

impl OtelMaintainer {
    /// The value as written in `subject.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            OtelMaintainer::Framework => "framework",
            OtelMaintainer::OpentelemetryContrib => "opentelemetry-contrib",
            OtelMaintainer::ThirdParty => "third-party",
            OtelMaintainer::None => "none",
        }
    }
}

/// `[[otel.older_sdk]]`: an older SDK release line the variant is also built against.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OlderSdk {
    /// The SDK module and version, e.g. `go.opentelemetry.io/otel/sdk v1.32.0`.
    pub label: String,
    /// Run with `sh -c` in a scratch copy of the subject folder before `command`.
    pub prepare: String,
}

/// Why a manifest could not be used. Each variant names the file and what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or a field has the wrong type.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The manifest path.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's explanation.
        message: String,
    },
    /// A field parsed but its value is not acceptable.
    #[error("{path}: field `{field}` {problem}")]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// The dotted field name, e.g. `run.command`.
        field: &'static str,
        /// What is wrong and what is expected.
        problem: String,
    },
}

impl SubjectManifest {
    /// Reads and validates the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates manifest text; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ManifestError> {
        let manifest: SubjectManifest = toml::from_str(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            ManifestError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        })?;
        manifest.validate(path)?;
        Ok(manifest)
    }

    fn validate(&self, path: &Path) -> Result<(), ManifestError> {
        let invalid = |field, problem: &str| ManifestError::Invalid {
            path: path.to_path_buf(),
            field,
            problem: problem.to_string(),
        };
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !self.name.starts_with('-');
        if !name_ok {
            return Err(invalid(
                "name",
                &format!(
                    "is {:?}: use 1-64 lowercase letters, digits and '-' (e.g. \"gin\")",
                    self.name
                ),
            ));
        }
        if self.language.trim().is_empty() {
            return Err(invalid(
                "language",
                "is empty: write e.g. \"go\" or \"rust\"",
            ));
        }
        for (field, value) in [
            ("framework", &self.framework),
            ("module", &self.module),
            ("version", &self.version),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(field, "is empty"));
            }
        }
        if self.build.command.trim().is_empty() {
            return Err(invalid(
                "build.command",
                "is empty: give the shell command that builds the subject",
            ));
        }
        if self
            .deploy
            .as_ref()
            .is_some_and(|deploy| deploy.command.trim().is_empty())
        {
            return Err(invalid(
                "deploy.command",
                "is empty: give the shell command that writes the shipping binary to \"$PODIUM_OUT/server\", or remove [deploy]",
            ));
        }
        if let Some(otel) = &self.otel {
            for (field, value, hint) in [
                (
                    "otel.command",
                    &otel.command,
                    "give the shell command that writes the OpenTelemetry variant to \"$PODIUM_OUT/server\", or remove [otel]",
                ),
                (
                    "otel.instrumentation",
                    &otel.instrumentation,
                    "say how the variant is instrumented, with module and version",
                ),
                (
                    "otel.sdk",
                    &otel.sdk,
                    "give the OpenTelemetry SDK module and version the variant pins",
                ),
            ] {
                if value.trim().is_empty() {
                    return Err(invalid(field, &format!("is empty: {hint}")));
                }
            }
            if otel.files.iter().any(|f| f.is_absolute()) {
                return Err(invalid(
                    "otel.files",
                    "holds an absolute path: name the files relative to the subject folder",
                ));
            }
            for older in &otel.older_sdk {
                if older.label.trim().is_empty() || older.prepare.trim().is_empty() {
                    return Err(invalid(
                        "otel.older_sdk",
                        "has an entry with an empty `label` or `prepare`: give both",
                    ));
                }
            }
        }
        if self
            .run
            .command
            .first()
            .is_none_or(|exe| exe.trim().is_empty())
        {
            return Err(invalid(
                "run.command",
                "is empty: give the executable (relative to $PODIUM_OUT) and its arguments, e.g. [\"server\"]",
            ));
        }
        if Path::new(&self.run.command[0]).is_absolute() {
            return Err(invalid(
                "run.command",
                "starts with an absolute path: name the executable relative to the build output folder",
            ));
        }
        if let Some(reload) = &self.reload {
            if reload.handler.as_os_str().is_empty() || reload.handler.is_absolute() {
                return Err(invalid(
                    "reload.handler",
                    "must name the handler's file relative to the subject folder, e.g. \"main.go\"",
                ));
            }
            let quoted = reload.literal.len() >= 2
                && reload.literal.starts_with('"')
                && reload.literal.ends_with('"');
            if !quoted {
                return Err(invalid(
                    "reload.literal",
                    &format!(
                        "is {:?}: give the string literal with its double quotes, e.g. '\"pong\"'",
                        reload.literal
                    ),
                ));
            }
            if reload.tool.trim().is_empty() {
                return Err(invalid(
                    "reload.tool",
                    "is empty: write \"air\", \"watchexec\", \"cargo-watch\" or a watch-and-restart command",
                ));
            }
        }
        if self.run.env.contains_key("PORT") {
            return Err(invalid(
                "run.env",
                "sets PORT: Podium chooses the port; remove it",
            ));
        }
        Ok(())
    }

    /// Whether the subject is a Go program (it then serves pprof and Go runtime metrics).
    pub fn is_go(&self) -> bool {
        self.language.eq_ignore_ascii_case("go")
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "gin"
language = "go"
framework = "Gin"
module = "github.com/gin-gonic/gin"
version = "v1.11.0"

[build]
command = 'go build -o "$PODIUM_OUT/server" .'
inputs = ["../common"]

[run]
command = ["server", "--quiet"]
env = { GOGC = "100" }

[notes]
configuration = "release mode"
"#;

    const DEPLOY: &str = r#"
[deploy]
command = 'go build -trimpath -ldflags="-s -w" -o "$PODIUM_OUT/server" .'
"#;

    fn parse(text: &str) -> Result<SubjectManifest, ManifestError> {
        SubjectManifest::parse(text, Path::new("subjects/go/gin/subject.toml"))
    }

    #[test]
    fn parses_a_complete_manifest() {
        let m = parse(GOOD).unwrap();
        assert_eq!(m.name, "gin");
        assert!(m.is_go());
        assert_eq!(m.build.inputs, vec![PathBuf::from("../common")]);
        assert_eq!(m.run.command, vec!["server", "--quiet"]);
        assert_eq!(m.run.env["GOGC"], "100");
        assert_eq!(m.notes["configuration"], "release mode");
    }

    #[test]
    fn deploy_section_is_optional() {
        assert_eq!(parse(GOOD).unwrap().deploy, None);
        let m = parse(&format!("{GOOD}{DEPLOY}")).unwrap();
        let deploy = m.deploy.unwrap();
        assert!(deploy.command.contains("-ldflags=\"-s -w\""), "{deploy:?}");
    }

    #[test]
    fn deploy_unknown_field_names_file_line_and_field() {
        let text = format!("{GOOD}{DEPLOY}comand = \"x\"\n");
        let err = parse(&text).unwrap_err();
        match &err {
            ManifestError::Syntax { line, message, .. } => {
                assert_eq!(*line, 21, "{err}");
                assert!(message.contains("unknown field `comand`"), "{err}");
            }
            other => panic!("expected a syntax error, got {other}"),
        }
        assert!(
            err.to_string()
                .starts_with("subjects/go/gin/subject.toml:21:"),
            "{err}"
        );
    }

    #[test]
    fn deploy_wrong_type_names_file_line_and_field() {
        let text = format!("{GOOD}\n[deploy]\ncommand = [\"go\", \"build\"]\n");
        let err = parse(&text).unwrap_err();
        match &err {
            ManifestError::Syntax { line, message, .. } => {
                assert_eq!(*line, 20, "{err}");
                assert!(message.contains("string"), "{err}");
            }
            other => panic!("expected a syntax error, got {other}"),
        }
        let msg = err.to_string();
        assert!(msg.starts_with("subjects/go/gin/subject.toml:20:"), "{msg}");
    }

    #[test]
    fn deploy_missing_or_empty_command_is_named() {
        let err = parse(&format!("{GOOD}\n[deploy]\n")).unwrap_err();
        assert!(err.to_string().contains("missing field `command`"), "{err}");
        let err = parse(&format!("{GOOD}\n[deploy]\ncommand = \" \"\n")).unwrap_err();
        assert!(
            matches!(
                err,
                ManifestError::Invalid {
                    field: "deploy.command",
                    ..
                }
            ),
            "{err}"
        );
    }

    const RELOAD: &str =
        "\n[reload]\nhandler = \"main.go\"\nliteral = '\"pong\"'\ntool = \"air\"\n";

    #[test]
    fn reload_section_is_optional_and_parsed() {
        assert_eq!(parse(GOOD).unwrap().reload, None);
        let reload = parse(&format!("{GOOD}{RELOAD}")).unwrap().reload.unwrap();
        assert_eq!(reload.handler, PathBuf::from("main.go"));
        assert_eq!(reload.literal, "\"pong\"");
        assert_eq!(reload.tool, "air");
    }

    #[test]
    fn reload_errors_name_file_line_and_field() {
        let err = parse(&format!("{GOOD}{RELOAD}tol = \"air\"\n")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("subjects/go/gin/subject.toml:23:"),
            "{err}"
        );
        assert!(err.to_string().contains("unknown field `tol`"), "{err}");
        let err = parse(&format!("{GOOD}{}", RELOAD.replace("'\"pong\"'", "'pong'"))).unwrap_err();
        assert!(err.to_string().contains("`reload.literal`"), "{err}");
        let err = parse(&format!(
            "{GOOD}{}",
            RELOAD.replace("\"main.go\"", "\"/main.go\"")
        ))
        .unwrap_err();
        assert!(err.to_string().contains("`reload.handler`"), "{err}");
        let err = parse(&format!("{GOOD}{}", RELOAD.replace("\"air\"", "\" \""))).unwrap_err();
        assert!(err.to_string().contains("`reload.tool`"), "{err}");
    }
    const OTEL: &str = r#"
[otel]
command = 'go build -tags otel -o "$PODIUM_OUT/server" .'
inputs = ["../otelsetup"]
instrumentation = "otelgin v0.63.0"
maintainer = "opentelemetry-contrib"
sdk = "go.opentelemetry.io/otel/sdk v1.38.0"
files = ["otel.go"]

[[otel.older_sdk]]
label = "go.opentelemetry.io/otel/sdk v1.32.0"
prepare = "go get go.opentelemetry.io/otel/sdk@v1.32.0 && go mod tidy"
"#;

    #[test]
    fn otel_section_parses_and_is_optional() {
        assert_eq!(parse(GOOD).unwrap().otel, None);
        let otel = parse(&format!("{GOOD}{OTEL}")).unwrap().otel.unwrap();
        assert_eq!(otel.maintainer, OtelMaintainer::OpentelemetryContrib);
        assert_eq!(otel.maintainer.as_str(), "opentelemetry-contrib");
        assert_eq!(otel.files, vec![PathBuf::from("otel.go")]);
        assert_eq!(otel.inputs, vec![PathBuf::from("../otelsetup")]);
        assert_eq!(otel.older_sdk.len(), 1);
        assert!(otel.older_sdk[0].label.ends_with("v1.32.0"));
    }

    #[test]
    fn otel_errors_name_line_and_field() {
        let err =
            parse(&format!("{GOOD}{OTEL}").replace("opentelemetry-contrib", "vendor")).unwrap_err();
        match &err {
            ManifestError::Syntax { line, message, .. } => {
                assert_eq!(*line, 23, "{err}");
                assert!(message.contains("unknown variant `vendor`"), "{err}");
            }
            other => panic!("expected a syntax error, got {other}"),
        }
        let err = parse(&format!("{GOOD}{OTEL}").replace(
            "sdk = \"go.opentelemetry.io/otel/sdk v1.38.0\"",
            "sdk = \"\"",
        ))
        .unwrap_err();
        assert!(
            matches!(
                err,
                ManifestError::Invalid {
                    field: "otel.sdk",
                    ..
                }
            ),
            "{err}"
        );
        let err =
            parse(&format!("{GOOD}{OTEL}").replace("prepare = \"go get", "prepare = \" \" #"))
                .unwrap_err();
        assert!(err.to_string().contains("`otel.older_sdk`"), "{err}");
        let err = parse(
            &format!("{GOOD}{OTEL}").replace("files = [\"otel.go\"]", "files = [\"/otel.go\"]"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`otel.files`"), "{err}");
    }

    #[test]
    fn missing_field_names_file_and_field() {
        let err = parse(&GOOD.replace("version = \"v1.11.0\"\n", "")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("subjects/go/gin/subject.toml:"), "{msg}");
        assert!(msg.contains("missing field `version`"), "{msg}");
    }

    #[test]
    fn wrong_type_points_at_the_line() {
        let err = parse(&GOOD.replace(
            r#"command = ["server", "--quiet"]"#,
            r#"command = "server""#,
        ))
        .unwrap_err();
        match &err {
            ManifestError::Syntax { line, message, .. } => {
                assert_eq!(*line, 13, "{err}");
                assert!(
                    message.contains("sequence") || message.contains("array"),
                    "{err}"
                );
            }
            other => panic!("expected a syntax error, got {other}"),
        }
    }

    #[test]
    fn unknown_field_is_rejected_by_name() {
        let err = parse(&GOOD.replace("[run]\n", "[run]\ncommnd = [\"x\"]\n")).unwrap_err();
        assert!(err.to_string().contains("unknown field `commnd`"), "{err}");
    }

    #[test]
    fn malformed_toml_gives_line_and_column() {
        let err = parse("name = \"gin\"\nlanguage = \n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("subjects/go/gin/subject.toml:2:"), "{msg}");
    }

    #[test]
    fn invalid_values_name_the_field() {
        let cases = [
            (
                GOOD.replace("name = \"gin\"", "name = \"Gin Web\""),
                "`name`",
            ),
            (
                GOOD.replace("language = \"go\"", "language = \" \""),
                "`language`",
            ),
            (
                GOOD.replace(r#"["server", "--quiet"]"#, "[]"),
                "`run.command`",
            ),
            (
                GOOD.replace(r#"["server", "--quiet"]"#, r#"["/usr/bin/server"]"#),
                "`run.command`",
            ),
            (
                GOOD.replace(r#"GOGC = "100""#, r#"PORT = "1""#),
                "`run.env`",
            ),
            (
                GOOD.replace(
                    r#"command = 'go build -o "$PODIUM_OUT/server" .'"#,
                    "command = ''",
                ),
                "`build.command`",
            ),
        ];
        for (text, field) in cases {
            let err = parse(&text).unwrap_err();
            assert!(
                matches!(err, ManifestError::Invalid { .. }) && err.to_string().contains(field),
                "expected {field}: {err}"
            );
        }
    }

    #[test]
    fn unreadable_file_is_a_read_error() {
        let err = SubjectManifest::load(Path::new("/nonexistent/subject.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/subject.toml")
        );
    }
}
