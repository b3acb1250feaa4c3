//! Subjects: the web servers Podium measures.
//!
//! A subject is a folder with a [`SubjectManifest`] (`subject.toml`) and the sources of one
//! server that serves the common contract (`subjects/CONTRACT.md`). This crate finds
//! subjects (bundled in the binary, or in user folders), builds them once per source
//! content, and runs them as supervised processes that can be stopped gracefully and
//! checked for leftover processes.

mod builder;
mod cache;
mod catalog;
mod copy;
mod manifest;
mod process;

pub use builder::{Artifact, BuildError, FailedBuild, build, source_hash};
pub use cache::default_cache_dir;
pub use catalog::{Catalog, CatalogError, Origin, Subject, bundled_file_count};
pub use copy::{CopyError, copy_with_inputs};
pub use manifest::{
    BuildSpec, DeploySpec, MANIFEST_FILE, ManifestError, OlderSdk, OtelMaintainer, OtelSpec,
    ReloadSpec, RunSpec, SubjectManifest,
};
pub use process::{
    Exit, INSTANCE_VAR, LISTEN_HOST_VAR, LaunchOptions, Leftover, OutputSink, RunError,
    RunningSubject, StopReport, free_port, kill_all_running, kill_tagged_processes, proc_pids,
    tagged_processes,
};
