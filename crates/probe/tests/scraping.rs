#![allow(clippy::unwrap_used)]
//! The scraper against small servers on 127.0.0.1 that answer well, badly or not at
//! all: failed scrapes are recorded with a reason and the series goes on.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use podium_probe::{MetricsClient, MetricsScraper, ScrapeError};

/// Serves `body` with `status` to every connection (one request each, then close).
fn serve(status: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/metrics")
}

#[test]
fn good_exposition_gives_figures() {
    let url = serve(
        "200 OK",
        "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 41\n\
         http_requests_total{code=\"404\"} 1\nprocess_open_fds 12\n",
    );
    let scraper = MetricsScraper::start(&url, Duration::from_secs(60)).unwrap();
    let scrape = scraper.scrape_now();
    let series = scraper.stop();
    let figures = scrape.figures().unwrap();
    assert_eq!(figures.http_requests_total, Some(42.0));
    assert_eq!(figures.process_open_fds, Some(12.0));
    assert_eq!(figures.go, None);
    // The first periodic scrape (sent at start) and the one asked for.
    assert!(series.scrapes.contains(&scrape), "{series:?}");
    assert_eq!(series.failed(), 0);
}

#[test]
fn unreachable_server_is_recorded_and_scraping_goes_on() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let scraper = MetricsScraper::start(
        &format!("http://127.0.0.1:{port}/metrics"),
        Duration::from_millis(50),
    )
    .unwrap();
    thread::sleep(Duration::from_millis(300));
    let series = scraper.stop();
    assert!(series.scrapes.len() >= 2, "{series:?}");
    assert_eq!(series.failed(), series.scrapes.len());
    let error = series.scrapes[0].error().unwrap();
    assert!(
        error.contains("could not connect") && error.contains(&port.to_string()),
        "{error}"
    );
}

#[test]
fn malformed_exposition_fails_with_its_line_number() {
    let url = serve("200 OK", "good_metric 1\nbad_metric{x=\"1\" 2\n");
    let scraper = MetricsScraper::start(&url, Duration::from_secs(60)).unwrap();
    let scrape = scraper.scrape_now();
    scraper.stop();
    let error = scrape.error().unwrap();
    assert!(
        error.contains("line 2") && error.contains("bad_metric"),
        "{error}"
    );
}

#[test]
fn error_status_is_a_failed_scrape() {
    let url = serve("404 Not Found", "no metrics here");
    let err = MetricsClient::new(&url, Duration::from_secs(2))
        .unwrap()
        .fetch()
        .unwrap_err();
    assert!(
        matches!(err, ScrapeError::Status { status: 404, .. }),
        "{err}"
    );
}

#[test]
fn blocking_client_inside_async_code_is_an_error_not_a_panic() {
    let url = serve("200 OK", "m 1\n");
    let client = MetricsClient::new(&url, Duration::from_secs(2)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let result = runtime.block_on(async { client.fetch() });
    assert!(matches!(result, Err(ScrapeError::InsideAsyncRuntime)));
    // Outside the runtime the same client works.
    assert_eq!(client.fetch().unwrap().value("m", &[]), Some(1.0));
}
