//! The server in its own network namespace, reached from the host's over a veth pair:
//! a real Go subject, placed by the plan, answers from the namespace side's address.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::{built_subject, cache_dir, http_get, status_field};
use podium_env::{Control, IsolationPlan, IsolationRequest, NetnsPair};
use podium_subjects::{LaunchOptions, OutputSink, RunningSubject};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

fn netns_list() -> String {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn link_exists(name: &str) -> bool {
    Command::new("ip")
        .args(["link", "show", name])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn subject_in_a_namespace_answers_over_the_veth_pair() {
    let plan = IsolationPlan::prepare(&IsolationRequest {
        netns: true,
        ..IsolationRequest::default()
    })
    .unwrap();
    let netns = plan
        .enforcement()
        .iter()
        .find(|e| e.what == Control::NetworkNamespace);
    let netns = netns.unwrap();
    assert!(netns.enforced, "needs root and iproute2: {}", netns.detail);
    let pair = plan.netns().unwrap();
    let (name, host_if) = (pair.name().to_string(), pair.host_interface().to_string());
    let server_addr = pair.server_addr();
    assert!(netns_list().contains(&name));
    assert_eq!(plan.server_host(), IpAddr::V4(server_addr));
    assert_eq!(server_addr.octets()[..2], [10, 213]);

    let (subject, artifact) = built_subject("stdlib");
    let mut running = RunningSubject::launch(
        &subject,
        &artifact,
        &LaunchOptions {
            output: OutputSink::File(cache_dir().join("logs/env-test-netns.log")),
            env: plan.server_env(),
            placement: Some(plan.server_placement()),
            ..LaunchOptions::default()
        },
    )
    .unwrap();
    running.wait_ready(Duration::from_secs(60)).unwrap();
    assert_eq!(running.addr().ip(), IpAddr::V4(server_addr));
    assert_eq!(
        running.base_url(),
        format!("http://{server_addr}:{}", running.addr().port())
    );

    // Reached from this (the host's) namespace through the veth pair.
    let (status, body) = http_get(running.addr(), "/ping");
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "pong")
    );
    // Nothing listens on the host's loopback: the server is not in our namespace.
    let loopback = SocketAddr::from(([127, 0, 0, 1], running.addr().port()));
    assert!(TcpStream::connect_timeout(&loopback, Duration::from_millis(500)).is_err());
    let pid = running.pid();
    let ns_of = |p: &str| std::fs::read_link(format!("/proc/{p}/ns/net")).unwrap();
    assert_ne!(ns_of(&pid.to_string()), ns_of("self"));
    // The rest of the placement came along.
    assert_eq!(
        status_field(&pid.to_string(), "Cpus_allowed_list"),
        plan.server_cpus().to_string()
    );
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let environ = String::from_utf8_lossy(&environ);
    let n = plan.server_cpus().len();
    assert!(environ.contains(&format!("GOMAXPROCS={n}\0")), "{environ}");
    assert!(
        environ.contains(&format!("LISTEN_HOST={server_addr}\0")),
        "{environ}"
    );

    running.stop(Duration::from_secs(5));
    drop(running);
    drop(plan);
    assert!(!netns_list().contains(&name), "{name} deleted");
    assert!(!link_exists(&host_if), "{host_if} deleted");
}

#[test]
fn concurrent_pairs_get_distinct_subnets() {
    let a = NetnsPair::create().unwrap();
    let b = NetnsPair::create().unwrap();
    assert_ne!(a.name(), b.name());
    let block = |ip: std::net::Ipv4Addr| u32::from(ip) / 4;
    assert_ne!(block(a.server_addr()), block(b.server_addr()));
    assert_eq!(block(a.host_addr()), block(a.server_addr()));
    // Each side can reach the other: ping the namespace side from the host.
    let ping = Command::new("ping")
        .args(["-c", "1", "-W", "2", &a.server_addr().to_string()])
        .output();
    if let Ok(out) = ping {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let names = [a.name().to_string(), b.name().to_string()];
    drop(a);
    drop(b);
    let list = netns_list();
    assert!(names.iter().all(|n| !list.contains(n.as_str())), "{list}");
}
