//! The one error type of the service layer and the closed set of `extensions.code` values.
//! Plain Rust: the GraphQL layer maps it (`graphql::error`), the HTTP layer reads its code.

/// Every `extensions.code` a client can see, service errors and HTTP refusals alike.
///
/// One enum so that the edges (the HTTP status of an answer, its Retry-After) decide on typed
/// values rather than on strings; the HTTP status of each code is in `http::body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    // Errors of the service layer: `AppError`.
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    ServiceUnavailable,
    Internal,
    // Requests the HTTP layer refuses before or instead of executing them.
    BadRequest,
    MethodNotAllowed,
    Timeout,
    GraphqlParseFailed,
    GraphqlValidationFailed,
    PersistedQueryNotFound,
    PersistedQueryNotInList,
    PersistedQueryHashMismatch,
}

impl ErrorCode {
    /// The code as clients read it in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL",
            Self::BadRequest => "BAD_REQUEST",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::Timeout => "TIMEOUT",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotInList => "PERSISTED_QUERY_NOT_IN_LIST",
            Self::PersistedQueryHashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
        }
    }
}

/// What the HTTP layer needs to know of an [`AppError`] once async-graphql has turned it into
/// a `ServerError`: its code and the seconds a client should wait before retrying.
///
/// It rides as the error's `source` (`ServerError::source::<ErrorTag>()`), which async-graphql
/// carries from resolver to response and never serializes, so the edge reads typed values
/// instead of parsing `extensions` back. Errors without a tag are async-graphql's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorTag {
    pub code: ErrorCode,
    pub retry_after: Option<u64>,
}

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
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict { .. } => ErrorCode::Conflict,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The code as text, for logs, metric labels and tests.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// Seconds the client should wait before sending the same request again, when waiting
    /// helps (a rate limit, an unavailable database).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            Self::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }

    /// The typed part of this error that the HTTP layer acts on.
    pub fn tag(&self) -> ErrorTag {
        ErrorTag {
            code: self.error_code(),
            retry_after: self.retry_after(),
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

/// Results of the service layer.
pub type AppResult<T> = Result<T, AppError>;
