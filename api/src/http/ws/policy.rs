//! What a websocket connection may do, beyond the protocol: how many one address may open,
//! how long it may wait before connection_init, how many subscriptions it may run, and how
//! often a signed-in connection's account is checked again.

use crate::http::per_address::PerAddress;
use std::time::Duration;

/// The websocket settings, from the configuration.
#[derive(Clone)]
pub struct WsPolicy {
    /// Open websockets per client address.
    pub per_address: PerAddress,
    pub max_subscriptions: usize,
    pub init_timeout: Duration,
    pub recheck: Duration,
}

impl WsPolicy {
    pub fn new(
        per_address: usize,
        max_subscriptions: usize,
        init_timeout: Duration,
        recheck: Duration,
    ) -> Self {
        Self {
            per_address: PerAddress::new(per_address),
            max_subscriptions,
            init_timeout,
            recheck,
        }
    }
}
