//! Every deployment figure of a subject in one record, cached per source content.

use crate::artifact::{deploy_build, subject_deploy_dir};
use crate::build_times::{BuildTimes, measure_build_times, toolchain_version};
use crate::deps::{DependencyCount, dependency_count};
use crate::error::DeployError;
use crate::first_response::first_response;
use crate::oci::{ImageSpec, write_oci_image};
use crate::shell::{lock, unix_now, write_atomically};
use podium_subjects::Subject;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Starts of the binary whose median is `first_response_ms`.
pub const FIRST_RESPONSE_ATTEMPTS: usize = 5;
/// The record's file name in `<cache>/deploy/<name>/<hash>/`.
const FIGURES_FILE: &str = "figures.json";
/// The image archive's file name.
const IMAGE_FILE: &str = "image.oci.tar";

/// What [`deployment_figures`] measures beyond the always-measured figures.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// Also measure cold and warm build times (minutes for a Rust subject). When false,
    /// earlier measurements of the same sources are still reported.
    pub measure_cold_build: bool,
    /// Where to put the OCI image archive (`<oci_dir>/<name>.oci.tar`); by default it
    /// stays in the cache beside the binary.
    pub oci_dir: Option<PathBuf>,
}

/// A subject's deployment figures (DESIGN.md, "deployment").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentFigures {
    /// Subject name.
    pub subject: String,
    /// Hash of the sources measured ([`podium_subjects::source_hash`]).
    pub source_hash: String,
    /// Size of the shipping binary (Go: `-ldflags="-s -w"`; Rust: the `deploy` profile).
    pub binary_bytes: u64,
    /// The binary needs no dynamic loader (no `PT_INTERP`).
    pub static_binary: bool,
    /// Go: builds with `CGO_ENABLED=0`. `None` for other languages.
    pub cgo_free: Option<bool>,
    /// Go, when `cgo_free` is false: why the `CGO_ENABLED=0` build failed (its output's end).
    pub cgo_failure: Option<String>,
    /// Seconds for a build with empty caches; `None` until measured.
    pub build_cold_s: Option<f64>,
    /// Seconds for the rebuild after a one-line change; `None` until measured.
    pub build_warm_s: Option<f64>,
    /// Bytes the cold build put in the fresh dependency caches; `None` until measured.
    pub build_download_bytes: Option<u64>,
    /// When the build times were measured (Unix seconds); they can be older than
    /// `measured_at` when a later run reused them.
    pub build_times_measured_at: Option<u64>,
    /// Third-party dependencies; `None` for a language Podium cannot count.
    pub deps: Option<DependencyCount>,
    /// Median milliseconds from spawn to the first `200` on `GET /ping`.
    pub first_response_ms: f64,
    /// Every start's milliseconds.
    pub first_response_samples_ms: Vec<f64>,
    /// Image size as a registry stores it: compressed layer + config + manifest.
    pub oci_image_bytes: u64,
    /// Size of the OCI archive file.
    pub oci_tar_bytes: u64,
    /// Milliseconds Podium took to write the image.
    pub oci_build_ms: f64,
    /// The image's manifest digest (`sha256:...`).
    pub oci_manifest_digest: String,
    /// The image archive written by this call.
    pub oci_archive: PathBuf,
    /// `go version` / `rustc --version`.
    pub toolchain: Option<String>,
    /// When the figures were measured (Unix seconds).
    pub measured_at: u64,
    /// True when the figures come from an earlier run on the same sources.
    #[serde(default)]
    pub reused: bool,
}

/// Measures (or reuses) every deployment figure of `subject`: deploy build, dependency
/// count, first response, OCI image, and with `measure_cold_build` the cold and warm
/// build times. The record is cached in `<cache>/deploy/<name>/<hash>/figures.json`;
/// a later call on the same sources returns it with `reused` set (and measures the build
/// times then if they are asked for and missing).
pub fn deployment_figures(
    subject: &Subject,
    cache: &Path,
    options: &DeployOptions,
) -> Result<DeploymentFigures, DeployError> {
    let name = subject.name();
    let artifact = deploy_build(subject, cache)?;
    // One measurement per subject at a time: two would disturb each other's timings.
    let _lock = lock(
        name,
        &subject_deploy_dir(cache, subject).join(".figures.lock"),
    )?;
    let out_dir = artifact
        .binary
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let figures_path = out_dir.join(FIGURES_FILE);
    let archive = match &options.oci_dir {
        Some(dir) => dir.join(format!("{name}.oci.tar")),
        None => out_dir.join(IMAGE_FILE),
    };
    let spec = ImageSpec::for_server(&format!("podium/{name}:{}", artifact.source_hash));

    let cached = std::fs::read(&figures_path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<DeploymentFigures>(&bytes).ok())
        .filter(|f| f.source_hash == artifact.source_hash);
    let mut figures = match cached {
        Some(mut figures) => {
            figures.reused = true;
            if figures.oci_archive != archive || !archive.is_file() {
                // Same binary, same bytes: the image is only rewritten where asked.
                let image = write_oci_image(&artifact.binary, &archive, &spec)?;
                figures.oci_archive = image.path;
            }
            figures
        }
        None => {
            let deps = match dependency_count(subject) {
                Ok(deps) => Some(deps),
                Err(DeployError::UnsupportedLanguage { .. }) => None,
                Err(err) => return Err(err),
            };
            let port = podium_subjects::free_port().map_err(|source| DeployError::Io {
                context: name.to_string(),
                action: "cannot find a free port on",
                path: PathBuf::from("127.0.0.1"),
                source,
            })?;
            let response = first_response(&artifact.binary, port, FIRST_RESPONSE_ATTEMPTS)?;
            let image = write_oci_image(&artifact.binary, &archive, &spec)?;
            DeploymentFigures {
                subject: name.to_string(),
                source_hash: artifact.source_hash.clone(),
                binary_bytes: artifact.binary_bytes,
                static_binary: artifact.static_binary,
                cgo_free: artifact.cgo_free,
                cgo_failure: artifact.cgo_failure.clone(),
                build_cold_s: None,
                build_warm_s: None,
                build_download_bytes: None,
                build_times_measured_at: None,
                deps,
                first_response_ms: response.median_ms,
                first_response_samples_ms: response.samples_ms,
                oci_image_bytes: image.image_bytes,
                oci_tar_bytes: image.tar_bytes,
                oci_build_ms: image.build_ms,
                oci_manifest_digest: image.manifest_digest,
                oci_archive: image.path,
                toolchain: toolchain_version(subject)?,
                measured_at: unix_now(),
                reused: false,
            }
        }
    };
    if options.measure_cold_build && figures.build_cold_s.is_none() {
        let times = measure_build_times(subject)?;
        apply_build_times(&mut figures, &times, unix_now());
    }
    let stored = DeploymentFigures {
        reused: false,
        ..figures.clone()
    };
    let json = serde_json::to_vec_pretty(&stored).unwrap_or_default();
    write_atomically(name, &figures_path, &json)?;
    Ok(figures)
}

fn apply_build_times(figures: &mut DeploymentFigures, times: &BuildTimes, now: u64) {
    figures.build_cold_s = Some(times.cold_s);
    figures.build_warm_s = Some(times.warm_s);
    figures.build_download_bytes = Some(times.downloaded_bytes);
    figures.build_times_measured_at = Some(now);
    if times.toolchain.is_some() {
        figures.toolchain.clone_from(&times.toolchain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{elf_copy, fake_subject};

    #[test]
    fn a_binary_that_does_not_serve_fails_the_figures_without_a_record() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let subject = fake_subject(&root.path().join("t"), "sh", Some(&elf_copy()));
        let err = deployment_figures(&subject, cache.path(), &DeployOptions::default())
            .unwrap_err()
            .to_string();
        // Dependencies are skipped for an unknown language; the stand-in binary (`true`)
        // exits at once, and the first-response check says so.
        assert!(
            err.contains("exited (exit status: 0) before answering GET /ping"),
            "{err}"
        );
        assert!(
            !cache.path().join("deploy/t").read_dir().unwrap().any(|e| e
                .unwrap()
                .path()
                .join(FIGURES_FILE)
                .exists()),
            "no record is written for failed figures"
        );
    }

    #[test]
    fn build_times_fill_the_record() {
        let mut figures = DeploymentFigures {
            subject: "s".into(),
            source_hash: "h".into(),
            binary_bytes: 1,
            static_binary: true,
            cgo_free: None,
            cgo_failure: None,
            build_cold_s: None,
            build_warm_s: None,
            build_download_bytes: None,
            build_times_measured_at: None,
            deps: None,
            first_response_ms: 1.0,
            first_response_samples_ms: vec![1.0],
            oci_image_bytes: 1,
            oci_tar_bytes: 1,
            oci_build_ms: 1.0,
            oci_manifest_digest: "sha256:x".into(),
            oci_archive: PathBuf::from("x"),
            toolchain: Some("old".into()),
            measured_at: 1,
            reused: false,
        };
        let times = BuildTimes {
            cold_s: 30.0,
            warm_s: 2.0,
            toolchain: Some("go version go1.26.8 linux/amd64".into()),
            downloaded_bytes: 7,
            cgo_free: Some(true),
        };
        apply_build_times(&mut figures, &times, 99);
        assert_eq!(figures.build_cold_s, Some(30.0));
        assert_eq!(figures.build_warm_s, Some(2.0));
        assert_eq!(figures.build_download_bytes, Some(7));
        assert_eq!(figures.build_times_measured_at, Some(99));
        assert_eq!(figures.toolchain.as_deref(), times.toolchain.as_deref());
        let json = serde_json::to_string(&figures).unwrap();
        let back: DeploymentFigures = serde_json::from_str(&json).unwrap();
        assert_eq!(back, figures);
    }
}
