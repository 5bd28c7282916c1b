//! Reporting, and the operators' desk. Anyone may report a person, post or
//! comment they can see; the person reported is never told who did. The
//! operators (named by configuration, never in code) list the open reports
//! with what they are about as it is now, and dismiss them, remove the
//! content, or suspend its author. Every action is audited, in the table
//! and in the security log. To anyone but an operator the desk does not
//! exist: its routes answer `404`, like an address with nothing there.

use super::conversation::{visible, visible_comment};
use super::people;
use crate::alerts::Alert;
use crate::domain::Timestamp;
use crate::domain::ids::{CommentId, PostId, ReportId, UserId};
use crate::domain::moderation::{
    REPORTS_PAGE, ReportReason, ReportTarget, Resolution, closing_note, moderation_reason,
    report_note,
};
use crate::domain::social::Pager;
use crate::email::Email as Message;
use crate::rate_limit;
use crate::service::accounts::rule;
use crate::store::{Acted, Action, AuditEntry, DeskView, Filed, ReportRecord};
use crate::{ApiError, App};

/// A report as the caller's request names it.
pub struct NewReport<'a> {
    /// `user`, `post` or `comment`.
    pub kind: &'a str,
    /// The target's id.
    pub id: &'a str,
    /// For a comment: its post.
    pub post_id: Option<&'a str>,
    /// One of the short list.
    pub reason: &'a str,
    /// Optional words.
    pub note: Option<&'a str>,
}

/// Files a report of something the caller can see: the rate limit (1
/// UpdateItem) beside the target's visibility (a person: 1 BatchGetItem; a
/// post: 1 GetItem, then 1 BatchGetItem; a comment: 2 GetItems at once,
/// then 1 BatchGetItem), 1 TransactWriteItems, then the operators' alert
/// (1 SNS Publish): a post's is 4 DynamoDB requests, 3 deep.
pub async fn report(app: &App, me: &UserId, new: NewReport<'_>) -> Result<ReportId, ApiError> {
    let reason = ReportReason::parse(new.reason)?;
    let note = report_note(new.note)?;
    let target = target(new.kind, new.id, new.post_id)?;
    if target == ReportTarget::User(me.clone()) {
        return Err(cannot_report_own());
    }
    let limit = app.config.rate_limits.reports_per_account;
    // The count beside the first look at the target: a refused report
    // counts too, so that nobody probes what exists at no cost.
    let (counted, subject) = tokio::join!(
        rate_limit::count(&app.store, rule("reports", limit), me.as_str()),
        async {
            Ok::<_, ApiError>(match &target {
                ReportTarget::User(id) => {
                    people::person(app, me, id).await?;
                    id.clone()
                }
                ReportTarget::Post(id) => visible(app, me, id).await?.author_id,
                ReportTarget::Comment(post, comment) => {
                    visible_comment(app, me, post, comment).await?.1.author_id
                }
            })
        }
    );
    counted?;
    let subject = subject?;
    if subject == *me {
        return Err(cannot_report_own());
    }
    let report = ReportRecord {
        id: ReportId::new(),
        target,
        reporter_id: me.clone(),
        subject_id: subject,
        reason,
        note,
        created_at: Timestamp::now(),
        open: true,
        closed: None,
    };
    if app.store.file_report(&report).await? == Filed::AlreadyReported {
        return Err(ApiError::conflict(
            "already_reported",
            "You reported this already, and an operator has not closed that report yet. \
             There is nothing more to do; you can block the person meanwhile.",
        ));
    }
    tracing::info!(
        event = "report_filed",
        report_id = %report.id,
        user_id = %me,
        target_kind = report.target.kind(),
        reason = reason.as_str(),
        "report filed"
    );
    app.alerts
        .send(Alert::new_report(
            &report.target,
            reason,
            app.config.site_url.as_deref(),
        ))
        .await;
    Ok(report.id)
}

fn cannot_report_own() -> ApiError {
    ApiError::bad_request(
        "cannot_report_yourself",
        "You cannot report yourself or what you wrote; delete it instead.",
    )
}

/// The target a request names; an id of the wrong shape is nobody's (`404`,
/// as for one that does not exist).
fn target(kind: &str, id: &str, post_id: Option<&str>) -> Result<ReportTarget, ApiError> {
    let missing = match kind {
        "user" => ApiError::user_not_found,
        "post" => ApiError::post_not_found,
        "comment" => ApiError::comment_not_found,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_target",
                "Field `target.type`: choose user, post or comment.",
            ));
        }
    };
    let target = match (kind, post_id) {
        ("user", _) => UserId::parse(id).map(ReportTarget::User),
        ("post", _) => PostId::parse(id).map(ReportTarget::Post),
        (_, Some(post)) => PostId::parse(post)
            .zip(CommentId::parse(id))
            .map(|(post, comment)| ReportTarget::Comment(post, comment)),
        (_, None) => {
            return Err(ApiError::bad_request(
                "invalid_target",
                "Field `target.post_id`: a comment is reported with the id of its post.",
            ));
        }
    };
    target.ok_or_else(missing)
}

/// `404` unless the caller is an operator: the desk is nothing to anyone
/// else (the handlers ask before they read a body, so that a bad body
/// tells a non-operator nothing either).
pub fn desk_check(app: &App, me: &UserId) -> Result<(), ApiError> {
    if app.config.operators.includes(me) {
        Ok(())
    } else {
        Err(ApiError::not_found(
            "not_found",
            "There is nothing at this address.",
        ))
    }
}

/// Whether the caller is an operator (the SPA shows them the desk).
pub fn is_operator(app: &App, me: &UserId) -> bool {
    app.config.operators.includes(me)
}

/// A page of the desk: reports with what they are about as it is now.
pub struct DeskPage {
    /// The reports, in the queue's order.
    pub reports: Vec<ReportRecord>,
    /// Their targets and people, as they are now.
    pub view: DeskView,
    /// The next page's cursor.
    pub next_cursor: Option<String>,
}

/// The open reports, oldest first, or the closed ones, newest first, 25 a
/// page (1 Query on GSI1, then 1 BatchGetItem of the targets, their
/// authors and the reporters: 2 requests, 2 deep).
pub async fn desk(
    app: &App,
    me: &UserId,
    status: Option<&str>,
    cursor: Option<&str>,
) -> Result<DeskPage, ApiError> {
    desk_check(app, me)?;
    let open = match status.unwrap_or("open") {
        "open" => true,
        "closed" => false,
        _ => {
            return Err(ApiError::bad_request(
                "invalid_status",
                "Parameter `status`: choose open or closed.",
            ));
        }
    };
    let list = format!("reports:{}", if open { "open" } else { "closed" });
    let pager = Pager::open(app.keys.cursor_key(), me, list, Some(REPORTS_PAGE), cursor)?;
    let page = app
        .store
        .reports_page(open, pager.start.as_deref(), pager.limit)
        .await?;
    let view = app.store.desk_view(&page.items).await?;
    Ok(DeskPage {
        next_cursor: pager.next_cursor(page.next.as_deref()),
        reports: page.items,
        view,
    })
}

/// Dismisses an open report (1 Query, 1 TransactWriteItems with the audit).
pub async fn dismiss(
    app: &App,
    me: &UserId,
    id: &ReportId,
    note: Option<&str>,
) -> Result<(), ApiError> {
    desk_check(app, me)?;
    let note = closing_note(note)?;
    let report = app
        .store
        .open_report(id)
        .await?
        .ok_or_else(report_not_found)?;
    let entry = AuditEntry {
        operator_id: me.clone(),
        action: "dismiss_report",
        target: report.target.clone(),
        subject_id: Some(report.subject_id.clone()),
        reason: note.clone(),
        at: Timestamp::now(),
    };
    let acted = app
        .store
        .act(
            Action::AuditOnly,
            &entry,
            std::slice::from_ref(&report),
            Resolution::Dismissed,
            note.as_deref(),
        )
        .await?;
    if acted != Acted::Done {
        // Another operator closed it a moment ago.
        return Err(report_not_found());
    }
    audited(&entry, 1);
    Ok(())
}

/// `404` for a report that is not open (or not there).
pub fn report_not_found() -> ApiError {
    ApiError::not_found(
        "report_not_found",
        "There is no open report with this id; another operator may have closed it.",
    )
}

/// Removes a post: 1 GetItem beside the open reports on it and on its
/// comments (1 Query of the queue), then 1 TransactWriteItems that deletes
/// it, writes the audit record and closes those reports; then at once what
/// went with it (as when its author deletes it) and the author's email
/// with the reason.
pub async fn remove_post(
    app: &App,
    me: &UserId,
    id: &PostId,
    reason: &str,
) -> Result<(), ApiError> {
    desk_check(app, me)?;
    let reason = moderation_reason(reason)?;
    let reports = || {
        app.store
            .open_reports_where(&["target_id", "post_id"], id.as_str())
    };
    let (post, first) = tokio::join!(app.store.post(id), reports());
    let post = post?.ok_or_else(ApiError::post_not_found)?;
    let target = ReportTarget::Post(id.clone());
    let entry = entry(me, "remove_post", target, &post.author_id, &reason);
    let action = Action::RemovePost(id);
    act(app, action, &entry, first?, reports, Resolution::Removed)
        .await?
        .ok_or_else(ApiError::post_not_found)?;
    tokio::join!(
        super::posts::clear_after(app, &post),
        tell_author(app, &post.author_id, "post", post.created_at, &reason),
    );
    Ok(())
}

/// Removes a comment: 2 GetItems beside the open reports on it (1 Query),
/// then 1 TransactWriteItems that deletes it, counts it off its post,
/// writes the audit record and closes those reports; then at once its
/// notifications and the author's email with the reason.
pub async fn remove_comment(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    comment_id: &CommentId,
    reason: &str,
) -> Result<(), ApiError> {
    desk_check(app, me)?;
    let reason = moderation_reason(reason)?;
    let target = ReportTarget::Comment(post_id.clone(), comment_id.clone());
    let reports = || app.store.open_reports_on(&target);
    let (post, comment, first) = tokio::join!(
        app.store.post(post_id),
        app.store.comment(post_id, comment_id),
        reports(),
    );
    let post = post?.ok_or_else(ApiError::comment_not_found)?;
    let comment = comment?.ok_or_else(ApiError::comment_not_found)?;
    let entry = entry(
        me,
        "remove_comment",
        target.clone(),
        &comment.author_id,
        &reason,
    );
    let action = Action::RemoveComment(post_id, comment_id);
    act(app, action, &entry, first?, reports, Resolution::Removed)
        .await?
        .ok_or_else(ApiError::comment_not_found)?;
    let written = comment.created_at;
    tokio::join!(
        super::conversation::forget_comment(app, &post, comment_id),
        tell_author(app, &comment.author_id, "comment", written, &reason),
    );
    Ok(())
}

/// Suspends an account: the open reports about the person (on them, their
/// posts and their comments: 1 Query of the queue), then 1
/// TransactWriteItems that flags the profile, writes the audit record and
/// closes those reports. From the next read on, nobody finds them or sees
/// what they made, and they cannot sign in or refresh; an access token
/// they hold runs out within its lifetime (15 minutes by default).
pub async fn suspend(app: &App, me: &UserId, id: &UserId, reason: &str) -> Result<(), ApiError> {
    desk_check(app, me)?;
    let reason = moderation_reason(reason)?;
    if id == me || app.config.operators.includes(id) {
        return Err(ApiError::bad_request(
            "cannot_suspend_operator",
            "An operator cannot be suspended from the desk: take them out of OperatorUserIds first.",
        ));
    }
    let entry = entry(
        me,
        "suspend_user",
        ReportTarget::User(id.clone()),
        id,
        &reason,
    );
    let reports = || app.store.open_reports_where(&["subject_id"], id.as_str());
    let first = reports().await?;
    act(
        app,
        Action::Suspend(id, true),
        &entry,
        first,
        reports,
        Resolution::Suspended,
    )
    .await?
    .ok_or_else(ApiError::user_not_found)
}

/// Lifts a suspension (1 TransactWriteItems: the profile and the audit
/// record).
pub async fn unsuspend(app: &App, me: &UserId, id: &UserId) -> Result<(), ApiError> {
    desk_check(app, me)?;
    let entry = AuditEntry {
        reason: None,
        ..entry(me, "unsuspend_user", ReportTarget::User(id.clone()), id, "")
    };
    let none = || async { Ok(Vec::new()) };
    act(
        app,
        Action::Suspend(id, false),
        &entry,
        Vec::new(),
        none,
        Resolution::Dismissed,
    )
    .await?
    .ok_or_else(ApiError::user_not_found)
}

fn entry(
    me: &UserId,
    action: &'static str,
    target: ReportTarget,
    subject: &UserId,
    reason: &str,
) -> AuditEntry {
    AuditEntry {
        operator_id: me.clone(),
        action,
        target,
        subject_id: Some(subject.clone()),
        reason: Some(reason.to_owned()),
        at: Timestamp::now(),
    }
}

/// Does `action` with its audit record and the open reports `first`
/// closed as `resolution`, in one transaction; a report closed meanwhile
/// by another operator makes it read them again with `reports` (up to 3
/// tries). `None` when what it acts on is not there.
async fn act<F, Fut>(
    app: &App,
    action: Action<'_>,
    entry: &AuditEntry,
    first: Vec<ReportRecord>,
    reports: F,
    resolution: Resolution,
) -> Result<Option<()>, ApiError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<ReportRecord>, crate::store::StoreError>>,
{
    let mut open = first;
    for attempt in 0..3 {
        if attempt > 0 {
            open = reports().await?;
        }
        let note = entry.reason.as_deref();
        match app
            .store
            .act(action, entry, &open, resolution, note)
            .await?
        {
            Acted::Done => {
                audited(entry, open.len());
                return Ok(Some(()));
            }
            Acted::Gone => return Ok(None),
            Acted::ReportsChanged => {}
        }
    }
    Err(crate::store::StoreError::Throttled.into())
}

/// The security log's line of an operator action (the reason stays in the
/// audit record: it may quote what was removed).
fn audited(entry: &AuditEntry, reports_closed: usize) {
    tracing::info!(
        event = "moderation_action",
        action = entry.action,
        user_id = %entry.operator_id,
        target_kind = entry.target.kind(),
        target_id = entry.target.id(),
        subject_id = entry.subject_id.as_ref().map(tracing::field::display),
        reports_closed,
        "operator action"
    );
}

/// Emails the author of removed content why (best effort: the removal
/// stands either way).
async fn tell_author(app: &App, author: &UserId, what: &str, written: Timestamp, reason: &str) {
    let address = match app.store.user(author).await {
        Ok(Some(user)) => user.email,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, user_id = %author, "removal notice not sent");
            return;
        }
    };
    let written = written
        .to_rfc3339()
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let written = format!("on {written}");
    if let Err(error) = app
        .mailer
        .send(
            address.as_str(),
            Message::content_removed(what, &written, reason),
        )
        .await
    {
        tracing::warn!(%error, user_id = %author, "removal notice not sent");
    }
}
