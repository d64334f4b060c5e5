//! Time for the guard, injectable: monotonic instants for the state machine, local wall time
//! for the schedule, RFC 3339 for the `gaming-since` annotation.

use crate::schedule::LocalTime;
use std::time::Instant;

pub trait Clock: Send {
    fn now(&self) -> Instant;
    fn local(&self) -> LocalTime;
    /// Now as RFC 3339 (UTC), for `homeport.dev/gaming-since`.
    fn rfc3339(&self) -> String;
}

/// The system clock; local time from `TZ` or `/etc/localtime`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn local(&self) -> LocalTime {
        let z = jiff::Zoned::now();
        let weekday = z.weekday().to_monday_zero_offset() as u8;
        LocalTime::new(weekday, z.hour() as u32, z.minute() as u32)
    }

    fn rfc3339(&self) -> String {
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }
}
