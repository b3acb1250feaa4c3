//! CPU pinning of real processes: a placement applied between fork and exec, and
//! `pin_process` on a running multi-threaded server.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::{built_subject, cache_dir, status_field, threads};
use podium_env::{CpuSet, Placement, allowed_cpus, pin_process};
use podium_subjects::{LaunchOptions, OutputSink, RunningSubject};
use std::process::Command;
use std::time::Duration;

fn last_allowed_cpu() -> CpuSet {
    CpuSet::from_cpus([allowed_cpus().unwrap().iter().last().unwrap()]).unwrap()
}

fn first_allowed_cpu() -> CpuSet {
    CpuSet::from_cpus([allowed_cpus().unwrap().iter().next().unwrap()]).unwrap()
}

#[test]
fn placement_pins_the_child_from_its_first_instruction() {
    let ours = allowed_cpus().unwrap();
    // CPU 1 on the two-CPU machines Podium targets.
    let target = last_allowed_cpu();
    let placement = Placement {
        cpus: Some(target.clone()),
        ..Placement::default()
    };
    let mut command = Command::new("sleep");
    command.arg("5");
    placement.apply_to(&mut command).unwrap();
    let mut child = command.spawn().unwrap();
    let pinned = status_field(&child.id().to_string(), "Cpus_allowed_list");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(pinned, target.to_string());
    assert_eq!(allowed_cpus().unwrap(), ours, "the parent is not pinned");
}

#[test]
fn a_placement_the_kernel_refuses_fails_the_spawn() {
    // CPU 1000 exists on no machine this runs on: sched_setaffinity says EINVAL in the
    // child, and spawn reports it instead of starting an unpinned process.
    let placement = Placement {
        cpus: Some(CpuSet::parse("1000").unwrap()),
        ..Placement::default()
    };
    let mut command = Command::new("true");
    placement.apply_to(&mut command).unwrap();
    let err = command.spawn().unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EINVAL), "{err}");
}

#[test]
fn subject_threads_inherit_the_placement_and_pin_process_moves_them_all() {
    let (subject, artifact) = built_subject("stdlib");
    let start_on = last_allowed_cpu();
    let mut running = RunningSubject::launch(
        &subject,
        &artifact,
        &LaunchOptions {
            output: OutputSink::File(cache_dir().join("logs/env-test-pinning.log")),
            placement: Some(Placement {
                cpus: Some(start_on.clone()),
                ..Placement::default()
            }),
            ..LaunchOptions::default()
        },
    )
    .unwrap();
    running.wait_ready(Duration::from_secs(60)).unwrap();
    let pid = running.pid();
    let tids = threads(pid);
    assert!(
        tids.len() > 1,
        "the Go runtime runs several threads: {tids:?}"
    );
    for tid in &tids {
        assert_eq!(
            status_field(&format!("{pid}/task/{tid}"), "Cpus_allowed_list"),
            start_on.to_string(),
            "thread {tid} inherited the placement"
        );
    }

    let move_to = first_allowed_cpu();
    let pinned = pin_process(pid, &move_to).unwrap();
    let tids = threads(pid);
    assert!(pinned >= tids.len(), "pinned {pinned} of {tids:?}");
    for tid in &tids {
        assert_eq!(
            status_field(&format!("{pid}/task/{tid}"), "Cpus_allowed_list"),
            move_to.to_string(),
            "thread {tid} was moved"
        );
    }
    let (status, body) = common::http_get(running.addr(), "/ping");
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("HTTP/1.1 200 OK", "pong")
    );
    running.stop(Duration::from_secs(5));
}
