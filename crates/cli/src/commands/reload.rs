//! `podium reload NAME`: hot-reload grading under a dev-loop tool, stored as an
//! observation for the report's Hot reload axis.

use super::{Context, spinner};
use crate::cli::ReloadArgs;
use anyhow::Context as _;
use podium_reload::{ReloadOptions, ReloadResult, grade_subject};
use podium_store::{NewObservation, SqliteStore, Store, kind};

pub fn run(ctx: &Context, args: &ReloadArgs) -> anyhow::Result<i32> {
    let catalog = ctx.catalog()?;
    let subject = catalog.get(&args.name)?;
    // Open the store first: a corrupt or foreign file stops here, before minutes of work.
    let store = SqliteStore::open(&args.db.db)?;
    let options = ReloadOptions {
        tool: args.tool.clone(),
        edits: args.edits,
        cache: ctx.cache.clone(),
    };
    let bar = spinner(format!("{}: hot-reload scenario", subject.name()));
    let result = grade_subject(subject, &options, &mut |step| {
        bar.set_message(format!("{}: {step}", subject.name()));
    });
    bar.finish_and_clear();
    let result = result.with_context(|| format!("podium reload {}", subject.name()))?;
    let id = store
        .put_observation(&NewObservation {
            kind: kind::HOT_RELOAD.to_string(),
            subject: subject.name().to_string(),
            observed_at: result.observed_at_ms,
            json: serde_json::to_value(&result)?,
        })
        .with_context(|| format!("cannot store the result in {}", args.db.db.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_result(&result);
        println!(
            "  stored           observation {id} in {} (feeds the Hot reload axis of the next `podium run`)",
            args.db.db.display()
        );
    }
    Ok(0)
}

fn opt<T: std::fmt::Display>(v: Option<T>, unit: &str) -> String {
    v.map_or("not measured".to_string(), |v| format!("{v:+}{unit}"))
}

fn print_result(r: &ReloadResult) {
    println!("{}: hot-reload grade {}", r.subject, r.grade);
    println!(
        "  dev loop         {}{}: {}",
        r.tool,
        r.tool_version
            .as_deref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default(),
        r.command
    );
    match &r.reload_ms {
        Some(p) => println!(
            "  reload           p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms over {} of {} edits (write to first correct /ping)",
            p.p50,
            p.p90,
            p.max,
            r.reload_samples_ms.len(),
            r.edits
        ),
        None => println!("  reload           not measured: no edit took effect"),
    }
    println!("  missed edits     {} of {}", r.missed, r.edits);
    println!(
        "  spurious         {} rebuilds from {} edits in ignored paths (test file, testdata/, docs/)",
        r.spurious_rebuilds, r.ignored_edits
    );
    println!(
        "  config change    {}",
        match r.config_applied {
            Some(true) => "took effect after the reload",
            Some(false) => "did NOT take effect",
            None => "not measured (no GET /config/greeting)",
        }
    );
    println!(
        "  syntax error     {}",
        if r.recovered_from_error {
            "survived, and the fix was served"
        } else {
            "NOT recovered"
        }
    );
    println!(
        "  leftovers        {} processes{}",
        r.leftover_processes,
        grouped(&r.leftover_commands)
    );
    println!("  rebind failures  {}", r.port_rebind_failures);
    let g = &r.growth;
    println!(
        "  growth           goroutines {}, threads {}, fds {} over {} reloads of the served process",
        opt(g.goroutines, ""),
        opt(g.threads, ""),
        opt(g.fds, ""),
        g.reloads
    );
    for reason in &r.reasons {
        println!("  at best {}:      {}", reason.cap, reason.why);
    }
    println!("  scenario         {:.0} s", r.scenario_s);
}

/// ` (3 × sleep 3600; 1 × x)`: each command line with how many were left; empty for none.
fn grouped(commands: &[String]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for c in commands {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    if counts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = counts.iter().map(|(c, n)| format!("{n} × {c}")).collect();
    format!(" ({})", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_grouped_by_command() {
        let commands = ["sleep 3600", "x -y", "sleep 3600"].map(String::from);
        assert_eq!(grouped(&commands), " (2 × sleep 3600; 1 × x -y)");
        assert_eq!(grouped(&[]), "");
    }
}
