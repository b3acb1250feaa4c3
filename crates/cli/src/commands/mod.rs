//! One module per subcommand.

mod compare;
mod deploy;
pub(crate) mod eco;
mod env;
mod history;
mod load;
mod measure;
mod otel;
mod recommend;
mod reload;
mod report;
mod run;
mod run_reload;
mod serve;
mod subjects;
mod suite_run;
mod verify;

use crate::cli::{Cli, Command};
use anyhow::Context as _;
use podium_subjects::Catalog;
use std::path::PathBuf;

/// The bundled suites, built in so that `podium run` and `podium measure` work from any
/// folder.
pub const DEFAULT_SUITE: &str = include_str!("../../../../suites/default.toml");
pub const QUICK_SUITE: &str = include_str!("../../../../suites/quick.toml");

/// Runs the chosen subcommand and returns the process exit code.
pub fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    let ctx = Context::new(&cli)?;
    match cli.command {
        Command::Subjects(args) => subjects::run(&ctx, &args),
        Command::Serve(args) => serve::run(&ctx, &args),
        Command::Verify(args) => verify::run(&ctx, &args),
        Command::Load(args) => load::run(&args),
        Command::Env(args) => env::run(&args),
        Command::Measure(args) => measure::run(&ctx, &args),
        Command::Deploy(args) => deploy::run(&ctx, &args),
        Command::Otel(args) => otel::run(&ctx, &args),
        Command::Run(args) => run::run(&ctx, &args),
        Command::Report(args) => report::run(&args),
        Command::History(args) => history::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Recommend(args) => recommend::run(&args),
        Command::Eco(args) => eco::run(&ctx, &args),
        Command::Reload(args) => reload::run(&ctx, &args),
    }
}

/// What every command needs: the cache folder and the subject catalog (loaded lazily,
/// since `verify --url` needs neither).
pub struct Context {
    pub cache: PathBuf,
    subjects_dirs: Vec<PathBuf>,
}

impl Context {
    fn new(cli: &Cli) -> anyhow::Result<Self> {
        let cache = cli
            .cache_dir
            .clone()
            .unwrap_or_else(podium_subjects::default_cache_dir);
        std::fs::create_dir_all(&cache).with_context(|| {
            format!(
                "cannot create the cache folder {}; choose another with --cache-dir",
                cache.display()
            )
        })?;
        // Builds run in the subject's folder: every path handed to them must be absolute.
        let cache = std::path::absolute(&cache)
            .with_context(|| format!("cannot resolve {}", cache.display()))?;
        Ok(Self {
            cache,
            subjects_dirs: cli.subjects_dir.clone(),
        })
    }

    pub fn catalog(&self) -> anyhow::Result<Catalog> {
        Ok(Catalog::load(&self.cache, &self.subjects_dirs)?)
    }
}

/// A spinner on stderr (hidden when stderr is not a terminal).
pub fn spinner(message: String) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
