//! Cold and warm build times of the shipping binary.
//!
//! The cold build is what a fresh CI runner or a new developer pays: the subject's
//! sources are copied into a temporary folder and built with every cache Podium knows
//! of empty (Go: `GOCACHE`, `GOMODCACHE`, `GOPATH`; Rust: `CARGO_HOME` and the target
//! folder under `$PODIUM_CACHE`), so dependencies are downloaded and everything,
//! the standard library included for Go, is compiled. The warm build is the edit-compile
//! loop: one line of the main source file changes and the same command runs again with
//! the caches the cold build filled.

use crate::artifact::DEPLOY_BINARY;
use crate::error::{DeployError, io_error};
use crate::shell::{Cgo, DeployCommand, reset_dir, round3, tool_output};
use podium_subjects::Subject;
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Cold and warm build times of a subject's `[deploy]` command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildTimes {
    /// Seconds for a build with empty caches, dependency downloads included.
    pub cold_s: f64,
    /// Seconds for the rebuild after one line of the main source file changed.
    pub warm_s: f64,
    /// `go version` or `rustc --version` (`None` for other languages).
    pub toolchain: Option<String>,
    /// Bytes in the fresh dependency caches after the cold build (Go's module cache,
    /// Cargo's home): the downloads and their unpacked copies.
    pub downloaded_bytes: u64,
    /// Go: whether the cold build worked with `CGO_ENABLED=0` (the warm build then used
    /// the same setting). `None` for other languages.
    pub cgo_free: Option<bool>,
}

/// The comment appended to the main source file before the warm build.
const WARM_EDIT: &str = "\n// podium: one changed line for the warm build\n";

/// Copies the subject's sources to a temporary folder and times a cold then a warm
/// `[deploy]` build there (see the module documentation). Slow: minutes for a Rust
/// subject. The temporary folder, caches included, is removed afterwards.
pub fn measure_build_times(subject: &Subject) -> Result<BuildTimes, DeployError> {
    let name = subject.name();
    if subject.manifest.deploy.is_none() {
        return Err(DeployError::NoDeploySection {
            subject: name.to_string(),
        });
    }
    let language = Language::of(subject)?;
    let work = tempfile::Builder::new()
        .prefix(&format!("podium-build-times-{name}-"))
        .tempdir()
        .map_err(io_error(name, "cannot create", &std::env::temp_dir()))?;
    let src_dir = copy_sources(subject, &work.path().join("src"))?;
    let main_source = language.main_source(subject, &src_dir)?;
    let log = work.path().join("build.log");
    let caches = FreshCaches::new(work.path(), language, subject)?;
    let out_cold = work.path().join("out-cold");
    let out_warm = work.path().join("out-warm");

    let run = |out_dir: &Path, cgo: Cgo| {
        reset_dir(name, out_dir)?;
        let command = DeployCommand {
            subject,
            dir: &src_dir,
            out_dir,
            cache: &caches.podium_cache,
            env: &caches.env,
            log: &log,
        };
        let attempt = command.attempt(cgo)?;
        if !attempt.success {
            return Err(command.failure(cgo, attempt));
        }
        if !out_dir.join(DEPLOY_BINARY).is_file() {
            return Err(DeployError::MissingBinary {
                subject: name.to_string(),
                path: out_dir.join(DEPLOY_BINARY),
            });
        }
        Ok(attempt.duration)
    };

    caches.reset(name)?;
    let mut cgo = Cgo::preferred(subject);
    let cold = match run(&out_cold, cgo) {
        Ok(duration) => duration,
        Err(DeployError::BuildFailed(_)) if cgo == Cgo::Disabled => {
            // The CGO build must start from empty caches too, or it would not be cold.
            caches.reset(name)?;
            cgo = Cgo::ToolchainDefault;
            run(&out_cold, cgo).map_err(|err| keep_log(err, name, &log))?
        }
        Err(err) => return Err(keep_log(err, name, &log)),
    };
    let downloaded_bytes = dir_size(&caches.gomodcache) + dir_size(&caches.cargo_home);

    append_line(name, &main_source)?;
    let warm = run(&out_warm, cgo).map_err(|err| keep_log(err, name, &log))?;
    let toolchain = toolchain_in(subject, &src_dir, &caches.env)?;
    Ok(BuildTimes {
        cold_s: round3(cold.as_secs_f64()),
        warm_s: round3(warm.as_secs_f64()),
        toolchain,
        downloaded_bytes,
        cgo_free: cgo.cgo_free(),
    })
}

/// The toolchain that builds the subject: `go version` or `rustc --version`, run in the
/// subject's folder (so a toolchain file there applies); `None` for other languages.
pub fn toolchain_version(subject: &Subject) -> Result<Option<String>, DeployError> {
    toolchain_in(subject, &subject.dir, &[])
}

fn toolchain_in(
    subject: &Subject,
    dir: &Path,
    env: &[(String, OsString)],
) -> Result<Option<String>, DeployError> {
    let (program, args): (&str, &[&str]) = match Language::of(subject) {
        Ok(Language::Go) => ("go", &["version"]),
        Ok(Language::Rust) => ("rustc", &["--version"]),
        Err(_) => return Ok(None),
    };
    let out = tool_output(subject.name(), program, args, dir, env)?;
    Ok(Some(out.trim().to_string()))
}

/// The languages whose caches and main source Podium knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Go,
    Rust,
}

impl Language {
    fn of(subject: &Subject) -> Result<Self, DeployError> {
        match subject.manifest.language.to_ascii_lowercase().as_str() {
            "go" => Ok(Language::Go),
            "rust" => Ok(Language::Rust),
            _ => Err(DeployError::UnsupportedLanguage {
                subject: subject.name().to_string(),
                language: subject.manifest.language.clone(),
                what: "measure cold and warm build times",
            }),
        }
    }

    /// The file the warm build changes: Go's `main.go` (or the file declaring
    /// `func main()`), Rust's `src/main.rs`.
    fn main_source(self, subject: &Subject, dir: &Path) -> Result<PathBuf, DeployError> {
        let not_found = |looked_for: &str| DeployError::NoMainSource {
            subject: subject.name().to_string(),
            dir: dir.to_path_buf(),
            looked_for: looked_for.to_string(),
        };
        match self {
            Language::Rust => {
                let main = dir.join("src").join("main.rs");
                main.is_file()
                    .then_some(main)
                    .ok_or_else(|| not_found("src/main.rs"))
            }
            Language::Go => {
                let main = dir.join("main.go");
                if main.is_file() {
                    return Ok(main);
                }
                let mut go_files: Vec<PathBuf> = std::fs::read_dir(dir)
                    .map_err(io_error(subject.name(), "cannot list", dir))?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "go"))
                    .collect();
                go_files.sort();
                go_files
                    .into_iter()
                    .find(|p| {
                        std::fs::read_to_string(p).is_ok_and(|text| text.contains("func main()"))
                    })
                    .ok_or_else(|| not_found("main.go, or a .go file with `func main()`"))
            }
        }
    }
}

/// Empty cache folders for one cold build, and the environment pointing the toolchains
/// at them.
#[derive(Debug)]
struct FreshCaches {
    podium_cache: PathBuf,
    gomodcache: PathBuf,
    cargo_home: PathBuf,
    dirs: Vec<PathBuf>,
    env: Vec<(String, OsString)>,
}

impl FreshCaches {
    fn new(work: &Path, language: Language, subject: &Subject) -> Result<Self, DeployError> {
        let podium_cache = work.join("podium-cache");
        let gopath = work.join("gopath");
        let gomodcache = gopath.join("pkg").join("mod");
        let gocache = work.join("gocache");
        let cargo_home = work.join("cargo-home");
        let mut env = vec![
            ("GOPATH".to_string(), gopath.clone().into_os_string()),
            (
                "GOMODCACHE".to_string(),
                gomodcache.clone().into_os_string(),
            ),
            ("GOCACHE".to_string(), gocache.clone().into_os_string()),
            (
                "CARGO_HOME".to_string(),
                cargo_home.clone().into_os_string(),
            ),
        ];
        if language == Language::Go {
            // The module cache is read-only by default, which would make the temporary
            // folder impossible to remove; the user's own GOFLAGS are kept.
            let flags = tool_output(subject.name(), "go", &["env", "GOFLAGS"], &subject.dir, &[])?;
            let flags = format!("{} -modcacherw", flags.trim());
            env.push(("GOFLAGS".to_string(), OsString::from(flags.trim())));
        }
        Ok(Self {
            dirs: vec![podium_cache.clone(), gopath, gocache, cargo_home.clone()],
            podium_cache,
            gomodcache,
            cargo_home,
            env,
        })
    }

    /// Empties every cache folder.
    fn reset(&self, context: &str) -> Result<(), DeployError> {
        for dir in &self.dirs {
            reset_dir(context, dir)?;
        }
        Ok(())
    }
}

/// The temporary folder (and the log in it) is removed when measuring ends; a failure's
/// log is copied where the user can read it.
fn keep_log(err: DeployError, name: &str, log: &Path) -> DeployError {
    let DeployError::BuildFailed(mut failed) = err else {
        return err;
    };
    let kept = std::env::temp_dir().join(format!("podium-build-times-{name}.log"));
    if std::fs::copy(log, &kept).is_ok() {
        failed.log = kept;
    }
    DeployError::BuildFailed(failed)
}

/// Appends a comment line and sets the modification time to now, so that tools that
/// compare times (Cargo) and tools that compare content (Go) both see a change.
fn append_line(context: &str, file: &Path) -> Result<(), DeployError> {
    let mut text = std::fs::read(file).map_err(io_error(context, "cannot read", file))?;
    text.extend_from_slice(WARM_EDIT.as_bytes());
    std::fs::write(file, &text).map_err(io_error(context, "cannot write", file))?;
    std::fs::File::options()
        .write(true)
        .open(file)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(io_error(context, "cannot touch", file))
}

/// Copies the subject's folder and its declared `[build] inputs` into `dest`, keeping
/// their layout relative to each other; returns the copy of the subject's folder.
/// Skipped like [`podium_subjects::source_hash`] skips them: hidden files, `target`,
/// `node_modules`. A Cargo workspace manifest among the inputs also brings its members,
/// because Cargo refuses to load a workspace with a member missing.
pub(crate) fn copy_sources(subject: &Subject, dest: &Path) -> Result<PathBuf, DeployError> {
    let name = subject.name();
    let canonical = |path: &Path| {
        path.canonicalize()
            .map_err(io_error(name, "build input does not exist:", path))
    };
    let subject_dir = canonical(&subject.dir)?;
    let mut roots = vec![subject_dir.clone()];
    for input in &subject.manifest.build.inputs {
        roots.push(canonical(&subject.dir.join(input))?);
    }
    let base = common_ancestor(&roots);
    let members: Vec<PathBuf> = roots
        .iter()
        .filter(|root| root.file_name().is_some_and(|n| n == "Cargo.toml"))
        .flat_map(|manifest| cargo_workspace_members(manifest))
        .filter(|member| member.starts_with(&base))
        .collect();
    roots.extend(members);
    roots.sort();
    roots.dedup();
    for root in &roots {
        let Ok(rel) = root.strip_prefix(&base) else {
            continue;
        };
        copy_tree(name, root, &dest.join(rel))?;
    }
    let rel = subject_dir.strip_prefix(&base).unwrap_or(Path::new(""));
    Ok(dest.join(rel))
}

/// The deepest folder holding every path (a file's folder when only it is given).
fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut base: Option<PathBuf> = None;
    for path in paths {
        let candidate = if path.is_file() {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            path.clone()
        };
        base = Some(match base {
            None => candidate,
            Some(current) => current
                .components()
                .zip(candidate.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    base.unwrap_or_default()
}

/// The member folders a Cargo workspace manifest lists (`dir/*` patterns expanded; other
/// glob patterns are left to Cargo).
fn cargo_workspace_members(manifest: &Path) -> Vec<PathBuf> {
    let Some(root) = manifest.parent() else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return Vec::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let members = table
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .map(|m| m.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut out = Vec::new();
    for member in members {
        let is_glob = |s: &str| s.contains(['*', '?', '[']);
        if let Some(parent) = member.strip_suffix("/*").filter(|p| !is_glob(p)) {
            if let Ok(entries) = std::fs::read_dir(root.join(parent)) {
                out.extend(
                    entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.join("Cargo.toml").is_file()),
                );
            }
        } else if !is_glob(member) {
            if let Ok(path) = root.join(member).canonicalize() {
                out.push(path);
            }
        }
    }
    out
}

fn copy_tree(context: &str, src: &Path, dst: &Path) -> Result<(), DeployError> {
    let meta = std::fs::metadata(src).map_err(io_error(context, "cannot read", src))?;
    if meta.is_file() {
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(context, "cannot create", parent))?;
        }
        std::fs::copy(src, dst).map_err(io_error(context, "cannot copy", src))?;
        return Ok(());
    }
    std::fs::create_dir_all(dst).map_err(io_error(context, "cannot create", dst))?;
    for entry in std::fs::read_dir(src)
        .map_err(io_error(context, "cannot list", src))?
        .flatten()
    {
        let file_name = entry.file_name();
        let skipped = file_name.to_string_lossy();
        if skipped.starts_with('.') || skipped == "target" || skipped == "node_modules" {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        // Symbolic links to folders are not followed: they could loop.
        if kind.is_dir() || (kind.is_symlink() && path.is_file()) || kind.is_file() {
            copy_tree(context, &path, &dst.join(&file_name))?;
        }
    }
    Ok(())
}

/// Total size of the files under `dir` (0 when it does not exist).
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => dir_size(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::fake_subject_with;

    #[test]
    fn sources_are_copied_with_inputs_and_workspace_members_in_place() {
        let root = tempfile::tempdir().unwrap();
        let ws = root.path().join("rust");
        std::fs::create_dir_all(ws.join("common/src")).unwrap();
        std::fs::create_dir_all(ws.join("other/src")).unwrap();
        std::fs::create_dir_all(ws.join("target/debug")).unwrap();
        std::fs::write(
            ws.join("Cargo.toml"),
            "[workspace]\nmembers = [\"common\", \"web\", \"other\"]\n",
        )
        .unwrap();
        std::fs::write(ws.join("Cargo.lock"), "lock").unwrap();
        std::fs::write(ws.join("common/src/lib.rs"), "// common").unwrap();
        std::fs::write(ws.join("other/src/main.rs"), "// other").unwrap();
        std::fs::write(ws.join("target/debug/big"), "build output").unwrap();
        let subject = fake_subject_with(
            &ws.join("web"),
            "rust",
            Some("true"),
            &["../common", "../Cargo.toml", "../Cargo.lock"],
        );
        std::fs::create_dir_all(subject.dir.join("src")).unwrap();
        std::fs::write(subject.dir.join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::write(subject.dir.join(".hidden"), "x").unwrap();

        let dest = tempfile::tempdir().unwrap();
        let copy = copy_sources(&subject, dest.path()).unwrap();
        assert_eq!(copy, dest.path().join("web"));
        for file in [
            "web/src/main.rs",
            "web/subject.toml",
            "common/src/lib.rs",
            "other/src/main.rs",
            "Cargo.toml",
            "Cargo.lock",
        ] {
            assert!(dest.path().join(file).is_file(), "{file} copied");
        }
        assert!(!dest.path().join("target").exists());
        assert!(!dest.path().join("web/.hidden").exists());
        assert_eq!(
            Language::Rust.main_source(&subject, &copy).unwrap(),
            copy.join("src/main.rs")
        );
    }

    #[test]
    fn go_main_source_is_main_go_or_the_file_with_func_main() {
        let root = tempfile::tempdir().unwrap();
        let subject = fake_subject_with(&root.path().join("s"), "go", Some("true"), &[]);
        let dir = &subject.dir;
        std::fs::remove_file(dir.join("main.go")).unwrap();
        std::fs::write(dir.join("a.go"), "package main\nfunc helper() {}\n").unwrap();
        std::fs::write(dir.join("server.go"), "package main\nfunc main() {}\n").unwrap();
        assert_eq!(
            Language::Go.main_source(&subject, dir).unwrap(),
            dir.join("server.go")
        );
        std::fs::write(dir.join("main.go"), "package main\n").unwrap();
        assert_eq!(
            Language::Go.main_source(&subject, dir).unwrap(),
            dir.join("main.go")
        );
        let err = Language::Rust.main_source(&subject, dir).unwrap_err();
        assert!(err.to_string().contains("src/main.rs"), "{err}");
    }

    #[test]
    fn the_warm_edit_changes_content_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.go");
        std::fs::write(&file, "package main\n").unwrap();
        append_line("t", &file).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("package main\n") && text.ends_with(WARM_EDIT));
    }

    #[test]
    fn unknown_languages_and_missing_inputs_are_errors() {
        let root = tempfile::tempdir().unwrap();
        let subject = fake_subject_with(&root.path().join("s"), "zig", Some("true"), &[]);
        let err = measure_build_times(&subject).unwrap_err().to_string();
        assert!(err.contains("\"zig\""), "{err}");
        assert_eq!(toolchain_version(&subject).unwrap(), None);

        let subject = fake_subject_with(&root.path().join("t"), "go", Some("true"), &["../gone"]);
        let dest = tempfile::tempdir().unwrap();
        let err = copy_sources(&subject, dest.path()).unwrap_err().to_string();
        assert!(
            err.contains("does not exist") && err.contains("gone"),
            "{err}"
        );
    }

    #[test]
    fn common_ancestor_of_folders_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("x/a");
        let b = dir.path().join("x/b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(dir.path().join("x/f"), "").unwrap();
        assert_eq!(
            common_ancestor(&[a.clone(), b, dir.path().join("x/f")]),
            dir.path().join("x")
        );
        assert_eq!(common_ancestor(std::slice::from_ref(&a)), a);
        assert_eq!(dir_size(&dir.path().join("missing")), 0);
    }
}
