//! `podium verify`.

use super::{Context, spinner};
use crate::cli::VerifyArgs;
use anyhow::Context as _;
use podium_subjects::{LaunchOptions, OutputSink, RunningSubject, Subject};
use podium_verify::{CheckOutcome, ContractOptions, Runtime, Status, tally};
use serde::Serialize;
use std::time::Duration;

/// How long a subject may take from launch to accepting connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The verification of one subject (or URL).
#[derive(Debug, Serialize)]
struct SubjectResult {
    name: String,
    language: Option<String>,
    framework: Option<String>,
    version: Option<String>,
    url: Option<String>,
    /// True when every check passed.
    verified: bool,
    /// Why the subject could not be checked at all (build or start-up failure).
    error: Option<String>,
    passed: usize,
    failed: usize,
    skipped: usize,
    checks: Vec<CheckOutcome>,
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<i32> {
    // The subjects run in their own process group, so a Ctrl-C reaches only Podium:
    // end them before exiting, and never leave one behind.
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])
    .context("cannot install the signal handler")?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            eprintln!("\ninterrupted: stopping the running subject");
            podium_subjects::kill_all_running();
            std::process::exit(128 + sig);
        }
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let jwt_secret = podium_token::secret_from_env();

    let results = if let Some(url) = &args.url {
        let rt = match (args.go, args.rust) {
            (true, _) => Runtime::Go,
            (_, true) => Runtime::Rust,
            _ => Runtime::Unknown,
        };
        vec![runtime.block_on(verify_url(url, rt, &jwt_secret, args))?]
    } else {
        let catalog = ctx.catalog()?;
        let selected: Vec<&Subject> = if args.names.is_empty() {
            catalog.all().iter().collect()
        } else {
            args.names
                .iter()
                .map(|n| catalog.get(n))
                .collect::<Result<_, _>>()?
        };
        anyhow::ensure!(!selected.is_empty(), "no subjects to verify");
        let total = selected.len();
        let mut results = Vec::new();
        for (i, subject) in selected.into_iter().enumerate() {
            eprintln!("[{}/{total}] {}", i + 1, subject.name());
            let result = runtime.block_on(verify_subject(ctx, subject, &jwt_secret));
            print_result(&result, args);
            results.push(result);
        }
        results
    };

    let failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.verified)
        .map(|r| r.name.as_str())
        .collect();
    if args.json {
        let doc = serde_json::json!({ "verified": failed.is_empty(), "subjects": results });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    if results.len() > 1 {
        eprintln!(
            "verify: {} of {} subjects passed the contract{}",
            results.len() - failed.len(),
            results.len(),
            if failed.is_empty() {
                String::new()
            } else {
                format!("; failed: {}", failed.join(", "))
            }
        );
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}

async fn verify_url(
    url: &str,
    runtime: Runtime,
    jwt_secret: &str,
    args: &VerifyArgs,
) -> anyhow::Result<SubjectResult> {
    let base = url.trim_end_matches('/');
    anyhow::ensure!(
        base.starts_with("http://"),
        "--url {url:?}: give the server's base URL starting with http://, e.g. http://127.0.0.1:8080"
    );
    // One clear error instead of fifty failed checks when nothing is listening.
    podium_verify::Probe::new(base)
        .get("/ping")
        .await
        .map_err(|e| anyhow::anyhow!("{base}: {e}; is the server running and listening there?"))?;
    let opts = ContractOptions {
        runtime,
        jwt_secret: jwt_secret.to_string(),
    };
    let checks = podium_verify::check_contract(base, &opts).await;
    let result = finish(base.to_string(), None, Some(base.to_string()), checks, None);
    print_result(&result, args);
    Ok(result)
}

async fn verify_subject(ctx: &Context, subject: &Subject, jwt_secret: &str) -> SubjectResult {
    let m = &subject.manifest;
    let fail = |error: String| finish(m.name.clone(), Some(subject), None, Vec::new(), Some(error));

    let bar = spinner(format!("building {}", m.name));
    let artifact = podium_subjects::build(subject, &ctx.cache);
    bar.finish_and_clear();
    let artifact = match artifact {
        Ok(a) => a,
        Err(e) => return fail(e.to_string()),
    };
    let log = ctx.cache.join("logs").join(format!("{}.log", m.name));
    let opts = LaunchOptions {
        port: None,
        output: OutputSink::File(log),
        env: vec![("JWT_SECRET".to_string(), jwt_secret.to_string())],
        ..Default::default()
    };
    let mut running = match RunningSubject::launch(subject, &artifact, &opts) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    if let Err(e) = running.wait_ready(STARTUP_TIMEOUT) {
        return fail(e.to_string());
    }
    let url = running.base_url();
    let bar = spinner(format!("checking {} at {url}", m.name));
    let runtime = match m.language.as_str() {
        "go" => Runtime::Go,
        "rust" => Runtime::Rust,
        _ => Runtime::Unknown,
    };
    let opts = ContractOptions {
        runtime,
        jwt_secret: jwt_secret.to_string(),
    };
    let mut checks = podium_verify::check_contract(&url, &opts).await;
    checks.extend(podium_verify::lifecycle::check_lifecycle(&mut running).await);
    bar.finish_and_clear();
    finish(m.name.clone(), Some(subject), Some(url), checks, None)
}

fn finish(
    name: String,
    subject: Option<&Subject>,
    url: Option<String>,
    checks: Vec<CheckOutcome>,
    error: Option<String>,
) -> SubjectResult {
    let (passed, failed, skipped) = tally(&checks);
    let m = subject.map(|s| &s.manifest);
    SubjectResult {
        name,
        language: m.map(|m| m.language.clone()),
        framework: m.map(|m| m.framework.clone()),
        version: m.map(|m| m.version.clone()),
        url,
        verified: error.is_none() && failed == 0 && passed > 0,
        error,
        passed,
        failed,
        skipped,
        checks,
    }
}

/// Human output goes to stderr when --json owns stdout.
fn print_result(r: &SubjectResult, args: &VerifyArgs) {
    let mut text = String::new();
    let title = match (&r.framework, &r.version) {
        (Some(f), Some(v)) => format!("{} ({f} {v})", r.name),
        _ => r.name.clone(),
    };
    text.push_str(&format!(
        "{title}{}\n",
        r.url.as_ref().map(|u| format!("  {u}")).unwrap_or_default()
    ));
    if let Some(error) = &r.error {
        text.push_str(&format!(
            "  ✗ could not be checked: {}\n",
            error.replace('\n', "\n    ")
        ));
    }
    let width = r.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &r.checks {
        if args.quiet && c.status != Status::Fail {
            continue;
        }
        let (mark, body) = match c.status {
            Status::Pass => ("✓", c.actual.clone()),
            Status::Fail => ("✗", format!("expected {}; got {}", c.expected, c.actual)),
            Status::Skip => ("-", format!("skipped: {}", c.actual)),
        };
        text.push_str(&format!("  {mark} {:<width$}  {body}\n", c.id));
    }
    let verdict = if r.verified {
        "passes the contract"
    } else {
        "FAILS the contract"
    };
    text.push_str(&format!(
        "{}: {verdict} ({} passed, {} failed, {} skipped)\n\n",
        r.name, r.passed, r.failed, r.skipped
    ));
    if args.json {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}
