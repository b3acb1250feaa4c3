//! `podium report [RUN]`: a stored run's report, rebuilt from the store alone.

use crate::cli::{LangArg, ReportArgs};
use anyhow::Context as _;
use podium_report::Lang;
use podium_store::{RunId, SqliteStore, Store};
use std::path::{Path, PathBuf};

pub fn lang_of(lang: LangArg) -> Lang {
    match lang {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    }
}

/// Assembles run `run` from the store and writes report.json, report.md and report.html
/// into `out`; returns their paths.
pub fn write_report(
    store: &dyn Store,
    run: RunId,
    out: &Path,
    lang: Lang,
) -> anyhow::Result<Vec<PathBuf>> {
    let report = podium_pipeline::assemble(store, run)
        .with_context(|| format!("cannot build the report of run {run}"))?;
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the report folder {}", out.display()))?;
    Ok(podium_report::write_all(&report, out, lang)?)
}

/// The run asked for, or the latest one.
pub fn resolve_run(store: &dyn Store, run: Option<i64>, db: &Path) -> anyhow::Result<RunId> {
    match run {
        Some(id) => Ok(RunId(id)),
        None => Ok(store
            .latest_run()?
            .with_context(|| format!("{} holds no runs yet; `podium run` makes one", db.display()))?
            .summary
            .id),
    }
}

pub fn run(args: &ReportArgs) -> anyhow::Result<i32> {
    let store = SqliteStore::open_read_only(&args.db.db)?;
    let run = resolve_run(&store, args.run, &args.db.db)?;
    for p in write_report(&store, run, &args.out, lang_of(args.lang))? {
        println!("{}", p.display());
    }
    Ok(0)
}
