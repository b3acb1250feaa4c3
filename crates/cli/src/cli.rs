//! The command line, defined in one place.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Podium benchmarks web frameworks and ranks them for a team that has to pick one.
///
/// Each framework is a "subject": a small server in subjects/<lang>/<name>/ that serves one
/// common contract (subjects/CONTRACT.md). Podium builds subjects, checks them against
/// the contract, and measures them.
#[derive(Debug, Parser)]
#[command(name = "podium", version, about, long_about, propagate_version = true)]
pub struct Cli {
    /// Where to look for subjects besides the bundled ones (repeatable).
    #[arg(long, global = true, value_name = "DIR")]
    pub subjects_dir: Vec<PathBuf>,

    /// Cache folder for unpacked subjects, builds and logs [default: ~/.cache/podium].
    #[arg(long, global = true, env = "PODIUM_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the known subjects: name, language, framework, version and location.
    Subjects(SubjectsArgs),
    /// Build a subject if its sources changed and run it in the foreground.
    ///
    /// Prints its URL; Ctrl-C or SIGTERM stops it gracefully and leaves no process behind.
    Serve(ServeArgs),
    /// Check subjects (or a running server) against the contract before anything is measured.
    ///
    /// Prints one line per check with what was expected and what came back, and exits 1 if
    /// any check fails. With no subject named, every known subject is verified.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct SubjectsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The subject to serve (see `podium subjects`).
    pub name: String,
    /// Port to listen on [default: a free port].
    #[arg(long, short)]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Subjects to verify [default: all].
    #[arg(value_name = "NAME", conflicts_with_all = ["all", "url"])]
    pub names: Vec<String>,
    /// Verify every known subject.
    #[arg(long, conflicts_with = "url")]
    pub all: bool,
    /// Verify an already running server at this base URL instead of starting a subject
    /// (process checks such as graceful shutdown are then skipped).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// With --url: the server is a Go program (require pprof and the Go runtime metrics).
    #[arg(long, requires = "url", conflicts_with = "rust")]
    pub go: bool,
    /// With --url: the server is a Rust program (require process_threads).
    #[arg(long, requires = "url")]
    pub rust: bool,
    /// Print the results as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Only print failed checks (and one summary line per subject).
    #[arg(long, short)]
    pub quiet: bool,
}
