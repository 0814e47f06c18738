//! What a resolver finds in the request context, and small helpers to reach it.

use crate::auth::throttle::LoginThrottle;
use crate::auth::Auth;
use crate::loaders::Loaders;
use crate::service::{Limits, Viewer};
use async_graphql::Context;
use sea_orm::DatabaseConnection;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

/// Per-request data: the database, the viewer, the request's loaders, and what login needs.
pub struct RequestData {
    pub db: DatabaseConnection,
    pub viewer: Viewer,
    /// Made on first use, and boxed: a websocket connection holds its RequestData for hours,
    /// and most requests (a subscription, a record by id) never touch most loaders.
    loaders: OnceLock<Box<Loaders>>,
    pub auth: Arc<Auth>,
    pub throttle: Arc<LoginThrottle>,
    pub client_ip: Option<IpAddr>,
}

impl RequestData {
    pub fn new(
        db: DatabaseConnection,
        viewer: Viewer,
        auth: Arc<Auth>,
        throttle: Arc<LoginThrottle>,
        client_ip: Option<IpAddr>,
    ) -> Self {
        Self {
            db,
            viewer,
            loaders: OnceLock::new(),
            auth,
            throttle,
            client_ip,
        }
    }
}

pub fn data<'a>(ctx: &'a Context<'_>) -> &'a RequestData {
    ctx.data_unchecked::<RequestData>()
}

pub fn loaders<'a>(ctx: &'a Context<'_>) -> &'a Loaders {
    let d = data(ctx);
    d.loaders
        .get_or_init(|| Box::new(Loaders::new(&d.db, &d.viewer)))
}

pub fn limits(ctx: &Context<'_>) -> Limits {
    *ctx.data_unchecked::<Limits>()
}

/// Turns a loader error into the error clients see: SERVICE_UNAVAILABLE while the database
/// is unreachable, INTERNAL otherwise (the cause is logged).
pub fn load_error(err: std::sync::Arc<sea_orm::DbErr>) -> async_graphql::Error {
    let cause = anyhow::anyhow!("{err}");
    if crate::db::is_unavailable(&err) {
        crate::error::AppError::Unavailable(cause).into()
    } else {
        crate::error::AppError::Internal(cause).into()
    }
}
