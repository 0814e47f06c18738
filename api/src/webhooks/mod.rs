//! Webhooks (Standard Webhooks): change events POSTed to the endpoints admins register.
//!
//! Delivery is driven by the revision log, like every other reader of changes: each endpoint
//! has its own cursor, kept in the database, and moves only past events its receiver
//! acknowledged (2xx) or that the endpoint's filter and viewer do not select. So nothing is
//! lost across restarts, deploys or a receiver's outage, and events arrive in order, at least
//! once, each with the same `webhook-id` on every attempt (the receiver's idempotency key).
//! Processes lease endpoints (`store::claim`), so replicas on one PostgreSQL deliver each
//! event once between them. A failed attempt is retried on a schedule with jitter (about a
//! day by default); after the last, the endpoint is paused with the reason, until an admin
//! resumes it. See `worker` for the loop, `guard` for what URLs may be reached.

pub mod admin;
pub mod guard;
pub mod secret;
pub mod store;
mod worker;

pub use worker::Webhooks;

use std::time::Duration;

/// How webhooks are delivered (`EXODUS_WEBHOOK_*`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// What URLs may be reached.
    pub guard: guard::Guard,
    /// Per attempt, connection and answer together.
    pub timeout: Duration,
    /// Attempts in flight at once, over all endpoints.
    pub concurrency: usize,
    /// The waits before each retry; after the last retry fails, the endpoint is paused.
    pub schedule: Vec<Duration>,
    /// How long delivery attempts stay in the log.
    pub retention: Duration,
    /// How long a rotated-out secret still signs, by default.
    pub secret_grace: Duration,
    /// Raised by admin operations (register, resume, replay, update) so that this process's
    /// deliverer looks for work at once, not at its next periodic check.
    pub poke: std::sync::Arc<tokio::sync::Notify>,
}

/// Reads a schedule such as "5s,5m,30m,2h,5h,10h,10h".
pub fn parse_schedule(text: &str) -> anyhow::Result<Vec<Duration>> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_duration)
        .collect()
}

/// "250ms", "5s", "5m", "2h", "1d".
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| anyhow::anyhow!("{text:?} has no unit (ms, s, m, h, d)"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("{text:?} is not a duration"))?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        "d" => n * 86_400_000,
        _ => anyhow::bail!("{text:?}: the unit must be ms, s, m, h or d"),
    };
    Ok(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_spans_about_a_day() {
        let s = parse_schedule("5s,5m,30m,2h,5h,10h,10h").unwrap();
        let total: Duration = s.iter().sum();
        assert_eq!(s.len(), 7);
        assert!(total > Duration::from_secs(24 * 3600) && total < Duration::from_secs(30 * 3600));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("5w").is_err());
    }
}
