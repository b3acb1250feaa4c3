//! The lines an OpenTelemetry variant adds over the plain subject, counted from the code:
//! the code lines of the files that exist only for the variant (`[otel] files`), plus the
//! lines of shared files marked with an `otel:` comment (`// otel:` or `# otel:`).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The count, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinesAdded {
    /// Total lines the variant adds.
    pub total: u64,
    /// Per file (relative to the subject folder): code lines of variant-only files, marked
    /// lines of shared ones.
    pub files: Vec<(String, u64)>,
}

/// Whether `line` (trimmed) is only a comment in Go, Rust or TOML.
fn is_comment(line: &str) -> bool {
    line.starts_with("//")
        || line.starts_with('#') && !line.starts_with("#[") && !line.starts_with("#!")
        || line.starts_with("/*")
        || line.starts_with('*')
}

/// Lines that are neither blank nor comment-only.
pub fn code_lines(text: &str) -> u64 {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_comment(l))
        .count() as u64
}

/// Code lines carrying an `otel:` marker comment.
pub fn marked_lines(text: &str) -> u64 {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_comment(l))
        .filter(|l| l.contains("// otel:") || l.contains("# otel:"))
        .count() as u64
}

/// Counts the lines the variant in `dir` adds: `files` (relative to `dir`) in full, and
/// marked lines in every other `.go`, `.rs`, `.toml` or `go.mod` file under `dir`.
pub fn lines_added(dir: &Path, files: &[PathBuf]) -> std::io::Result<LinesAdded> {
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(dir.join(file)).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("{} (listed in [otel] files): {e}", dir.join(file).display()),
            )
        })?;
        out.push((file.display().to_string(), code_lines(&text)));
    }
    let listed: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let mut stack = vec![dir.to_path_buf()];
    let mut shared = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)?.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if (name.ends_with(".go")
                || name.ends_with(".rs")
                || name.ends_with(".toml")
                || name == "go.mod")
                && !listed.contains(&path)
            {
                let marked = marked_lines(&std::fs::read_to_string(&path)?);
                if marked > 0 {
                    let rel = path.strip_prefix(dir).unwrap_or(&path);
                    shared.push((rel.display().to_string(), marked));
                }
            }
        }
    }
    shared.sort();
    out.extend(shared);
    Ok(LinesAdded {
        total: out.iter().map(|(_, n)| n).sum(),
        files: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_variant_files_and_marked_shared_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("otel.go"),
            "//go:build otel\n\npackage main\n\n// setup\nfunc setup() {\n\t/* x */\n}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("main.go"),
            "package main\n\nfunc main() {\n\th = wrap(h) // otel: instrument\n\t// otel: a comment alone is not code\n}\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/Cargo.toml"),
            "[features]\notel = [\"dep:x\"] # otel: the feature\n# otel: note\n",
        )
        .unwrap();
        let added = lines_added(dir.path(), &[PathBuf::from("otel.go")]).unwrap();
        assert_eq!(
            added.files,
            vec![
                ("otel.go".to_string(), 3),
                ("main.go".to_string(), 1),
                ("sub/Cargo.toml".to_string(), 1)
            ]
        );
        assert_eq!(added.total, 5);
        let err = lines_added(dir.path(), &[PathBuf::from("missing.go")]).unwrap_err();
        assert!(err.to_string().contains("listed in [otel] files"), "{err}");
    }

    #[test]
    fn rust_attributes_are_code() {
        assert_eq!(
            code_lines("#[cfg(feature = \"otel\")]\nfn a() {}\n# comment\n"),
            2
        );
    }
}
