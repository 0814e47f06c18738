//! The stop signal and the requests in flight.
//!
//! The signal is raised once on SIGTERM or SIGINT (or by a test) and heard by every open
//! websocket, so it can close with a code that tells clients to reconnect and resume. The
//! in-flight count lets the stop wait for requests already being served before the server
//! shuts their connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// A one-way switch from "serving" to "stopping", and a count of requests being served.
#[derive(Clone)]
pub struct Shutdown {
    stopping: Arc<watch::Sender<bool>>,
    in_flight: Arc<(AtomicUsize, Notify)>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            stopping: Arc::new(watch::channel(false).0),
            in_flight: Arc::default(),
        }
    }
}

/// Held while a request is served.
pub struct InFlight(Arc<(AtomicUsize, Notify)>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0 .0.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0 .1.notify_waiters();
        }
    }
}

impl Shutdown {
    /// Raises the signal; every waiter wakes.
    pub fn trigger(&self) {
        self.stopping.send_replace(true);
    }

    /// Returns once the signal is raised (at once if it already is).
    pub async fn wait(&self) {
        let mut receiver = self.stopping.subscribe();
        // The sender lives as long as `self`, so this cannot fail while we wait.
        let _ = receiver.wait_for(|stopping| *stopping).await;
    }

    /// Counts a request as in flight until the guard is dropped.
    pub fn enter(&self) -> InFlight {
        self.in_flight.0.fetch_add(1, Ordering::SeqCst);
        InFlight(self.in_flight.clone())
    }

    /// Waits until no request is in flight, or `limit` passed; true when drained.
    pub async fn drained(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.in_flight.1.notified();
                if self.in_flight.0.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}
