//! Shared by the benchmarks (`#[path]`-included): run mode, timing, the report format.
//!
//! `cargo bench --bench NAME` passes `--bench`: the full run. Anything else (`cargo test
//! --all-targets` runs every bench binary once) is the quick run with tiny N, which only
//! checks that the measurement still works.
#![allow(dead_code)] // each bench uses a different subset

use std::time::{Duration, Instant};

/// True for `cargo bench` (full N), false under `cargo test` (tiny N).
pub fn full_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test")
}

/// Per-operation timings of one measured loop.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub n: usize,
    pub median: Duration,
    pub mean: Duration,
    pub p99: Duration,
}

impl Stats {
    pub fn from(mut samples: Vec<Duration>) -> Stats {
        assert!(!samples.is_empty(), "no samples");
        samples.sort();
        let n = samples.len();
        let total: Duration = samples.iter().sum();
        Stats {
            n,
            median: samples[n / 2],
            mean: total / n as u32,
            p99: samples[((n * 99) / 100).min(n - 1)],
        }
    }
}

/// Time `f` `n` times, one sample per call.
pub fn time_each(n: usize, mut f: impl FnMut()) -> Stats {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    Stats::from(samples)
}

/// Time `a` and `b` alternately in blocks of `block` calls, `blocks` times, so drift in the
/// machine's speed (another build on the other core) hits both alike.
pub fn time_interleaved(
    blocks: usize,
    block: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (Stats, Stats) {
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    for _ in 0..blocks {
        for _ in 0..block {
            let t = Instant::now();
            a();
            sa.push(t.elapsed());
        }
        for _ in 0..block {
            let t = Instant::now();
            b();
            sb.push(t.elapsed());
        }
    }
    (Stats::from(sa), Stats::from(sb))
}

/// Which CPUs this process may run on (`taskset -c 0` shows as "0").
pub fn cpus_allowed() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Cpus_allowed_list:"))
                .map(|l| l["Cpus_allowed_list:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One line of the report: the figure, its baseline from the same run, the ratio, and the
/// target with MET / MISSED. Benchmarks report; they do not fail on a missed target.
pub fn report(
    what: &str,
    figure: &str,
    baseline: &str,
    ratio: Option<f64>,
    target: &str,
    met: bool,
) {
    let ratio = ratio
        .map(|r| format!("{r:.2}x"))
        .unwrap_or_else(|| "-".into());
    println!(
        "  {what:<44} {figure:>14}  baseline {baseline:>14}  ratio {ratio:>7}  target {target} [{}]",
        if met { "MET" } else { "MISSED" }
    );
}

/// Peak resident set size of this process so far (VmHWM), in KiB.
pub fn peak_rss_kib() -> u64 {
    proc_status_kib("self", "VmHWM:")
}

/// A `kB` line of `/proc/<pid>/status` (pid may be `self`).
pub fn proc_status_kib(pid: &str, key: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
}

/// A valid record (case 3-4, declaration, 不詳 claim) created at `at` with id `id`, made
/// through the one validation path so it follows the record type as it changes.
pub fn record(
    id: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    name: &str,
    followup: bool,
) -> onshi::domain::record::Record {
    let line = serde_json::json!({
        "incident": {"case": "3-4", "note": "停電"},
        "verification": {"source": "declaration"},
        "declaration": {
            "has_valid_card": true, "insurance_kind": "shaho",
            "insurer_name": "全国健康保険協会東京支部", "employer_name": "株式会社オンシ商事",
            "issued_when": "earlier",
            "name": name, "name_kana": "ヤマダ　タロウ", "birth_date": "1981-04-01",
            "sex": "male", "address": "東京都千代田区霞が関１－２－２",
            "signer": "patient", "phone": "03-1234-5678"
        }
    });
    let input: onshi::domain::input::RecordInput =
        serde_json::from_value(line).expect("record input");
    let ctx = onshi::domain::validate::Context {
        now: at,
        terminal_id: "reception-1".into(),
        operator: "佐藤".into(),
        new_id: id.into(),
    };
    let mut rec = onshi::domain::validate::record(&input, &ctx).expect("valid record");
    rec.followup.needed = followup;
    rec
}

/// A valid record with a fresh id, created now.
pub fn fresh_record() -> onshi::domain::record::Record {
    let now = chrono::Local::now().fixed_offset();
    record(&ulid::Ulid::new().to_string(), now, "山田　太郎", true)
}
