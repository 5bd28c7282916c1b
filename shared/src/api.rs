//! Response shapes used by more than one function group, with their OpenAPI schemas.

use serde::Serialize;
use utoipa::ToSchema;

use crate::store::UserRecord;

/// The signed-in person's own account. Only ever returned to that person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    /// Opaque id (ULID).
    pub id: String,
    /// Lower-case username.
    pub username: String,
    /// Normalised email address.
    pub email: String,
    /// RFC 3339 creation time.
    pub created_at: String,
}

impl From<UserRecord> for User {
    fn from(record: UserRecord) -> Self {
        Self {
            id: record.id,
            username: record.username,
            email: record.email,
            created_at: record.created_at.to_rfc3339(),
        }
    }
}

/// Another person, as anyone may see them: no email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    /// Opaque id (ULID).
    pub id: String,
    /// Lower-case username.
    pub username: String,
}

/// Every error response: `{"error": {"code", "message"}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_credentials`.
    pub code: String,
    /// What went wrong and how to fix it.
    pub message: String,
}
