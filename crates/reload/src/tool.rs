//! Dev-loop tools: which one, installing it when missing (pinned versions, into Podium's
//! cache), its configuration, and the command line that runs a subject under it.

use crate::ReloadError;
use podium_subjects::Subject;
use std::path::{Path, PathBuf};
use std::process::Command;

/// air, installed with `go install` at this version when not on PATH.
pub const AIR_VERSION: &str = "v1.67.4";
/// watchexec (crate `watchexec-cli`), installed with `cargo install` when not on PATH.
pub const WATCHEXEC_VERSION: &str = "2.8.0";
/// cargo-watch, installed with `cargo install` when not on PATH.
pub const CARGO_WATCH_VERSION: &str = "8.5.3";

/// The generated air configuration's file name (in the scratch copy).
pub const AIR_CONFIG: &str = ".podium-air.toml";
/// air's build folder inside the scratch copy (excluded from watching).
pub const AIR_TMP: &str = ".podium-air";

/// Paths a good dev-loop setup ignores; the scenario's ignored-path edits go there.
pub const IGNORED_DIRS: &[&str] = &["testdata", "docs"];

/// A dev-loop tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// github.com/air-verse/air (Go).
    Air,
    /// watchexec (any language; Rust subjects: `cargo run` restarted on change).
    Watchexec,
    /// cargo-watch (Rust).
    CargoWatch,
    /// Any watch-and-restart shell command, run in the scratch copy with `PORT` set.
    Command(String),
}

impl Tool {
    /// `air`, `watchexec`, `cargo-watch`, or anything else as a command.
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "air" => Tool::Air,
            "watchexec" => Tool::Watchexec,
            "cargo-watch" | "cargo watch" => Tool::CargoWatch,
            other => Tool::Command(other.to_string()),
        }
    }

    /// The name shown and stored.
    pub fn name(&self) -> &str {
        match self {
            Tool::Air => "air",
            Tool::Watchexec => "watchexec",
            Tool::CargoWatch => "cargo-watch",
            Tool::Command(_) => "command",
        }
    }
}

/// A tool ready to run: the shell command line and the version it reports.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Run with `sh -c` in the subject's scratch folder.
    pub command: String,
    /// The tool's version as it reports it (`None` for a custom command).
    pub version: Option<String>,
}

/// Where provisioned tools live: `<cache>/tools/bin`.
pub fn tools_bin(cache: &Path) -> PathBuf {
    cache.join("tools").join("bin")
}

/// Finds (or installs) the tool and writes its configuration into the scratch copy.
pub fn prepare(
    tool: &Tool,
    subject: &Subject,
    subject_dir: &Path,
    cache: &Path,
) -> Result<Prepared, ReloadError> {
    match tool {
        Tool::Command(cmd) => Ok(Prepared {
            command: cmd.clone(),
            version: None,
        }),
        Tool::Air => {
            let exe = find_or_install(cache, "air", || {
                let mut c = Command::new("go");
                c.args([
                    "install",
                    &format!("github.com/air-verse/air@{AIR_VERSION}"),
                ])
                .env("GOBIN", tools_bin(cache));
                c
            })?;
            write_air_config(subject_dir)?;
            Ok(Prepared {
                version: version_of(&exe, &["-v"]),
                command: format!("{} -c {AIR_CONFIG}", shell_quote(&exe)),
            })
        }
        Tool::Watchexec => {
            // The scratch copy is the project: an enclosing repository's .gitignore (the
            // cache may sit in an ignored folder) must not hide its changes.
            let exe = find_or_install(cache, "watchexec", || {
                cargo_install(cache, "watchexec-cli", WATCHEXEC_VERSION)
            })?;
            let ignores = watch_ignores();
            Ok(Prepared {
                version: version_of(&exe, &["--version"]),
                command: format!(
                    "{} --restart --stop-signal SIGTERM --project-origin . --no-vcs-ignore --exts rs,toml,json {} -- {}",
                    shell_quote(&exe),
                    ignores,
                    cargo_run(subject, cache)
                ),
            })
        }
        Tool::CargoWatch => {
            let exe = find_or_install(cache, "cargo-watch", || {
                cargo_install(cache, "cargo-watch", CARGO_WATCH_VERSION)
            })?;
            let ignores = watch_ignores();
            Ok(Prepared {
                version: version_of(&exe, &["watch", "--version"]),
                command: format!(
                    "{} watch --watch . --no-vcs-ignores {} --shell {}",
                    shell_quote(&exe),
                    ignores,
                    shell_quote(Path::new(&cargo_run(subject, cache)))
                ),
            })
        }
    }
}

/// watchexec's and cargo-watch's `--ignore` flags: one per folder a good setup ignores
/// (tests included), as globs that match the folder at any depth. cargo-watch 8.5.3 did
/// not match `testdata/*` against the changed files' paths: each ignored edit rebuilt
/// (grade C for axum), where `**/testdata/**` gives no spurious rebuild.
fn watch_ignores() -> String {
    let flags: Vec<String> = IGNORED_DIRS
        .iter()
        .chain(&["tests"])
        .map(|d| format!("--ignore '**/{d}/**'"))
        .collect();
    flags.join(" ")
}

/// `cargo run` of the subject's package (debug build), with a target folder of its own
/// in the cache so that repeated runs are incremental.
fn cargo_run(subject: &Subject, cache: &Path) -> String {
    let target = cache.join("reload").join("cargo-target");
    format!(
        "cargo run --locked -p {} --target-dir {}",
        rust_package(subject),
        shell_quote(&target)
    )
}

/// The package name from the subject's `Cargo.toml` (`podium-subject-<name>` otherwise).
fn rust_package(subject: &Subject) -> String {
    std::fs::read_to_string(subject.dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| {
            text.lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("name").map(str::trim))
                .and_then(|rest| rest.strip_prefix('='))
                .map(|v| v.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| format!("podium-subject-{}", subject.name()))
}

fn cargo_install(cache: &Path, krate: &str, version: &str) -> Command {
    let mut c = Command::new("cargo");
    c.args(["install", krate, "--version", version, "--locked", "--root"])
        .arg(cache.join("tools"));
    c
}

/// The tool on PATH, else in Podium's tools folder, else installed there by `install`.
fn find_or_install(
    cache: &Path,
    name: &str,
    install: impl FnOnce() -> Command,
) -> Result<PathBuf, ReloadError> {
    if let Some(exe) = on_path(name) {
        return Ok(exe);
    }
    if let Some(exe) = install_dirs().map(|d| d.join(name)).find(|p| p.is_file()) {
        return Ok(exe);
    }
    let exe = tools_bin(cache).join(name);
    if exe.is_file() {
        return Ok(exe);
    }
    let mut command = install();
    let shown = format!("{command:?}");
    let out = command.output().map_err(|source| ReloadError::Io {
        what: format!("cannot run {shown} to install {name}"),
        source,
    })?;
    if !out.status.success() || !exe.is_file() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(ReloadError::Install {
            tool: name.to_string(),
            command: shown,
            tail: last_lines(&stderr, 10),
        });
    }
    Ok(exe)
}

/// Where `go install` and `cargo install` put tools by default (scripts/setup.sh installs
/// there), which need not be on PATH: `$GOBIN`, `$GOPATH/bin` (`~/go/bin`),
/// `$CARGO_HOME/bin` (`~/.cargo/bin`).
fn install_dirs() -> impl Iterator<Item = PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = var("HOME");
    [
        var("GOBIN"),
        var("GOPATH")
            .or_else(|| home.as_ref().map(|h| h.join("go")))
            .map(|p| p.join("bin")),
        var("CARGO_HOME")
            .or_else(|| home.as_ref().map(|h| h.join(".cargo")))
            .map(|p| p.join("bin")),
    ]
    .into_iter()
    .flatten()
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn version_of(exe: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(exe).args(args).output().ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    // air prints a banner; keep the line with a version number in it.
    text.lines()
        .map(str::trim)
        .find(|l| l.chars().any(|c| c.is_ascii_digit()) && l.contains('.'))
        .map(str::to_string)
}

/// The generated air configuration: build into a folder inside the scratch copy, watch
/// Go sources and the JSON configuration, ignore tests, testdata and docs, interrupt
/// the old server and give it time to release the port before the new one starts.
pub fn air_config() -> String {
    let excluded: Vec<String> = IGNORED_DIRS
        .iter()
        .chain(&[AIR_TMP, "vendor", "tests"])
        .map(|d| format!("\"{d}\""))
        .collect();
    format!(
        r#"# Generated by `podium reload`.
root = "."
tmp_dir = "{AIR_TMP}"

[build]
cmd = "go build -o ./{AIR_TMP}/server ."
entrypoint = ["./{AIR_TMP}/server"]
include_ext = ["go", "json"]
exclude_dir = [{}]
exclude_regex = ["_test\\.go$"]
exclude_unchanged = true
delay = 100
send_interrupt = true
kill_delay = "500ms"
stop_on_error = false

[log]
time = false

[color]
mode = "never"

[misc]
clean_on_exit = true
"#,
        excluded.join(", ")
    )
}

fn write_air_config(subject_dir: &Path) -> Result<(), ReloadError> {
    let path = subject_dir.join(AIR_CONFIG);
    std::fs::write(&path, air_config()).map_err(|source| ReloadError::Io {
        what: format!("cannot write {}", path.display()),
        source,
    })
}

/// Single-quotes a path for `sh -c`.
pub fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tool_names_and_commands() {
        assert_eq!(Tool::parse("air"), Tool::Air);
        assert_eq!(Tool::parse("cargo-watch"), Tool::CargoWatch);
        assert_eq!(Tool::parse("watchexec"), Tool::Watchexec);
        assert_eq!(
            Tool::parse("reflex -s go run ."),
            Tool::Command("reflex -s go run .".into())
        );
        assert_eq!(Tool::parse("reflex -s go run .").name(), "command");
    }

    #[test]
    fn watch_tools_ignore_the_folders_at_any_depth() {
        assert_eq!(
            watch_ignores(),
            "--ignore '**/testdata/**' --ignore '**/docs/**' --ignore '**/tests/**'"
        );
    }

    #[test]
    fn air_config_ignores_what_a_good_setup_ignores() {
        let text = air_config();
        assert!(
            text.contains(
                r#"exclude_dir = ["testdata", "docs", ".podium-air", "vendor", "tests"]"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"exclude_regex = ["_test\\.go$"]"#),
            "{text}"
        );
        assert!(text.contains(r#"include_ext = ["go", "json"]"#), "{text}");
        assert!(text.contains("send_interrupt = true"), "{text}");
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote(Path::new("/a b/it's")), r"'/a b/it'\''s'");
        assert_eq!(last_lines("a\nb\nc", 2), "b\nc");
    }
}
