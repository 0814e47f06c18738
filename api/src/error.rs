//! The one error type of the service layer, mapped to GraphQL errors with `extensions.code`.

use async_graphql::ErrorExtensions;

/// One invalid input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input field, in GraphQL's camelCase ("effectiveOn", "parties[1].code").
    pub field: String,
    pub message: String,
}

/// What went wrong, in terms a client can act on. Internal causes are logged, never shown.
///
/// It deliberately does not implement `Display`, so that `?` in a resolver goes through the
/// `From` impl below (which keeps the error code) rather than async-graphql's blanket one.
#[derive(Debug)]
pub enum AppError {
    /// The client sent invalid values; `fields` says which and why.
    BadUserInput {
        message: String,
        fields: Vec<FieldError>,
    },
    /// No valid credentials. The message never says which check failed.
    Unauthenticated(String),
    /// Valid credentials without the right to do this.
    Forbidden(String),
    /// The record does not exist or is not visible to the caller.
    NotFound(String),
    /// The record changed since the client read it; nothing was written.
    Conflict {
        message: String,
        current_version: Option<i32>,
    },
    /// Too many attempts; try again after this many seconds.
    RateLimited { retry_after: u64 },
    /// The database cannot be reached right now; the same request can be retried shortly.
    Unavailable(anyhow::Error),
    /// A database or other server-side failure. The cause is logged only.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// The `extensions.code` a client sees.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict { .. } => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. } | Self::Conflict { message, .. } => message.clone(),
            Self::Unauthenticated(m) | Self::Forbidden(m) | Self::NotFound(m) => m.clone(),
            Self::RateLimited { retry_after } => {
                format!("too many attempts; try again in {retry_after} s")
            }
            Self::Unavailable(_) => {
                // Either the database is unreachable or every connection stayed busy for the
                // acquire timeout (an overload): both pass, and the same retry fits both.
                "the database cannot take the request now (unreachable or busy); retry it in a \
                 few seconds"
                    .to_owned()
            }
            Self::Internal(_) => "internal error; it has been logged".to_owned(),
        }
    }

    fn to_graphql(&self) -> async_graphql::Error {
        match self {
            AppError::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error")
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(error = %format!("{cause:#}"), "database unavailable")
            }
            _ => {}
        }
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
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
                AppError::RateLimited { retry_after } => ext.set("retryAfter", *retry_after),
                AppError::Unavailable(_) => {
                    ext.set("retryable", true);
                    ext.set("retryAfter", UNAVAILABLE_RETRY_AFTER);
                }
                _ => {}
            }
        })
    }
}

/// Seconds a client is told to wait before retrying while the database is unavailable.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 2;

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::db::is_unavailable(&err) {
            Self::Unavailable(err.into())
        } else {
            Self::Internal(err.into())
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast_ref::<sea_orm::DbErr>() {
            Some(db) if crate::db::is_unavailable(db) => Self::Unavailable(err),
            _ => Self::Internal(err),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.to_graphql()
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        self.to_graphql()
    }
}

/// Results of the service layer.
pub type AppResult<T> = Result<T, AppError>;
