//! What can go wrong while measuring deployment figures, in words a user can act on.

use std::path::PathBuf;
use std::time::Duration;

/// Why a deployment figure could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The subject's manifest has no `[deploy]` section.
    #[error(
        "{subject}: subject.toml has no [deploy] section; add one whose `command` writes the shipping binary to \"$PODIUM_OUT/server\" (see subjects/CONTRACT.md)"
    )]
    NoDeploySection {
        /// Subject name.
        subject: String,
    },
    /// Reading or writing a file failed.
    #[error("{context}: {action} {path}: {source}")]
    Io {
        /// The subject or image concerned.
        context: String,
        /// What Podium was doing.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The subject's sources could not be hashed (a declared input is missing, ...).
    #[error(transparent)]
    Sources(#[from] podium_subjects::BuildError),
    /// The `[deploy]` command failed.
    #[error("{0}")]
    BuildFailed(Box<FailedDeployBuild>),
    /// The `[deploy]` command succeeded but wrote no binary.
    #[error(
        "{subject}: the [deploy] command succeeded but wrote no file at {path}; make `deploy.command` write the binary to \"$PODIUM_OUT/server\""
    )]
    MissingBinary {
        /// Subject name.
        subject: String,
        /// Where the binary was expected.
        path: PathBuf,
    },
    /// The built file is not an ELF executable Podium can inspect.
    #[error("{path} is not an ELF executable ({problem}); Podium measures Linux ELF binaries only")]
    NotElf {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A helper program (`go`, `cargo`, `rustc`) could not be started.
    #[error(
        "{context}: cannot start `{program}`: {source}; check that it is installed and on PATH"
    )]
    ToolMissing {
        /// The subject concerned.
        context: String,
        /// The program.
        program: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A helper program ran but failed.
    #[error("{context}: `{command}` in {dir} failed ({status}):\n{output}")]
    ToolFailed {
        /// The subject concerned.
        context: String,
        /// The command line.
        command: String,
        /// Where it ran.
        dir: PathBuf,
        /// Its exit status.
        status: String,
        /// The end of its standard error.
        output: String,
    },
    /// A helper program's output was not what Podium expects.
    #[error("{context}: cannot understand the output of `{command}`: {problem}")]
    ToolOutput {
        /// The subject concerned.
        context: String,
        /// The command line.
        command: String,
        /// What did not parse.
        problem: String,
    },
    /// Podium does not know how to do this for the subject's language.
    #[error(
        "{subject}: Podium cannot {what} for a {language:?} subject; it knows Go modules and Cargo packages"
    )]
    UnsupportedLanguage {
        /// Subject name.
        subject: String,
        /// The manifest's language.
        language: String,
        /// What was asked.
        what: &'static str,
    },
    /// The warm build needs a main source file to change, and none was found.
    #[error(
        "{subject}: no main source file found in {dir} (looked for {looked_for}); the warm build changes one line of it"
    )]
    NoMainSource {
        /// Subject name.
        subject: String,
        /// The (copied) subject folder.
        dir: PathBuf,
        /// The candidates tried.
        looked_for: String,
    },
    /// Something else already listens on the port the binary was to use.
    #[error(
        "port {port} is already in use on 127.0.0.1; pick a free port (podium_subjects::free_port)"
    )]
    PortBusy {
        /// The port.
        port: u16,
    },
    /// The binary could not be started.
    #[error("cannot start {binary}: {source}")]
    Spawn {
        /// The binary.
        binary: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The binary exited before it answered `GET /ping`.
    #[error(
        "{binary} exited ({status}) before answering GET /ping on port {port}.\n--- its last output ---\n{output}"
    )]
    ExitedEarly {
        /// The binary.
        binary: PathBuf,
        /// The port it was given.
        port: u16,
        /// Its exit status.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// The binary kept running but never answered `GET /ping` with 200.
    #[error(
        "{binary} did not answer GET /ping with 200 on port {port} within {timeout:?}; it was stopped.\n--- its last output ---\n{output}"
    )]
    NoResponse {
        /// The binary.
        binary: PathBuf,
        /// The port polled.
        port: u16,
        /// How long Podium waited.
        timeout: Duration,
        /// The end of its output.
        output: String,
    },
}

/// A failed `[deploy]` build: the command, where it ran, and the end of its output.
#[derive(Debug)]
pub struct FailedDeployBuild {
    /// Subject name.
    pub subject: String,
    /// The command that ran.
    pub command: String,
    /// The environment Podium set for it (e.g. `CGO_ENABLED=0`), as `NAME=value`.
    pub env: Vec<String>,
    /// Where it ran.
    pub dir: PathBuf,
    /// Its exit status.
    pub status: String,
    /// The log file holding all its output.
    pub log: PathBuf,
    /// The end of its output.
    pub tail: String,
}

impl std::fmt::Display for FailedDeployBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let env = if self.env.is_empty() {
            String::new()
        } else {
            format!("{} ", self.env.join(" "))
        };
        write!(
            f,
            "{}: deploy build failed ({}).\n  command: {env}{}\n  in: {}\n  full log: {}\n--- last lines of the build output ---\n{}",
            self.subject,
            self.status,
            self.command,
            self.dir.display(),
            self.log.display(),
            self.tail
        )
    }
}

/// A closure turning an I/O error into [`DeployError::Io`] for `context`, `action`, `path`.
pub(crate) fn io_error(
    context: &str,
    action: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> DeployError {
    let (context, path) = (context.to_string(), path.to_path_buf());
    move |source| DeployError::Io {
        context,
        action,
        path,
        source,
    }
}
