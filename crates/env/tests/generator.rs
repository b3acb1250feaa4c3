//! Pinning the generator (this process) and giving its CPUs back. In a file of its own:
//! it changes the affinity of every thread of the test process.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use podium_env::{IsolationPlan, IsolationRequest, affinity_of, allowed_cpus};

fn thread_ids() -> Vec<i32> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().parse().unwrap())
        .collect()
}

#[test]
fn pin_generator_pins_every_thread_and_drop_restores_them() {
    let before = allowed_cpus().unwrap();
    // A thread that exists before the pin: pin_generator must reach it too.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let bystander = std::thread::spawn(move || {
        rx.recv().unwrap();
        allowed_cpus().unwrap()
    });

    let plan = IsolationPlan::prepare(&IsolationRequest {
        cgroup: false,
        ..IsolationRequest::default()
    })
    .unwrap();
    let generator = plan.generator_cpus().clone();
    let pinned = plan.pin_generator().unwrap();
    assert!(pinned >= 2, "main and bystander threads: {pinned}");
    for tid in thread_ids() {
        assert_eq!(affinity_of(tid).unwrap(), generator, "thread {tid}");
    }
    // Threads started now (the load engine's workers) inherit the mask.
    let worker = std::thread::spawn(allowed_cpus).join().unwrap().unwrap();
    assert_eq!(worker, generator);
    tx.send(()).unwrap();
    assert_eq!(bystander.join().unwrap(), generator);
    if before.len() > 1 {
        assert_ne!(generator, before, "the generator got a part of the CPUs");
    }

    drop(plan);
    for tid in thread_ids() {
        assert_eq!(affinity_of(tid).unwrap(), before, "thread {tid} restored");
    }
}
