//! How many lines a subject needs for the contract.

use std::path::Path;

/// Non-blank, non-comment lines of the subject's own source files (`*.go` for Go, `*.rs`
/// for Rust), excluding tests and shared code outside its folder: the code a team writes
/// to serve the contract with this framework. `None` when the folder cannot be read.
pub fn source_lines(dir: &Path, language: &str) -> Option<u64> {
    let ext = match language {
        "go" => "go",
        "rust" => "rs",
        _ => return None,
    };
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "tests" | "testdata")
                    && !name.starts_with('.')
                {
                    stack.push(path);
                }
                continue;
            }
            if !name.ends_with(&format!(".{ext}")) || name.ends_with("_test.go") {
                continue;
            }
            let text = std::fs::read_to_string(&path).ok()?;
            total += count_code_lines(&text);
        }
    }
    Some(total)
}

/// Lines that are neither blank nor `//` comments (both languages use `//`; block
/// comments are rare in the subjects and counted as code).
fn count_code_lines(text: &str) -> u64 {
    let mut in_test_module = false;
    let mut count = 0;
    for line in text.lines() {
        let t = line.trim();
        // Rust unit tests sit at the end of a file behind #[cfg(test)]: not contract code.
        if t == "#[cfg(test)]" {
            in_test_module = true;
        }
        if in_test_module || t.is_empty() || t.starts_with("//") {
            continue;
        }
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_not_comments_blanks_or_tests() {
        let text = "package main\n\n// a comment\nfunc main() {\n}\n";
        assert_eq!(count_code_lines(text), 3);
        let rust = "fn a() {}\n\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n";
        assert_eq!(count_code_lines(rust), 1);
    }

    #[test]
    fn a_subject_folder_is_counted_without_its_tests() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.go"),
            "package main\n\nfunc main() {}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("main_test.go"),
            "package main\nfunc T() {}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README.md"), "# x\n").unwrap();
        assert_eq!(source_lines(dir.path(), "go"), Some(2));
        assert_eq!(source_lines(dir.path(), "cobol"), None);
    }
}
