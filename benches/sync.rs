//! Sync throughput: versions per second delivered by the real sync pass (store reads,
//! outbox bookkeeping, audit, batched flushes) to a loopback receiver, beside a bare
//! HTTP POST loop with the same client library, headers and bodies to the same
//! receiver. The figure is the ratio sync / bare.
//!
//! `cargo bench --bench sync` (also `taskset -c 0 cargo bench --bench sync`) uses N = 5000; under `cargo test --all-targets` (or
//! without `--bench`) N = 200 so it only checks that everything runs.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/common/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "../tests/support/receiver.rs"]
#[allow(dead_code)]
mod receiver;

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use onshi::store::Store;
use onshi::sync::{run_pass, HttpTarget, Target, Timeouts};

const TOKEN: &str = "bench-token";

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let n: usize = if full { 5000 } else { 200 };

    let tmp = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&tmp.path().join("store")).expect("store");
    let t = Instant::now();
    for _ in 0..n {
        store
            .insert_new(&fixtures::record(), "bench")
            .expect("queue");
    }
    let queue_time = t.elapsed();
    // The exact bodies sync will send, for the bare loop.
    let bodies: Vec<Vec<u8>> = store
        .outbox_items(None, n)
        .expect("outbox")
        .iter()
        .map(|e| store.version_json(&e.id, e.version).unwrap().unwrap())
        .collect();

    let rx = receiver::Receiver::start();
    let url = rx.url();
    let timeouts = Timeouts::default();

    // Bare loop: one kept-alive agent configured like the target's, same headers.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(timeouts.connect))
        .timeout_global(Some(timeouts.request))
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let post = |key: &str, body: &[u8]| {
        let mut resp = agent
            .post(&url)
            .header("Idempotency-Key", key)
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .content_type("application/json")
            .send(body)
            .expect("bare POST");
        assert!(resp.status().is_success());
        resp.body_mut().read_to_vec().expect("body");
    };
    post("warmup:1", &bodies[0]);
    let t = Instant::now();
    for (i, body) in bodies.iter().enumerate() {
        post(&format!("bare:{i}"), body);
    }
    let bare = t.elapsed();

    let target = Target::Http(HttpTarget::new(&url, TOKEN, None, timeouts).expect("target"));
    let t = Instant::now();
    let report =
        run_pass(&store, &target, &AtomicBool::new(false), &mut |_| {}).expect("sync pass");
    let sync = t.elapsed();
    assert_eq!(report.delivered, n, "{report:?}");
    assert_eq!(store.outbox_len(), 0);
    assert_eq!(rx.seen().accepted.len(), 2 * n + 1);

    let (bare_rate, sync_rate) = (rate(n, bare), rate(n, sync));
    println!(
        "sync benchmark, N = {n} versions, loopback receiver, CPUs {}",
        common::cpus_allowed()
    );
    println!(
        "  (queueing took {:.2} s: one durable save each)",
        queue_time.as_secs_f64()
    );
    println!(
        "  bare POST loop : {:>8.0} versions/s ({:.3} s)",
        bare_rate,
        bare.as_secs_f64()
    );
    println!(
        "  onshi sync pass: {:>8.0} versions/s ({:.3} s)",
        sync_rate,
        sync.as_secs_f64()
    );
    println!("  ratio sync/bare: {:.2}", sync_rate / bare_rate);
}
