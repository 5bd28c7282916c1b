//! Request handlers for the `moderation` group.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use shared::api::{ErrorBody, UserRef};
use shared::domain::ids::{CommentId, PostId, ReportId, UserId};
use shared::domain::moderation::{ReportReason, ReportTarget, Resolution};
use shared::http::{CurrentUser, JsonBody, QueryParams};
use shared::service::moderation::{self, DeskPage, NewReport};
use shared::store::{DeskView, ReportRecord};
use shared::{ApiError, App};

/// What a report is about.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    /// `user`, `post` or `comment`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The person's, post's or comment's id.
    pub id: String,
    /// For a comment: the id of its post.
    #[serde(default)]
    pub post_id: Option<String>,
}

/// `POST /api/reports`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// What is reported.
    pub target: TargetBody,
    /// One of the short list.
    pub reason: ReportReason,
    /// Optional words for the operators (up to 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// A filed report.
#[derive(Serialize, ToSchema)]
pub struct ReportCreated {
    /// The report's id.
    pub id: String,
}

/// Reports a person, post or comment you can see to the network's
/// operators. The person reported is never told who reported them. One
/// open report per person per target; rate-limited.
#[utoipa::path(post, path = "/api/reports", tag = "moderation", request_body = ReportBody,
    security(("bearer" = [])),
    responses((status = 201, body = ReportCreated), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Nothing you can see has this id"),
              (status = 409, body = ErrorBody, description = "already_reported"),
              (status = 429, body = ErrorBody)))]
pub async fn report(
    State(app): State<App>,
    caller: CurrentUser,
    JsonBody(body): JsonBody<ReportBody>,
) -> Result<(StatusCode, Json<ReportCreated>), ApiError> {
    let id = moderation::report(
        &app,
        &caller.user_id,
        NewReport {
            kind: &body.target.kind,
            id: &body.target.id,
            post_id: body.target.post_id.as_deref(),
            reason: body.reason.as_str(),
            note: body.note.as_deref(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportCreated {
            id: id.into_string(),
        }),
    ))
}

/// `?status=&cursor=` of the desk.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskParams {
    /// `open` (the default: oldest first) or `closed` (newest first).
    #[param(value_type = String, required = false)]
    pub status: Option<String>,
    /// From the previous page's `next_cursor`.
    #[param(value_type = String, required = false)]
    pub cursor: Option<String>,
}

/// A report's target on the desk.
#[derive(Serialize, ToSchema)]
pub struct Target {
    /// `user`, `post` or `comment`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// For a comment: its post.
    pub post_id: Option<String>,
}

/// What was reported, as it is now.
#[derive(Serialize, ToSchema)]
pub struct Content {
    /// The post's or comment's text, or the person's bio (`null` without one).
    pub text: Option<String>,
    /// When it was written (for a person: when the account was made).
    pub created_at: String,
}

/// One report, for an operator.
#[derive(Serialize, ToSchema)]
pub struct Report {
    /// The report's id.
    pub id: String,
    /// `open` or `closed`.
    pub status: &'static str,
    /// Why it was reported.
    pub reason: ReportReason,
    /// The reporter's words.
    pub note: Option<String>,
    /// When.
    pub created_at: String,
    /// Who reported it (`null` once their account is gone).
    pub reporter: Option<UserRef>,
    /// What.
    pub target: Target,
    /// The person reported, or the author of the post or comment (`null`
    /// once their account is gone).
    pub subject: Option<UserRef>,
    /// Whether that person is suspended now.
    pub subject_suspended: bool,
    /// What was reported as it is now; `null` once removed or gone.
    pub content: Option<Content>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// How.
    pub resolution: Option<Resolution>,
    /// The operator's note or reason.
    pub closing_note: Option<String>,
}

/// A page of the desk.
#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    /// The reports.
    pub reports: Vec<Report>,
    /// The next page, if any.
    pub next_cursor: Option<String>,
}

fn person(view: &DeskView, id: &UserId) -> Option<UserRef> {
    view.people.get(id).map(|p| {
        UserRef::new(
            p.id.clone(),
            p.username.clone(),
            p.display_name.as_ref().map(|n| n.as_str().to_owned()),
        )
    })
}

fn desk_report(report: ReportRecord, view: &DeskView) -> Report {
    let content = match &report.target {
        ReportTarget::User(id) => view.people.get(id).map(|p| Content {
            text: p.bio.as_ref().map(|b| b.as_str().to_owned()),
            created_at: p.created_at.to_rfc3339(),
        }),
        ReportTarget::Post(id) => view.posts.get(id).map(|p| Content {
            text: Some(p.content.clone()),
            created_at: p.created_at.to_rfc3339(),
        }),
        ReportTarget::Comment(_, id) => view.comments.get(id).map(|c| Content {
            text: Some(c.content.clone()),
            created_at: c.created_at.to_rfc3339(),
        }),
    };
    Report {
        id: report.id.to_string(),
        status: if report.open { "open" } else { "closed" },
        reason: report.reason,
        created_at: report.created_at.to_rfc3339(),
        reporter: person(view, &report.reporter_id),
        target: Target {
            kind: report.target.kind(),
            id: report.target.id().to_owned(),
            post_id: report.target.post_id().map(ToString::to_string),
        },
        subject: person(view, &report.subject_id),
        subject_suspended: view
            .people
            .get(&report.subject_id)
            .is_some_and(|p| p.suspended),
        content,
        closed_at: report.closed.as_ref().map(|c| c.at.to_rfc3339()),
        resolution: report.closed.as_ref().map(|c| c.resolution),
        closing_note: report.closed.and_then(|c| c.note),
        note: report.note,
    }
}

/// The reports, with what they are about as it is now: the open ones
/// oldest first, or the closed ones newest first, 25 a page (2 DynamoDB
/// requests). Operators only; `404` for everyone else.
#[utoipa::path(get, path = "/api/moderation/reports", tag = "moderation", params(DeskParams),
    security(("bearer" = [])),
    responses((status = 200, body = ReportPage), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "Not an operator")))]
pub async fn desk(
    State(app): State<App>,
    caller: CurrentUser,
    QueryParams(params): QueryParams<DeskParams>,
) -> Result<Json<ReportPage>, ApiError> {
    let DeskPage {
        reports,
        view,
        next_cursor,
    } = moderation::desk(
        &app,
        &caller.user_id,
        params.status.as_deref(),
        params.cursor.as_deref(),
    )
    .await?;
    Ok(Json(ReportPage {
        reports: reports.into_iter().map(|r| desk_report(r, &view)).collect(),
        next_cursor,
    }))
}

/// `POST /api/moderation/reports/{id}/dismiss`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissBody {
    /// Why nothing is done (kept in the audit; up to 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// Closes a report without acting on it. Operators only.
#[utoipa::path(post, path = "/api/moderation/reports/{id}/dismiss", tag = "moderation",
    request_body = DismissBody, params(("id" = String, Path, description = "The report")),
    security(("bearer" = [])),
    responses((status = 204, description = "Dismissed"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn dismiss(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    body: Result<JsonBody<DismissBody>, ApiError>,
) -> Result<StatusCode, ApiError> {
    moderation::desk_check(&app, &caller.user_id)?;
    let JsonBody(body) = body?;
    let id = ReportId::parse(&id).ok_or_else(moderation::report_not_found)?;
    moderation::dismiss(&app, &caller.user_id, &id, body.note.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An operator's reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why (1–500 characters): the author of removed content is emailed it.
    pub reason: String,
}

/// Removes a post; its author is emailed the reason, and the reports on it
/// are closed. Operators only.
#[utoipa::path(delete, path = "/api/moderation/posts/{id}", tag = "moderation",
    request_body = ReasonBody, params(("id" = String, Path, description = "The post")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn remove_post(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    body: Result<JsonBody<ReasonBody>, ApiError>,
) -> Result<StatusCode, ApiError> {
    moderation::desk_check(&app, &caller.user_id)?;
    let JsonBody(body) = body?;
    let id = PostId::parse(&id).ok_or_else(ApiError::post_not_found)?;
    moderation::remove_post(&app, &caller.user_id, &id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a comment; its author is emailed the reason, and the reports on
/// it are closed. Operators only.
#[utoipa::path(delete, path = "/api/moderation/posts/{post_id}/comments/{id}", tag = "moderation",
    request_body = ReasonBody,
    params(("post_id" = String, Path, description = "The post"),
           ("id" = String, Path, description = "The comment")),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn remove_comment(
    State(app): State<App>,
    caller: CurrentUser,
    Path((post_id, id)): Path<(String, String)>,
    body: Result<JsonBody<ReasonBody>, ApiError>,
) -> Result<StatusCode, ApiError> {
    moderation::desk_check(&app, &caller.user_id)?;
    let JsonBody(body) = body?;
    let (Some(post_id), Some(id)) = (PostId::parse(&post_id), CommentId::parse(&id)) else {
        return Err(ApiError::comment_not_found());
    };
    moderation::remove_comment(&app, &caller.user_id, &post_id, &id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspends an account: the person cannot sign in or refresh, and nobody
/// finds them or sees what they made until it is lifted. Operators only.
#[utoipa::path(post, path = "/api/moderation/users/{id}/suspend", tag = "moderation",
    request_body = ReasonBody, params(("id" = String, Path, description = "The person")),
    security(("bearer" = [])),
    responses((status = 204, description = "Suspended"), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn suspend(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
    body: Result<JsonBody<ReasonBody>, ApiError>,
) -> Result<StatusCode, ApiError> {
    moderation::desk_check(&app, &caller.user_id)?;
    let JsonBody(body) = body?;
    let id = UserId::parse(&id).ok_or_else(ApiError::user_not_found)?;
    moderation::suspend(&app, &caller.user_id, &id, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a suspension. Operators only.
#[utoipa::path(post, path = "/api/moderation/users/{id}/unsuspend", tag = "moderation",
    params(("id" = String, Path, description = "The person")),
    security(("bearer" = [])),
    responses((status = 204, description = "Suspension lifted"), (status = 404, body = ErrorBody)))]
pub async fn unsuspend(
    State(app): State<App>,
    caller: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    moderation::desk_check(&app, &caller.user_id)?;
    let id = UserId::parse(&id).ok_or_else(ApiError::user_not_found)?;
    moderation::unsuspend(&app, &caller.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
