//! The package registries, used live: the Go module proxy through the `go` command
//! (version lists, `.info` times, `go mod download`) and the crates.io sparse index
//! plus its `.crate` downloads.

use crate::{EcoError, http::Http, time::parse_rfc3339};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The newest releases (by version order) whose dates are looked up. Six months never
/// hold more releases than this for any bundled framework; older ones cannot fall in a
/// six-month window unless a project releases more than this many times in it.
pub const DATED_RELEASES: usize = 60;

/// One published version and when it was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The version as the registry spells it (`v1.12.0`, `0.8.9`).
    pub version: String,
    /// Publication time, Unix milliseconds.
    pub published_at: i64,
}

/// Runs `go ARGS` (in `dir` if given) with workspaces off and returns its output.
pub fn go(args: &[&str], dir: Option<&Path>) -> Result<Vec<u8>, EcoError> {
    let mut command = Command::new("go");
    command
        .args(args)
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let shown = args.join(" ");
    let output = command.output().map_err(|source| EcoError::GoMissing {
        args: shown.clone(),
        source,
    })?;
    if !output.status.success() {
        return Err(EcoError::GoCommand {
            args: shown,
            stderr: one_line(&String::from_utf8_lossy(&output.stderr)),
        });
    }
    Ok(output.stdout)
}

/// The JSON objects `go ... -json` prints one after another.
pub fn json_stream(origin: &str, bytes: &[u8]) -> Result<Vec<Value>, EcoError> {
    serde_json::Deserializer::from_slice(bytes)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .map_err(|e| EcoError::malformed(origin, e))
}

fn go_error(object: &Value) -> Option<String> {
    object
        .pointer("/Error/Err")
        .or_else(|| object.get("Error"))
        .and_then(Value::as_str)
        .map(one_line)
}

/// The `go` command's multi-line messages on one line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The one JSON object a `go ... -json` command printed; its `Error` becomes
/// [`EcoError::NotFound`] with the message `not_found` makes of it.
fn go_answer(
    what: &str,
    out: &[u8],
    not_found: impl FnOnce(String) -> String,
) -> Result<Value, EcoError> {
    let object = json_stream(what, out)?
        .into_iter()
        .next()
        .ok_or_else(|| EcoError::malformed(what, "no output"))?;
    match go_error(&object) {
        Some(err) => Err(EcoError::NotFound(not_found(err))),
        None => Ok(object),
    }
}

/// A folder `go` commands can run in without being inside any module.
fn neutral_dir() -> PathBuf {
    std::env::temp_dir()
}

/// Sorts Go versions (`v1.2.3`, `v1.2.3-rc.1`) newest first; ones that are not semver
/// go last.
fn sort_newest_first(versions: &mut [String]) {
    versions.sort_by(|a, b| {
        let pa = semver::Version::parse(a.trim_start_matches('v')).ok();
        let pb = semver::Version::parse(b.trim_start_matches('v')).ok();
        pb.cmp(&pa)
    });
}

/// The versions the module proxy lists for a Go module.
pub fn go_versions(module: &str) -> Result<Vec<String>, EcoError> {
    let out = go(
        &["list", "-m", "-e", "-json", "-versions", module],
        Some(&neutral_dir()),
    )?;
    let object = go_answer("go list -m -versions", &out, |err| {
        format!("the Go module proxy does not know {module}: {err}")
    })?;
    Ok(object
        .get("Versions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

/// The `.info` time of each `module@version`, from the module proxy, in one `go` call.
pub fn go_release_times(module: &str, versions: &[String]) -> Result<Vec<Release>, EcoError> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let queries: Vec<String> = versions.iter().map(|v| format!("{module}@{v}")).collect();
    let mut args = vec!["list", "-m", "-e", "-json"];
    args.extend(queries.iter().map(String::as_str));
    let out = go(&args, Some(&neutral_dir()))?;
    let mut releases = Vec::new();
    for object in json_stream("go list -m -json", &out)? {
        let (Some(version), Some(time)) = (
            object.get("Version").and_then(Value::as_str),
            object.get("Time").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(published_at) = parse_rfc3339(time) {
            releases.push(Release {
                version: version.to_string(),
                published_at,
            });
        }
    }
    Ok(releases)
}

/// The dated releases of a Go module: its newest [`DATED_RELEASES`] versions.
pub fn go_releases(module: &str) -> Result<Vec<Release>, EcoError> {
    let mut versions = go_versions(module)?;
    sort_newest_first(&mut versions);
    versions.truncate(DATED_RELEASES);
    go_release_times(module, &versions)
}

/// The dated releases of Go itself (which the standard library ships with): the
/// `golang.org/toolchain` module's linux-amd64 versions, renamed `go1.26.8`.
pub fn go_toolchain_releases() -> Result<Vec<Release>, EcoError> {
    const SUFFIX: &str = ".linux-amd64";
    let mut versions: Vec<String> = go_versions("golang.org/toolchain")?
        .into_iter()
        .filter(|v| v.ends_with(SUFFIX))
        .collect();
    let go_version = |v: &str| -> String {
        v.trim_end_matches(SUFFIX)
            .trim_start_matches("v0.0.1-")
            .to_string()
    };
    versions.sort_by(|a, b| {
        let key = |v: &str| -> Vec<u64> {
            go_version(v)
                .trim_start_matches("go")
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|p| p.parse().ok())
                .collect()
        };
        key(b).cmp(&key(a))
    });
    versions.truncate(DATED_RELEASES);
    let mut releases = go_release_times("golang.org/toolchain", &versions)?;
    for r in &mut releases {
        r.version = go_version(&r.version);
    }
    Ok(releases)
}

/// The newest version the proxy resolves `@latest` to.
pub fn go_latest(module: &str) -> Result<Release, EcoError> {
    go_release_times(module, &["latest".to_string()])?
        .pop()
        .ok_or_else(|| {
            EcoError::NotFound(format!("the Go module proxy has no release of {module}"))
        })
}

/// A downloaded Go module: its source folder and go.mod file.
#[derive(Debug, Clone)]
pub struct GoDownload {
    /// The extracted source (read-only, in the module cache).
    pub dir: PathBuf,
    /// Its go.mod file.
    pub go_mod: PathBuf,
}

/// `go mod download -json MODULE@VERSION`.
pub fn go_download(module: &str, version: &str) -> Result<GoDownload, EcoError> {
    let query = format!("{module}@{version}");
    // `go mod download -json` exits 1 with the error inside the JSON.
    let out =
        go(&["mod", "download", "-json", &query], Some(&neutral_dir())).map_err(|e| match e {
            EcoError::GoCommand { .. } => EcoError::NotFound(format!(
                "cannot download {query} from the Go module proxy: {e}"
            )),
            other => other,
        })?;
    let object = go_answer("go mod download -json", &out, |err| {
        format!("cannot download {query}: {err}")
    })?;
    let field = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(PathBuf::from)
            .ok_or_else(|| EcoError::malformed("go mod download -json", format!("no {name}")))
    };
    Ok(GoDownload {
        dir: field("Dir")?,
        go_mod: field("GoMod")?,
    })
}

/// The `require` lines of a go.mod file: (module path, version).
pub fn go_mod_requires(text: &str) -> Vec<(String, String)> {
    let mut requires = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or_default().trim();
        let entry = if in_block {
            if line == ")" {
                in_block = false;
                continue;
            }
            line
        } else if line == "require (" {
            in_block = true;
            continue;
        } else if let Some(rest) = line.strip_prefix("require ") {
            rest.trim()
        } else {
            continue;
        };
        let mut parts = entry.split_whitespace();
        if let (Some(path), Some(version)) = (parts.next(), parts.next()) {
            requires.push((path.to_string(), version.to_string()));
        }
    }
    requires
}

/// The folder of the standard-library package `package` in the local Go toolchain, and
/// that toolchain's version (`go1.26.8`).
pub fn go_std_source(package: &str) -> Result<(PathBuf, String), EcoError> {
    let out = go(&["env", "GOROOT", "GOVERSION"], Some(&neutral_dir()))?;
    let text = String::from_utf8_lossy(&out);
    let mut lines = text.lines();
    let root = lines.next().unwrap_or_default().trim().to_string();
    let version = lines.next().unwrap_or_default().trim().to_string();
    let dir = Path::new(&root).join("src").join(package);
    if !dir.is_dir() {
        return Err(EcoError::NotFound(format!(
            "{package} is not a standard-library package of the local Go ({})",
            dir.display()
        )));
    }
    Ok((dir, version))
}

/// One version line of the crates.io sparse index.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexVersion {
    /// The version.
    pub vers: String,
    /// Its dependencies.
    #[serde(default)]
    pub deps: Vec<IndexDep>,
    /// Whether it was yanked.
    #[serde(default)]
    pub yanked: bool,
    /// Publication time (RFC 3339); missing on versions older than the field.
    #[serde(default)]
    pub pubtime: Option<String>,
}

/// A dependency in the sparse index.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexDep {
    /// The name it is used under.
    pub name: String,
    /// The version requirement.
    pub req: String,
    /// `normal`, `dev` or `build`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The crate's real name when renamed.
    #[serde(default)]
    pub package: Option<String>,
}

impl IndexDep {
    /// The crate depended on.
    pub fn crate_name(&self) -> &str {
        self.package.as_deref().unwrap_or(&self.name)
    }
}

/// The crates.io registry: the sparse index and the download host.
#[derive(Debug, Clone)]
pub struct CratesIo {
    /// `https://index.crates.io` (or `PODIUM_CRATES_INDEX`).
    pub index: String,
    /// `https://static.crates.io/crates` (or `PODIUM_CRATES_DOWNLOAD`).
    pub download: String,
}

impl Default for CratesIo {
    fn default() -> Self {
        CratesIo {
            index: std::env::var("PODIUM_CRATES_INDEX")
                .unwrap_or_else(|_| "https://index.crates.io".into()),
            download: std::env::var("PODIUM_CRATES_DOWNLOAD")
                .unwrap_or_else(|_| "https://static.crates.io/crates".into()),
        }
    }
}

/// The sparse index path of a crate (`ax/um/axum`, `3/s/syn`).
pub fn index_path(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

impl CratesIo {
    /// Every version of a crate the index lists.
    pub fn versions(&self, http: &Http, name: &str) -> Result<Vec<IndexVersion>, EcoError> {
        let url = format!("{}/{}", self.index.trim_end_matches('/'), index_path(name));
        let response = http.get(&url, &[])?;
        match response.status {
            200 => {}
            404 | 410 | 451 => {
                return Err(EcoError::NotFound(format!(
                    "crates.io has no crate named {name}"
                )));
            }
            status => {
                return Err(EcoError::Status {
                    url,
                    status,
                    body: response.body_excerpt(),
                });
            }
        }
        let text = String::from_utf8_lossy(&response.body);
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| EcoError::malformed(&url, e)))
            .collect()
    }

    /// Downloads and unpacks `name-version.crate` under `cache` (reused when present);
    /// returns the unpacked folder.
    pub fn source(
        &self,
        http: &Http,
        cache: &Path,
        name: &str,
        version: &str,
    ) -> Result<PathBuf, EcoError> {
        let root = cache.join("eco").join("crates");
        let dir = root.join(format!("{name}-{version}"));
        if dir.join("Cargo.toml").is_file() {
            return Ok(dir);
        }
        let url = format!(
            "{}/{name}/{name}-{version}.crate",
            self.download.trim_end_matches('/')
        );
        let response = http.get(&url, &[])?;
        if response.status != 200 {
            return Err(EcoError::Status {
                url,
                status: response.status,
                body: response.body_excerpt(),
            });
        }
        std::fs::create_dir_all(&root).map_err(|e| EcoError::io(&root, e))?;
        let staging = tempfile_dir(&root)?;
        tar::Archive::new(flate2::read::GzDecoder::new(response.body.as_slice()))
            .unpack(&staging)
            .map_err(|e| EcoError::malformed(&url, format!("not a .crate archive: {e}")))?;
        let unpacked = staging.join(format!("{name}-{version}"));
        if !unpacked.join("Cargo.toml").is_file() {
            return Err(EcoError::malformed(&url, "the archive holds no Cargo.toml"));
        }
        // Another process may have unpacked it meanwhile; either copy is the same.
        if std::fs::rename(&unpacked, &dir).is_err() && !dir.join("Cargo.toml").is_file() {
            return Err(EcoError::io(
                &dir,
                std::io::Error::other("cannot move the unpacked crate"),
            ));
        }
        let _ = std::fs::remove_dir_all(&staging);
        Ok(dir)
    }
}

fn tempfile_dir(root: &Path) -> Result<PathBuf, EcoError> {
    let dir = root.join(format!(
        ".unpack-{}-{}",
        std::process::id(),
        crate::time_now_ms()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| EcoError::io(&dir, e))?;
    Ok(dir)
}

/// The dated, non-yanked releases of index versions.
pub fn crate_releases(versions: &[IndexVersion]) -> Vec<Release> {
    versions
        .iter()
        .filter(|v| !v.yanked)
        .filter_map(|v| {
            Some(Release {
                version: v.vers.clone(),
                published_at: parse_rfc3339(v.pubtime.as_deref()?)?,
            })
        })
        .collect()
}

/// The `package.repository` of an unpacked crate's Cargo.toml.
pub fn crate_repository(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let value: toml::Value = toml::from_str(&text).ok()?;
    value
        .get("package")?
        .get("repository")?
        .as_str()
        .map(str::to_string)
}

/// Releases per month over the `months` (30-day) periods before `now`.
pub fn releases_per_month(releases: &[Release], now: i64, months: u32) -> (usize, f64) {
    let since = now - i64::from(months) * 30 * crate::time::DAY_MS;
    let count = releases
        .iter()
        .filter(|r| r.published_at > since && r.published_at <= now)
        .count();
    (count, count as f64 / f64::from(months))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_index_paths() {
        assert_eq!(index_path("axum"), "ax/um/axum");
        assert_eq!(index_path("syn"), "3/s/syn");
        assert_eq!(index_path("Actix-Web"), "ac/ti/actix-web");
        assert_eq!(index_path("a"), "1/a");
    }

    #[test]
    fn go_mod_require_lines() {
        let text = "module x\n\nrequire github.com/a/b v1.0.0\nrequire (\n\tgithub.com/c/d v0.2.0 // indirect\n\n\tgolang.org/x/net v0.40.0\n)\n";
        assert_eq!(
            go_mod_requires(text),
            vec![
                ("github.com/a/b".into(), "v1.0.0".into()),
                ("github.com/c/d".into(), "v0.2.0".into()),
                ("golang.org/x/net".into(), "v0.40.0".into()),
            ]
        );
    }

    #[test]
    fn release_rate_counts_the_window_only() {
        let day = crate::time::DAY_MS;
        let now = 1000 * day;
        let releases: Vec<Release> = [1, 10, 179, 181, 400]
            .iter()
            .map(|ago| Release {
                version: format!("v0.0.{ago}"),
                published_at: now - ago * day,
            })
            .collect();
        let (count, rate) = releases_per_month(&releases, now, 6);
        assert_eq!(count, 3);
        assert!((rate - 0.5).abs() < 1e-12);
    }

    #[test]
    fn versions_sort_newest_first() {
        let mut v: Vec<String> = ["v1.9.0", "v1.10.0", "v1.10.0-rc.1", "junk"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_newest_first(&mut v);
        assert_eq!(v, ["v1.10.0", "v1.10.0-rc.1", "v1.9.0", "junk"]);
    }
}
