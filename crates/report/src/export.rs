//! The exporters behind one trait, and writing all three files safely.

use crate::error::ReportError;
use crate::html::HtmlExporter;
use crate::lang::Lang;
use crate::markdown::MarkdownExporter;
use crate::model::RunReport;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// One output format of the report.
pub trait Exporter {
    /// The file it is written to, inside the report folder.
    fn file_name(&self) -> &'static str;
    /// The whole file.
    fn render(&self, report: &RunReport) -> Result<String, ReportError>;
}

/// `report.json`: the model, pretty-printed, as `schemas/report.schema.json` describes
/// it. Flame-graph SVGs are left out (they live in report.html and the store; with them
/// the file would be mostly SVG markup).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn file_name(&self) -> &'static str {
        "report.json"
    }

    fn render(&self, report: &RunReport) -> Result<String, ReportError> {
        // The model's serde attribute only skips an absent SVG, so drop present ones
        // here; cloning the report is cheap next to rendering it.
        let mut report = report.clone();
        for flame in report
            .subjects
            .iter_mut()
            .flat_map(|s| s.flame_graphs.iter_mut())
        {
            flame.svg = None;
        }
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        Ok(text)
    }
}

/// Renders `report` as report.json, report.md and report.html (labels in `lang`) and
/// writes them into `dir`, creating it if needed. Returns the paths written, in that
/// order. All three are rendered before anything is written, and each file is written
/// to a temporary file in `dir` and renamed over its name, so an interrupted or failed
/// export leaves either the previous file or the new one, never half of one.
pub fn write_all(report: &RunReport, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, ReportError> {
    let exporters: [&dyn Exporter; 3] = [
        &JsonExporter,
        &MarkdownExporter { lang },
        &HtmlExporter { lang },
    ];
    let rendered = exporters
        .iter()
        .map(|e| Ok((e.file_name(), e.render(report)?)))
        .collect::<Result<Vec<_>, ReportError>>()?;
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    rendered
        .into_iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            write_atomically(&path, text.as_bytes())?;
            Ok(path)
        })
        .collect()
}

/// Writes `bytes` to `path` through a temporary file in the same folder (a rename is
/// atomic only within one file system) that is flushed to disk before the rename, so
/// that even a crash right after cannot leave an empty file under the final name.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let failed = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = tempfile::Builder::new()
        .prefix(".podium-report-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    // A temporary file is private (0600); a report is meant to be read by others.
    set_readable(file.as_file()).map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_readable(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("report.md");
        std::fs::write(&path, "old").unwrap_or_else(|e| panic!("{e}"));
        write_atomically(&path, b"new").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("new"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("report.md")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path)
                .unwrap_or_else(|e| panic!("{e}"))
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn a_failed_write_names_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("missing-folder").join("report.md");
        let err = write_atomically(&path, b"x").err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.starts_with("cannot write "), "{err}");
        assert!(err.contains("missing-folder/report.md"), "{err}");
    }
}
