//! `podium subjects`.

use super::Context;
use crate::cli::SubjectsArgs;
use podium_subjects::Origin;
use serde_json::json;

pub fn run(ctx: &Context, args: &SubjectsArgs) -> anyhow::Result<i32> {
    let catalog = ctx.catalog()?;
    if args.json {
        let list: Vec<_> = catalog
            .all()
            .iter()
            .map(|s| {
                json!({
                    "name": s.manifest.name,
                    "language": s.manifest.language,
                    "framework": s.manifest.framework,
                    "module": s.manifest.module,
                    "version": s.manifest.version,
                    "dir": s.dir,
                    "origin": match &s.origin { Origin::Bundled => "bundled".to_string(), Origin::UserDir(d) => d.display().to_string() },
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(0);
    }
    let rows: Vec<[String; 5]> = catalog
        .all()
        .iter()
        .map(|s| {
            let m = &s.manifest;
            [
                m.name.clone(),
                m.language.clone(),
                m.framework.clone(),
                format!("{} {}", m.module, m.version),
                s.dir.display().to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "LANGUAGE", "FRAMEWORK", "VERSION", "WHERE"].map(String::from);
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    Ok(0)
}
