//! What a websocket connection may do, beyond the protocol: how many one address may open,
//! how long it may wait before connection_init, how many subscriptions it may run, and how
//! often a signed-in connection's account is checked again.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The websocket settings, from the configuration.
#[derive(Clone)]
pub struct WsPolicy {
    /// Open connections per client address, at most `per_address`.
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    pub per_address: usize,
    pub max_subscriptions: usize,
    pub init_timeout: Duration,
    pub recheck: Duration,
}

/// One address's slot; given back when dropped (the connection closed).
pub struct AddressSlot {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl WsPolicy {
    pub fn new(
        per_address: usize,
        max_subscriptions: usize,
        init_timeout: Duration,
        recheck: Duration,
    ) -> Self {
        Self {
            open: Arc::default(),
            per_address,
            max_subscriptions,
            init_timeout,
            recheck,
        }
    }

    /// A slot for one more connection from `ip`; None when it has its fill.
    pub fn admit(&self, ip: IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            open: self.open.clone(),
            ip,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                // Addresses with nothing open are forgotten: the map holds only open ones.
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_slots_back_when_its_connections_close() {
        let policy = WsPolicy::new(2, 1, Duration::from_secs(1), Duration::from_secs(1));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let a = policy.admit(ip).unwrap();
        let _b = policy.admit(ip).unwrap();
        assert!(policy.admit(ip).is_none());
        assert!(policy.admit(other).is_some());
        drop(a);
        assert!(policy.admit(ip).is_some());
        assert!(policy.open.lock().unwrap().get(&other).is_none());
    }
}
