//! The delivery loop: lease endpoints that are behind, read their events from the revision
//! log, POST them one at a time in order, move the cursor on each acknowledgement, and on a
//! failure schedule the retry (or pause the endpoint) and give the lease back.

use super::guard::GuardedResolver;
use super::{secret, store, Settings};
use crate::error::{AppError, AppResult};
use crate::events::feed::{self, Change};
use crate::events::ChangeBus;
use crate::graphql::render::{Renderer, Shape};
use crate::http::metrics::Metrics;
use crate::service::Viewer;
use entity::enums::EditorRole;
use entity::{webhook_delivery as delivery, webhook_endpoint as endpoint};
use sea_orm::{DatabaseConnection, Set, TransactionTrait};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How long a lease lasts without renewal (each delivery renews it).
const LEASE: Duration = Duration::from_secs(60);
/// Revisions read from the log at a time, per endpoint.
const BATCH: u64 = 50;
/// How often work is looked for when nothing announced any: the safety net for what another
/// process scheduled (its retries, expired leases, admins' changes there). New changes, this
/// process's retries, freed slots and admins' changes here wake the loop at once; an idle
/// server does not query the database more often than this for webhooks.
const TICK: Duration = Duration::from_secs(5);
/// How often the delivery log is pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Errors kept in the log are cut to this many characters.
const MAX_ERROR: usize = 500;

/// The webhook deliverer of one process.
pub struct Webhooks {
    db: DatabaseConnection,
    bus: ChangeBus,
    renderer: Renderer,
    metrics: Arc<Metrics>,
    settings: Settings,
    client: reqwest::Client,
    /// This process's name: the prefix of its claims' lease tokens.
    owner: String,
    /// Set when the process stops: deliveries in flight end after their current attempt.
    stopping: std::sync::atomic::AtomicBool,
    /// One permit per delivery in flight (`EXODUS_WEBHOOK_CONCURRENCY`).
    slots: Arc<Semaphore>,
    /// Raised when a delivery ends: its slot is free for the next endpoint at once, rather
    /// than at the next tick (with 100 endpoints and 16 slots, ticks made the last endpoints
    /// wait seconds; BENCHMARKS.md).
    freed: tokio::sync::Notify,
    /// The earliest retry this process scheduled (ms since the epoch), to wake for it.
    retry_at: std::sync::Mutex<Option<i64>>,
}

/// What one attempt came to.
struct Attempt {
    status: Option<u16>,
    error: Option<String>,
    latency: Duration,
    /// Retrying cannot help (the URL is refused): pause at once.
    hopeless: bool,
}

impl Attempt {
    fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

impl Webhooks {
    pub fn new(
        db: DatabaseConnection,
        bus: ChangeBus,
        renderer: Renderer,
        metrics: Arc<Metrics>,
        settings: Settings,
    ) -> anyhow::Result<Arc<Self>> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .dns_resolver(Arc::new(GuardedResolver(Arc::new(settings.guard.clone()))))
            // A proxy from the environment would resolve the receivers' names itself, out of
            // the guard's sight.
            .no_proxy()
            .user_agent(concat!("Exodus-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Arc::new(Self {
            db,
            bus,
            renderer,
            metrics,
            client,
            owner: uuid::Uuid::new_v4().to_string(),
            stopping: std::sync::atomic::AtomicBool::new(false),
            slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            freed: tokio::sync::Notify::new(),
            retry_at: std::sync::Mutex::new(None),
            settings,
        }))
    }

    /// Runs the loop until `stop` resolves. Then no new delivery starts, those in flight
    /// finish their attempt (up to the timeout), and the process gives its leases back, so
    /// that another process (or this one restarted) takes over at once rather than after
    /// they expire.
    pub fn start(self: Arc<Self>, stop: impl std::future::Future<Output = ()> + Send + 'static) {
        tokio::spawn(async move {
            let me = self.clone();
            tokio::select! {
                _ = me.run() => {}
                _ = stop => {}
            }
            self.stopping
                .store(true, std::sync::atomic::Ordering::SeqCst);
            let all = self.settings.concurrency.max(1) as u32;
            let grace = self.settings.timeout + Duration::from_secs(2);
            let _ = tokio::time::timeout(grace, self.slots.acquire_many(all)).await;
            if let Err(e) = store::release_all(&self.db, &self.owner).await {
                tracing::warn!(error = ?e, "giving back webhook leases failed; they expire");
            }
        });
    }

    async fn run(self: Arc<Self>) {
        let mut wake = self.bus.watch();
        // The first look comes after a tick, not at start-up (a restarted process's endpoints
        // wait at most that long; a change or an admin wakes it sooner), and the first prune
        // a minute in: a server starting under load has better things to do.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pruned = Instant::now() - PRUNE_EVERY + Duration::from_secs(60);
        // Whether the last claim took as many endpoints as it had slots: more may wait, and a
        // freed slot should look for them.
        let mut more = false;
        loop {
            let retry = *self.retry_at.lock().unwrap_or_else(|e| e.into_inner());
            let until_retry =
                retry.map(|at| Duration::from_millis((at - store::now_ms()).max(0) as u64));
            tokio::select! {
                _ = wake.changed() => {}
                _ = tick.tick() => {}
                _ = self.settings.poke.notified() => {}
                _ = self.freed.notified(), if more => {}
                _ = tokio::time::sleep(until_retry.unwrap_or_default()), if until_retry.is_some() => {}
            }
            {
                let mut at = self.retry_at.lock().unwrap_or_else(|e| e.into_inner());
                if at.is_some_and(|t| t <= store::now_ms()) {
                    *at = None;
                }
            }
            if pruned.elapsed() >= PRUNE_EVERY {
                pruned = Instant::now();
                self.prune().await;
            }
            let free = self.slots.available_permits();
            if free == 0 {
                more = true;
                continue;
            }
            let now = store::now_ms();
            let until = now + LEASE.as_millis() as i64;
            let token = format!("{}:{}", self.owner, uuid::Uuid::new_v4());
            let claimed = match store::claim(
                &self.db,
                &token,
                now,
                until,
                self.bus.head(),
                free as u64,
            )
            .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = ?e, "leasing webhook endpoints failed; will retry");
                    continue;
                }
            };
            more = claimed.len() == free;
            for e in claimed {
                let Ok(permit) = self.slots.clone().acquire_owned().await else {
                    return;
                };
                let me = self.clone();
                tokio::spawn(async move {
                    if let Err(err) = me.serve(&e).await {
                        me.broke(&e, err).await;
                    }
                    drop(permit);
                    me.freed.notify_one();
                });
            }
        }
    }

    /// A delivery that stopped on an error of ours (the database, rendering): it is retried
    /// on the schedule like a failed attempt, so it neither spins nor is forgotten; only an
    /// unreachable database never pauses the endpoint.
    async fn broke(&self, e: &endpoint::Model, err: AppError) {
        tracing::warn!(endpoint = e.id, error = ?err, "webhook delivery stopped; will retry");
        let result = match err {
            AppError::Unavailable(_) => {
                let next = store::now_ms() + jittered(Duration::from_secs(5));
                {
                    let mut at = self.retry_at.lock().unwrap_or_else(|e| e.into_inner());
                    *at = Some(at.map_or(next, |t| t.min(next)));
                }
                store::fail(&self.db, e, e.failures, next, None).await
            }
            other => {
                let attempt = Attempt {
                    status: None,
                    error: Some(format!("Exodus could not prepare it: {}", other.message())),
                    latency: Duration::ZERO,
                    hopeless: false,
                };
                self.failed(e, e.failures + 1, attempt, None).await
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = ?e, "recording a webhook failure failed; the lease expires");
        }
    }

    async fn prune(&self) {
        let before = chrono::Utc::now()
            - chrono::Duration::from_std(self.settings.retention).unwrap_or_default();
        match store::prune(&self.db, before).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "pruned the webhook delivery log"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "pruning the webhook delivery log failed"),
        }
    }

    /// Delivers to one leased endpoint until it is caught up, an attempt fails, or the lease
    /// is lost; then gives the lease back.
    async fn serve(&self, e: &endpoint::Model) -> AppResult<()> {
        let viewer = match e.editors {
            true => Viewer::Editor {
                id: e.created_by.unwrap_or(0),
                role: EditorRole::Admin,
            },
            false => Viewer::Anonymous,
        };
        let filter = store::filter(e)?;
        let mut cursor = e.cursor;
        let mut attempt = e.failures + 1;
        loop {
            // Everything up to the head read first is committed (revisions commit in order):
            // a read that ends short of the batch has seen all of it, and the cursor may move
            // past the revisions the filter left out, so that lag reads 0 when caught up.
            let head = feed::head(&self.db).await?;
            let (changes, read, count) =
                feed::read_counted(&self.db, &viewer, &filter, cursor, BATCH).await?;
            let read_to = if count < BATCH { read.max(head) } else { read };
            if changes.is_empty() && read_to <= cursor {
                // Caught up.
                return store::release(&self.db, e).await;
            }
            let payloads = self
                .renderer
                .render(Shape::Event, &viewer, changes.clone())
                .await?;
            for (change, payload) in changes.iter().zip(payloads) {
                if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
                    return store::release(&self.db, e).await;
                }
                let (done, log) = self.attempt(e, change, payload, attempt).await?;
                if !done.delivered() {
                    return self.failed(e, attempt, done, Some(log)).await;
                }
                attempt = 1;
                if !self.delivered(e, log, cursor, change.revision.id).await? {
                    // Stopped by an admin's change or a lost lease: give it back if still ours.
                    return store::release(&self.db, e).await;
                }
                cursor = change.revision.id;
            }
            // Past what this endpoint does not see, up to where the read went.
            if read_to > cursor {
                if !self.advance(e, cursor, read_to).await? {
                    // Stopped by an admin's change or a lost lease: give it back if still ours.
                    return store::release(&self.db, e).await;
                }
                cursor = read_to;
            }
        }
    }

    /// Logs a delivery and moves the cursor past it, in one transaction.
    async fn delivered(
        &self,
        e: &endpoint::Model,
        log: delivery::ActiveModel,
        from: i64,
        to: i64,
    ) -> AppResult<bool> {
        let until = store::now_ms() + LEASE.as_millis() as i64;
        let txn = self.db.begin().await?;
        store::log(&txn, log).await?;
        let moved = store::advance(&txn, e, from, to, until).await?;
        txn.commit().await?;
        Ok(moved)
    }

    async fn advance(&self, e: &endpoint::Model, from: i64, to: i64) -> AppResult<bool> {
        let until = store::now_ms() + LEASE.as_millis() as i64;
        store::advance(&self.db, e, from, to, until).await
    }

    /// One POST of one event, and its entry for the delivery log (written by the caller in
    /// the same transaction as what the outcome moves: one commit per delivery).
    async fn attempt(
        &self,
        e: &endpoint::Model,
        change: &Change,
        payload: Value,
        number: i32,
    ) -> AppResult<(Attempt, delivery::ActiveModel)> {
        let message_id = payload
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let body = json!({
            "type": "exodus.change",
            "timestamp": change.revision.at.to_rfc3339(),
            "data": payload,
        });
        let body = serde_json::to_vec(&body).map_err(|e| AppError::Internal(e.into()))?;
        let done = self.post(e, &message_id, body).await;
        let outcome = if done.delivered() {
            "delivered"
        } else {
            "failed"
        };
        self.metrics.webhook_delivery(outcome);
        let log = delivery::ActiveModel {
            endpoint_id: Set(e.id),
            message_id: Set(message_id),
            sequence: Set(change.revision.id),
            attempt: Set(number),
            at: Set(chrono::Utc::now()),
            status_code: Set(done.status.map(i32::from)),
            latency_ms: Set(done.latency.as_millis() as i64),
            delivered: Set(done.delivered()),
            error: Set(done.error.clone()),
            ..Default::default()
        };
        Ok((done, log))
    }

    async fn post(&self, e: &endpoint::Model, id: &str, body: Vec<u8>) -> Attempt {
        let started = Instant::now();
        let failed = |error: String, status: Option<u16>, hopeless: bool| Attempt {
            status,
            error: Some(error.chars().take(MAX_ERROR).collect()),
            latency: started.elapsed(),
            hopeless,
        };
        // Checked again at each attempt: the allow-list may have changed since registration.
        let url = match self.settings.guard.check_url(&e.url) {
            Ok(url) => url,
            Err(refused) => return failed(refused.message(), None, true),
        };
        let now_ms = store::now_ms();
        let mut secrets = vec![e.secret.as_str()];
        if let Some(previous) = &e.previous_secret {
            if e.previous_secret_until > now_ms {
                secrets.push(previous.as_str());
            }
        }
        let timestamp = now_ms / 1000;
        let signature = secret::sign(&secrets, id, timestamp, &body);
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Attempt {
                status: Some(response.status().as_u16()),
                error: None,
                latency: started.elapsed(),
                hopeless: false,
            },
            Ok(response) => {
                let status = response.status();
                let why = if status.is_redirection() {
                    format!("answered {status}: redirects are not followed")
                } else {
                    format!("answered {status}")
                };
                failed(why, Some(status.as_u16()), false)
            }
            Err(err) => failed(describe(&err), None, false),
        }
    }

    /// Schedules the next attempt, or pauses the endpoint after the last.
    async fn failed(
        &self,
        e: &endpoint::Model,
        attempt: i32,
        done: Attempt,
        log: Option<delivery::ActiveModel>,
    ) -> AppResult<()> {
        let error = done.error.unwrap_or_default();
        let schedule = &self.settings.schedule;
        let wait = schedule.get(attempt as usize - 1).copied();
        let (next_at, pause) = match wait {
            Some(wait) if !done.hopeless => (store::now_ms() + jittered(wait), None),
            _ => {
                let reason = if done.hopeless {
                    format!("paused: {error}")
                } else {
                    format!("paused after {attempt} failed attempts; the last: {error}")
                };
                self.metrics.webhook_delivery("paused");
                tracing::warn!(endpoint = e.id, %reason, "webhook endpoint paused");
                (0, Some(reason))
            }
        };
        if pause.is_none() && next_at > 0 {
            let mut at = self.retry_at.lock().unwrap_or_else(|e| e.into_inner());
            *at = Some(at.map_or(next_at, |t| t.min(next_at)));
        }
        // The attempt's log entry and what it schedules, in one transaction.
        let txn = self.db.begin().await?;
        if let Some(log) = log {
            store::log(&txn, log).await?;
        }
        store::fail(&txn, e, attempt, next_at, pause).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The wait in milliseconds, spread by ±20% so that endpoints failing together do not retry
/// together.
fn jittered(wait: Duration) -> i64 {
    let mut byte = [0u8; 2];
    let spread = match getrandom::getrandom(&mut byte) {
        Ok(()) => f64::from(u16::from_le_bytes(byte)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    };
    (wait.as_millis() as f64 * (0.8 + 0.4 * spread)) as i64
}

/// An HTTP client error with its causes (the resolver's refusal is a cause, for one).
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
