//! Known vulnerabilities from OSV: the OSV API (`PODIUM_OSV_API`, default
//! `https://api.osv.dev`), a local OSV database folder (`--osv-db DIR`, OSV's export
//! layout: one folder per ecosystem, `DIR/Go/*.json`, `DIR/crates.io/*.json`, one
//! record per file, or the records directly in `DIR`), or for Go modules the Go
//! vulnerability database itself (`golang.org/x/vulndb`, where OSV's Go records come
//! from), downloaded from the Go module proxy. Podium matches each record's
//! `affected[].ranges` itself; withdrawn records are left out.

use crate::{EcoError, http::Http};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The OSV API base: `PODIUM_OSV_API`, else `https://api.osv.dev`.
pub fn default_base() -> String {
    std::env::var("PODIUM_OSV_API").unwrap_or_else(|_| "https://api.osv.dev".into())
}

/// The Go vulnerability database's module: its `data/osv` folder holds the OSV records
/// of the Go ecosystem, one per file.
pub const GO_VULNDB_MODULE: &str = "golang.org/x/vulndb";

/// A version of [`GO_VULNDB_MODULE`] known to be served (2026-11-05), for proxies that
/// serve its versions but will not list them.
pub const GO_VULNDB_KNOWN: &str = "v0.0.0-20261105234957-e22db6528018";

/// Records by (ecosystem, package).
type RecordIndex = HashMap<(String, String), Vec<Value>>;

/// Most pages of one package's records read from the API.
const MAX_PAGES: usize = 20;

/// Where OSV records come from.
#[derive(Debug)]
pub enum OsvSource<'a> {
    /// The OSV API at this base address.
    Api {
        /// The client.
        http: &'a Http,
        /// `https://api.osv.dev` or a replay server.
        base: String,
    },
    /// A local database folder, indexed once.
    Dir {
        /// The folder.
        root: PathBuf,
        /// What it is, when it is more than a folder the user named.
        label: Option<String>,
        /// (ecosystem, package) → records, filled on first use.
        index: std::cell::RefCell<Option<RecordIndex>>,
    },
}

impl<'a> OsvSource<'a> {
    /// A local database folder.
    pub fn dir(root: &Path) -> OsvSource<'a> {
        OsvSource::Dir {
            root: root.to_path_buf(),
            label: None,
            index: std::cell::RefCell::new(None),
        }
    }

    /// The Go vulnerability database from the Go module proxy: its newest version, or
    /// [`GO_VULNDB_KNOWN`] when the proxy will not resolve `@latest`.
    pub fn go_vulndb() -> Result<OsvSource<'a>, EcoError> {
        let release = match crate::registry::go_latest(GO_VULNDB_MODULE) {
            Ok(latest) => latest,
            Err(e) => {
                crate::registry::go_release_times(GO_VULNDB_MODULE, &[GO_VULNDB_KNOWN.to_string()])?
                    .pop()
                    .ok_or(e)?
            }
        };
        let download = crate::registry::go_download(GO_VULNDB_MODULE, &release.version)?;
        let root = download.dir.join("data").join("osv");
        if !root.is_dir() {
            return Err(EcoError::malformed(
                format!("{GO_VULNDB_MODULE}@{}", release.version),
                "it has no data/osv folder of OSV records",
            ));
        }
        Ok(OsvSource::Dir {
            root,
            label: Some(format!(
                "Go vulnerability database ({GO_VULNDB_MODULE}@{}, records as of {}, from the Go module proxy)",
                release.version,
                crate::time::date(release.published_at)
            )),
            index: std::cell::RefCell::new(None),
        })
    }

    /// What is shown as the source of the figures.
    pub fn describe(&self) -> String {
        match self {
            OsvSource::Api { base, .. } => format!("OSV API ({base})"),
            OsvSource::Dir {
                label: Some(label), ..
            } => label.clone(),
            OsvSource::Dir { root, .. } => format!("local OSV database {}", root.display()),
        }
    }

    /// Every record filed for `package` in `ecosystem`.
    pub fn records(&self, ecosystem: &str, package: &str) -> Result<Vec<Value>, EcoError> {
        let mut records = match self {
            OsvSource::Api { http, base } => api_records(http, base, ecosystem, package)?,
            OsvSource::Dir { root, index, .. } => {
                let mut index = index.borrow_mut();
                if index.is_none() {
                    *index = Some(index_dir(root)?);
                }
                index
                    .as_ref()
                    .and_then(|i| i.get(&(ecosystem.to_string(), package.to_string())))
                    .cloned()
                    .unwrap_or_default()
            }
        };
        // A withdrawn record was found not to be a vulnerability after all.
        records.retain(|r| r.get("withdrawn").is_none_or(Value::is_null));
        Ok(records)
    }
}

fn api_records(
    http: &Http,
    base: &str,
    ecosystem: &str,
    package: &str,
) -> Result<Vec<Value>, EcoError> {
    let url = format!("{}/v1/query", base.trim_end_matches('/'));
    let mut records = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut body = json!({"package": {"name": package, "ecosystem": ecosystem}});
        if let Some(t) = &token {
            body["page_token"] = json!(t);
        }
        let response = http.post_json(&url, &[], &body)?;
        if response.status != 200 {
            return Err(EcoError::Status {
                url,
                status: response.status,
                body: response.body_excerpt(),
            });
        }
        let value: Value = serde_json::from_slice(&response.body)
            .map_err(|e| EcoError::malformed(&url, format!("not JSON: {e}")))?;
        match value.get("vulns") {
            None | Some(Value::Null) => {}
            Some(Value::Array(vulns)) => records.extend(vulns.iter().cloned()),
            Some(_) => return Err(EcoError::malformed(&url, "`vulns` is not a list")),
        }
        token = value
            .get("next_page_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return Ok(records);
        }
    }
    Err(EcoError::malformed(
        url,
        format!("more than {MAX_PAGES} pages of records for {package}"),
    ))
}

fn index_dir(root: &Path) -> Result<RecordIndex, EcoError> {
    let mut index = RecordIndex::new();
    let entries = std::fs::read_dir(root).map_err(|e| EcoError::io(root, e))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            // OSV's export layout: one folder per ecosystem.
            let files = std::fs::read_dir(&path).map_err(|e| EcoError::io(&path, e))?;
            for file in files.filter_map(Result::ok) {
                index_file(&file.path(), &mut index)?;
            }
        } else {
            index_file(&path, &mut index)?;
        }
    }
    Ok(index)
}

/// Adds one `*.json` record file to the index (other files are ignored).
fn index_file(path: &Path, index: &mut RecordIndex) -> Result<(), EcoError> {
    if path.extension().is_none_or(|e| e != "json") {
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| EcoError::io(path, e))?;
    let record: Value = serde_json::from_slice(&bytes).map_err(|e| {
        EcoError::malformed(
            path.display().to_string(),
            format!("not an OSV record: {e}"),
        )
    })?;
    let mut keys = Vec::new();
    for affected in record
        .get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let eco = affected
            .pointer("/package/ecosystem")
            .and_then(Value::as_str);
        let name = affected.pointer("/package/name").and_then(Value::as_str);
        if let (Some(eco), Some(name)) = (eco, name) {
            let key = (eco.to_string(), name.to_string());
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    for key in keys {
        index.entry(key).or_default().push(record.clone());
    }
    Ok(())
}

/// A version parsed for comparison: semver after dropping a `v` or `go` prefix; OSV's
/// `0` (from the beginning) is the smallest, `0.0.0-0`, below every pre-release such as
/// the Go pseudo-version `0.0.0-20220906165146-f3363e06e74c` (which is below `0.0.0`).
fn parse_version(text: &str) -> Option<semver::Version> {
    let t = text.trim().trim_start_matches('v').trim_start_matches("go");
    if t == "0" {
        return semver::Version::parse("0.0.0-0").ok();
    }
    semver::Version::parse(t).ok().or_else(|| {
        // Go release names such as 1.26 or 1.26rc1 → 1.26.0(-rc1).
        let (core, pre) = match t.find(|c: char| c.is_ascii_alphabetic()) {
            Some(i) => (&t[..i], Some(&t[i..])),
            None => (t, None),
        };
        let mut parts: Vec<&str> = core.split('.').collect();
        while parts.len() < 3 {
            parts.push("0");
        }
        let joined = match pre {
            Some(p) => format!("{}-{p}", parts.join(".")),
            None => parts.join("."),
        };
        semver::Version::parse(&joined).ok()
    })
}

/// A record's `affected` entries about `package` in `ecosystem`.
fn entries_of<'a>(
    record: &'a Value,
    ecosystem: &'a str,
    package: &'a str,
) -> impl Iterator<Item = &'a Value> {
    record
        .get("affected")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |a| {
            a.pointer("/package/ecosystem").and_then(Value::as_str) == Some(ecosystem)
                && a.pointer("/package/name").and_then(Value::as_str) == Some(package)
        })
}

/// Whether an OSV record affects `version` of `package` in `ecosystem`: listed in
/// `versions`, or inside a SEMVER/ECOSYSTEM range whose events (introduced, fixed,
/// last_affected) are walked in version order.
pub fn affects(record: &Value, ecosystem: &str, package: &str, version: &str) -> bool {
    let Some(v) = parse_version(version) else {
        return false;
    };
    let bare = version.trim_start_matches('v').trim_start_matches("go");
    for affected in entries_of(record, ecosystem, package) {
        if affected
            .get("versions")
            .and_then(Value::as_array)
            .is_some_and(|vs| {
                vs.iter()
                    .filter_map(Value::as_str)
                    .any(|x| x.trim_start_matches('v') == bare)
            })
        {
            return true;
        }
        for range in affected
            .get("ranges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = range.get("type").and_then(Value::as_str);
            if !matches!(kind, Some("SEMVER" | "ECOSYSTEM")) {
                continue;
            }
            let mut events: Vec<(semver::Version, u8)> = Vec::new();
            for event in range
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for (name, order) in [("introduced", 0), ("fixed", 1), ("last_affected", 2)] {
                    if let Some(at) = event
                        .get(name)
                        .and_then(Value::as_str)
                        .and_then(parse_version)
                    {
                        events.push((at, order));
                    }
                }
            }
            events.sort();
            let mut inside = false;
            for (at, order) in &events {
                match order {
                    0 if *at <= v => inside = true,
                    1 if *at <= v => inside = false,
                    2 if *at < v => inside = false,
                    _ => {}
                }
            }
            if inside {
                return true;
            }
        }
    }
    false
}

/// The `fixed` versions a record names for `package`, lowest first.
pub fn fixed_versions(record: &Value, ecosystem: &str, package: &str) -> Vec<String> {
    let mut fixed: Vec<(semver::Version, String)> = Vec::new();
    for affected in entries_of(record, ecosystem, package) {
        for range in affected
            .get("ranges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for event in range
                .get("events")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(f) = event.get("fixed").and_then(Value::as_str)
                    && let Some(parsed) = parse_version(f)
                {
                    fixed.push((parsed, f.to_string()));
                }
            }
        }
    }
    fixed.sort();
    fixed.dedup();
    fixed.into_iter().map(|(_, f)| f).collect()
}

/// The record's id and its aliases (CVE numbers).
pub fn id_of(record: &Value) -> String {
    record
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("(no id)")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(events: Value) -> Value {
        json!({"id": "GO-1", "published": "2024-01-01T00:00:00Z", "affected": [{
            "package": {"name": "github.com/x/y", "ecosystem": "Go"},
            "ranges": [{"type": "SEMVER", "events": events}]
        }]})
    }

    #[test]
    fn ranges_match_the_pinned_version() {
        let r = record(json!([{"introduced": "0"}, {"fixed": "1.9.1"}]));
        assert!(affects(&r, "Go", "github.com/x/y", "v1.9.0"));
        assert!(!affects(&r, "Go", "github.com/x/y", "v1.9.1"));
        assert!(!affects(&r, "Go", "github.com/other", "v1.0.0"));
        let r = record(json!([{"introduced": "1.2.0"}, {"last_affected": "1.3.0"}]));
        assert!(affects(&r, "Go", "github.com/x/y", "v1.3.0"));
        assert!(!affects(&r, "Go", "github.com/x/y", "v1.1.9"));
        assert!(!affects(&r, "Go", "github.com/x/y", "v1.3.1"));
        let r = record(
            json!([{"introduced": "0"}, {"fixed": "1.1.0"}, {"introduced": "1.5.0"}, {"fixed": "1.5.3"}]),
        );
        assert!(affects(&r, "Go", "github.com/x/y", "v1.5.2"));
        assert!(!affects(&r, "Go", "github.com/x/y", "v1.3.0"));
        assert_eq!(
            fixed_versions(&r, "Go", "github.com/x/y"),
            ["1.1.0", "1.5.3"]
        );
    }

    #[test]
    fn introduced_zero_is_below_pseudo_versions() {
        // GO-2022-0969's golang.org/x/net range: fixed in a pseudo-version of 2022.
        let r =
            record(json!([{"introduced": "0"}, {"fixed": "0.0.0-20220906165146-f3363e06e74c"}]));
        assert!(!affects(&r, "Go", "github.com/x/y", "v0.51.0"));
        assert!(affects(
            &r,
            "Go",
            "github.com/x/y",
            "v0.0.0-20220101000000-aaaaaaaaaaaa"
        ));
    }

    #[test]
    fn go_release_names_compare() {
        let r = json!({"affected": [{"package": {"name": "stdlib", "ecosystem": "Go"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.26.0-0"}, {"fixed": "1.26.9"}]}]}]});
        assert!(affects(&r, "Go", "stdlib", "go1.26.8"));
        assert!(!affects(&r, "Go", "stdlib", "go1.26.9"));
        assert!(!affects(&r, "Go", "stdlib", "go1.25.3"));
    }
}
