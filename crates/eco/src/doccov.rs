//! Documentation coverage: the share of exported identifiers that carry a doc comment
//! in the pinned version's source.
//!
//! Go: every exported top-level function, method of an exported type, type, constant
//! and variable in non-test files outside `testdata`, `vendor` and `main` packages,
//! counted by a small go/parser program run with `go run`; a declaration is documented
//! when it or its declaration group has a doc comment. Rust: every `pub` item (`fn`,
//! `struct`, `enum`, `trait`, `type`, `const`, `static`, `union`; `pub(crate)` and the
//! like are not exported) in `src/`, documented when a `///`, `/** */` or `#[doc`
//! precedes it (attributes in between allowed).

use crate::{EcoError, registry};
use serde::{Deserialize, Serialize};
use std::path::Path;

const DOCCOV_GO: &str = include_str!("go/doccov.go");

/// Exported identifiers and how many are documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocCoverage {
    /// Exported identifiers found.
    pub exported: u64,
    /// Of them, with a doc comment.
    pub documented: u64,
}

impl DocCoverage {
    /// `documented / exported`; `None` when nothing is exported.
    pub fn share(&self) -> Option<f64> {
        (self.exported > 0).then(|| self.documented as f64 / self.exported as f64)
    }
}

/// Counts a Go source folder with the embedded go/parser program.
pub fn go_source(dir: &Path) -> Result<DocCoverage, EcoError> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = std::env::temp_dir().join(format!("podium-doccov-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| EcoError::io(&work, e))?;
    let program = work.join("doccov.go");
    std::fs::write(&program, DOCCOV_GO).map_err(|e| EcoError::io(&program, e))?;
    let dir_text = dir.to_string_lossy();
    let program_text = program.to_string_lossy();
    let out = registry::go(&["run", &program_text, &dir_text], Some(&work));
    let _ = std::fs::remove_dir_all(&work);
    serde_json::from_slice(&out?).map_err(|e| EcoError::malformed("the doccov program's output", e))
}

/// Counts the `pub` items of an unpacked crate's `src/`.
pub fn rust_source(crate_dir: &Path) -> Result<DocCoverage, EcoError> {
    let mut coverage = DocCoverage {
        exported: 0,
        documented: 0,
    };
    walk_rs(&crate_dir.join("src"), &mut coverage)?;
    Ok(coverage)
}

fn walk_rs(dir: &Path, coverage: &mut DocCoverage) -> Result<(), EcoError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EcoError::io(dir, e))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            walk_rs(&path, coverage)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).map_err(|e| EcoError::io(&path, e))?;
            let c = rust_text(&text);
            coverage.exported += c.exported;
            coverage.documented += c.documented;
        }
    }
    Ok(())
}

/// Counts one Rust file.
pub fn rust_text(text: &str) -> DocCoverage {
    const KINDS: [&str; 8] = [
        "fn", "struct", "enum", "trait", "type", "const", "static", "union",
    ];
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut coverage = DocCoverage {
        exported: 0,
        documented: 0,
    };
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("pub ") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let mut item = None;
        for (k, word) in words.iter().enumerate() {
            let qualifies_fn = *word == "const"
                && words
                    .get(k + 1)
                    .is_some_and(|n| matches!(*n, "fn" | "unsafe" | "async" | "extern"));
            if KINDS.contains(word) && !qualifies_fn {
                item = Some(*word);
                break;
            }
            if !matches!(*word, "async" | "unsafe" | "extern" | "\"C\"" | "const") {
                break;
            }
        }
        if item.is_none() {
            continue;
        }
        coverage.exported += 1;
        let mut j = i;
        while j > 0 {
            j -= 1;
            let above = lines[j];
            if above.starts_with("///") || above.starts_with("#[doc") || above.ends_with("*/") {
                coverage.documented += 1;
                break;
            }
            if above.starts_with("#[")
                || above.starts_with("#![")
                || above.ends_with(")]")
                || above.ends_with(',')
            {
                continue;
            }
            break;
        }
    }
    coverage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_documented_pub_items() {
        let text = r#"
/// Documented.
pub fn a() {}
pub fn b() {}
/// Through an attribute.
#[derive(Debug)]
pub struct C;
pub(crate) fn hidden() {}
fn private() {}
/// Const fn.
pub const fn d() {}
pub const E: u8 = 1;
pub mod m {}
pub async fn f() {}
"#;
        let c = rust_text(text);
        assert_eq!(c.exported, 6, "a b C d E f");
        assert_eq!(c.documented, 3);
        assert_eq!(c.share(), Some(0.5));
    }
}
