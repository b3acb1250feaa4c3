//! How many third-party modules or packages a subject depends on.

use crate::error::{DeployError, io_error};
use crate::shell::tool_output;
use podium_subjects::Subject;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A subject's dependency count and how it was counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyCount {
    /// Number of third-party modules (Go) or packages (Rust).
    pub count: usize,
    /// The command and the rule behind `count`, for the report.
    pub method: String,
}

const GO_METHOD: &str = "go list -m all: modules in the build list, minus the main module and modules replaced by a local folder";

/// Counts the subject's third-party dependencies.
///
/// - Go: the modules `go list -m all` lists (the module graph Go resolves and downloads
///   for the build, as go.sum pins it) minus the main module and modules `replace`d by a
///   local folder (the subjects' shared `podium.local/subjects/common`). This is Go's own
///   notion of a module dependency; it can include modules that only tests of
///   dependencies import.
/// - Rust: the unique packages in `cargo tree -p <package> -e normal,build --target
///   <host>`, minus packages from local folders (workspace members such as the subjects'
///   shared `podium-subject-common`, like Go's local replacements). Normal and build
///   dependencies are both downloaded and compiled to produce the binary; dev
///   dependencies are not. `cargo tree` resolves features for this one package, as
///   `cargo build -p` does; the workspace-wide graph of `cargo metadata` would also count
///   optional crates that only another subject's features switch on.
pub fn dependency_count(subject: &Subject) -> Result<DependencyCount, DeployError> {
    match subject.manifest.language.to_ascii_lowercase().as_str() {
        "go" => {
            let args = ["list", "-m", "-json", "all"];
            let out = tool_output(subject.name(), "go", &args, &subject.dir, &[])?;
            Ok(DependencyCount {
                count: count_go_modules(&out).map_err(|problem| DeployError::ToolOutput {
                    context: subject.name().to_string(),
                    command: format!("go {}", args.join(" ")),
                    problem,
                })?,
                method: GO_METHOD.to_string(),
            })
        }
        "rust" => {
            let package = cargo_package_name(subject)?;
            let host = host_triple(subject)?;
            let args = [
                "tree",
                "--locked",
                "-p",
                &package,
                "-e",
                "normal,build",
                "--target",
                &host,
                "--prefix",
                "none",
                "--format",
                "{p}",
            ];
            let out = tool_output(subject.name(), "cargo", &args, &subject.dir, &[])?;
            Ok(DependencyCount {
                count: count_cargo_tree_packages(&out),
                method: format!(
                    "cargo tree -p {package} -e normal,build --target {host}: unique packages, minus those from local folders (workspace members)"
                ),
            })
        }
        _ => Err(DeployError::UnsupportedLanguage {
            subject: subject.name().to_string(),
            language: subject.manifest.language.clone(),
            what: "count dependencies",
        }),
    }
}

/// `[package] name` of the subject's `Cargo.toml`.
fn cargo_package_name(subject: &Subject) -> Result<String, DeployError> {
    let manifest = subject.dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(io_error(
        subject.name(),
        "cannot read",
        &manifest,
    ))?;
    text.parse::<toml::Table>()
        .ok()
        .and_then(|table| {
            table
                .get("package")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        })
        .ok_or_else(|| DeployError::Io {
            context: subject.name().to_string(),
            action: "no [package] name in",
            path: manifest,
            source: std::io::Error::from(std::io::ErrorKind::InvalidData),
        })
}

/// The host's target triple, from `rustc -vV`.
pub(crate) fn host_triple(subject: &Subject) -> Result<String, DeployError> {
    let out = tool_output(subject.name(), "rustc", &["-vV"], &subject.dir, &[])?;
    out.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_string())
        .ok_or_else(|| DeployError::ToolOutput {
            context: subject.name().to_string(),
            command: "rustc -vV".to_string(),
            problem: "no `host:` line".to_string(),
        })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GoModule {
    #[serde(default)]
    main: bool,
    replace: Option<GoReplacement>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GoReplacement {
    /// Empty for a replacement by a local folder, which has no version.
    #[serde(default)]
    version: String,
}

/// Counts the modules in `go list -m -json all` output (a stream of JSON objects).
fn count_go_modules(json: &str) -> Result<usize, String> {
    let mut count = 0;
    for module in serde_json::Deserializer::from_str(json).into_iter::<GoModule>() {
        let module = module.map_err(|err| err.to_string())?;
        let local = module.replace.is_some_and(|r| r.version.is_empty());
        if !module.main && !local {
            count += 1;
        }
    }
    Ok(count)
}

/// Counts the packages in `cargo tree --prefix none --format {p}` output: one
/// `name vX.Y.Z` per line, followed by `(source)` for path and git packages and by
/// markers such as `(*)` (already shown) or `(proc-macro)`. Packages whose source is a
/// local folder are not counted.
fn count_cargo_tree_packages(tree: &str) -> usize {
    let mut packages = BTreeSet::new();
    for line in tree.lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let local = words.any(|word| word.starts_with("(/"));
        if !local {
            packages.insert((name, version));
        }
    }
    packages.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_count_skips_the_main_module_and_local_replacements() {
        let json = r#"
{"Path": "podium.local/subjects/gin", "Main": true, "Dir": "/x"}
{"Path": "github.com/gin-gonic/gin", "Version": "v1.12.0"}
{"Path": "podium.local/subjects/common", "Version": "v0.0.0",
 "Replace": {"Path": "../common", "Dir": "/x/common"}}
{"Path": "golang.org/x/net", "Version": "v0.1.0",
 "Replace": {"Path": "golang.org/x/net", "Version": "v0.2.0"}}
"#;
        assert_eq!(count_go_modules(json), Ok(2));
        assert!(count_go_modules("{\"Path\": ").is_err());
        assert_eq!(count_go_modules(""), Ok(0));
    }

    #[test]
    fn cargo_tree_count_skips_repeats_markers_and_local_packages() {
        let tree = "\
podium-subject-axum v0.1.0 (/work/subjects/rust/axum)
axum v0.8.9
bytes v1.12.2
http v1.5.0
bytes v1.12.2
http v1.5.0 (*)
tokio-macros v2.7.2 (proc-macro)
podium-subject-common v0.1.0 (/work/subjects/rust/common)
serde v1.0.229 (*)
forked v0.1.0 (https://github.com/x/forked#0123abcd)
bytes v1.11.0

";
        // axum, bytes 1.12.2, http, tokio-macros, serde, forked, bytes 1.11.0.
        assert_eq!(count_cargo_tree_packages(tree), 7);
        assert_eq!(count_cargo_tree_packages(""), 0);
    }
}
