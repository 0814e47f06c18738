//! Login throttling per account and per client address, with governor's keyed GCRA limiters.

use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Limits on login attempts.
pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginThrottle {
    /// `per_account` and `per_address` attempts a minute (each at least 1).
    pub fn new(per_account: u32, per_address: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"));
        Self {
            per_account: RateLimiter::keyed(quota(per_account)),
            per_address: RateLimiter::keyed(quota(per_address)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; RATE_LIMITED with the wait when either limit is exhausted.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> AppResult<()> {
        // Forget keys whose allowance is whole again, so the maps do not grow without bound.
        if self.per_account.len() > 10_000 {
            self.per_account.retain_recent();
        }
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        let wait = |not_until: governor::NotUntil<_>| {
            let secs = not_until
                .wait_time_from(self.clock.now())
                .as_secs_f64()
                .ceil() as u64;
            AppError::RateLimited {
                retry_after: secs.max(1),
            }
        };
        if let Some(ip) = address {
            self.per_address.check_key(&ip).map_err(wait)?;
        }
        self.per_account
            .check_key(&email.trim().to_lowercase())
            .map_err(wait)?;
        Ok(())
    }
}
