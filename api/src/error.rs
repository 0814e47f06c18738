//! The one error type of the service layer, mapped to GraphQL errors with `extensions.code`.

use async_graphql::ErrorExtensions;

/// What went wrong, in terms a client can act on. Internal causes are logged, never shown.
///
/// It deliberately does not implement `Display`, so that `?` in a resolver goes through the
/// `From` impl below (which keeps the error code) rather than async-graphql's blanket one.
#[derive(Debug)]
pub enum AppError {
    /// The client sent an invalid value; the message says which and why.
    BadUserInput(String),
    /// The record does not exist or is not visible to the caller.
    NotFound(String),
    /// A database or other server-side failure. The cause is logged only.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    /// The `extensions.code` a client sees.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Internal(_) => "INTERNAL",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::BadUserInput(m) | Self::NotFound(m) => m.clone(),
            Self::Internal(_) => "internal error; it has been logged".to_owned(),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(cause) = &err {
            tracing::error!(error = %format!("{cause:#}"), "internal error");
        }
        async_graphql::Error::new(err.message()).extend_with(|_, ext| ext.set("code", err.code()))
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, ext| ext.set("code", self.code()))
    }
}

/// Results of the service layer.
pub type AppResult<T> = Result<T, AppError>;
