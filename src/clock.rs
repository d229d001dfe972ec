//! The wall clock, read in one place: local time, to the second (records and the audit
//! trail carry readable timestamps like `2026-11-28T09:12:33+09:00`). The domain never
//! reads it; callers pass the time in.

use chrono::{DateTime, FixedOffset, Local, Timelike};

pub fn now() -> DateTime<FixedOffset> {
    let t = Local::now().fixed_offset();
    t.with_nanosecond(0).unwrap_or(t)
}
