//! Login throttling and request rate limits, with governor's keyed GCRA limiters.

use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// `n` a minute, at least one.
fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"))
}

/// RATE_LIMITED with the whole seconds until the next allowed attempt.
fn wait_error(
    clock: &DefaultClock,
    not_until: governor::NotUntil<governor::clock::QuantaInstant>,
) -> AppError {
    let secs = not_until.wait_time_from(clock.now()).as_secs_f64().ceil() as u64;
    AppError::RateLimited {
        retry_after: secs.max(1),
    }
}

/// Limits on login attempts. An account's attempts are counted per address it is tried
/// from, so someone hammering an editor's email elsewhere does not lock its owner out; a
/// wider cap across all addresses (ten times the per-address one) still bounds guessing
/// spread over many addresses, and an attacker must keep it full to keep the owner waiting
/// (it refills one attempt every few seconds). Each address has its own limit as well.
pub struct LoginThrottle {
    per_account_and_address: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginThrottle {
    /// `per_account` attempts a minute on one account from one address, and `per_address`
    /// from one address (each at least 1).
    pub fn new(per_account: u32, per_address: u32) -> Self {
        Self {
            per_account_and_address: RateLimiter::keyed(per_minute(per_account)),
            per_account: RateLimiter::keyed(per_minute(per_account.saturating_mul(10))),
            per_address: RateLimiter::keyed(per_minute(per_address)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; RATE_LIMITED with the wait when a limit is exhausted.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> AppResult<()> {
        // Forget keys whose allowance is whole again, so the maps do not grow without bound.
        if self.per_account_and_address.len() > 10_000 {
            self.per_account_and_address.retain_recent();
        }
        if self.per_account.len() > 10_000 {
            self.per_account.retain_recent();
        }
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        let wait = |not_until| wait_error(&self.clock, not_until);
        if let Some(ip) = address {
            self.per_address.check_key(&ip).map_err(wait)?;
        }
        let account = email.trim().to_lowercase();
        self.per_account_and_address
            .check_key(&(account.clone(), address))
            .map_err(wait)?;
        self.per_account.check_key(&account).map_err(wait)?;
        Ok(())
    }
}

/// Request rate limits: per client address for anonymous traffic, per editor for signed-in
/// traffic, so one busy reader cannot starve the others.
pub struct RequestLimiter {
    anonymous: DefaultKeyedRateLimiter<IpAddr>,
    editors: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
}

impl RequestLimiter {
    /// `per_address` and `per_editor` requests a minute (each at least 1).
    pub fn new(per_address: u32, per_editor: u32) -> Self {
        Self {
            anonymous: RateLimiter::keyed(per_minute(per_address)),
            editors: RateLimiter::keyed(per_minute(per_editor)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request; RATE_LIMITED with the wait when the caller's allowance is spent.
    pub fn check(&self, viewer: &crate::service::Viewer, address: Option<IpAddr>) -> AppResult<()> {
        let wait = |not_until| wait_error(&self.clock, not_until);
        match viewer {
            crate::service::Viewer::Editor { id, .. } => {
                if self.editors.len() > 10_000 {
                    self.editors.retain_recent();
                }
                self.editors.check_key(id).map_err(wait)
            }
            crate::service::Viewer::Anonymous => {
                let Some(ip) = address else { return Ok(()) };
                if self.anonymous.len() > 100_000 {
                    self.anonymous.retain_recent();
                }
                self.anonymous.check_key(&ip).map_err(wait)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attacker_elsewhere_does_not_lock_the_owner_out() {
        let throttle = LoginThrottle::new(3, 100);
        let attacker: IpAddr = "198.51.100.7".parse().unwrap();
        let owner: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..3 {
            throttle
                .check("editor@example.org", Some(attacker))
                .unwrap();
        }
        let refused = throttle.check("Editor@example.org ", Some(attacker));
        assert!(matches!(refused, Err(AppError::RateLimited { .. })));
        throttle.check("editor@example.org", Some(owner)).unwrap();
        // Spread over many addresses, guessing meets the account's wider cap (30 here).
        let mut refused = 0;
        for i in 0..40u8 {
            let ip = IpAddr::from([192, 0, 2, i]);
            if throttle.check("editor@example.org", Some(ip)).is_err() {
                refused += 1;
            }
        }
        assert!(refused >= 10, "{refused}");
    }
}
