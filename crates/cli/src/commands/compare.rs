//! `podium compare RUN_A RUN_B`.

use crate::cli::CompareArgs;
use podium_store::{RunId, SqliteStore};

pub fn run(args: &CompareArgs) -> anyhow::Result<i32> {
    let store = SqliteStore::open_read_only(&args.db.db)?;
    let deltas = podium_pipeline::compare_runs(&store, RunId(args.a), RunId(args.b))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&deltas)?);
        return Ok(0);
    }
    if deltas.is_empty() {
        println!(
            "runs {} and {} have no subject and workload in common",
            args.a, args.b
        );
        return Ok(0);
    }
    println!(
        "{:<12} {:<14} {:<7} {:>12} {:>12} {:>8}  verdict (run {} against run {})",
        "subject", "workload", "figure", "run A", "run B", "change", args.b, args.a
    );
    for d in &deltas {
        println!(
            "{:<12} {:<14} {:<7} {:>12.2} {:>12.2} {:>+7.1}%  {}: {}",
            d.subject,
            d.workload,
            d.figure,
            d.a,
            d.b,
            d.relative_change * 100.0,
            d.verdict,
            d.explanation
        );
    }
    Ok(0)
}
