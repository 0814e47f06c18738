//! Webhook endpoints and their delivery log in the database: what admins change, and the
//! worker's leases, cursors and retries.

use crate::error::{AppError, AppResult};
use crate::events::feed::FeedFilter;
use crate::service::ids;
use entity::enums::RecordKind;
use entity::{webhook_delivery as delivery, webhook_endpoint as endpoint};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

/// The global-id prefix of endpoints and of deliveries.
pub const ENDPOINT: &str = "WebhookEndpoint";
pub const DELIVERY: &str = "WebhookDelivery";

/// What an admin sets on an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    pub kinds: Vec<RecordKind>,
    /// Global ids of records.
    pub records: Vec<String>,
    /// An editors' hook (sees drafts and archived states).
    pub editors: bool,
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The feed filter an endpoint's settings describe. A stored filter that does not read is an
/// error, never "everything" (which an empty filter means).
pub fn filter(e: &endpoint::Model) -> AppResult<FeedFilter> {
    let unreadable = |what: &str| {
        AppError::Internal(anyhow::anyhow!(
            "webhook {}: its {what} filter does not read",
            e.id
        ))
    };
    let kinds: Vec<RecordKind> = serde_json::from_str(&e.kinds).map_err(|_| unreadable("kinds"))?;
    let globals: Vec<String> = serde_json::from_str(&e.records).map_err(|_| unreadable("ids"))?;
    let records = globals
        .iter()
        .map(|g| ids::decode(g))
        .collect::<AppResult<Vec<_>>>()
        .map_err(|_| unreadable("ids"))?;
    Ok(FeedFilter {
        kinds,
        records,
        include_drafts: e.editors,
    })
}

fn check_records(records: &[String]) -> AppResult<()> {
    if records.len() > 100 {
        return Err(AppError::bad_input(
            "follow at most 100 records in one webhook",
        ));
    }
    for r in records {
        ids::decode(r)?;
    }
    Ok(())
}

/// Registers an endpoint starting after `cursor`; returns it with its secret.
pub async fn register<C: ConnectionTrait>(
    db: &C,
    input: EndpointInput,
    secret: String,
    cursor: i64,
    created_by: i64,
) -> AppResult<endpoint::Model> {
    check_records(&input.records)?;
    let now = chrono::Utc::now();
    let model = endpoint::ActiveModel {
        url: Set(input.url),
        description: Set(input.description),
        kinds: Set(json_text(&input.kinds)),
        records: Set(json_text(&input.records)),
        editors: Set(input.editors),
        active: Set(true),
        paused_reason: Set(None),
        secret: Set(secret),
        previous_secret: Set(None),
        previous_secret_until: Set(0),
        cursor: Set(cursor),
        failures: Set(0),
        next_attempt_at: Set(0),
        lease_owner: Set(None),
        lease_until: Set(0),
        version: Set(1),
        created_by: Set(Some(created_by)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// An endpoint by id, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<endpoint::Model> {
    endpoint::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("no such webhook".into()))
}

/// Every endpoint, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C) -> AppResult<Vec<endpoint::Model>> {
    Ok(endpoint::Entity::find()
        .order_by_asc(endpoint::Column::Id)
        .all(db)
        .await?)
}

/// An admin's change: applied only if the endpoint is still at `expected` (else CONFLICT,
/// nothing written). `change` edits the row; the version goes up by one.
pub async fn edit<C: ConnectionTrait>(
    db: &C,
    id: i64,
    expected: Option<i32>,
    change: impl FnOnce(&mut endpoint::ActiveModel) -> AppResult<()>,
) -> AppResult<endpoint::Model> {
    let current = get(db, id).await?;
    if let Some(v) = expected {
        if v != current.version {
            return Err(conflict(current.version));
        }
    }
    let mut row: endpoint::ActiveModel = current.clone().into();
    change(&mut row)?;
    row.version = Set(current.version + 1);
    row.updated_at = Set(chrono::Utc::now());
    // Compare-and-set on the version: a concurrent edit makes this one a CONFLICT.
    let mut update = endpoint::Entity::update_many()
        .filter(endpoint::Column::Id.eq(id))
        .filter(endpoint::Column::Version.eq(current.version));
    update = update.set(row);
    let done = update.exec(db).await?;
    if done.rows_affected != 1 {
        let now = get(db, id).await?;
        return Err(conflict(now.version));
    }
    get(db, id).await
}

fn conflict(version: i32) -> AppError {
    AppError::Conflict {
        message: format!(
            "the webhook changed since you read it (it is now at version {version}); reload it \
             and reapply your change"
        ),
        current_version: Some(version),
    }
}

/// Applies new settings (URL, filters, kind of hook).
pub fn apply(row: &mut endpoint::ActiveModel, input: EndpointInput) -> AppResult<()> {
    check_records(&input.records)?;
    row.url = Set(input.url);
    row.description = Set(input.description);
    row.kinds = Set(json_text(&input.kinds));
    row.records = Set(json_text(&input.records));
    row.editors = Set(input.editors);
    Ok(())
}

/// Deletes an endpoint and its delivery log.
pub async fn delete<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<()> {
    delivery::Entity::delete_many()
        .filter(delivery::Column::EndpointId.eq(id))
        .exec(db)
        .await?;
    let done = endpoint::Entity::delete_by_id(id).exec(db).await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound("no such webhook".into()));
    }
    Ok(())
}

/// The newest attempts at an endpoint, newest first, below delivery id `before`.
pub async fn deliveries<C: ConnectionTrait>(
    db: &C,
    endpoint_id: i64,
    before: Option<i64>,
    limit: u64,
) -> AppResult<Vec<delivery::Model>> {
    let mut q = delivery::Entity::find().filter(delivery::Column::EndpointId.eq(endpoint_id));
    if let Some(b) = before {
        q = q.filter(delivery::Column::Id.lt(b));
    }
    Ok(q.order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Numbered parameters in the backend's syntax (`$1` on PostgreSQL, `?1` on SQLite).
fn placeholders(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    }
}

/// Leases up to `limit` endpoints that have work (active, due, not leased, behind `head`) to
/// `token` (this claim's own: a later claim of the same endpoint, even by this process, has
/// another, so a delivery that outlived its lease cannot write over it) until `until`. On PostgreSQL the candidates are locked with `FOR UPDATE SKIP
/// LOCKED`, so replicas claiming at once take different endpoints without waiting on each
/// other; the lease then keeps them apart for the delivery's duration. SQLite has one writer.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: i64,
    until: i64,
    head: i64,
    limit: u64,
) -> AppResult<Vec<endpoint::Model>> {
    let backend = db.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE webhook_endpoint SET lease_owner = $1, lease_until = $2 WHERE id IN (
           SELECT id FROM webhook_endpoint
           WHERE active = $3 AND next_attempt_at <= $4 AND lease_until <= $4 AND \"cursor\" < $5
           ORDER BY next_attempt_at, id LIMIT $6 {lock})
         RETURNING id"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, &sql),
            [
                token.into(),
                until.into(),
                true.into(),
                now.into(),
                head.into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.try_get::<i64>("", "id").ok())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(endpoint::Entity::find()
        .filter(endpoint::Column::Id.is_in(ids))
        .order_by_asc(endpoint::Column::Id)
        .all(db)
        .await?)
}

/// Moves the cursor on after a delivery (or past revisions with nothing for the endpoint) and
/// renews the lease. False when the delivery must stop: the lease was lost (another claim
/// took over, an admin replayed or deleted the endpoint) or an admin changed or paused it
/// since it was claimed (its version moved), so that new settings apply from the next claim.
pub async fn advance<C: ConnectionTrait>(
    db: &C,
    e: &endpoint::Model,
    from: i64,
    to: i64,
    lease_until: i64,
) -> AppResult<bool> {
    let done = endpoint::Entity::update_many()
        .col_expr(endpoint::Column::Cursor, Expr::value(to))
        .col_expr(endpoint::Column::Failures, Expr::value(0))
        .col_expr(endpoint::Column::LeaseUntil, Expr::value(lease_until))
        .filter(endpoint::Column::Id.eq(e.id))
        .filter(endpoint::Column::LeaseOwner.eq(e.lease_owner.clone()))
        .filter(endpoint::Column::Version.eq(e.version))
        .filter(endpoint::Column::Active.eq(true))
        .filter(endpoint::Column::Cursor.eq(from))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a failed attempt: the next one not before `next_at`, or the endpoint paused with
/// `pause` as the reason; the lease is released. Nothing is written when the claim is no
/// longer this one's or an admin changed the endpoint meanwhile.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    e: &endpoint::Model,
    failures: i32,
    next_at: i64,
    pause: Option<String>,
) -> AppResult<()> {
    let mut update = endpoint::Entity::update_many()
        .col_expr(endpoint::Column::Failures, Expr::value(failures))
        .col_expr(endpoint::Column::NextAttemptAt, Expr::value(next_at))
        .col_expr(
            endpoint::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(endpoint::Column::LeaseUntil, Expr::value(0i64));
    if let Some(reason) = pause {
        update = update
            .col_expr(endpoint::Column::Active, Expr::value(false))
            .col_expr(endpoint::Column::PausedReason, Expr::value(Some(reason)));
    }
    let done = update
        .filter(endpoint::Column::Id.eq(e.id))
        .filter(endpoint::Column::LeaseOwner.eq(e.lease_owner.clone()))
        .filter(endpoint::Column::Version.eq(e.version))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        // Changed by an admin meanwhile: their settings stand; only the lease goes back.
        release(db, e).await?;
    }
    Ok(())
}

/// Gives the lease back, if it is still this claim's.
pub async fn release<C: ConnectionTrait>(db: &C, e: &endpoint::Model) -> AppResult<()> {
    endpoint::Entity::update_many()
        .col_expr(
            endpoint::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(endpoint::Column::LeaseUntil, Expr::value(0i64))
        .filter(endpoint::Column::Id.eq(e.id))
        .filter(endpoint::Column::LeaseOwner.eq(e.lease_owner.clone()))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives back every lease this process holds (its claims' tokens start with `process:`).
pub async fn release_all<C: ConnectionTrait>(db: &C, process: &str) -> AppResult<()> {
    endpoint::Entity::update_many()
        .col_expr(
            endpoint::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(endpoint::Column::LeaseUntil, Expr::value(0i64))
        .filter(endpoint::Column::LeaseOwner.starts_with(format!("{process}:")))
        .exec(db)
        .await?;
    Ok(())
}

/// Adds an attempt to the delivery log.
pub async fn log<C: ConnectionTrait>(db: &C, attempt: delivery::ActiveModel) -> AppResult<()> {
    attempt.insert(db).await?;
    Ok(())
}

/// Deletes log entries older than `before`; returns how many.
pub async fn prune<C: ConnectionTrait>(
    db: &C,
    before: chrono::DateTime<chrono::Utc>,
) -> AppResult<u64> {
    Ok(delivery::Entity::delete_many()
        .filter(delivery::Column::At.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
