#![allow(clippy::unwrap_used)]
//! Deployment figures of the Go `stdlib` subject, with the real Go toolchain.

use podium_deploy::{
    DeployOptions, dependency_count, deploy_build, deployment_figures, first_response,
    measure_build_times,
};
use podium_subjects::{Catalog, Subject};
use std::path::PathBuf;

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache")
}

fn stdlib() -> Subject {
    let catalog = Catalog::load(&cache(), &[]).unwrap();
    catalog.get("stdlib").unwrap().clone()
}

#[test]
fn deploy_binary_is_static_cgo_free_and_smaller_than_the_run_binary() {
    let subject = stdlib();
    let artifact = deploy_build(&subject, &cache()).unwrap();
    assert!(
        artifact.static_binary,
        "CGO_ENABLED=0 gives a static binary"
    );
    assert_eq!(artifact.cgo_free, Some(true));
    assert_eq!(artifact.cgo_failure, None);
    let log = std::fs::read_to_string(&artifact.build_log).unwrap();
    assert!(log.contains("CGO_ENABLED=0 sh -c"), "{log}");

    let run = podium_subjects::build(&subject, &cache()).unwrap();
    let run_bytes = std::fs::metadata(&run.executable).unwrap().len();
    assert!(
        artifact.binary_bytes < run_bytes,
        "-s -w strips: deploy {} bytes, run {run_bytes} bytes",
        artifact.binary_bytes
    );
    // The second call reuses the build.
    let again = deploy_build(&subject, &cache()).unwrap();
    assert!(again.reused);
    assert_eq!(again.binary_bytes, artifact.binary_bytes);
}

#[test]
fn dependency_count_is_go_list_minus_main_and_local_replacements() {
    let subject = stdlib();
    let deps = dependency_count(&subject).unwrap();
    assert!(deps.count > 0);
    assert!(deps.method.starts_with("go list -m all"), "{}", deps.method);

    // The same count from the plain text listing: the first line is the main module,
    // a local replacement shows as "path version => ../dir".
    let out = std::process::Command::new("go")
        .args(["list", "-m", "all"])
        .current_dir(&subject.dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = text
        .lines()
        .skip(1)
        .filter(|line| {
            line.split_once(" => ")
                .is_none_or(|(_, to)| !(to.starts_with('.') || to.starts_with('/')))
        })
        .count();
    assert!(text.contains("podium.local/subjects/common"), "{text}");
    assert_eq!(deps.count, expected, "{text}");
}

#[test]
fn deploy_binary_answers_its_first_ping() {
    let subject = stdlib();
    let artifact = deploy_build(&subject, &cache()).unwrap();
    let port = podium_subjects::free_port().unwrap();
    let response = first_response(&artifact.binary, port, 3).unwrap();
    assert_eq!(response.samples_ms.len(), 3);
    assert!(response.samples_ms.iter().all(|ms| *ms > 0.0));
    assert!(response.median_ms > 0.0);
    // Each start was stopped: the port is free again.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn cold_build_downloads_modules_into_fresh_caches() {
    let subject = stdlib();
    let times = measure_build_times(&subject).unwrap();
    assert!(times.cold_s > 0.0 && times.warm_s > 0.0, "{times:?}");
    assert!(
        times.downloaded_bytes > 0,
        "the cold build filled its own module cache: {times:?}"
    );
    assert_eq!(times.cgo_free, Some(true));
    let toolchain = times.toolchain.unwrap();
    assert!(toolchain.starts_with("go version go"), "{toolchain}");
    eprintln!(
        "stdlib: cold {:.1} s, warm {:.1} s, {} bytes downloaded",
        times.cold_s, times.warm_s, times.downloaded_bytes
    );
}

#[test]
fn figures_are_measured_once_and_then_reused() {
    let subject = stdlib();
    let oci_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oci-figures");
    let options = DeployOptions {
        measure_cold_build: false,
        oci_dir: Some(oci_dir.clone()),
    };
    let first = deployment_figures(&subject, &cache(), &options).unwrap();
    assert_eq!(first.subject, "stdlib");
    assert!(first.static_binary && first.cgo_free == Some(true));
    assert!(first.binary_bytes > 0 && first.first_response_ms > 0.0);
    assert!(first.deps.as_ref().unwrap().count > 0);
    assert!(first.oci_image_bytes > 0 && first.oci_image_bytes < first.binary_bytes);
    assert_eq!(first.oci_archive, oci_dir.join("stdlib.oci.tar"));
    assert!(first.oci_archive.is_file());
    assert!(
        first
            .toolchain
            .as_deref()
            .unwrap()
            .starts_with("go version")
    );
    eprintln!("{}", serde_json::to_string_pretty(&first).unwrap());

    let second = deployment_figures(&subject, &cache(), &options).unwrap();
    assert!(second.reused);
    assert_eq!(second.measured_at, first.measured_at);
    assert_eq!(
        second.first_response_samples_ms,
        first.first_response_samples_ms
    );
    assert_eq!(second.oci_manifest_digest, first.oci_manifest_digest);
}
