//! Errors as the window receives them: `{code, message}`, so the UI switches on the code.

use appcare_core::{CoreError, ErrorCode};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        Self {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

impl ApiError {
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Storage,
            message: message.into(),
        }
    }
}
