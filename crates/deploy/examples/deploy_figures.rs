//! Prints a subject's deployment figures as JSON.
//!
//! `cargo run --release -p podium-deploy --example deploy_figures -- <subject> [--cold]`
//!
//! `--cold` also measures the cold and warm build times (minutes for a Rust subject).
//! Uses Podium's cache folder (`$PODIUM_CACHE_DIR`, else `~/.cache/podium`).

use podium_deploy::{DeployOptions, deployment_figures};
use podium_subjects::{Catalog, default_cache_dir};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let name = args
        .next()
        .ok_or("usage: deploy_figures <subject> [--cold]")?;
    let measure_cold_build = args.any(|a| a == "--cold");
    let cache = default_cache_dir();
    let catalog = Catalog::load(&cache, &[])?;
    let subject = catalog.get(&name)?;
    let options = DeployOptions {
        measure_cold_build,
        oci_dir: None,
    };
    let figures = deployment_figures(subject, &cache, &options)?;
    println!("{}", serde_json::to_string_pretty(&figures)?);
    Ok(())
}
