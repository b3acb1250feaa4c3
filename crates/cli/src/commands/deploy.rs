//! `podium deploy [NAME...]`: deployment figures per subject.

use super::{Context, spinner};
use crate::cli::DeployArgs;
use podium_deploy::{DeployOptions, DeploymentFigures, deployment_figures};

pub fn run(ctx: &Context, args: &DeployArgs) -> anyhow::Result<i32> {
    let catalog = ctx.catalog()?;
    let subjects = if args.names.is_empty() {
        catalog.all().iter().collect::<Vec<_>>()
    } else {
        args.names
            .iter()
            .map(|n| catalog.get(n))
            .collect::<Result<Vec<_>, _>>()?
    };
    let options = DeployOptions {
        measure_cold_build: args.cold,
        oci_dir: Some(std::path::absolute(&args.oci_dir)?),
    };
    let mut figures = Vec::new();
    let mut failures = Vec::new();
    for subject in subjects {
        let bar = spinner(format!(
            "{}: deploy build, first response, OCI image{}",
            subject.name(),
            if args.cold {
                ", cold and warm builds"
            } else {
                ""
            }
        ));
        let result = deployment_figures(subject, &ctx.cache, &options);
        bar.finish_and_clear();
        match result {
            Ok(f) => {
                if !args.json {
                    print_one(&f);
                }
                figures.push(f);
            }
            Err(e) => {
                eprintln!("{}: no deployment figures: {e}", subject.name());
                failures.push(subject.name().to_string());
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    }
    if !failures.is_empty() {
        eprintln!("failed: {}", failures.join(", "));
        return Ok(1);
    }
    Ok(0)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1048576.0)
}

fn print_one(f: &DeploymentFigures) {
    println!(
        "{}{}",
        f.subject,
        if f.reused {
            " (cached figures for these sources)"
        } else {
            ""
        }
    );
    println!(
        "  binary          {} stripped, {}{}",
        mib(f.binary_bytes),
        if f.static_binary {
            "static"
        } else {
            "dynamically linked"
        },
        match f.cgo_free {
            Some(true) => ", builds with CGO_ENABLED=0".to_string(),
            Some(false) => format!(
                ", needs cgo ({})",
                f.cgo_failure
                    .as_deref()
                    .unwrap_or("CGO_ENABLED=0 build failed")
            ),
            None => String::new(),
        }
    );
    match (f.build_cold_s, f.build_warm_s) {
        (Some(cold), Some(warm)) => println!(
            "  build           cold {cold:.1} s (empty caches{}), warm {warm:.1} s (one-line change)",
            f.build_download_bytes
                .map(|b| format!(", {} downloaded", mib(b)))
                .unwrap_or_default()
        ),
        _ => println!("  build           cold/warm not measured (use --cold)"),
    }
    if let Some(deps) = &f.deps {
        println!("  dependencies    {} ({})", deps.count, deps.method);
    }
    println!(
        "  first response  {:.1} ms (median of {})",
        f.first_response_ms,
        f.first_response_samples_ms.len()
    );
    println!(
        "  OCI image       {} ({} as a layout tarball, built in {:.0} ms): {}",
        mib(f.oci_image_bytes),
        mib(f.oci_tar_bytes),
        f.oci_build_ms,
        f.oci_archive.display()
    );
}
