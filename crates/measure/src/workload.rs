//! One repetition of a suite workload against a server: the workload's protocol and load
//! model turned into the matching engine of podium-load.

use crate::MeasureError;
use podium_load::{ClosedLoop, LoadReport, OpenLoop, WsLoad};
use podium_workload::{LoadModel, Protocol, RenderContext, Workload};
use std::sync::atomic::AtomicBool;

/// Runs one repetition of `workload` (warm-up included) against the server at `base`
/// (`http://HOST:PORT`). `default_threads` is used when the workload leaves the generator's
/// thread count open (the CPUs the generator is pinned to, usually). Setting `stop` ends
/// the run early; the report is then marked interrupted.
pub fn run_workload(
    base: &str,
    workload: &Workload,
    default_threads: usize,
    stop: &AtomicBool,
) -> Result<LoadReport, MeasureError> {
    let base = base.trim_end_matches('/');
    let url = format!("{base}{}", workload.path.source());
    let headers: Vec<(String, String)> = workload
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.source().to_string()))
        .collect();
    let body = workload
        .body
        .as_ref()
        .map(|b| b.source().as_bytes().to_vec())
        .unwrap_or_default();
    let jsonrpc = matches!(workload.protocol, Protocol::JsonRpc(_));
    let expect_body = workload.expect_body.clone().map(String::into_bytes);
    let threads = |asked: Option<u32>, connections: usize| {
        asked
            .map_or(default_threads, |t| t as usize)
            .clamp(1, connections.max(1))
    };
    let load_error = |source| MeasureError::Load {
        workload: workload.name.clone(),
        source,
    };
    match (&workload.protocol, &workload.load) {
        (Protocol::WebSocket(ws), LoadModel::Closed(closed)) => {
            let mut load = WsLoad::new(url.replacen("http://", "ws://", 1));
            load.connections = closed.connections as usize;
            load.threads = threads(closed.threads, closed.connections as usize);
            load.duration = Some(closed.duration);
            load.warmup = workload.warmup;
            // One message per run: a templated message is rendered once.
            let mut message = Vec::new();
            ws.message.render(&mut RenderContext::new(1), &mut message);
            load.message = message;
            load.binary = false;
            load.run_with_stop(stop).map_err(load_error)
        }
        (Protocol::WebSocket(_), LoadModel::Open(_)) => Err(MeasureError::Workload {
            workload: workload.name.clone(),
            problem: "WebSocket load is a closed loop; use [workload.closed]".into(),
        }),
        (_, LoadModel::Closed(closed)) => {
            let mut load = ClosedLoop::new(url);
            load.connections = closed.connections as usize;
            load.threads = threads(closed.threads, closed.connections as usize);
            load.duration = Some(closed.duration);
            load.warmup = workload.warmup;
            load.method = workload.method.clone();
            load.headers = headers;
            load.body = body;
            load.templated = true;
            load.jsonrpc = jsonrpc;
            load.expect_status = workload.expect_status;
            load.expect_body = expect_body;
            load.run_with_stop(stop).map_err(load_error)
        }
        (_, LoadModel::Open(open)) => {
            let mut load = OpenLoop::new(url, open.rate);
            load.duration = open.duration;
            load.max_connections = open.max_connections as usize;
            load.threads = threads(open.threads, open.max_connections as usize);
            load.warmup = workload.warmup;
            load.method = workload.method.clone();
            load.headers = headers;
            load.body = body;
            load.templated = true;
            load.jsonrpc = jsonrpc;
            load.expect_status = workload.expect_status;
            load.expect_body = expect_body;
            load.run_with_stop(stop).map_err(load_error)
        }
    }
}
