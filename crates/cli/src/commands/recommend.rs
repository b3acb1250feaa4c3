//! `podium recommend --profile NAME`.

use crate::cli::RecommendArgs;
use podium_score::Profiles;
use podium_store::SqliteStore;

pub fn run(args: &RecommendArgs) -> anyhow::Result<i32> {
    let mut profiles = Profiles::bundled()?;
    if let Some(path) = &args.weights {
        profiles = profiles.merge(Profiles::load(path)?);
    }
    let profile = profiles.profile(&args.profile)?.clone();
    let store = SqliteStore::open_read_only(&args.db.db)?;
    let run = super::report::resolve_run(&store, args.run, &args.db.db)?;
    let report = podium_pipeline::assemble(&store, run)?;
    let (figures, _) = podium_pipeline::scoring_figures(&report.subjects);
    anyhow::ensure!(
        !figures.is_empty(),
        "run {run} has no verified, fully measured subject to recommend"
    );
    let rec = podium_score::recommend(&figures, &profile)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rec)?);
        return Ok(0);
    }
    println!(
        "profile {}: {} (run {run}{})",
        profile.name,
        profile.description,
        if report.run.complete {
            ""
        } else {
            ", INCOMPLETE"
        }
    );
    for s in &rec.ranked {
        println!(
            "{:>2}. {:<12} {:.3}  {}",
            s.rank,
            s.name,
            s.score,
            s.reasons.join("; ")
        );
    }
    for n in &rec.notes {
        println!("note: {n}");
    }
    println!("sensitivity: {}", rec.sensitivity.summary);
    Ok(0)
}
