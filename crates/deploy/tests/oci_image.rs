#![allow(clippy::unwrap_used)]
//! The OCI archive of a real shipping binary (the Go `stdlib` subject), unpacked and
//! checked blob by blob against the OCI image-layout rules.

use flate2::read::GzDecoder;
use podium_deploy::{ImageSpec, deploy_build, write_oci_image};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Every regular file of a tar: path → (mode, bytes).
fn unpack(bytes: &[u8]) -> HashMap<String, (u32, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    let mut files = HashMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = entry.path().unwrap().display().to_string();
        let mode = entry.header().mode().unwrap();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).unwrap();
        files.insert(path, (mode, body));
    }
    files
}

fn blob<'a>(files: &'a HashMap<String, (u32, Vec<u8>)>, digest: &str) -> &'a [u8] {
    let path = format!("blobs/sha256/{}", digest.strip_prefix("sha256:").unwrap());
    &files
        .get(&path)
        .unwrap_or_else(|| panic!("no blob {path}"))
        .1
}

/// Checks that `descriptor` names a blob with this media type, digest and size.
fn check_descriptor(files: &HashMap<String, (u32, Vec<u8>)>, descriptor: &Value, media_type: &str) {
    assert_eq!(descriptor["mediaType"], media_type, "{descriptor}");
    let digest = descriptor["digest"].as_str().unwrap();
    let bytes = blob(files, digest);
    assert_eq!(sha256(bytes), digest, "blob content matches its name");
    assert_eq!(descriptor["size"].as_u64().unwrap(), bytes.len() as u64);
}

#[test]
fn stdlib_image_archive_is_a_valid_deterministic_oci_layout() {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache");
    let catalog = podium_subjects::Catalog::load(&cache, &[]).unwrap();
    let subject = catalog.get("stdlib").unwrap();
    let artifact = deploy_build(subject, &cache).unwrap();
    let binary = std::fs::read(&artifact.binary).unwrap();

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oci-test");
    let spec = ImageSpec::for_server("podium/stdlib:test");
    let image = write_oci_image(&artifact.binary, &out.join("first.tar"), &spec).unwrap();
    let archive = std::fs::read(&image.path).unwrap();
    assert_eq!(image.tar_bytes, archive.len() as u64);
    let files = unpack(&archive);

    let layout: Value = serde_json::from_slice(&files["oci-layout"].1).unwrap();
    assert_eq!(layout, serde_json::json!({"imageLayoutVersion": "1.0.0"}));

    let index: Value = serde_json::from_slice(&files["index.json"].1).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 1);
    check_descriptor(
        &files,
        &manifests[0],
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert_eq!(
        manifests[0]["annotations"]["org.opencontainers.image.ref.name"],
        "podium/stdlib:test"
    );
    assert_eq!(manifests[0]["digest"], image.manifest_digest.as_str());

    let manifest: Value = serde_json::from_slice(blob(&files, &image.manifest_digest)).unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    check_descriptor(
        &files,
        &manifest["config"],
        "application/vnd.oci.image.config.v1+json",
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    check_descriptor(
        &files,
        &layers[0],
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
    assert_eq!(manifest["config"]["digest"], image.config_digest.as_str());
    assert_eq!(layers[0]["digest"], image.layer_digest.as_str());

    let config: Value = serde_json::from_slice(blob(&files, &image.config_digest)).unwrap();
    assert_eq!(config["architecture"], spec.architecture.as_str());
    assert_eq!(config["os"], "linux");
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!(["/server"])
    );
    assert_eq!(config["config"]["Env"], serde_json::json!(["PORT=8080"]));
    assert_eq!(
        config["config"]["ExposedPorts"],
        serde_json::json!({"8080/tcp": {}})
    );
    assert_eq!(config["rootfs"]["type"], "layers");

    let layer_gz = blob(&files, &image.layer_digest);
    let mut layer_tar = Vec::new();
    GzDecoder::new(layer_gz)
        .read_to_end(&mut layer_tar)
        .unwrap();
    assert_eq!(
        config["rootfs"]["diff_ids"],
        serde_json::json!([sha256(&layer_tar)])
    );
    assert_eq!(image.layer_diff_id, sha256(&layer_tar));
    let layer = unpack(&layer_tar);
    assert_eq!(layer.len(), 1, "the layer holds only the binary");
    let (mode, server) = &layer["server"];
    assert_eq!(*mode, 0o755);
    assert!(*server == binary, "the layer holds the exact binary");

    let manifest_len = blob(&files, &image.manifest_digest).len();
    let config_len = blob(&files, &image.config_digest).len();
    assert_eq!(
        image.image_bytes,
        (layer_gz.len() + config_len + manifest_len) as u64
    );
    assert!(
        image.image_bytes < artifact.binary_bytes,
        "gzip shrinks a Go binary"
    );

    // Deterministic: a second write gives the same digests and the same archive bytes.
    let again = write_oci_image(&artifact.binary, &out.join("second.tar"), &spec).unwrap();
    assert_eq!(again.manifest_digest, image.manifest_digest);
    assert_eq!(again.config_digest, image.config_digest);
    assert_eq!(again.layer_digest, image.layer_digest);
    assert_eq!(std::fs::read(&again.path).unwrap(), archive);
}
