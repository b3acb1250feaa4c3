//! The GitHub and OSV clients against a local server replaying recorded answers:
//! ETag 304s, pagination, rate limiting, malformed JSON (a clear error, nothing stored),
//! and the local OSV database folder.

mod replay;

use podium_eco::EcoError;
use podium_eco::github::GitHub;
use podium_eco::http::Http;
use podium_eco::osv::{self, OsvSource};
use podium_eco::time::parse_rfc3339;
use podium_store::{SqliteStore, Store};
use replay::{Replay, Route};
use std::time::{Duration, Instant};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("podium.db")).expect("store");
    (dir, store)
}

const REPO: &str = include_str!("fixtures/github/repo.json");

#[test]
fn an_unchanged_answer_is_revalidated_with_its_etag_and_read_from_the_store() {
    let server = Replay::start(|_| {
        vec![
            Route::get("/repos/gin-gonic/gin", 304, "").when_etag("\"abc\""),
            Route::get("/repos/gin-gonic/gin", 200, REPO)
                .header("etag", "\"abc\"")
                .times(1),
        ]
    });
    let (_dir, store) = store();
    let http = Http::new();
    let github = GitHub::new(&http, &server.base, Some(&store));
    let first = github.repo("gin-gonic", "gin").expect("first answer");
    let url = format!("{}/repos/gin-gonic/gin", server.base);
    let cached = store.cached_response(&url).expect("store").expect("cached");
    assert_eq!(cached.etag.as_deref(), Some("\"abc\""));
    let second = github.repo("gin-gonic", "gin").expect("revalidated answer");
    assert_eq!(first, second);
    assert_eq!((second.stars, second.forks), (12_345, 2_345));
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].header("if-none-match"), None);
    assert_eq!(received[1].header("if-none-match"), Some("\"abc\""));
    assert!(
        received[0]
            .header("accept")
            .is_some_and(|a| a.contains("github"))
    );
}

#[test]
fn merged_pull_requests_are_counted_across_pages_until_the_window_ends() {
    let server = Replay::start(|base| {
        let page = |n: u32| {
            format!(
                "/repos/o/r/pulls?state=closed&sort=updated&direction=desc&per_page=100&page={n}"
            )
        };
        vec![
            Route::get(
                "/repos/o/r/pulls?state=closed&sort=updated&direction=desc&per_page=100",
                200,
                include_str!("fixtures/github/pulls-1.json"),
            )
            .header(
                "link",
                format!(
                    "<{base}{}>; rel=\"next\", <{base}{}>; rel=\"last\"",
                    page(2),
                    page(3)
                ),
            ),
            Route::get(page(2), 200, include_str!("fixtures/github/pulls-2.json"))
                .header("link", format!("<{base}{}>; rel=\"next\"", page(3))),
            Route::get(page(3), 200, "[]"),
        ]
    });
    let http = Http::new();
    let github = GitHub::new(&http, &server.base, None);
    let now = parse_rfc3339("2026-12-01T00:00:00Z").expect("date");
    let merged = github.merged_prs("o", "r", now, 12).expect("counted");
    // Window: the 360 days from 2025-12-06. Page 1: two merged in it, one closed
    // unmerged. Page 2: one merged in it; one updated in it but merged before it (not
    // counted); one last updated before it, which ends the count.
    assert_eq!(merged.count, 3);
    assert_eq!(merged.pages, 2);
    assert!((merged.per_month() - 0.25).abs() < 1e-12);
    assert!(
        !server.received().iter().any(|r| r.path.ends_with("page=3")),
        "no page after the window ended is read"
    );
    assert!(!merged.searched);
}

#[test]
fn a_busy_repository_is_counted_through_the_search_api() {
    let server = Replay::start(|base| {
        vec![
            Route::get(
                "/repos/o/r/pulls?state=closed&sort=updated&direction=desc&per_page=100",
                200,
                include_str!("fixtures/github/pulls-1.json"),
            )
            .header(
                "link",
                format!("<{base}/repos/o/r/pulls?page=2>; rel=\"next\""),
            ),
            Route::get(
                "/search/issues?q=repo:o/r+is:pr+is:merged+merged:2025-12-06..2026-12-01&per_page=1",
                200,
                r#"{"total_count": 420, "incomplete_results": false, "items": []}"#,
            ),
        ]
    });
    let http = Http::new();
    let github = GitHub::new(&http, &server.base, None).with_max_pages(1);
    let now = parse_rfc3339("2026-12-01T00:00:00Z").expect("date");
    let merged = github.merged_prs("o", "r", now, 12).expect("counted");
    assert!(merged.searched);
    assert_eq!((merged.count, merged.pages), (420, 2));
    assert!((merged.per_month() - 35.0).abs() < 1e-12);
}

#[test]
fn a_long_rate_limit_is_one_clear_error_and_a_short_one_is_waited_out() {
    let reset = podium_eco::time_now_ms() / 1000 + 3600;
    let server = Replay::start(|_| {
        vec![
            Route::get(
                "/repos/limited/long",
                403,
                r#"{"message":"API rate limit exceeded"}"#,
            )
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", reset.to_string()),
            Route::get("/repos/limited/short", 429, r#"{"message":"slow down"}"#)
                .header("retry-after", "1")
                .times(1),
            Route::get("/repos/limited/short", 200, REPO),
            Route::get(
                "/repos/forbidden/repo",
                403,
                r#"{"message":"Resource not accessible"}"#,
            ),
        ]
    });
    let http = Http::new();
    let github = GitHub::new(&http, &server.base, None).with_max_wait(Duration::from_secs(5));
    let started = Instant::now();
    let err = github.repo("limited", "long").expect_err("rate limited");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "not waited for an hour"
    );
    assert!(matches!(err, EcoError::RateLimited { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("rate limited") && text.contains("GH_TOKEN"),
        "{text}"
    );

    let started = Instant::now();
    let stats = github
        .repo("limited", "short")
        .expect("answered after the wait");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited out the retry-after"
    );
    assert_eq!(stats.stars, 12_345);

    let err = github.repo("forbidden", "repo").expect_err("forbidden");
    assert!(
        matches!(err, EcoError::Status { status: 403, .. }),
        "{err:?}"
    );
}

#[test]
fn malformed_json_is_an_error_and_nothing_is_stored() {
    let server = Replay::start(|_| {
        vec![
            Route::get("/repos/bad/json", 200, "{\"stargazers_count\": 12, ")
                .header("etag", "\"e1\""),
            Route::get("/repos/bad/shape", 200, "{\"name\": \"x\"}").header("etag", "\"e2\""),
        ]
    });
    let (_dir, store) = store();
    let http = Http::new();
    let github = GitHub::new(&http, &server.base, Some(&store));
    let err = github.repo("bad", "json").expect_err("malformed");
    assert!(err.to_string().contains("is malformed: not JSON"), "{err}");
    let url = format!("{}/repos/bad/json", server.base);
    assert_eq!(store.cached_response(&url).expect("store"), None);
    let err = github.repo("bad", "shape").expect_err("no counts");
    assert!(err.to_string().contains("stargazers_count"), "{err}");
}

#[test]
fn an_unreachable_api_is_reported_as_such_quickly() {
    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let http = Http::new();
    let github = GitHub::new(&http, &format!("http://127.0.0.1:{port}"), None);
    let started = Instant::now();
    let err = github.repo("o", "r").expect_err("refused");
    assert!(err.is_unreachable(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn osv_api_pages_are_followed_and_malformed_answers_refused() {
    let server = Replay::start(|_| {
        vec![
            Route::post("/v1/query", 200, include_str!("fixtures/osv/page-1.json")).times(1),
            Route::post("/v1/query", 200, include_str!("fixtures/osv/page-2.json")).times(1),
            Route::post("/v1/query", 200, "<html>not json</html>"),
        ]
    });
    let http = Http::new();
    let source = OsvSource::Api {
        http: &http,
        base: server.base.clone(),
    };
    let records = source
        .records("Go", "github.com/example/web")
        .expect("two pages");
    let ids: Vec<String> = records.iter().map(osv::id_of).collect();
    assert_eq!(ids, ["GO-TEST-0001", "GO-TEST-0002"]);
    let received = server.received();
    assert!(received[0].body.contains("\"github.com/example/web\""));
    assert!(
        received[1].body.contains("\"page_token\":\"page-2\""),
        "{}",
        received[1].body
    );
    // The pinned v1.4.0 is affected by the first (fixed in 1.4.2) only.
    let affecting: Vec<String> = records
        .iter()
        .filter(|r| osv::affects(r, "Go", "github.com/example/web", "v1.4.0"))
        .map(osv::id_of)
        .collect();
    assert_eq!(affecting, ["GO-TEST-0001"]);

    let err = source
        .records("Go", "github.com/example/web")
        .expect_err("malformed");
    assert!(err.to_string().contains("is malformed: not JSON"), "{err}");
}

#[test]
fn a_local_osv_database_folder_is_read_per_ecosystem() {
    let db = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv-db");
    let source = OsvSource::dir(&db);
    let records = source
        .records("Go", "github.com/example/web")
        .expect("read");
    assert_eq!(records.len(), 2);
    assert!(
        source
            .records("Go", "github.com/unknown")
            .expect("read")
            .is_empty()
    );

    let broken = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(broken.path().join("Go")).expect("mkdir");
    std::fs::write(broken.path().join("Go/GO-BAD.json"), "{ nope").expect("write");
    let err = OsvSource::dir(broken.path())
        .records("Go", "x")
        .expect_err("malformed file");
    assert!(err.to_string().contains("GO-BAD.json"), "{err}");
}

#[test]
fn a_flat_folder_of_records_is_read_and_withdrawn_records_are_left_out() {
    // The Go vulnerability database keeps its records directly in data/osv.
    let dir = tempfile::tempdir().expect("temp dir");
    let record = |id: &str, withdrawn: Option<&str>| {
        let mut r = serde_json::json!({"id": id, "published": "2026-02-10T00:00:00Z",
            "affected": [{"package": {"name": "github.com/example/web", "ecosystem": "Go"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.4.2"}]}]}]});
        if let Some(w) = withdrawn {
            r["withdrawn"] = serde_json::json!(w);
        }
        r.to_string()
    };
    std::fs::write(dir.path().join("GO-1.json"), record("GO-1", None)).expect("write");
    std::fs::write(
        dir.path().join("GO-2.json"),
        record("GO-2", Some("2026-03-01T00:00:00Z")),
    )
    .expect("write");
    std::fs::write(dir.path().join("README.md"), "not a record").expect("write");
    let records = OsvSource::dir(dir.path())
        .records("Go", "github.com/example/web")
        .expect("read");
    let ids: Vec<String> = records.iter().map(osv::id_of).collect();
    assert_eq!(ids, ["GO-1"]);
}
