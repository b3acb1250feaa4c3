//! `podium history`: the stored runs, newest first.

use crate::cli::HistoryArgs;
use podium_store::{SqliteStore, Store};

pub fn run(args: &HistoryArgs) -> anyhow::Result<i32> {
    let store = SqliteStore::open_read_only(&args.db.db)?;
    let runs = store.runs()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(0);
    }
    if runs.is_empty() {
        println!("no runs in {}", args.db.db.display());
        return Ok(0);
    }
    println!(
        "{:>5}  {:<20}  {:<10}  {:>8}  {:<8}  suite",
        "run", "started (UTC)", "status", "subjects", "kind"
    );
    for r in runs {
        println!(
            "{:>5}  {:<20}  {:<10}  {:>8}  {:<8}  {}",
            r.id.0,
            utc(r.started_at),
            if r.complete {
                "complete"
            } else if r.finished_at.is_some() {
                "partial"
            } else {
                "unfinished"
            },
            r.subjects,
            if r.quick { "quick" } else { "full" },
            r.suite_name.as_deref().unwrap_or("-")
        );
    }
    Ok(0)
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS`.
fn utc(ms: i64) -> String {
    podium_store::rfc3339_utc(ms)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}
