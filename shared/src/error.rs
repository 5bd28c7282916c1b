//! The HTTP error: every failure a client sees, and the one place where the
//! other layers' errors become status codes.
//!
//! The body is always `{"error": {"code": "snake_case", "message": "..."}}`.
//! Internal details are logged, never returned.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::ValidationError;
use crate::domain::social::UnknownTag;
use crate::email::EmailError;
use crate::service::codes::CodeRefused;
use crate::store::{
    AcceptError, ConversationError, CreateTagError, CreateUserError, RequestError, StoreError,
    UpdateTagError,
};

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code clients can branch on.
    pub code: &'static str,
    /// What went wrong and how to fix it.
    pub message: String,
    /// Seconds until a retry may succeed (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401 for a missing, expired or forged access token.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign in to continue: the access token is missing, expired or invalid.",
        )
    }

    /// 403 for an account an operator suspended: told only after its
    /// password (or refresh cookie) proved the caller is its owner.
    pub fn account_suspended() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "account_suspended",
            "This account is suspended by the network's operators, so it cannot sign in for now. \
             Write to the operators of this network to ask why or to appeal.",
        )
    }

    /// 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 409.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after: u64) -> Self {
        let retry_after = retry_after.max(1);
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "Too many attempts. Please wait {} before trying again.",
                    human_duration(retry_after)
                ),
            )
        }
    }

    /// 429 for a sign-in locked after too many failures on one login: it
    /// says that a password reset lets the owner in at once (a reset lifts
    /// the lock). The same words for every login, with an account or not.
    pub fn sign_in_locked(retry_after: u64) -> Self {
        Self {
            message: format!(
                "Too many failed sign-ins with this login. Wait {} and try again, or reset your \
                 password with \"Forgot password\": a reset lets you sign in at once.",
                human_duration(retry_after.max(1))
            ),
            ..Self::rate_limited(retry_after)
        }
    }

    /// 429 for a client over the per-client limit, with `Retry-After`.
    pub fn too_many_calls(retry_after: u64) -> Self {
        Self {
            message: format!(
                "Too many requests from this client. Please wait {} before trying again.",
                human_duration(retry_after.max(1))
            ),
            ..Self::rate_limited(retry_after)
        }
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(code: &'static str, message: impl Into<String>, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }

    /// 404 for a person: no such account, or an id that is not one. The
    /// same answer whatever the reason, so it tells nobody who exists.
    pub fn user_not_found() -> Self {
        Self::not_found("user_not_found", "There is no such person.")
    }

    /// 404 for a post: missing, deleted, or not shared with the caller.
    pub fn post_not_found() -> Self {
        Self::not_found(
            "post_not_found",
            "There is no such post, or it is not shared with you.",
        )
    }

    /// 404 for a comment: missing, deleted, under a post the caller cannot
    /// see, or not theirs to change.
    pub fn comment_not_found() -> Self {
        Self::not_found(
            "comment_not_found",
            "There is no such comment, or it is not yours to change.",
        )
    }

    /// 404 for one of the caller's tags, named in the path.
    pub fn tag_not_found() -> Self {
        Self::not_found("tag_not_found", "There is no such tag.")
    }

    /// 404 for a pending request between the caller and someone.
    pub fn request_not_found() -> Self {
        Self::not_found(
            "request_not_found",
            "There is no pending request between you and this person.",
        )
    }

    /// 404 for a connection of the caller's.
    pub fn connection_not_found() -> Self {
        Self::not_found(
            "connection_not_found",
            "You are not connected with this person.",
        )
    }

    /// 500: something is wrong on our side; the detail is in the logs.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side. Please try again; if it keeps happening, let us know.",
        )
    }
}

fn human_duration(seconds: u64) -> String {
    match seconds {
        1 => "1 second".into(),
        s if s < 90 => format!("{s} seconds"),
        s if s < 5400 => format!("{} minutes", s.div_ceil(60)),
        s => format!("{} hours", s.div_ceil(3600)),
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(Body {
                error: Inner {
                    code: self.code,
                    message: &self.message,
                },
            }),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self::bad_request(error.code, error.message)
    }
}

impl From<UnknownTag> for ApiError {
    fn from(_: UnknownTag) -> Self {
        Self::not_found("tag_not_found", "One of these tags does not exist.")
    }
}

impl From<CodeRefused> for ApiError {
    fn from(refused: CodeRefused) -> Self {
        match refused {
            CodeRefused::Malformed => Self::bad_request(
                "invalid_code",
                "Field `code`: enter the six digits from the email.",
            ),
            CodeRefused::Wrong { tries_left: 0 } => Self::bad_request(
                "invalid_code",
                "That code is not right, and it has now been used up. Ask for a new code.",
            ),
            CodeRefused::Wrong { tries_left } => Self::bad_request(
                "invalid_code",
                format!("That code is not right. Check the latest email; {tries_left} tries left."),
            ),
            CodeRefused::ExpiredOrMissing => Self::bad_request(
                "code_expired",
                "This code has expired or was replaced by a newer one. Ask for a new code.",
            ),
            CodeRefused::Exhausted => Self::bad_request(
                "code_exhausted",
                "This code was entered wrongly too many times. Ask for a new code.",
            ),
            CodeRefused::NotValid => Self::bad_request(
                "invalid_code",
                "That code is not right, or it is no longer valid. Check the latest email, or ask for a new code.",
            ),
        }
    }
}

impl From<CreateUserError> for ApiError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::LimitReached { retry_after } => Self::rate_limited(retry_after),
            CreateUserError::EmailTaken => Self::conflict(
                "email_taken",
                "This email address already has an account. Sign in instead, or reset your password.",
            ),
            CreateUserError::UsernameTaken => Self::conflict(
                "username_taken",
                "This username is taken. Please choose another; your code still works.",
            ),
            CreateUserError::CodeGone => CodeRefused::ExpiredOrMissing.into(),
            CreateUserError::Store(error) => error.into(),
        }
    }
}

impl From<RequestError> for ApiError {
    fn from(error: RequestError) -> Self {
        match error {
            RequestError::NoSuchPerson => Self::user_not_found(),
            RequestError::AlreadyConnected => already_connected(),
            RequestError::AlreadyRequested => Self::conflict(
                "request_already_sent",
                "You have already asked this person; they will see your request.",
            ),
            // The use case accepts their request instead; never answered.
            RequestError::TheyAsked => Self::request_not_found(),
            RequestError::YouBlocked => Self::conflict(
                "you_blocked_them",
                "You blocked this person. Unblock them under Blocked people first if you want to ask them to connect.",
            ),
            RequestError::CallerAtLimit { max } => caller_at_limit(max),
            RequestError::TooManyPending { max } => Self::conflict(
                "too_many_pending_requests",
                format!(
                    "You have {max} requests waiting for an answer. Cancel some before sending more."
                ),
            ),
            RequestError::TheirRequestsFull { max } => Self::conflict(
                "their_requests_full",
                format!(
                    "This person already has {max} requests waiting for their answer. Try again once they have answered some."
                ),
            ),
            RequestError::Store(error) => error.into(),
        }
    }
}

impl From<AcceptError> for ApiError {
    fn from(error: AcceptError) -> Self {
        match error {
            AcceptError::NoSuchRequest => Self::request_not_found(),
            AcceptError::AlreadyConnected => already_connected(),
            AcceptError::CallerAtLimit { max } => caller_at_limit(max),
            AcceptError::OtherAtLimit { max } => Self::conflict(
                "their_connection_limit_reached",
                format!("This person already has {max} connections, the most anyone can have."),
            ),
            AcceptError::Store(error) => error.into(),
        }
    }
}

fn already_connected() -> ApiError {
    ApiError::conflict(
        "already_connected",
        "You are already connected with this person.",
    )
}

fn caller_at_limit(max: u32) -> ApiError {
    ApiError::conflict(
        "connection_limit_reached",
        format!(
            "You have {max} connections, the most anyone can have. Disconnect from someone to make room."
        ),
    )
}

fn tag_name_taken() -> ApiError {
    ApiError::conflict(
        "tag_name_taken",
        "You already have a tag with this name. Choose another name.",
    )
}

impl From<CreateTagError> for ApiError {
    fn from(error: CreateTagError) -> Self {
        match error {
            CreateTagError::NameTaken => tag_name_taken(),
            CreateTagError::AtLimit { max } => Self::conflict(
                "tag_limit_reached",
                format!("You have {max} tags, the most allowed. Delete one to make room."),
            ),
            CreateTagError::Store(error) => error.into(),
        }
    }
}

impl From<UpdateTagError> for ApiError {
    fn from(error: UpdateTagError) -> Self {
        match error {
            UpdateTagError::NameTaken => tag_name_taken(),
            UpdateTagError::NotFound => Self::tag_not_found(),
            UpdateTagError::Store(error) => error.into(),
        }
    }
}

impl From<ConversationError> for ApiError {
    fn from(error: ConversationError) -> Self {
        match error {
            ConversationError::PostGone => Self::post_not_found(),
            ConversationError::CommentGone => Self::comment_not_found(),
            // Retried by the use case; only a storm of one person's own
            // calls reaches here.
            ConversationError::ReactionChanged => Self::conflict(
                "reaction_changed",
                "Your reaction changed while this call was made. Read the post again and retry.",
            ),
            ConversationError::Store(error) => error.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Throttled => {
                tracing::warn!("DynamoDB throttled a request");
                Self::unavailable(
                    "service_busy",
                    "We are busy right now. Please try again in a moment.",
                    2,
                )
            }
            StoreError::Unavailable(detail) => {
                tracing::error!(%detail, "DynamoDB request failed");
                Self::unavailable(
                    "service_unavailable",
                    "We cannot reach our database right now. Please try again in a moment.",
                    5,
                )
            }
            StoreError::Corrupt(detail) => {
                tracing::error!(%detail, "malformed item");
                Self::internal()
            }
            StoreError::Refused(detail) => {
                // Our bug (or the deployment's): retrying would repeat it.
                tracing::error!(%detail, "DynamoDB refused the request");
                Self::internal()
            }
        }
    }
}

impl From<EmailError> for ApiError {
    fn from(error: EmailError) -> Self {
        tracing::error!(%error, "email could not be sent");
        let retry_after = match error {
            EmailError::Throttled => 30,
            EmailError::Unavailable(_) => 60,
        };
        Self::unavailable(
            "email_unavailable",
            "We could not send the email just now. Nothing was changed; please try again in a minute.",
            retry_after,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn errors_have_the_documented_shape_and_retry_after() {
        let response = ApiError::rate_limited(120).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "120");
        let body = body_json(response).await;
        assert_eq!(body["error"]["code"], "rate_limited");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("2 minutes")
        );
        assert_eq!(body.as_object().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn store_failures_never_leak_internals() {
        let response = ApiError::from(StoreError::Unavailable(
            "arn:aws:dynamodb:secret-table".into(),
        ))
        .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        let body = body_json(response).await.to_string();
        assert!(!body.contains("arn:"), "{body}");
    }
}
