//! Webhooks in the schema: admins register endpoints, read their state and delivery log, and
//! pause, resume, replay or rotate them. Resolvers only unpack; `webhooks::admin` decides.

use crate::error::{AppError, AppResult};
use crate::events::{feed, ChangeBus};
use crate::graphql::context::data;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::page_info;
use crate::service::{codec, ids};
use crate::webhooks::{admin, store, Settings};
use async_graphql::connection::PageInfo;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use entity::enums::RecordKind;
use entity::{webhook_delivery as delivery, webhook_endpoint as endpoint};
use std::sync::Arc;

/// Delivery attempts shown per page by default, and at most.
const DEFAULT_DELIVERIES: i32 = 20;
const MAX_DELIVERIES: i32 = 100;

/// A webhook endpoint (see the impl for its GraphQL description).
pub struct WebhookEndpoint(endpoint::Model);

/// A receiver of change events: changes are POSTed to its URL as they happen, signed per
/// the Standard Webhooks specification, in order, each until the receiver acknowledges it.
#[Object]
impl WebhookEndpoint {
    /// The endpoint's global id.
    async fn id(&self) -> ID {
        codec::encode_tagged(store::ENDPOINT, self.0.id).into()
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What it is for, in the admin's words.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Only changes to these kinds (all when empty).
    async fn kinds(&self) -> Result<Vec<RecordKind>> {
        Ok(store::filter(&self.0)?.kinds)
    }
    /// Only changes to these records (all when empty).
    async fn ids(&self) -> Vec<ID> {
        serde_json::from_str::<Vec<String>>(&self.0.records)
            .unwrap_or_default()
            .into_iter()
            .map(ID)
            .collect()
    }
    /// An editors' hook: receives drafts and archived states too. Otherwise it receives what
    /// an anonymous reader sees.
    async fn editors(&self) -> bool {
        self.0.editors
    }
    /// False while paused: nothing is delivered, changes wait at the cursor.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Why it is paused (the last error after the retries ran out, or an admin's pause).
    async fn paused_reason(&self) -> Option<&str> {
        self.0.paused_reason.as_deref()
    }
    /// Every change up to this cursor has been delivered (or was not for this endpoint).
    /// Pass a cursor to `replayWebhook` to move it.
    async fn cursor(&self) -> String {
        feed::encode_cursor(self.0.cursor)
    }
    /// Revisions of the log it has not been brought past yet (the head's sequence minus the
    /// cursor's): 0 when caught up. Counts every revision, also those it will not receive.
    async fn lag(&self, ctx: &Context<'_>) -> i64 {
        let head = ctx.data::<ChangeBus>().map(|b| b.head()).unwrap_or(0);
        (head - self.0.cursor).max(0)
    }
    /// Failed attempts in a row at the next event (0 when the last attempt succeeded).
    async fn failures(&self) -> i32 {
        self.0.failures
    }
    /// When the next retry is due, while retrying.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.0.failures > 0 && self.0.active)
            .then(|| chrono::DateTime::from_timestamp_millis(self.0.next_attempt_at))
            .flatten()
            .map(Into::into)
    }
    /// Until when the secret before the last rotation still signs beside the current one.
    async fn previous_secret_expires_at(&self) -> Option<DateTime> {
        self.0
            .previous_secret
            .as_ref()
            .filter(|_| self.0.previous_secret_until > store::now_ms())
            .and_then(|_| chrono::DateTime::from_timestamp_millis(self.0.previous_secret_until))
            .map(Into::into)
    }
    /// Goes up by one on every change by an admin; pass it to `updateWebhook`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// When an admin last changed it.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
    /// Delivery attempts, newest first (kept for the configured number of days).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Those older than this cursor.")] after: Option<String>,
    ) -> Result<WebhookDeliveryConnection> {
        let first = first.unwrap_or(DEFAULT_DELIVERIES);
        if !(0..=MAX_DELIVERIES).contains(&first) {
            return Err(AppError::bad_input(format!(
                "`first` must be between 0 and {MAX_DELIVERIES}"
            ))
            .into());
        }
        let before = match &after {
            Some(c) => Some(
                codec::decode_tagged(c, store::DELIVERY)
                    .ok_or_else(|| AppError::bad_input("not a delivery cursor"))?,
            ),
            None => None,
        };
        let mut rows =
            store::deliveries(&data(ctx).db, self.0.id, before, first as u64 + 1).await?;
        let more = rows.len() > first as usize;
        rows.truncate(first as usize);
        let edges: Vec<WebhookDeliveryEdge> = rows
            .into_iter()
            .map(|d| WebhookDeliveryEdge {
                cursor: codec::encode_tagged(store::DELIVERY, d.id),
                node: WebhookDelivery::from(d),
            })
            .collect();
        let page_info = page_info(
            after.is_some(),
            more,
            edges.first().map(|e| &e.cursor),
            edges.last().map(|e| &e.cursor),
        );
        Ok(WebhookDeliveryConnection { edges, page_info })
    }
}

/// One attempt to deliver one change to one endpoint.
#[derive(SimpleObject)]
pub struct WebhookDelivery {
    /// The attempt's global id.
    id: ID,
    /// The `webhook-id` sent: the change event's id, the same on every attempt.
    message_id: String,
    /// The change's cursor.
    cursor: String,
    /// 1 for the first attempt at this change, then 2, 3…
    attempt: i32,
    /// When it was made.
    at: DateTime,
    /// The receiver's HTTP status; null when no answer came (timeout, refused, unreachable).
    status_code: Option<i32>,
    /// Milliseconds from sending to the answer (or the failure).
    latency_ms: i64,
    /// True when the receiver acknowledged it (2xx).
    delivered: bool,
    /// What went wrong, when it did.
    error: Option<String>,
}

impl From<delivery::Model> for WebhookDelivery {
    fn from(d: delivery::Model) -> Self {
        Self {
            id: codec::encode_tagged(store::DELIVERY, d.id).into(),
            message_id: d.message_id,
            cursor: feed::encode_cursor(d.sequence),
            attempt: d.attempt,
            at: d.at.into(),
            status_code: d.status_code,
            latency_ms: d.latency_ms,
            delivered: d.delivered,
            error: d.error,
        }
    }
}

/// A page of delivery attempts, newest first.
#[derive(SimpleObject)]
pub struct WebhookDeliveryConnection {
    /// The attempts, each with its cursor.
    edges: Vec<WebhookDeliveryEdge>,
    /// Whether older attempts follow.
    page_info: PageInfo,
}

/// An attempt in a page.
#[derive(SimpleObject)]
pub struct WebhookDeliveryEdge {
    /// Pass it as `after` for the attempts before this one.
    cursor: String,
    /// The attempt.
    node: WebhookDelivery,
}

/// An endpoint with its signing secret: the only time the secret is shown.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    /// The endpoint.
    webhook: WebhookEndpoint,
    /// The signing secret (`whsec_…`): give it to the receiver's Standard Webhooks library.
    secret: String,
}

/// An endpoint's settings.
#[derive(InputObject)]
pub struct WebhookInput {
    /// Where to POST: https (plain http only where the server allows it), not a private,
    /// loopback or link-local address unless the server's allow-list says so.
    url: String,
    /// What it is for.
    description: Option<String>,
    /// Only changes to these kinds (all when omitted).
    kinds: Option<Vec<RecordKind>>,
    /// Only changes to these records (global ids; all when omitted).
    ids: Option<Vec<ID>>,
    /// An editors' hook: drafts and archived states too (default false: what the public sees).
    editors: Option<bool>,
}

impl From<WebhookInput> for store::EndpointInput {
    fn from(i: WebhookInput) -> Self {
        Self {
            url: i.url,
            description: i.description.unwrap_or_default(),
            kinds: i.kinds.unwrap_or_default(),
            records: i.ids.unwrap_or_default().into_iter().map(|i| i.0).collect(),
            editors: i.editors.unwrap_or(false),
        }
    }
}

fn endpoint_id(id: &ID) -> AppResult<i64> {
    codec::decode_tagged(id, store::ENDPOINT)
        .ok_or_else(|| AppError::bad_input(format!("{:?} is not a webhook id", id.as_str())))
}

fn settings<'a>(ctx: &'a Context<'_>) -> AppResult<&'a Arc<Settings>> {
    ctx.data::<Arc<Settings>>()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("webhook settings are missing")))
}

/// Reading webhooks (admins).
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every registered webhook endpoint, oldest first. Admins only.
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<WebhookEndpoint>> {
        crate::service::editing::require_admin(&data(ctx).viewer)?;
        let all = store::list(&data(ctx).db).await?;
        Ok(all.into_iter().map(WebhookEndpoint).collect())
    }

    /// One webhook endpoint. Admins only.
    async fn webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
    ) -> Result<WebhookEndpoint> {
        crate::service::editing::require_admin(&data(ctx).viewer)?;
        Ok(WebhookEndpoint(
            store::get(&data(ctx).db, endpoint_id(&id)?).await?,
        ))
    }
}

/// Managing webhooks (admins).
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint. It receives the changes after `after` (a change cursor), or
    /// when omitted those from now on. The answer holds the signing secret, shown only here.
    async fn register_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its settings.")] input: WebhookInput,
        #[graphql(desc = "Deliver the changes after this cursor (default: from now on).")]
        after: Option<String>,
    ) -> Result<WebhookSecretPayload> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        let input = validate_ids(input)?;
        let (model, secret) =
            admin::register(&d.db, settings(ctx)?, &d.viewer, input, after.as_deref()).await?;
        Ok(WebhookSecretPayload {
            webhook: WebhookEndpoint(model),
            secret,
        })
    }

    /// Changes an endpoint's settings; CONFLICT if it changed since you read `version`.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
        #[graphql(desc = "The version you read; CONFLICT if it moved on.")] expected_version: i32,
        #[graphql(desc = "Its settings.")] input: WebhookInput,
    ) -> Result<WebhookEndpoint> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        let input = validate_ids(input)?;
        let id = endpoint_id(&id)?;
        let model = admin::update(
            &d.db,
            settings(ctx)?,
            &d.viewer,
            id,
            expected_version,
            input,
        )
        .await?;
        Ok(WebhookEndpoint(model))
    }

    /// Stops deliveries to an endpoint; changes wait at its cursor.
    async fn pause_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
    ) -> Result<WebhookEndpoint> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        Ok(WebhookEndpoint(
            admin::pause(&d.db, &d.viewer, endpoint_id(&id)?).await?,
        ))
    }

    /// Resumes a paused endpoint (by an admin or after its retries ran out) at its cursor.
    async fn resume_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
    ) -> Result<WebhookEndpoint> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        Ok(WebhookEndpoint(
            admin::resume(&d.db, settings(ctx)?, &d.viewer, endpoint_id(&id)?).await?,
        ))
    }

    /// Moves an endpoint's cursor: the changes after `after` are delivered (again).
    async fn replay_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
        #[graphql(desc = "A change cursor (from the change feed, an export or a delivery).")]
        after: String,
    ) -> Result<WebhookEndpoint> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        Ok(WebhookEndpoint(
            admin::replay(&d.db, settings(ctx)?, &d.viewer, endpoint_id(&id)?, &after).await?,
        ))
    }

    /// A new signing secret, shown only here. The old one keeps signing beside it (two
    /// signatures per message) for `graceHours` (default: the server's setting, 24).
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
        #[graphql(desc = "Hours the old secret keeps signing (0 to 720; default the server's).")]
        grace_hours: Option<i32>,
    ) -> Result<WebhookSecretPayload> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        let (model, secret) = admin::rotate(
            &d.db,
            settings(ctx)?,
            &d.viewer,
            endpoint_id(&id)?,
            grace_hours,
        )
        .await?;
        Ok(WebhookSecretPayload {
            webhook: WebhookEndpoint(model),
            secret,
        })
    }

    /// Deletes an endpoint and its delivery log; returns its id.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's id.")] id: ID,
    ) -> Result<ID> {
        let d = data(ctx);
        crate::service::editing::require_admin(&d.viewer)?;
        admin::delete(&d.db, &d.viewer, endpoint_id(&id)?).await?;
        Ok(id)
    }
}

/// Record ids must be record ids.
fn validate_ids(input: WebhookInput) -> AppResult<store::EndpointInput> {
    for id in input.ids.iter().flatten() {
        ids::decode(id)?;
    }
    Ok(input.into())
}
