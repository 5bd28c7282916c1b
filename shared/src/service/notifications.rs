//! Notifications: written after the change they tell of, as pointers to its
//! source, and shown only as the source is now. A notification whose post,
//! comment, reaction, request or connection is gone, or whose post the
//! recipient may no longer see, is not shown and not counted: the rule is
//! applied on every read, so nothing has to find and delete it in time.

use std::collections::HashSet;

use super::Listing;
use crate::domain::Timestamp;
use crate::domain::account::Username;
use crate::domain::conversation::{
    EmailSettings, EmailTopic, NOTIFICATION_TTL_SECONDS, NotificationKey, NotificationKind,
    UnsubscribeTokens,
};
use crate::domain::ids::{CommentId, PostId, TagId, UserId};
use crate::domain::social::{Pager, can_see};
use crate::email::Email;
use crate::service::conversation::comment_notice;
use crate::service::fanout::best_effort;
use crate::store::{
    CommentRecord, NotificationRecord, PostRecord, Sources, StoreError, UserRecord,
};
use crate::{ApiError, App};

/// Rounds of reads before a short page of notifications is returned (as for
/// the feed: only notifications whose source went away cost a round).
const MAX_ROUNDS: usize = 4;

/// Unread notifications checked for the count: the newest this many. More
/// are shown as this many (the badge says "50+").
pub const MAX_UNREAD: usize = 50;

/// A notification as its recipient sees it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Which.
    pub key: NotificationKey,
    /// Who did it (the latest, for reactions).
    pub actor_id: UserId,
    /// Their username.
    pub actor_username: String,
    /// Their display name, as read with the page.
    pub actor_display_name: Option<String>,
    /// How many others did the same (reactions: the post's other reactions now).
    pub others: i64,
    /// The post it is about.
    pub post_id: Option<PostId>,
    /// The comment it is about.
    pub comment_id: Option<CommentId>,
    /// When it last happened.
    pub created_at: Timestamp,
    /// Whether it was marked read.
    pub read: bool,
}

impl Notice {
    /// Its kind.
    pub fn kind(&self) -> NotificationKind {
        self.key.kind()
    }
}

/// The notification as `me` may see it now, if at all.
fn shown(
    me: &UserId,
    record: NotificationRecord,
    sources: &Sources,
    now: Timestamp,
) -> Option<Notice> {
    if record.expires_at <= now {
        return None;
    }
    let post = record.post_id.as_ref().and_then(|id| sources.posts.get(id));
    let mut others = 0;
    let visible = match &record.key {
        NotificationKey::Request(from) => sources.requested.contains(from),
        NotificationKey::Accepted(by) => sources.connected.contains(by),
        NotificationKey::Comment(comment) => {
            post.is_some_and(|p| p.author_id == *me) && sources.comments.contains(comment)
        }
        NotificationKey::Thread(comment) => post.is_some_and(|p| {
            let edge_tags = sources
                .edges_to_me
                .get(&p.author_id)
                .map(|e| e.tag_ids.as_slice());
            sources.comments.contains(comment)
                && can_see(me, &p.author_id, p.audience, &p.tag_ids, edge_tags)
        }),
        NotificationKey::Reactions(post_id) => post.is_some_and(|p| {
            let total: i64 = p.conversation.reactions.iter().map(|(_, n)| n).sum();
            let own = sources.reactions.contains(&(post_id.clone(), me.clone()));
            others = (total - 1 - i64::from(own)).max(0);
            p.author_id == *me
                && sources
                    .reactions
                    .contains(&(post_id.clone(), record.actor_id.clone()))
        }),
    };
    // An actor whose account was deleted is gone with everything they did,
    // even before the clean-up reaches this notification.
    let visible = visible && sources.names.exists(&record.actor_id);
    visible.then(|| Notice {
        key: record.key,
        actor_display_name: sources.names.display_name(&record.actor_id),
        actor_id: record.actor_id,
        actor_username: record.actor_username.into_string(),
        others,
        post_id: record.post_id,
        comment_id: record.comment_id,
        created_at: record.created_at,
        read: record.read,
    })
}

/// A page of the caller's notifications, newest first, as they may see them
/// now, and how many are unread. The first round reads the page (1 Query on
/// GSI1) beside the unread ones (1 Query), then what both point at in one
/// BatchGetItem: 3 requests, 2 deep. A round more (2 requests) only when
/// notifications whose source went away left the page short, and a
/// BatchWriteItem when unread ones should have been deleted with their
/// source and were not.
pub async fn list(
    app: &App,
    me: &UserId,
    limit: Option<usize>,
    cursor: Option<&str>,
) -> Result<(Listing<Notice>, usize), ApiError> {
    let pager = Pager::open(
        app.keys.cursor_key(),
        me,
        "notifications".into(),
        limit,
        cursor,
    )?;
    let now = Timestamp::now();
    let (page, candidates) = tokio::join!(
        app.store
            .notifications_page(me, pager.start.as_deref(), pager.limit),
        app.store.unread_notifications(me, now),
    );
    let page = page?;
    let candidates = newest_unread(candidates?);
    let mut both = page.items.clone();
    both.extend(candidates.iter().cloned());
    let sources = app.store.notification_sources(me, &both).await?;
    // Unread ones whose source went away and were not deleted with it (the
    // upkeep after a change failed): deleted now, so the count follows.
    // Those of a suspended person are hidden, not stale: kept for when the
    // suspension is lifted, and not counted meanwhile.
    let hidden: Vec<&NotificationRecord> = candidates
        .iter()
        .filter(|record| shown(me, (*record).clone(), &sources, now).is_none())
        .collect();
    let stale: Vec<(UserId, NotificationKey)> = hidden
        .iter()
        .filter(|record| !sources.names.suspended(&record.actor_id))
        .map(|record| (record.recipient.clone(), record.key.clone()))
        .collect();
    let unread = candidates.len() - hidden.len();
    if !stale.is_empty() {
        best_effort("forget notifications", app.store.forget(&stale)).await;
    }
    let mut notices: Vec<Notice> = page
        .items
        .into_iter()
        .filter_map(|record| shown(me, record, &sources, now))
        .collect();
    let mut more = page.next.is_some();
    let mut before = page.next.or(pager.start.clone());
    for _ in 1..MAX_ROUNDS {
        if !more || notices.len() >= pager.limit {
            break;
        }
        let wanted = pager.limit - notices.len();
        let page = app
            .store
            .notifications_page(me, before.as_deref(), wanted)
            .await?;
        more = page.next.is_some();
        before = page.next.or(before);
        let sources = app.store.notification_sources(me, &page.items).await?;
        notices.extend(
            page.items
                .into_iter()
                .filter_map(|record| shown(me, record, &sources, now)),
        );
    }
    let last = if more { before } else { None };
    Ok((
        Listing {
            items: notices,
            next_cursor: pager.next_cursor(last.as_deref()),
        },
        unread,
    ))
}

/// The newest [`MAX_UNREAD`] of these unread notifications.
fn newest_unread(mut candidates: Vec<NotificationRecord>) -> Vec<NotificationRecord> {
    candidates.sort_by(|a, b| b.position.cmp(&a.position));
    candidates.truncate(MAX_UNREAD);
    candidates
}

/// How many of the caller's notifications are unread (at most
/// [`MAX_UNREAD`]): 1 Query of their unread, unexpired notifications. It
/// reads nothing else, so every change that takes a notification's source
/// away, or the recipient's access to it, deletes the notification too:
/// in the same transaction where the change is one (a request answered, a
/// connection ended), right after it otherwise ([`forget_post`],
/// [`forget_unseen_under`], and a comment or a reaction taken back). A list
/// read deletes any it finds that should have gone and did not.
pub async fn unread(app: &App, me: &UserId) -> Result<usize, ApiError> {
    let candidates = app.store.unread_notifications(me, Timestamp::now()).await?;
    Ok(candidates.len().min(MAX_UNREAD))
}

/// Deletes, as upkeep, the notifications about `post` of everyone in
/// `recipients` (1 Query each, up to 25 at once, then their deletions): the
/// post is gone, or they may no longer see it.
pub(crate) async fn forget_post(app: &App, post: &PostId, recipients: Vec<UserId>) {
    use futures::{StreamExt, TryStreamExt};
    let work = async {
        let found: Vec<Vec<NotificationRecord>> = futures::stream::iter(recipients)
            .map(|recipient| async move { app.store.notices_about_post(&recipient, post).await })
            .buffer_unordered(crate::store::REQUESTS_IN_FLIGHT)
            .try_collect()
            .await?;
        let which: Vec<(UserId, NotificationKey)> = found
            .into_iter()
            .flatten()
            .map(|record| (record.recipient, record.key))
            .collect();
        app.store.forget(&which).await
    };
    best_effort("forget notifications", work).await;
}

/// Deletes, as upkeep, `viewer`'s notifications of threads under `author`'s
/// posts that they may no longer see: all of them once disconnected
/// (`now_tags` is `None`), or those whose post the tags `author` now keeps
/// on them no longer reach (1 Query, 1 BatchGetItem of the posts, then the
/// deletions).
pub(crate) async fn forget_unseen_under(
    app: &App,
    viewer: &UserId,
    author: &UserId,
    now_tags: Option<&[TagId]>,
) {
    let work = async {
        let notices = app.store.thread_notices_under(viewer, author).await?;
        let gone: Vec<NotificationRecord> = match now_tags {
            None => notices,
            Some(tags) => {
                let ids: Vec<PostId> = notices.iter().filter_map(|n| n.post_id.clone()).collect();
                let posts = app.store.posts(&ids).await?;
                notices
                    .into_iter()
                    .filter(|notice| {
                        let post = notice.post_id.as_ref().and_then(|id| posts.get(id));
                        !post.is_some_and(|p| {
                            can_see(viewer, author, p.audience, &p.tag_ids, Some(tags))
                        })
                    })
                    .collect()
            }
        };
        let which: Vec<(UserId, NotificationKey)> =
            gone.into_iter().map(|n| (n.recipient, n.key)).collect();
        app.store.forget(&which).await
    };
    best_effort("forget notifications", work).await;
}

/// Most ids one call may mark read.
pub const MAX_MARK: usize = 50;

/// Marks notifications read: these (1 UpdateItem each, at once; ids that
/// are not the caller's change nothing), or all unread ones (1 Query first).
pub async fn mark_read(app: &App, me: &UserId, which: Option<&[String]>) -> Result<(), ApiError> {
    let keys: Vec<NotificationKey> = match which {
        Some(ids) => {
            if ids.is_empty() || ids.len() > MAX_MARK {
                return Err(ApiError::bad_request(
                    "invalid_notification_ids",
                    format!("Field `ids`: name 1 to {MAX_MARK} notification ids."),
                ));
            }
            let parsed: Option<Vec<_>> = ids.iter().map(|id| NotificationKey::parse(id)).collect();
            let mut keys = parsed.ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_notification_ids",
                    "Field `ids`: use the ids of your notifications, as listed.",
                )
            })?;
            let mut seen = HashSet::new();
            keys.retain(|key| seen.insert(key.clone()));
            keys
        }
        None => app
            .store
            .unread_notifications(me, Timestamp::now())
            .await?
            .into_iter()
            .map(|record| record.key)
            .collect(),
    };
    app.store.mark_read(me, &keys).await?;
    Ok(())
}

/// Who did what a notification tells of.
struct Actor<'a> {
    id: &'a UserId,
    username: &'a Username,
}

impl<'a> From<&'a UserRecord> for Actor<'a> {
    fn from(user: &'a UserRecord) -> Self {
        Self {
            id: &user.id,
            username: &user.username,
        }
    }
}

fn record(
    recipient: &UserId,
    key: NotificationKey,
    actor: Actor<'_>,
    post: Option<&PostRecord>,
    comment: Option<&CommentRecord>,
) -> NotificationRecord {
    let now = Timestamp::now();
    NotificationRecord {
        recipient: recipient.clone(),
        key,
        actor_id: actor.id.clone(),
        actor_username: actor.username.clone(),
        post_id: post.map(|p| p.id.clone()),
        post_author_id: post.map(|p| p.author_id.clone()),
        comment_id: comment.map(|c| c.id.clone()),
        created_at: now,
        read: false,
        expires_at: now.plus_seconds(NOTIFICATION_TTL_SECONDS),
        // A new ULID: the notification moves to the top of the list.
        position: CommentId::new().into_string(),
    }
}

/// Tells the post's author and everyone else who commented on it and may
/// see it now of a new comment (1 BatchGetItem of their edges, then
/// BatchWriteItem per 25, at once). Never more than the post's commenters,
/// whom the audience (and so the connection cap) bounds.
pub(crate) async fn commented(app: &App, post: &PostRecord, comment: &CommentRecord) {
    // Only those who may see the post now hear of it (the author's edges to
    // the other commenters, 1 BatchGetItem): the unread count reads nothing
    // but the recipient's own notifications.
    let others: Vec<UserId> = post
        .conversation
        .commenters
        .iter()
        .filter(|c| **c != comment.author_id && **c != post.author_id)
        .cloned()
        .collect();
    let edges = match app.store.edges_to(&post.author_id, &others).await {
        Ok(edges) => edges,
        Err(error) => {
            tracing::warn!(%error, "commenters not read; only the author is told");
            Default::default()
        }
    };
    let mut recipients: Vec<&UserId> = vec![&post.author_id];
    recipients.extend(others.iter().filter(|other| {
        let edge_tags = edges.get(*other).map(|e| e.tag_ids.as_slice());
        can_see(
            other,
            &post.author_id,
            post.audience,
            &post.tag_ids,
            edge_tags,
        )
    }));
    let mut seen = HashSet::new();
    let records: Vec<NotificationRecord> = recipients
        .into_iter()
        .filter(|to| **to != comment.author_id && seen.insert((*to).clone()))
        .map(|to| {
            let actor = Actor {
                id: &comment.author_id,
                username: &comment.author_username,
            };
            let key = comment_notice(post, comment, to);
            record(to, key, actor, Some(post), Some(comment))
        })
        .collect();
    best_effort("notify", app.store.notify(&records)).await;
}

/// Tells a post's author that `actor` reacted (one notification per post,
/// moved to the top; 1 BatchWriteItem).
pub(crate) async fn reacted(app: &App, post: &PostRecord, actor: &UserRecord) {
    if actor.id == post.author_id {
        return;
    }
    let notice = record(
        &post.author_id,
        NotificationKey::Reactions(post.id.clone()),
        actor.into(),
        Some(post),
        None,
    );
    best_effort("notify", app.store.notify(&[notice])).await;
}

/// The notice that `from` asked `to` to connect. It outlives the request
/// (see [`keys::notice_sent`](crate::store::keys::notice_sent)), so its
/// note is written first, beside the request's transaction
/// ([`Store::note_notice_sent`](crate::store::Store::note_notice_sent)).
pub(crate) fn request_notice(from: &UserRecord, to: &UserRecord) -> NotificationRecord {
    record(
        &to.id,
        NotificationKey::Request(from.id.clone()),
        from.into(),
        None,
        None,
    )
}

/// The notice that `by` accepted `requester`'s request (noted likewise).
pub(crate) fn acceptance_notice(by: &UserRecord, requester: &UserRecord) -> NotificationRecord {
    record(
        &requester.id,
        NotificationKey::Accepted(by.id.clone()),
        by.into(),
        None,
        None,
    )
}

/// Tells `to` that `from` asked to connect (`notice`, noted: 1 PutItem),
/// and emails them if they want it and this is news (not a request asked
/// again). Without its note, no notice.
pub(crate) async fn asked(
    app: &App,
    notice: NotificationRecord,
    noted: Result<(), StoreError>,
    from: &UserRecord,
    to: &UserRecord,
) {
    let wanted = to.email_settings.on_request;
    tell(
        app,
        (notice, noted),
        to,
        wanted,
        EmailTopic::Requests,
        |site, link| Email::connection_request(from.username.as_str(), site, link),
    )
    .await;
}

/// Tells `requester` that `by` accepted (`notice`, noted: 1 PutItem), and
/// emails them if they want it.
pub(crate) async fn accepted(
    app: &App,
    notice: NotificationRecord,
    noted: Result<(), StoreError>,
    by: &UserRecord,
    requester: &UserRecord,
) {
    let wanted = requester.email_settings.on_accept;
    tell(
        app,
        (notice, noted),
        requester,
        wanted,
        EmailTopic::Accepts,
        |site, link| Email::request_accepted(by.username.as_str(), site, link),
    )
    .await;
}

async fn tell(
    app: &App,
    (notice, noted): (NotificationRecord, Result<(), StoreError>),
    to: &UserRecord,
    wanted: bool,
    topic: EmailTopic,
    email: impl FnOnce(&str, String) -> Email,
) {
    // A notice is never without the note that deleting either person
    // finds it by.
    if let Err(error) = noted {
        tracing::warn!(%error, "notification not written; the request stands");
        return;
    }
    let news = match app.store.notify_once(&notice).await {
        Ok(news) => news,
        Err(error) => {
            tracing::warn!(%error, "notification not written; the request stands");
            return;
        }
    };
    let Some(site) = app.config.site_url.as_deref() else {
        return; // no address for the links: no notice emails (config.rs)
    };
    if !news || !wanted {
        return;
    }
    let token = UnsubscribeTokens::new(app.keys.unsubscribe_key()).issue(&to.id, topic);
    let link = format!("{site}/api/unsubscribe?token={token}");
    if let Err(error) = app.mailer.send(to.email.as_str(), email(site, link)).await {
        tracing::warn!(%error, "notice email not sent; the notification stands");
    }
}

/// The caller's email settings (1 GetItem).
pub async fn email_settings(app: &App, me: &UserId) -> Result<EmailSettings, ApiError> {
    app.store
        .email_settings(me)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

/// Saves the caller's email settings (1 UpdateItem).
pub async fn set_email_settings(
    app: &App,
    me: &UserId,
    settings: EmailSettings,
) -> Result<EmailSettings, ApiError> {
    match app.store.set_email_settings(me, settings).await? {
        true => Ok(settings),
        false => Err(ApiError::unauthenticated()),
    }
}

/// What an unsubscribe link turns off, if it is one of ours (no request).
pub fn unsubscribe_link(app: &App, token: &str) -> Result<EmailTopic, ApiError> {
    UnsubscribeTokens::new(app.keys.unsubscribe_key())
        .verify(token)
        .map(|(_, topic)| topic)
        .ok_or_else(invalid_link)
}

fn invalid_link() -> ApiError {
    ApiError::bad_request(
        "invalid_unsubscribe_link",
        "This unsubscribe link is not valid. Copy the whole link from the email, or change \
         your email settings on the Account screen.",
    )
}

/// Turns off the email a link names (1 GetItem, 1 UpdateItem). An account
/// that is gone is answered alike: there is nothing left to send to.
pub async fn unsubscribe(app: &App, token: &str) -> Result<EmailTopic, ApiError> {
    let (user, topic) = UnsubscribeTokens::new(app.keys.unsubscribe_key())
        .verify(token)
        .ok_or_else(invalid_link)?;
    if let Some(settings) = app.store.email_settings(&user).await? {
        app.store
            .set_email_settings(&user, topic.off(settings))
            .await?;
    }
    Ok(topic)
}
