//! A minimal OCI image holding only the binary, written by Podium itself (no Docker).
//!
//! The image is one layer: a tar holding `server` (mode 0755, owner 0:0, mtime 0),
//! gzip-compressed. The layer, the image config and the manifest are content-addressed
//! blobs in an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/<hex>`), packed
//! into one tar: an `oci-archive` that `skopeo copy oci-archive:PATH docker://...` pushes.
//! Everything is deterministic, so the same binary always gives the same digests.

use crate::error::{DeployError, io_error};
use crate::shell::{hex, round3};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Media type of an image index (`index.json`).
pub const MEDIA_TYPE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Media type of an image manifest.
pub const MEDIA_TYPE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of an image config.
pub const MEDIA_TYPE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Media type of a gzip-compressed tar layer.
pub const MEDIA_TYPE_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The annotation naming an image in an image layout.
pub const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";
/// The file the layer holds (the entrypoint is `/server`).
const LAYER_FILE: &str = "server";

/// What the image says about running the binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSpec {
    /// Reference name stored in `index.json` (e.g. `podium/stdlib:deploy`).
    pub name: String,
    /// The command the container runs (`["/server"]`).
    pub entrypoint: Vec<String>,
    /// Environment, as `NAME=value`.
    pub env: Vec<String>,
    /// The TCP port the server listens on.
    pub exposed_port: u16,
    /// GOARCH-style architecture (`amd64`, `arm64`).
    pub architecture: String,
    /// GOOS-style operating system (`linux`).
    pub os: String,
}

impl ImageSpec {
    /// The image for a subject's `server` binary on this machine's architecture:
    /// entrypoint `/server`, `PORT=8080`, port 8080 exposed.
    pub fn for_server(name: &str) -> Self {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Self {
            name: name.to_string(),
            entrypoint: vec![format!("/{LAYER_FILE}")],
            env: vec!["PORT=8080".to_string()],
            exposed_port: 8080,
            architecture: architecture.to_string(),
            os: std::env::consts::OS.to_string(),
        }
    }
}

/// A written OCI image archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OciImage {
    /// The archive (a tar of the OCI image layout).
    pub path: PathBuf,
    /// Size of the archive file.
    pub tar_bytes: u64,
    /// What a registry stores for the image: compressed layer + config + manifest.
    /// This is the image size the deployment figures report.
    pub image_bytes: u64,
    /// `sha256:<hex>` of the manifest (the image's digest, as `docker pull @sha256:` uses).
    pub manifest_digest: String,
    /// `sha256:<hex>` of the config blob.
    pub config_digest: String,
    /// `sha256:<hex>` of the compressed layer blob.
    pub layer_digest: String,
    /// `sha256:<hex>` of the uncompressed layer tar (the config's `rootfs.diff_ids`).
    pub layer_diff_id: String,
    /// Milliseconds Podium took to write the archive.
    pub build_ms: f64,
}

#[derive(Serialize)]
struct Descriptor<'a> {
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    digest: &'a str,
    size: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    config: Descriptor<'a>,
    layers: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
struct Index<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    manifests: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
struct Config<'a> {
    architecture: &'a str,
    os: &'a str,
    config: RuntimeConfig<'a>,
    rootfs: RootFs<'a>,
}

#[derive(Serialize)]
struct RuntimeConfig<'a> {
    #[serde(rename = "Entrypoint")]
    entrypoint: &'a [String],
    #[serde(rename = "Env")]
    env: &'a [String],
    #[serde(rename = "ExposedPorts")]
    exposed_ports: BTreeMap<String, Empty>,
}

/// Serialises as `{}` (an exposed port's value).
#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct RootFs<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    diff_ids: Vec<&'a str>,
}

/// Writes an OCI image archive holding `binary` as `/server` to `out` (replacing it
/// atomically) and returns its digests and sizes.
pub fn write_oci_image(
    binary: &Path,
    out: &Path,
    spec: &ImageSpec,
) -> Result<OciImage, DeployError> {
    let context = format!("OCI image {}", spec.name);
    let started = Instant::now();
    let binary_bytes = std::fs::read(binary).map_err(io_error(&context, "cannot read", binary))?;

    let layer_tar = deterministic_tar(&[(LAYER_FILE, 0o755, &binary_bytes)]).map_err(io_error(
        &context,
        "cannot build the layer for",
        binary,
    ))?;
    let layer_diff_id = digest(&layer_tar);
    let layer_gz =
        gzip(&layer_tar).map_err(io_error(&context, "cannot compress the layer for", binary))?;
    let layer_digest = digest(&layer_gz);

    let exposed_ports = BTreeMap::from([(format!("{}/tcp", spec.exposed_port), Empty {})]);
    let config = to_json(&Config {
        architecture: &spec.architecture,
        os: &spec.os,
        config: RuntimeConfig {
            entrypoint: &spec.entrypoint,
            env: &spec.env,
            exposed_ports,
        },
        rootfs: RootFs {
            kind: "layers",
            diff_ids: vec![&layer_diff_id],
        },
    });
    let config_digest = digest(&config);
    let manifest = to_json(&Manifest {
        schema_version: 2,
        media_type: MEDIA_TYPE_MANIFEST,
        config: Descriptor {
            media_type: MEDIA_TYPE_CONFIG,
            digest: &config_digest,
            size: config.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: vec![Descriptor {
            media_type: MEDIA_TYPE_LAYER,
            digest: &layer_digest,
            size: layer_gz.len() as u64,
            annotations: BTreeMap::new(),
        }],
    });
    let manifest_digest = digest(&manifest);
    let index = to_json(&Index {
        schema_version: 2,
        media_type: MEDIA_TYPE_INDEX,
        manifests: vec![Descriptor {
            media_type: MEDIA_TYPE_MANIFEST,
            digest: &manifest_digest,
            size: manifest.len() as u64,
            annotations: BTreeMap::from([(REF_NAME_ANNOTATION, spec.name.as_str())]),
        }],
    });

    let blob_path = |d: &str| format!("blobs/sha256/{}", d.trim_start_matches("sha256:"));
    let (config_path, manifest_path, layer_path) = (
        blob_path(&config_digest),
        blob_path(&manifest_digest),
        blob_path(&layer_digest),
    );
    let layout = deterministic_tar(&[
        ("oci-layout", 0o644, br#"{"imageLayoutVersion":"1.0.0"}"#),
        ("index.json", 0o644, &index),
        ("blobs/", 0o755, b""),
        ("blobs/sha256/", 0o755, b""),
        (&config_path, 0o644, &config),
        (&manifest_path, 0o644, &manifest),
        (&layer_path, 0o644, &layer_gz),
    ])
    .map_err(io_error(&context, "cannot pack", out))?;

    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error(&context, "cannot create", dir))?;
    }
    crate::shell::write_atomically(&context, out, &layout)?;
    Ok(OciImage {
        path: out.to_path_buf(),
        tar_bytes: layout.len() as u64,
        image_bytes: (layer_gz.len() + config.len() + manifest.len()) as u64,
        manifest_digest,
        config_digest,
        layer_digest,
        layer_diff_id,
        build_ms: round3(started.elapsed().as_secs_f64() * 1000.0),
    })
}

/// `sha256:<hex>` of `bytes`.
fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising these plain structs of strings and maps cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A tar whose bytes depend only on the entries: ustar headers, owner 0:0, mtime 0.
/// A path ending in `/` is a folder.
fn deterministic_tar(entries: &[(&str, u32, &[u8])]) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, mode, bytes) in entries {
        let mut header = tar::Header::new_ustar();
        header.set_path(path)?;
        header.set_mode(*mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        if path.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
        } else {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_size(bytes.len() as u64);
        }
        header.set_cksum();
        builder.append(&header, *bytes)?;
    }
    builder.into_inner()
}

/// gzip without a file name or time stamp, so equal input gives equal output.
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn tar_entries_are_deterministic_and_readable() {
        let a = deterministic_tar(&[("dir/", 0o755, b""), ("dir/x", 0o600, b"hello")]).unwrap();
        let b = deterministic_tar(&[("dir/", 0o755, b""), ("dir/x", 0o600, b"hello")]).unwrap();
        assert_eq!(a, b);
        let mut archive = tar::Archive::new(a.as_slice());
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let header = entry.header();
            assert_eq!(header.mtime().unwrap(), 0);
            assert_eq!(header.uid().unwrap(), 0);
            let path = entry.path().unwrap().display().to_string();
            let mode = header.mode().unwrap();
            let mut body = String::new();
            entry.read_to_string(&mut body).unwrap();
            seen.push((path, mode, body));
        }
        assert_eq!(
            seen,
            vec![
                ("dir/".to_string(), 0o755, String::new()),
                ("dir/x".to_string(), 0o600, "hello".to_string())
            ]
        );
    }

    #[test]
    fn gzip_is_deterministic_and_round_trips() {
        let data = b"podium".repeat(1000);
        let first = gzip(&data).unwrap();
        assert_eq!(first, gzip(&data).unwrap());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(first.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn config_json_uses_the_spec_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("bin");
        std::fs::write(&binary, b"\x7fELF not really").unwrap();
        let image = write_oci_image(
            &binary,
            &dir.path().join("out/image.tar"),
            &ImageSpec::for_server("podium/t:deploy"),
        )
        .unwrap();
        let mut archive = tar::Archive::new(std::fs::File::open(&image.path).unwrap());
        let config_name = format!(
            "blobs/sha256/{}",
            image.config_digest.trim_start_matches("sha256:")
        );
        let mut config = None;
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().display().to_string() == config_name {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                config = Some(serde_json::from_str::<serde_json::Value>(&text).unwrap());
            }
        }
        let config = config.unwrap();
        assert_eq!(config["config"]["Entrypoint"][0], "/server");
        assert_eq!(config["config"]["Env"][0], "PORT=8080");
        assert!(config["config"]["ExposedPorts"]["8080/tcp"].is_object());
        assert_eq!(config["rootfs"]["type"], "layers");
        assert_eq!(
            config["rootfs"]["diff_ids"][0],
            image.layer_diff_id.as_str()
        );
        assert_eq!(config["os"], std::env::consts::OS);
        assert_eq!(
            image.tar_bytes,
            std::fs::metadata(&image.path).unwrap().len()
        );
    }

    #[test]
    fn a_missing_binary_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_oci_image(
            &dir.path().join("nope"),
            &dir.path().join("x.tar"),
            &ImageSpec::for_server("x"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("OCI image x: cannot read") && err.contains("nope"),
            "{err}"
        );
    }
}
