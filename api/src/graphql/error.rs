//! How a service error reaches GraphQL clients: its message, `extensions.code` and the
//! extensions of its kind, with its typed tag riding along for the HTTP layer.

use crate::error::AppError;
use async_graphql::ErrorExtensions;
use std::sync::Arc;

/// The GraphQL error of a service error. Internal causes are logged here, never shown.
fn to_graphql(err: &AppError) -> async_graphql::Error {
    match err {
        AppError::Internal(cause) => {
            tracing::error!(error = %format!("{cause:#}"), "internal error")
        }
        AppError::Unavailable(cause) => {
            tracing::warn!(error = %format!("{cause:#}"), "database unavailable")
        }
        _ => {}
    }
    let mut error = async_graphql::Error::new(err.message()).extend_with(|_, ext| {
        ext.set("code", err.code());
        match err {
            AppError::BadUserInput { fields, .. } if !fields.is_empty() => {
                let list: Vec<async_graphql::Value> = fields
                    .iter()
                    .map(|f| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(async_graphql::Name::new("field"), f.field.clone().into());
                        m.insert(
                            async_graphql::Name::new("message"),
                            f.message.clone().into(),
                        );
                        async_graphql::Value::Object(m)
                    })
                    .collect();
                ext.set("fields", list);
            }
            AppError::Conflict {
                current_version: Some(v),
                ..
            } => ext.set("currentVersion", *v),
            AppError::Unavailable(_) => ext.set("retryable", true),
            _ => {}
        }
        if let Some(secs) = err.retry_after() {
            ext.set("retryAfter", secs);
        }
    });
    // For the HTTP layer's status and Retry-After; see `ErrorTag`.
    error.source = Some(Arc::new(err.tag()));
    error
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        to_graphql(&err)
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        to_graphql(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, ErrorTag};

    #[test]
    fn the_tag_rides_through_async_graphql_and_stays_off_the_wire() {
        let error: async_graphql::Error = AppError::RateLimited { retry_after: 7 }.into();
        let error = error.into_server_error(async_graphql::Pos::default());
        let tag = ErrorTag {
            code: ErrorCode::RateLimited,
            retry_after: Some(7),
        };
        assert_eq!(error.source::<ErrorTag>(), Some(&tag));
        let wire = serde_json::to_value(&error).unwrap();
        assert_eq!(
            wire["extensions"],
            serde_json::json!({ "code": "RATE_LIMITED", "retryAfter": 7 })
        );
        assert_eq!(wire.as_object().unwrap().len(), 3, "{wire}");
    }
}
