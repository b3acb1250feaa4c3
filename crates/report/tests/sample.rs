#![allow(clippy::unwrap_used)]
//! The sample report (tests/fixtures/sample-report.json) is built here, typed, so that
//! it stays a valid RunReport as the model evolves; the fixture is its serialisation.
//! `sample_fixture_is_up_to_date` fails when they drift apart; to rewrite the fixture,
//! run it with `PODIUM_REGENERATE_FIXTURES=1`.

mod common;

use podium_report::*;
use serde_json::json;

/// Gin's ecosystem as `podium eco` would have stored it: GitHub figures missing (the
/// API was unreachable), one vulnerability in a dependency, OSV checked.
fn gin_ecosystem() -> Ecosystem {
    let signal =
        |name: &str, raw: Option<f64>, normalised: Option<f64>, weight: f64, source: &str| {
            EcoSignal {
                name: name.into(),
                raw,
                normalised,
                weight,
                age: raw.map(|_| 0),
                source: source.into(),
                observed_at: raw.map(|_| "2026-03-14T09:00:00Z".to_string()),
            }
        };
    Ecosystem {
        module: "github.com/gin-gonic/gin".into(),
        version: "v1.12.0".into(),
        observed_at: "2026-03-14T09:00:00Z".into(),
        age_runs: 2,
        mode: "live".into(),
        score: Some(0.5164),
        score_without: vec!["stars".into(), "forks".into()],
        signals: vec![
            signal("stars", None, None, 0.30, "snapshot (GitHub API unreachable)"),
            signal("forks", None, None, 0.25, "snapshot (GitHub API unreachable)"),
            signal("releases_per_month", Some(0.333), Some(0.0833), 0.25, "Go module proxy: 2 releases in the 6 months before 2026-03-14"),
            signal("decoupling", Some(0.7381), Some(0.7381), 0.20, "import graph of github.com/gin-gonic/gin v1.12.0: 7 packages, 11 edges"),
        ],
        merged_prs_per_month: None,
        vulnerabilities: Some(EcoVulnerabilities {
            module: vec![],
            dependencies: vec!["GO-2099-0001 (golang.org/x/net v0.40.0)".into()],
            dependencies_checked: 31,
        }),
        support: Some("supported (v1)".into()),
        middleware: vec![
            EcoMiddleware {
                purpose: "jwt".into(),
                module: Some("github.com/appleboy/gin-jwt/v2".into()),
                maintainer: "third_party".into(),
                detail: "v2.10.3 (2025-03-23) requires github.com/gin-gonic/gin v1.10.0".into(),
            },
            EcoMiddleware {
                purpose: "opentelemetry".into(),
                module: Some("go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin".into()),
                maintainer: "opentelemetry_contrib".into(),
                detail: "v0.65.0 (2026-02-02) requires github.com/gin-gonic/gin v1.11.0".into(),
            },
        ],
        cve_response: Some(vec![EcoCve { id: "GO-2099-0002".into(), days: Some(19.5) }]),
        doc_coverage: Some(0.989),
        notes: vec!["GitHub API unreachable (https://api.github.com): stars, forks and merged pull requests from the snapshot of 2026-03-14".into()],
    }
}

fn figure(median: f64, ci_low: f64, ci_high: f64, n: usize) -> Figure {
    Figure {
        median,
        ci_low,
        ci_high,
        n,
    }
}

/// A plausible percentile curve through the summary: interpolated in log-latency over
/// the "nines" (log10 of 1/(1-p)), as an HDR histogram's curve would look.
fn curve(l: &Latency) -> Vec<(f64, f64)> {
    let nines = |p: f64| -(1.0 - p / 100.0).log10();
    let anchors = [
        (0.0, l.p50 * 0.55),
        (nines(50.0), l.p50),
        (nines(75.0), l.p75),
        (nines(90.0), l.p90),
        (nines(99.0), l.p99),
        (nines(99.9), l.p999),
        (5.0, l.max),
    ];
    let at = |x: f64| {
        let i = anchors
            .windows(2)
            .position(|w| x <= w[1].0)
            .unwrap_or(anchors.len() - 2);
        let ((x0, y0), (x1, y1)) = (anchors[i], anchors[i + 1]);
        let f = ((x - x0) / (x1 - x0)).clamp(0.0, 1.0);
        (y0.ln() + f * (y1.ln() - y0.ln())).exp()
    };
    let mut points: Vec<(f64, f64)> = [
        0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99,
    ]
    .into_iter()
    .map(|p| (p, (at(nines(p)) * 1000.0).round() / 1000.0))
    .collect();
    points.push((100.0, l.max));
    points
}

struct Run {
    name: &'static str,
    protocol: &'static str,
    model: &'static str,
    connections: usize,
    rps: Figure,
    p99: Figure,
    latency: Latency,
    knee: Option<(f64, f64)>,
}

fn workload(run: Run) -> WorkloadReport {
    let seconds = if run.model == "open" { 60.0 } else { 30.0 };
    let requests = (run.rps.median * seconds * run.rps.n as f64).round() as u64;
    WorkloadReport {
        name: run.name.into(),
        protocol: run.protocol.into(),
        model: run.model.into(),
        connections: run.connections,
        rps: run.rps,
        p99_ms: run.p99,
        latency: run.latency,
        latency_curve: curve(&run.latency),
        requests,
        errors: 0,
        repetitions: run.rps.n as u32,
        knee_rps: run.knee.map(|(k, _)| k),
        knee_p99_bound_ms: run.knee.map(|(_, b)| b),
        generator_saturated: false,
        counter_consistent: Some(true),
        anomalies: vec![],
        cross_checks: vec![],
    }
}

fn latency(p50: f64, p75: f64, p90: f64, p99: f64, p999: f64, max: f64) -> Latency {
    Latency {
        p50,
        p75,
        p90,
        p99,
        p999,
        max,
    }
}

/// A real flame graph, drawn by inferno as podium-profile draws it (deterministic
/// colours), from stacks of a Go JSON-RPC handler.
fn gin_flame_svg() -> String {
    let folded = [
        "runtime.goexit;net/http.(*conn).serve;github.com/gin-gonic/gin.(*Engine).ServeHTTP;github.com/gin-gonic/gin.(*Context).Next;main.rpcHandler;encoding/json.Unmarshal;encoding/json.(*decodeState).object 142",
        "runtime.goexit;net/http.(*conn).serve;github.com/gin-gonic/gin.(*Engine).ServeHTTP;github.com/gin-gonic/gin.(*Context).Next;main.rpcHandler;encoding/json.Marshal;runtime.mallocgc 71",
        "runtime.goexit;net/http.(*conn).serve;github.com/gin-gonic/gin.(*Engine).ServeHTTP;github.com/gin-gonic/gin.(*Context).Next 31",
        "runtime.goexit;net/http.(*conn).serve;net/http.(*conn).readRequest;bufio.(*Reader).Peek;syscall.Syscall6 97",
        "runtime.goexit;net/http.(*conn).serve;net/http.(*response).finishRequest;runtime.mallocgc 47",
        "runtime.gcBgMarkWorker;runtime.gcDrain;runtime.scanobject 88",
    ];
    let mut options = inferno::flamegraph::Options::default();
    options.title = "gin — jsonrpc-add".into();
    options.subtitle = Some("go_pprof, 30 s, 476 samples".into());
    options.deterministic = true;
    options.count_name = "samples".into();
    let mut svg = Vec::new();
    inferno::flamegraph::from_lines(&mut options, folded.iter().copied(), &mut svg).unwrap();
    String::from_utf8(svg).unwrap()
}

fn dx(routes: &str, middleware: &str, errors: &str, lines: u64) -> DeveloperExperience {
    DeveloperExperience {
        routes: Some(routes.into()),
        middleware: Some(middleware.into()),
        errors: Some(errors.into()),
        lines: Some(lines),
    }
}

fn scores(
    p: Option<f64>,
    e: Option<f64>,
    o: Option<f64>,
    h: Option<f64>,
    weights: &Weights,
) -> Scores {
    let composite = p.unwrap_or(0.0) * weights.performance
        + e.unwrap_or(0.0) * weights.ecosystem
        + o.unwrap_or(0.0) * weights.observability
        + h.unwrap_or(0.0) * weights.hot_reload;
    Scores {
        performance: p,
        ecosystem: e,
        observability: o,
        hot_reload: h,
        composite: Some((composite * 1000.0).round() / 1000.0),
    }
}

fn radar_values(s: &Scores, weights: &Weights) -> Vec<Option<f64>> {
    let round = |v: f64| (v * 10_000.0).round() / 10_000.0;
    vec![
        s.performance.map(|v| round(v * weights.performance)),
        s.ecosystem.map(|v| round(v * weights.ecosystem)),
        s.observability.map(|v| round(v * weights.observability)),
        s.hot_reload.map(|v| round(v * weights.hot_reload)),
    ]
}

fn build_sample() -> RunReport {
    let weights = Weights {
        performance: 0.40,
        ecosystem: 0.25,
        observability: 0.20,
        hot_reload: 0.15,
    };

    // actix-web: fastest, a little behind on ecosystem, slow dev loop.
    let mut actix_ping = workload(Run {
        name: "ping",
        protocol: "http",
        model: "closed",
        connections: 100,
        rps: figure(152_300.0, 150_900.0, 153_800.0, 5),
        p99: figure(1.62, 1.55, 1.71, 5),
        latency: latency(0.61, 0.74, 0.93, 1.62, 3.9, 12.4),
        knee: None,
    });
    actix_ping.cross_checks.push(CrossCheck {
        tool: "wrk".into(),
        rps: 150_100.0,
        p99_ms: Some(1.7),
        disagrees: false,
        note: "wrk within 1.4% of Podium (inside Podium's CI spread)".into(),
    });
    let actix_rpc = workload(Run {
        name: "jsonrpc-add",
        protocol: "jsonrpc",
        model: "closed",
        connections: 64,
        rps: figure(61_200.0, 60_100.0, 62_000.0, 5),
        p99: figure(2.41, 2.30, 2.55, 5),
        latency: latency(0.98, 1.15, 1.42, 2.41, 5.2, 18.7),
        knee: None,
    });
    let actix_ramp = workload(Run {
        name: "ramp-json",
        protocol: "http",
        model: "open",
        connections: 512,
        rps: figure(88_400.0, 87_100.0, 89_300.0, 4),
        p99: figure(9.1, 8.2, 11.4, 4),
        latency: latency(0.84, 1.3, 2.9, 9.1, 31.0, 88.0),
        knee: Some((90_000.0, 10.0)),
    });
    let actix_scores = scores(Some(1.0), Some(0.62), Some(1.0), Some(0.40), &weights);
    let actix = SubjectReport {
        name: "actix-web".into(),
        language: "rust".into(),
        framework: "actix-web".into(),
        version: "4.9.0".into(),
        verified: true,
        status: "measured".into(),
        reason: None,
        failed_checks: vec![],
        rank: Some(1),
        workloads: vec![actix_ping, actix_rpc, actix_ramp],
        memory: Some(Memory {
            rss_peak_bytes: 14_889_779,
            rss_steady_bytes: 10_276_044,
            alloc_bytes_per_sec: None,
            allocs_per_request: None,
            gc_pause_p99_ms: None,
            gc_count: None,
            threads_max: 3,
        }),
        middleware_cost: Some(MiddlewareCost {
            ping_rps: figure(152_300.0, 150_900.0, 153_800.0, 5),
            mw_rps: figure(138_900.0, 137_200.0, 140_100.0, 5),
            ratio: 0.912,
            ratio_ci_low: 0.897,
            ratio_ci_high: 0.925,
            verdict: "slower (Mann-Whitney U, p = 0.008)".into(),
        }),
        deployment: Some(Deployment {
            binary_bytes: 5_347_737,
            cgo_free: None,
            static_binary: true,
            build_cold_s: Some(148.2),
            build_warm_s: Some(9.6),
            deps: Some(142),
            oci_image_bytes: 2_306_867,
            first_response_ms: 3.1,
        }),
        observability: None,
        scores: actix_scores,
        developer_experience: dx(
            "App::new().route(\"/users/{id}\", web::get().to(user)); attribute macros like #[get(\"/ping\")] also work",
            ".wrap(mw) per App or scope; middleware::from_fn for closures, Transform + Service for full control",
            "handlers return Result<T, E> with E: ResponseError, which renders its own response",
            212,
        ),
        flame_graphs: vec![],
        ecosystem: None,
        hot_reload: None,
    };

    // gin: the ecosystem leader, fastest dev loop, slower server.
    let gin_ping = workload(Run {
        name: "ping",
        protocol: "http",
        model: "closed",
        connections: 100,
        rps: figure(98_400.0, 97_100.0, 99_500.0, 5),
        p99: figure(2.9, 2.7, 3.2, 5),
        latency: latency(0.98, 1.21, 1.55, 2.9, 7.8, 24.5),
        knee: None,
    });
    let mut gin_rpc = workload(Run {
        name: "jsonrpc-add",
        protocol: "jsonrpc",
        model: "closed",
        connections: 64,
        rps: figure(41_900.0, 40_300.0, 42_700.0, 5),
        p99: figure(4.4, 4.0, 5.1, 5),
        latency: latency(1.41, 1.73, 2.2, 4.4, 11.9, 41.0),
        knee: None,
    });
    gin_rpc.anomalies.push(
        "repetition 3: throughput 8% below the median (outlier); an extra profiled repetition was taken"
            .into(),
    );
    let gin_ramp = workload(Run {
        name: "ramp-json",
        protocol: "http",
        model: "open",
        connections: 512,
        rps: figure(59_700.0, 58_200.0, 60_900.0, 4),
        p99: figure(14.8, 12.1, 19.6, 4),
        latency: latency(1.2, 2.1, 4.8, 14.8, 52.0, 160.0),
        knee: Some((60_000.0, 10.0)),
    });
    let gin_scores = scores(Some(0.64), Some(1.0), Some(0.67), Some(1.0), &weights);
    let gin = SubjectReport {
        name: "gin".into(),
        language: "go".into(),
        framework: "Gin".into(),
        version: "v1.10.0".into(),
        verified: true,
        status: "measured".into(),
        reason: None,
        failed_checks: vec![],
        rank: Some(2),
        workloads: vec![gin_ping, gin_rpc, gin_ramp],
        memory: Some(Memory {
            rss_peak_bytes: 29_884_416,
            rss_steady_bytes: 20_027_392,
            alloc_bytes_per_sec: Some(432_013_312.0),
            allocs_per_request: Some(11.0),
            gc_pause_p99_ms: Some(0.31),
            gc_count: Some(1842),
            threads_max: 9,
        }),
        middleware_cost: Some(MiddlewareCost {
            ping_rps: figure(98_400.0, 97_100.0, 99_500.0, 5),
            mw_rps: figure(96_900.0, 95_000.0, 98_600.0, 5),
            ratio: 0.985,
            ratio_ci_low: 0.962,
            ratio_ci_high: 1.008,
            verdict: "within noise (CI overlap)".into(),
        }),
        deployment: Some(Deployment {
            binary_bytes: 11_848_909,
            cgo_free: Some(true),
            static_binary: true,
            build_cold_s: Some(38.1),
            build_warm_s: Some(1.9),
            deps: Some(41),
            oci_image_bytes: 5_138_022,
            first_response_ms: 6.8,
        }),
        observability: Some(Observability {
            observed_at: "2026-11-25T11:40:00Z".into(),
            age_runs: 1,
            protocol: "http/protobuf".into(),
            instrumentation: "otelgin (go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin v0.63.0) + otelhttp transport".into(),
            maintainer: "opentelemetry-contrib".into(),
            sdk: "go.opentelemetry.io/otel/sdk v1.38.0".into(),
            tracer: Some("pass".into()),
            propagator: Some("pass".into()),
            metrics: Some("partial".into()),
            error: None,
            failed_items: vec![
                "metrics: request count: expected 20 for http.route=/ping; arrived 0".into(),
            ],
            lines_added: Some(131),
            throughput_ratio: Some(Ratio {
                value: 0.71,
                ci_low: 0.66,
                ci_high: 0.75,
                n: 3,
            }),
            p99_ratio: Some(Ratio {
                value: 1.42,
                ci_low: 1.2,
                ci_high: 1.9,
                n: 3,
            }),
            spans_under_load: Some((61_240, 412_800)),
            cost_load: Some("GET /users/42 with 32 connections, 3 s per run after 1 s warm-up, 3 runs per server, alternated".into()),
            matrix: vec![
                MatrixEntry {
                    sdk: "go.opentelemetry.io/otel/sdk v1.38.0".into(),
                    pinned: true,
                    tracer: Some("pass".into()),
                    propagator: Some("pass".into()),
                    metrics: Some("partial".into()),
                    error: None,
                },
                MatrixEntry {
                    sdk: "go.opentelemetry.io/otel/sdk v1.28.0".into(),
                    pinned: false,
                    tracer: None,
                    propagator: None,
                    metrics: None,
                    error: Some("gin with go.opentelemetry.io/otel/sdk v1.28.0: build failed (exit status: 1).".into()),
                },
            ],
        }),
        scores: gin_scores,
        developer_experience: dx(
            "r.GET(\"/users/:id\", h); c.Param(\"id\"); groups with r.Group(\"/v1\")",
            "r.Use(mw) or group.Use(mw); a middleware is a HandlerFunc calling c.Next() or c.AbortWithStatusJSON()",
            "each handler writes c.JSON(status, body); c.Error(err) collects errors for a middleware to render",
            164,
        ),
        flame_graphs: vec![FlameGraph {
            workload: "jsonrpc-add".into(),
            reason: "anomaly: repetition 3 was a throughput outlier".into(),
            profiler: "go_pprof".into(),
            top: vec![
                ("encoding/json.(*decodeState).object".into(), 0.298),
                ("syscall.Syscall6".into(), 0.204),
                ("runtime.mallocgc".into(), 0.248),
                ("runtime.scanobject".into(), 0.185),
            ],
            svg: Some(gin_flame_svg()),
            unavailable: None,
        }],
        ecosystem: Some(gin_ecosystem()),
        hot_reload: Some(HotReload {
            tool: "air".into(),
            tool_version: Some("v1.67.4, built with Go go1.26.8".into()),
            grade: "A".into(),
            reload_p50_ms: Some(1260.0),
            reload_p90_ms: Some(1310.0),
            reload_max_ms: Some(1310.0),
            edits: 3,
            missed: 0,
            spurious_rebuilds: 0,
            config_applied: Some(true),
            recovered_from_error: true,
            leftover_processes: 0,
            port_rebind_failures: 0,
            goroutine_growth: Some(0),
            thread_growth: Some(0),
            fd_growth: Some(0),
            observed_at: "2026-12-04T16:08:00Z".into(),
            age_runs: 0,
        }),
    };

    // axum: as fast as actix-web on ping (within noise), no OpenTelemetry variant.
    let axum_ping = workload(Run {
        name: "ping",
        protocol: "http",
        model: "closed",
        connections: 100,
        rps: figure(149_700.0, 147_200.0, 151_900.0, 5),
        p99: figure(1.71, 1.60, 1.83, 5),
        latency: latency(0.63, 0.77, 0.97, 1.71, 4.3, 14.9),
        knee: None,
    });
    let axum_rpc = workload(Run {
        name: "jsonrpc-add",
        protocol: "jsonrpc",
        model: "closed",
        connections: 64,
        rps: figure(60_800.0, 59_500.0, 61_900.0, 5),
        p99: figure(2.46, 2.33, 2.62, 5),
        latency: latency(1.0, 1.17, 1.45, 2.46, 5.6, 19.3),
        knee: None,
    });
    let mut axum_ramp = workload(Run {
        name: "ramp-json",
        protocol: "http",
        model: "open",
        connections: 512,
        rps: figure(84_100.0, 82_600.0, 85_500.0, 4),
        p99: figure(9.6, 8.7, 12.2, 4),
        latency: latency(0.88, 1.4, 3.1, 9.6, 34.0, 97.0),
        knee: Some((85_000.0, 10.0)),
    });
    axum_ramp.counter_consistent = None;
    let axum_scores = scores(Some(0.97), Some(0.71), None, Some(0.40), &weights);
    let axum = SubjectReport {
        name: "axum".into(),
        language: "rust".into(),
        framework: "axum".into(),
        version: "0.7.9".into(),
        verified: true,
        status: "measured".into(),
        reason: None,
        failed_checks: vec![],
        rank: Some(3),
        workloads: vec![axum_ping, axum_rpc, axum_ramp],
        memory: Some(Memory {
            rss_peak_bytes: 12_687_769,
            rss_steady_bytes: 9_122_611,
            alloc_bytes_per_sec: None,
            allocs_per_request: None,
            gc_pause_p99_ms: None,
            gc_count: None,
            threads_max: 3,
        }),
        middleware_cost: Some(MiddlewareCost {
            ping_rps: figure(149_700.0, 147_200.0, 151_900.0, 5),
            mw_rps: figure(141_000.0, 139_100.0, 142_800.0, 5),
            ratio: 0.942,
            ratio_ci_low: 0.921,
            ratio_ci_high: 0.961,
            verdict: "slower (Mann-Whitney U, p = 0.016)".into(),
        }),
        deployment: Some(Deployment {
            binary_bytes: 4_089_446,
            cgo_free: None,
            static_binary: true,
            build_cold_s: Some(97.5),
            build_warm_s: Some(7.9),
            deps: Some(98),
            oci_image_bytes: 1_782_579,
            first_response_ms: 2.4,
        }),
        observability: None,
        scores: axum_scores,
        developer_experience: dx(
            "Router::new().route(\"/users/{id}\", get(user)); extractors such as Path<String> and Json<T>",
            "tower layers: .layer(mw) or middleware::from_fn(f) on a Router or a route",
            "handlers return Result<T, E> with E: IntoResponse; extractor rejections answer 400 by themselves",
            187,
        ),
        flame_graphs: vec![FlameGraph {
            workload: "ping".into(),
            reason: "requested (--profile)".into(),
            profiler: "perf".into(),
            top: vec![],
            svg: None,
            unavailable: Some(
                "perf could not record: perf_event_paranoid is 3 and Podium is not root".into(),
            ),
        }],
        ecosystem: None,
        hot_reload: Some(HotReload {
            tool: "watchexec".into(),
            tool_version: Some("watchexec 2.8.0".into()),
            grade: "C".into(),
            reload_p50_ms: Some(5438.0),
            reload_p90_ms: Some(7051.0),
            reload_max_ms: Some(7051.0),
            edits: 3,
            missed: 0,
            spurious_rebuilds: 1,
            config_applied: Some(true),
            recovered_from_error: true,
            leftover_processes: 0,
            port_rebind_failures: 0,
            goroutine_growth: None,
            thread_growth: Some(0),
            fd_growth: Some(0),
            observed_at: "2026-12-01T10:00:00Z".into(),
            age_runs: 2,
        }),
    };

    // echo: answered the contract wrongly, so it is not ranked.
    let echo = SubjectReport {
        name: "echo".into(),
        language: "go".into(),
        framework: "Echo".into(),
        version: "v4.12.0".into(),
        verified: false,
        status: "verify_failed".into(),
        reason: Some("2 of 41 contract checks failed".into()),
        failed_checks: vec![
            "post_users_invalid_email: expected 400 with {\"error\":…}; got 201 {\"id\":\"17\",\"name\":\"x\",\"email\":\"not-an-email\"}".into(),
            "jsonrpc_batch_notification: expected no response entry for a notification; got {\"jsonrpc\":\"2.0\",\"result\":null,\"id\":null}".into(),
        ],
        rank: None,
        workloads: vec![],
        memory: None,
        middleware_cost: None,
        deployment: Some(Deployment {
            binary_bytes: 9_646_899,
            cgo_free: Some(true),
            static_binary: true,
            build_cold_s: Some(31.0),
            build_warm_s: Some(1.6),
            deps: Some(23),
            oci_image_bytes: 4_299_161,
            first_response_ms: 5.9,
        }),
        observability: None,
        scores: Scores {
            performance: None,
            ecosystem: None,
            observability: None,
            hot_reload: None,
            composite: None,
        },
        developer_experience: dx(
            "e.GET(\"/users/:id\", h); c.Param(\"id\")",
            "e.Use(mw) with func(next echo.HandlerFunc) echo.HandlerFunc",
            "handlers return error; e.HTTPErrorHandler turns it into the response",
            171,
        ),
        flame_graphs: vec![],
        ecosystem: None,
        hot_reload: None,
    };

    let entry =
        |subject: &str, rank: u32, rps: Figure, tied: bool, versus: Option<&str>| RankingEntry {
            subject: subject.into(),
            rank,
            rps,
            within_noise_of_previous: tied,
            versus_previous: versus.map(String::from),
        };
    let rankings = vec![
        WorkloadRanking {
            workload: "ping".into(),
            entries: vec![
                entry("actix-web", 1, actix.workloads[0].rps, false, None),
                entry(
                    "axum",
                    1,
                    axum.workloads[0].rps,
                    true,
                    Some("within noise: CI overlap (n = 5, Mann-Whitney U p = 0.15)"),
                ),
                entry(
                    "gin",
                    3,
                    gin.workloads[0].rps,
                    false,
                    Some("slower: Mann-Whitney U p = 0.008"),
                ),
            ],
        },
        WorkloadRanking {
            workload: "jsonrpc-add".into(),
            entries: vec![
                entry("actix-web", 1, actix.workloads[1].rps, false, None),
                entry(
                    "axum",
                    1,
                    axum.workloads[1].rps,
                    true,
                    Some("within noise: CI overlap (n = 5, Mann-Whitney U p = 0.55)"),
                ),
                entry(
                    "gin",
                    3,
                    gin.workloads[1].rps,
                    false,
                    Some("slower: Mann-Whitney U p = 0.008"),
                ),
            ],
        },
        WorkloadRanking {
            workload: "ramp-json".into(),
            entries: vec![
                entry("actix-web", 1, actix.workloads[2].rps, false, None),
                entry(
                    "axum",
                    2,
                    axum.workloads[2].rps,
                    false,
                    Some("slower: Mann-Whitney U p = 0.029"),
                ),
                entry(
                    "gin",
                    3,
                    gin.workloads[2].rps,
                    false,
                    Some("slower: Mann-Whitney U p = 0.029"),
                ),
            ],
        },
    ];

    let radar = Radar {
        axes: vec![
            "Performance".into(),
            "Ecosystem".into(),
            "Observability".into(),
            "Hot reload".into(),
        ],
        normalisation: "per axis max(0.05, value × weight × decay / max(values)); decay 0.95^age \
                        with age in months: the ecosystem snapshot is 2 months old (decay 0.9025), \
                        every other figure is from this run (decay 1)"
            .into(),
        series: vec![
            RadarSeries {
                subject: "actix-web".into(),
                values: radar_values(&actix.scores, &weights),
                raw: vec![
                    Some("ping 152 300 req/s · jsonrpc-add 61 200 req/s · knee 90 000 req/s".into()),
                    Some("21 800 stars, 1 670 forks, 0.7 releases/month, coupling 0.31 (snapshot 2026-09-30)".into()),
                    Some("3 of 3 OpenTelemetry checks passed".into()),
                    Some("grade C: 9.6 s from change to first correct response (cargo watch)".into()),
                ],
            },
            RadarSeries {
                subject: "gin".into(),
                values: radar_values(&gin.scores, &weights),
                raw: vec![
                    Some("ping 98 400 req/s · jsonrpc-add 41 900 req/s · knee 60 000 req/s".into()),
                    Some("79 600 stars, 8 100 forks, 0.5 releases/month, coupling 0.22 (snapshot 2026-09-30)".into()),
                    Some("2 of 3 OpenTelemetry checks passed (MetricExporter: no http.server.request.duration)".into()),
                    Some("grade A: 1.4 s from change to first correct response (air)".into()),
                ],
            },
            RadarSeries {
                subject: "axum".into(),
                values: radar_values(&axum.scores, &weights),
                raw: vec![
                    Some("ping 149 700 req/s · jsonrpc-add 60 800 req/s · knee 85 000 req/s".into()),
                    Some("23 100 stars, 1 250 forks, 0.8 releases/month, coupling 0.27 (snapshot 2026-09-30)".into()),
                    None,
                    Some("grade C: 7.9 s from change to first correct response (cargo watch)".into()),
                ],
            },
        ],
    };

    let cgroup_reason =
        "cgroup v2 is mounted read-only: no delegated subtree to create the server's cgroup in";
    let environment = json!({
        "podium_version": "0.1.0",
        "hostname": "bench-1",
        "os": "Debian GNU/Linux 12 (bookworm)",
        "kernel": "6.1.0-28-amd64",
        "cpu_model": "AMD EPYC 7B13",
        "cores_online": 2,
        "cpus_allowed": "0-1",
        "memory_total_bytes": 8_323_002_368u64,
        "governor": null,
        "load_avg": {"one": 0.08, "five": 0.15, "fifteen": 0.11},
        "go_version": "go version go1.23.4 linux/amd64",
        "rustc_version": "rustc 1.85.0 (4d91de4e4 2025-02-17)",
        "frameworks": [
            {"subject": "actix-web", "framework": "actix-web", "version": "4.9.0"},
            {"subject": "gin", "framework": "Gin", "version": "v1.10.0"},
            {"subject": "axum", "framework": "axum", "version": "0.7.9"},
            {"subject": "echo", "framework": "Echo", "version": "v4.12.0"}
        ],
        "server_cpus": "1",
        "generator_cpus": "0",
        "enforcement": [
            {"what": "cpu pinning", "enforced": true, "detail": "server on CPU 1, generator on CPU 0 (sched_setaffinity)"},
            {"what": "cgroup cpuset", "enforced": false, "detail": cgroup_reason},
            {"what": "cgroup cpu.max", "enforced": false, "detail": cgroup_reason},
            {"what": "cgroup memory.max", "enforced": false, "detail": cgroup_reason}
        ],
        "warnings": [
            {"code": "governor_unknown"},
            {"code": "not_enforced", "what": "cgroup cpuset", "reason": cgroup_reason},
            {"code": "not_enforced", "what": "cgroup cpu.max", "reason": cgroup_reason},
            {"code": "not_enforced", "what": "cgroup memory.max", "reason": cgroup_reason},
            {"code": "fewer_repetitions", "workload": "ramp-json", "asked": 5, "done": 4}
        ]
    });

    RunReport {
        schema_version: REPORT_SCHEMA_VERSION,
        run: RunInfo {
            id: 7,
            started: "2026-11-24T09:12:03Z".into(),
            finished: Some("2026-11-24T10:41:57Z".into()),
            complete: true,
            quick: false,
            suite: Some("default".into()),
            weights,
            podium_version: "0.1.0".into(),
            command_line: vec!["podium".into(), "run".into(), "--suite".into(), "default".into()],
            note: None,
        },
        environment,
        subjects: vec![actix, gin, axum, echo],
        rankings,
        radar,
        notes: vec![
            "wrk cross-checked the closed-loop workloads; vegeta is not installed, so the open-loop ramp has no cross-check".into(),
            "echo failed the contract check and is not ranked (see Not ranked)".into(),
            "ramp-json: 4 of 5 repetitions completed (the fifth was cut short by a full disk)".into(),
        ],
    }
}

#[test]
fn sample_fixture_is_up_to_date() {
    let expected = serde_json::to_string_pretty(&build_sample()).unwrap() + "\n";
    let path = common::sample_path();
    if std::env::var_os("PODIUM_REGENERATE_FIXTURES").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is not what build_sample() makes; rerun this test with PODIUM_REGENERATE_FIXTURES=1",
        path.display()
    );
}

#[test]
fn the_sample_has_what_the_tests_rely_on() {
    let r = common::sample();
    let go = r.subjects.iter().filter(|s| s.language == "go").count();
    let rust = r.subjects.iter().filter(|s| s.language == "rust").count();
    assert_eq!((go, rust), (2, 2));
    assert!(
        r.subjects
            .iter()
            .any(|s| !s.verified && !s.failed_checks.is_empty() && s.rank.is_none())
    );
    let flames: Vec<_> = r.subjects.iter().flat_map(|s| &s.flame_graphs).collect();
    assert!(
        flames
            .iter()
            .any(|f| f.unavailable.is_some() && f.svg.is_none())
    );
    assert!(
        flames
            .iter()
            .any(|f| f.svg.as_deref().is_some_and(|s| s.contains("<svg")))
    );
    assert_eq!(r.rankings.len(), 3);
    assert!(
        r.rankings
            .iter()
            .any(|w| w.entries.iter().any(|e| e.within_noise_of_previous))
    );
    assert!(
        r.subjects
            .iter()
            .flat_map(|s| &s.workloads)
            .any(|w| w.model == "open" && w.knee_rps.is_some())
    );
    assert!(
        r.subjects
            .iter()
            .flat_map(|s| &s.workloads)
            .any(|w| w.protocol == "jsonrpc")
    );
    let enforcement = r.environment["enforcement"].as_array().unwrap();
    assert!(
        enforcement
            .iter()
            .any(|e| e["enforced"] == false && e["what"].as_str().unwrap().starts_with("cgroup"))
    );
    assert!(!r.environment["warnings"].as_array().unwrap().is_empty());
    // The composite is the weighted sum of the axis scores, and the radar the weighted
    // scores, so the sample is self-consistent.
    for series in &r.radar.series {
        let subject = r
            .subjects
            .iter()
            .find(|s| s.name == series.subject)
            .unwrap();
        let sum: f64 = series.values.iter().flatten().sum();
        assert!(
            (sum - subject.scores.composite.unwrap()).abs() < 0.002,
            "{}",
            subject.name
        );
    }
}
