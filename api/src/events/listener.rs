//! PostgreSQL LISTEN on the change channel, reconnecting with backoff. After every
//! (re)connection it wakes subscribers so they read whatever was written while it was away.

use super::{announce, CHANNEL};
use sea_orm::DatabaseConnection;
use sqlx::postgres::PgListener;
use std::sync::Weak;
use std::time::Duration;
use tokio::sync::watch;

pub fn spawn(db: DatabaseConnection, head: Weak<watch::Sender<i64>>) {
    tokio::spawn(async move {
        let pool = db.get_postgres_connection_pool().clone();
        let mut backoff = Duration::from_millis(100);
        loop {
            if head.strong_count() == 0 {
                break;
            }
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "change listener cannot connect");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            // Without this, sqlx would reconnect silently and the gap would go unnoticed.
            listener.ignore_pool_close_event(false);
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, retry_in = ?backoff, "change listener cannot LISTEN");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
            backoff = Duration::from_millis(100);
            tracing::debug!("change listener connected");
            // Catch up on anything committed while not listening: wake everyone.
            if let Some(h) = head.upgrade() {
                h.send_modify(|_| {});
            }
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        let Some(h) = head.upgrade() else { return };
                        match n.payload().parse::<i64>() {
                            Ok(id) => announce(&h, id),
                            Err(_) => h.send_modify(|_| {}),
                        }
                    }
                    Ok(None) | Err(_) => {
                        tracing::warn!("change listener lost its connection; reconnecting");
                        break;
                    }
                }
            }
        }
    });
}
