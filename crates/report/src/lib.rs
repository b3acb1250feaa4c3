//! The report of a run: its model (what `report.json` holds), assembled from the store
//! alone, and the JSON, Markdown and HTML exporters behind one trait.
//!
//! ```no_run
//! # fn demo(report: &podium_report::RunReport) -> Result<(), podium_report::ReportError> {
//! use podium_report::{Lang, write_all};
//! let written = write_all(report, std::path::Path::new("reports/run-7"), "zh".parse::<Lang>()?)?;
//! assert_eq!(written.len(), 3); // report.json, report.md, report.html
//! # Ok(())
//! # }
//! ```

mod ecosystem;
mod environment;
mod error;
mod export;
mod format;
mod hot_reload;
mod html;
mod lang;
mod markdown;
pub mod model;
mod observability;
mod view;

pub use error::ReportError;
pub use export::{Exporter, JsonExporter, write_all};
pub use html::HtmlExporter;
pub use lang::Lang;
pub use markdown::MarkdownExporter;
pub use model::*;
