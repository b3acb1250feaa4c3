//! Finding subjects: the bundled ones (embedded in the binary, unpacked into the cache)
//! and any folders the user adds.

use crate::manifest::{MANIFEST_FILE, ManifestError, SubjectManifest};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_files.rs"));
}

/// Where a subject came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped inside the `podium` binary.
    Bundled,
    /// Found in a folder given with `--subjects-dir`.
    UserDir(PathBuf),
}

/// One subject: its manifest and the folder it is built from.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The parsed manifest.
    pub manifest: SubjectManifest,
    /// Absolute path of the subject's folder (where `subject.toml` is).
    pub dir: PathBuf,
    /// Bundled or user-provided.
    pub origin: Origin,
}

impl Subject {
    /// The subject's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }
}

/// Why subjects could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A manifest is broken.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Two folders define the same name.
    #[error("subject name {name:?} is defined twice: {first} and {second}; rename one of them")]
    DuplicateName {
        /// The clashing name.
        name: String,
        /// The first manifest.
        first: PathBuf,
        /// The second manifest.
        second: PathBuf,
    },
    /// A `--subjects-dir` does not exist or holds no subject.
    #[error("subjects folder {0} {1}")]
    BadDir(PathBuf, &'static str),
    /// The bundled subjects could not be unpacked.
    #[error(
        "cannot unpack the bundled subjects into {path}: {source}; check that the cache folder is writable or set PODIUM_CACHE_DIR"
    )]
    Unpack {
        /// The target folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No subject has the requested name.
    #[error("no subject named {name:?}; known subjects: {known}")]
    Unknown {
        /// The requested name.
        name: String,
        /// Comma-separated known names.
        known: String,
    },
}

/// All subjects Podium knows about, sorted by language then name.
#[derive(Debug, Clone)]
pub struct Catalog {
    subjects: Vec<Subject>,
}

impl Catalog {
    /// Unpacks the bundled subjects into `cache` and adds those found in `extra_dirs`.
    pub fn load(cache: &Path, extra_dirs: &[PathBuf]) -> Result<Self, CatalogError> {
        let bundled_root = unpack_bundled(cache)?;
        let mut subjects = Vec::new();
        for manifest in find_manifests(&bundled_root) {
            subjects.push(Subject {
                manifest: SubjectManifest::load(&manifest)?,
                dir: parent(&manifest),
                origin: Origin::Bundled,
            });
        }
        for dir in extra_dirs {
            if !dir.is_dir() {
                return Err(CatalogError::BadDir(
                    dir.clone(),
                    "does not exist or is not a folder",
                ));
            }
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            let found = find_manifests(&dir);
            if found.is_empty() {
                return Err(CatalogError::BadDir(
                    dir,
                    "holds no subject.toml (looked up to 3 levels deep)",
                ));
            }
            for manifest in found {
                subjects.push(Subject {
                    manifest: SubjectManifest::load(&manifest)?,
                    dir: parent(&manifest),
                    origin: Origin::UserDir(dir.clone()),
                });
            }
        }
        Self::from_subjects(subjects)
    }

    /// Builds a catalog from already-loaded subjects, rejecting duplicate names.
    pub fn from_subjects(mut subjects: Vec<Subject>) -> Result<Self, CatalogError> {
        subjects.sort_by(|a, b| {
            (language_rank(&a.manifest.language), &a.manifest.name)
                .cmp(&(language_rank(&b.manifest.language), &b.manifest.name))
        });
        let mut seen = std::collections::HashMap::new();
        for subject in &subjects {
            if let Some(first) = seen.insert(subject.name(), &subject.dir) {
                return Err(CatalogError::DuplicateName {
                    name: subject.name().to_string(),
                    first: first.join(MANIFEST_FILE),
                    second: subject.dir.join(MANIFEST_FILE),
                });
            }
        }
        Ok(Self { subjects })
    }

    /// Every subject.
    pub fn all(&self) -> &[Subject] {
        &self.subjects
    }

    /// The subject with this name.
    pub fn get(&self, name: &str) -> Result<&Subject, CatalogError> {
        self.subjects
            .iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| CatalogError::Unknown {
                name: name.to_string(),
                known: self
                    .subjects
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

fn language_rank(language: &str) -> (u8, String) {
    match language {
        "go" => (0, String::new()),
        "rust" => (1, String::new()),
        other => (2, other.to_string()),
    }
}

fn parent(manifest: &Path) -> PathBuf {
    manifest.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Finds `subject.toml` files up to three levels below `root` (`<lang>/<name>/subject.toml`
/// or directly `<name>/subject.toml`), skipping build output folders.
fn find_manifests(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let candidate = dir.join(MANIFEST_FILE);
        if candidate.is_file() {
            out.push(candidate);
            return;
        }
        if depth == 0 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                !name.starts_with('.') && name != "target" && name != "node_modules"
            })
            .map(|e| e.path())
            .collect();
        dirs.sort();
        for d in dirs {
            walk(&d, depth - 1, out);
        }
    }
    let mut out = Vec::new();
    walk(root, 3, &mut out);
    out
}

/// A digest of every embedded file, naming the unpacked copy so that different Podium
/// builds never share (or half-overwrite) one folder.
fn bundle_digest() -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in bundled::FILES {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hex(&hasher.finalize()[..8])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the embedded subjects to `<cache>/subjects/<digest>/` once; later calls reuse it.
/// The copy is written to a temporary folder and renamed, so a concurrent Podium never sees
/// a half-written tree.
fn unpack_bundled(cache: &Path) -> Result<PathBuf, CatalogError> {
    let base = cache.join("subjects");
    let target = base.join(bundle_digest());
    if target.join(".complete").is_file() {
        return Ok(target);
    }
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CatalogError::Unpack { path, source }
    };
    std::fs::create_dir_all(&base).map_err(err(&base))?;
    let tmp = base.join(format!(
        ".unpack-{}-{}",
        std::process::id(),
        unique_suffix()
    ));
    for (rel, bytes) in bundled::FILES {
        let dest = tmp.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(err(dir))?;
        }
        std::fs::write(&dest, bytes).map_err(err(&dest))?;
    }
    std::fs::write(tmp.join(".complete"), b"").map_err(err(&tmp))?;
    match std::fs::rename(&tmp, &target) {
        Ok(()) => Ok(target),
        // Another process finished first: use its copy.
        Err(_) if target.join(".complete").is_file() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(target)
        }
        Err(source) => Err(CatalogError::Unpack {
            path: target,
            source,
        }),
    }
}

fn unique_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Number of files embedded in this binary (for diagnostics and tests).
pub fn bundled_file_count() -> usize {
    bundled::FILES.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_subject(root: &Path, rel: &str, name: &str) {
        let dir = root.join(rel);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(MANIFEST_FILE),
            format!(
                "name = \"{name}\"\nlanguage = \"go\"\nframework = \"F\"\nmodule = \"m\"\nversion = \"v1\"\n\
                 [build]\ncommand = \"true\"\n[run]\ncommand = [\"server\"]\n"
            ),
        )
        .unwrap();
    }

    #[test]
    fn bundled_subjects_unpack_once_and_parse() {
        let cache = tempfile::tempdir().unwrap();
        let first = Catalog::load(cache.path(), &[]).unwrap();
        let second = Catalog::load(cache.path(), &[]).unwrap();
        assert_eq!(first.all().len(), second.all().len());
        for s in first.all() {
            assert_eq!(s.origin, Origin::Bundled);
            assert!(s.dir.join(MANIFEST_FILE).is_file());
        }
        // Exactly one unpacked copy, no temporary folders left behind.
        let entries: Vec<_> = std::fs::read_dir(cache.path().join("subjects"))
            .unwrap()
            .collect();
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn user_dir_subjects_are_added_and_found_by_name() {
        let cache = tempfile::tempdir().unwrap();
        let user = tempfile::tempdir().unwrap();
        write_subject(user.path(), "go/mine", "mine");
        let catalog = Catalog::load(cache.path(), &[user.path().to_path_buf()]).unwrap();
        let mine = catalog.get("mine").unwrap();
        assert!(matches!(mine.origin, Origin::UserDir(_)));
        let err = catalog.get("nope").unwrap_err().to_string();
        assert!(
            err.contains("no subject named \"nope\"") && err.contains("mine"),
            "{err}"
        );
    }

    #[test]
    fn duplicate_names_are_an_error_naming_both_files() {
        let user = tempfile::tempdir().unwrap();
        write_subject(user.path(), "a/x", "same");
        write_subject(user.path(), "b/x", "same");
        let cache = tempfile::tempdir().unwrap();
        let err = Catalog::load(cache.path(), &[user.path().to_path_buf()]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("defined twice") && msg.contains("a/x") && msg.contains("b/x"),
            "{msg}"
        );
    }

    #[test]
    fn empty_or_missing_user_dir_is_a_clear_error() {
        let cache = tempfile::tempdir().unwrap();
        let empty = tempfile::tempdir().unwrap();
        let err = Catalog::load(cache.path(), &[empty.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().contains("holds no subject.toml"), "{err}");
        let err = Catalog::load(cache.path(), &[PathBuf::from("/no/such/dir")]).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn broken_user_manifest_names_the_file() {
        let cache = tempfile::tempdir().unwrap();
        let user = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(user.path().join("x")).unwrap();
        std::fs::write(user.path().join("x").join(MANIFEST_FILE), "name = 1\n").unwrap();
        let err = Catalog::load(cache.path(), &[user.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().contains("x/subject.toml:1:"), "{err}");
    }
}
