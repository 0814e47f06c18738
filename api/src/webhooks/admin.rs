//! What admins do with webhooks: register, change, pause, resume, replay, rotate the secret,
//! delete. Admins only: a webhook sends data to an address of the admin's choosing, and an
//! editors' hook sends drafts.

use super::{secret, store, Settings};
use crate::error::{AppError, AppResult};
use crate::events::feed;
use crate::service::editing::require_admin;
use crate::service::Viewer;
use entity::webhook_endpoint as endpoint;
use sea_orm::{DatabaseConnection, Set};

/// A new endpoint and its secret (shown this once).
pub async fn register(
    db: &DatabaseConnection,
    settings: &Settings,
    viewer: &Viewer,
    mut input: store::EndpointInput,
    after: Option<&str>,
) -> AppResult<(endpoint::Model, String)> {
    let admin = require_admin(viewer)?;
    input.url = settings
        .guard
        .check_registration(&input.url)
        .await?
        .to_string();
    check_description(&input.description)?;
    // From the given cursor, or only what happens from now on.
    let cursor = match after {
        Some(c) => known_cursor(db, c).await?,
        None => feed::head(db).await?,
    };
    let secret = secret::generate().map_err(AppError::Internal)?;
    let model = store::register(db, input, secret.clone(), cursor, admin).await?;
    settings.poke.notify_one();
    Ok((model, secret))
}

/// A change cursor the log has reached: one from the future would silently skip every change
/// until the log caught up with it.
async fn known_cursor(db: &DatabaseConnection, cursor: &str) -> AppResult<i64> {
    let sequence = feed::decode_cursor(cursor)?;
    let head = feed::head(db).await?;
    if sequence > head {
        return Err(AppError::bad_input(format!(
            "the cursor {cursor:?} is ahead of the change feed; use one the feed, an export or \
             a delivery gave"
        )));
    }
    Ok(sequence)
}

fn check_description(text: &str) -> AppResult<()> {
    if text.chars().count() > 500 {
        return Err(AppError::bad_input(
            "the description is longer than 500 characters",
        ));
    }
    Ok(())
}

/// New settings, if the endpoint is still at `expected_version`.
pub async fn update(
    db: &DatabaseConnection,
    settings: &Settings,
    viewer: &Viewer,
    id: i64,
    expected_version: i32,
    mut input: store::EndpointInput,
) -> AppResult<endpoint::Model> {
    require_admin(viewer)?;
    input.url = settings
        .guard
        .check_registration(&input.url)
        .await?
        .to_string();
    check_description(&input.description)?;
    let model = store::edit(db, id, Some(expected_version), |row| {
        store::apply(row, input)
    })
    .await?;
    settings.poke.notify_one();
    Ok(model)
}

/// Stops deliveries until resumed; the cursor stays where it is.
pub async fn pause(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i64,
) -> AppResult<endpoint::Model> {
    require_admin(viewer)?;
    store::edit(db, id, None, |row| {
        row.active = Set(false);
        row.paused_reason = Set(Some("paused by an admin".to_owned()));
        Ok(())
    })
    .await
}

/// Delivers again from where the cursor is, at once, with a fresh retry schedule.
pub async fn resume(
    db: &DatabaseConnection,
    settings: &Settings,
    viewer: &Viewer,
    id: i64,
) -> AppResult<endpoint::Model> {
    require_admin(viewer)?;
    let model = store::edit(db, id, None, |row| {
        row.active = Set(true);
        row.paused_reason = Set(None);
        row.failures = Set(0);
        row.next_attempt_at = Set(0);
        Ok(())
    })
    .await?;
    settings.poke.notify_one();
    Ok(model)
}

/// Moves the cursor: deliveries start again after `after` (back to replay, or forward to
/// skip). The process delivering now loses its lease and stops.
pub async fn replay(
    db: &DatabaseConnection,
    settings: &Settings,
    viewer: &Viewer,
    id: i64,
    after: &str,
) -> AppResult<endpoint::Model> {
    require_admin(viewer)?;
    let cursor = known_cursor(db, after).await?;
    let model = store::edit(db, id, None, |row| {
        row.cursor = Set(cursor);
        row.failures = Set(0);
        row.next_attempt_at = Set(0);
        row.lease_owner = Set(None);
        row.lease_until = Set(0);
        Ok(())
    })
    .await?;
    settings.poke.notify_one();
    Ok(model)
}

/// A new secret; the old one keeps signing beside it for `grace` (default: the setting).
pub async fn rotate(
    db: &DatabaseConnection,
    settings: &Settings,
    viewer: &Viewer,
    id: i64,
    grace_hours: Option<i32>,
) -> AppResult<(endpoint::Model, String)> {
    require_admin(viewer)?;
    let grace_ms = match grace_hours {
        Some(h) if !(0..=720).contains(&h) => {
            return Err(AppError::bad_input(
                "`graceHours` must be between 0 and 720",
            ))
        }
        Some(h) => i64::from(h) * 3_600_000,
        None => settings.secret_grace.as_millis() as i64,
    };
    let fresh = secret::generate().map_err(AppError::Internal)?;
    let new = fresh.clone();
    // One read: the secret rotated out is the one the edit starts from, and the edit's
    // compare-and-set on the version keeps a concurrent rotation from being lost.
    let model = store::edit(db, id, None, move |row| {
        row.previous_secret = Set(Some(row.secret.as_ref().clone()));
        row.previous_secret_until = Set(store::now_ms() + grace_ms);
        row.secret = Set(new);
        Ok(())
    })
    .await?;
    Ok((model, fresh))
}

/// Deletes the endpoint and its delivery log.
pub async fn delete(db: &DatabaseConnection, viewer: &Viewer, id: i64) -> AppResult<()> {
    require_admin(viewer)?;
    store::delete(db, id).await
}
