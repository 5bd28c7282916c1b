//! The conversation under a post: its comments and reactions. Whoever may
//! see the post (the rule, evaluated now) may read and join it; to anyone
//! else the post, and everything under it, does not exist.

use super::Listing;
use crate::domain::Timestamp;
use crate::domain::conversation::{NotificationKey, ReactionKind, comment_content};
use crate::domain::ids::{CommentId, PostId, UserId};
use crate::domain::social::{Pager, can_see};
use crate::service::fanout::best_effort;
use crate::service::notifications;
use crate::store::{
    CommentRecord, ConversationError, Edge, EdgeOf, Names, PostRecord, ReactionRecord, UserRecord,
};
use crate::{ApiError, App};

/// How often a reaction is read and written again when another call of the
/// same person's changed it in between.
const REACTION_ATTEMPTS: usize = 3;

/// Whether `me` may see `post`, given the author's edge to them and the
/// names read with it: an author whose account is being deleted is gone.
fn may_see(me: &UserId, post: &PostRecord, edge: Option<&Edge>, names: &Names) -> bool {
    let edge_tags = edge.map(|e| e.tag_ids.as_slice());
    names.exists(&post.author_id)
        && can_see(me, &post.author_id, post.audience, &post.tag_ids, edge_tags)
}

/// What reading `post` needs beside it: the author's edge to `me` when the
/// rule needs it (not for one's own or private posts) and the profiles of
/// the author and of `people` on the page, in 1 BatchGetItem.
async fn access<'a>(
    app: &App,
    me: &UserId,
    post: &'a PostRecord,
    people: Vec<&'a UserId>,
) -> Result<(Option<Edge>, Names), ApiError> {
    let edge = (post.author_id != *me && post.audience != crate::domain::social::Audience::Private)
        .then_some(EdgeOf {
            owner: &post.author_id,
            other: me,
        });
    let people = std::iter::once(&post.author_id).chain(people);
    Ok(app
        .store
        .edge_and_names(edge, me, &post.author_id, people)
        .await?)
}

/// The author's display name set on `post`, and the comments of accounts
/// being deleted left out, with their authors' names on the rest.
fn named(mut post: PostRecord, comments: &mut Vec<CommentRecord>, names: &Names) -> PostRecord {
    post.author_display_name = names.display_name(&post.author_id);
    comments.retain(|c| names.exists(&c.author_id));
    for comment in comments {
        comment.author_display_name = names.display_name(&comment.author_id);
    }
    post
}

/// A page of a post's comments, oldest first, if the caller may see the
/// post. 2 requests a page, one after the other: the first page is 1 Query
/// returning the post with its first comments, a later one 1 Query of the
/// comments after the cursor; then 1 BatchGetItem of the author's edge to
/// the caller with the profiles of the author and the page's commenters
/// (and, on a later page, the post: the cursor names its author).
pub async fn comments(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    limit: Option<usize>,
    cursor: Option<&str>,
) -> Result<(PostRecord, Listing<CommentRecord>), ApiError> {
    let list = format!("comments:{post_id}");
    let pager = Pager::open(app.keys.cursor_key(), me, list, limit, cursor)?;
    // A later page's position is `<post author> <last comment read>`.
    let after = pager.start.as_deref().and_then(|position| {
        let (author, comment) = position.split_once(' ')?;
        Some((
            UserId::from_stored(author.to_owned()),
            CommentId::from_stored(comment.to_owned()),
        ))
    });
    let (post, thread) = match &after {
        None => {
            let thread = app.store.thread(post_id, None, pager.limit).await?;
            let post = thread.post.clone().ok_or_else(ApiError::post_not_found)?;
            let commenters: Vec<&UserId> = thread.comments.iter().map(|c| &c.author_id).collect();
            let (edge, names) = access(app, me, &post, commenters).await?;
            if !may_see(me, &post, edge.as_ref(), &names) {
                return Err(ApiError::post_not_found());
            }
            let mut thread = thread;
            let post = named(post, &mut thread.comments, &names);
            (post, thread)
        }
        Some((author, comment)) => {
            let mut thread = app
                .store
                .thread(post_id, Some(comment), pager.limit)
                .await?;
            let commenters: Vec<&UserId> = thread.comments.iter().map(|c| &c.author_id).collect();
            let (post, edge, names) = app
                .store
                .post_and_edge(post_id, author, me, commenters)
                .await?;
            let post = post.ok_or_else(ApiError::post_not_found)?;
            if !may_see(me, &post, edge.as_ref(), &names) {
                return Err(ApiError::post_not_found());
            }
            let post = named(post, &mut thread.comments, &names);
            (post, thread)
        }
    };
    let next = thread.next.map(|last| format!("{} {last}", post.author_id));
    Ok((
        post,
        Listing {
            items: thread.comments,
            next_cursor: pager.next_cursor(next.as_deref()),
        },
    ))
}

/// A post the caller may see, with their profile: what commenting and
/// reacting need (1 GetItem of the post beside 1 of the profile, then the
/// author's edge: 2 round trips).
async fn joinable(
    app: &App,
    me: &UserId,
    post_id: &PostId,
) -> Result<(PostRecord, UserRecord), ApiError> {
    let (post, profile) = tokio::join!(app.store.post(post_id), app.store.user(me));
    let post = post?.ok_or_else(ApiError::post_not_found)?;
    let profile = profile?.ok_or_else(ApiError::unauthenticated)?;
    let (edge, names) = access(app, me, &post, Vec::new()).await?;
    if !may_see(me, &post, edge.as_ref(), &names) {
        return Err(ApiError::post_not_found());
    }
    let post = named(post, &mut Vec::new(), &names);
    Ok((post, profile))
}

/// Comments on a post the caller may see: 1 GetItem of the post beside 1 of
/// their profile, 1 GetItem of the author's edge, 1 TransactWriteItems (the
/// comment and the post's counter), then the notifications (the post's
/// author and everyone else who commented: BatchWriteItem per 25, one for a
/// thread of up to 24 other commenters).
pub async fn add_comment(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    content: &str,
) -> Result<CommentRecord, ApiError> {
    let content = comment_content(content)?;
    let (post, profile) = joinable(app, me, post_id).await?;
    let comment = CommentRecord {
        id: CommentId::new(),
        post_id: post.id.clone(),
        author_id: profile.id.clone(),
        author_username: profile.username.clone(),
        author_display_name: profile.display_name.as_ref().map(|n| n.as_str().to_owned()),
        post_author_id: post.author_id.clone(),
        content,
        created_at: Timestamp::now(),
        edited_at: None,
    };
    // The post must still exist when the comment commits: a comment racing
    // the post's deletion either fails here (404) or commits first and is
    // then found and removed with the post.
    app.store.add_comment(&comment).await?;
    notifications::commented(app, &post, &comment).await;
    Ok(comment)
}

/// Edits one's own comment under a post one may see (the post's and the
/// edge's reads, then 1 conditional UpdateItem).
pub async fn edit_comment(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    comment_id: &CommentId,
    content: &str,
) -> Result<CommentRecord, ApiError> {
    let content = comment_content(content)?;
    visible(app, me, post_id).await?;
    app.store
        .edit_comment(me, post_id, comment_id, &content, Timestamp::now())
        .await?
        .ok_or_else(ApiError::comment_not_found)
}

/// Deletes a comment the caller wrote, or any comment under their own post
/// (the post's and the edge's reads, then 1 TransactWriteItems whose
/// condition is who may delete it, then its notifications: 1
/// BatchWriteItem per 25).
pub async fn delete_comment(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    comment_id: &CommentId,
) -> Result<(), ApiError> {
    let post = visible(app, me, post_id).await?;
    take_down_comment(app, me, &post, comment_id).await
}

/// Deletes a comment under `post` on condition that `by` wrote it or the
/// post, then its notifications.
pub(crate) async fn take_down_comment(
    app: &App,
    by: &UserId,
    post: &PostRecord,
    comment_id: &CommentId,
) -> Result<(), ApiError> {
    match app.store.delete_comment(by, &post.id, comment_id).await {
        Ok(()) => {}
        Err(ConversationError::PostGone) => return Err(ApiError::post_not_found()),
        Err(error) => return Err(error.into()),
    }
    forget_comment(app, post, comment_id).await;
    Ok(())
}

/// A deleted comment's notifications (1 BatchWriteItem per 25): the post
/// author's, and the thread's.
pub(crate) async fn forget_comment(app: &App, post: &PostRecord, comment_id: &CommentId) {
    let mut told = vec![(
        post.author_id.clone(),
        NotificationKey::Comment(comment_id.clone()),
    )];
    told.extend(post.conversation.commenters.iter().map(|commenter| {
        (
            commenter.clone(),
            NotificationKey::Thread(comment_id.clone()),
        )
    }));
    best_effort("forget notifications", app.store.forget(&told)).await;
}

/// A comment and its post, if the caller may see both now (2 GetItems at
/// once, then 1 BatchGetItem of the edge and both authors' profiles): a
/// comment whose author blocked the caller, or was blocked by them or by
/// the post's author, is not there for them.
pub(crate) async fn visible_comment(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    comment_id: &CommentId,
) -> Result<(PostRecord, CommentRecord), ApiError> {
    let (post, comment) = tokio::join!(
        app.store.post(post_id),
        app.store.comment(post_id, comment_id)
    );
    let post = post?.ok_or_else(ApiError::comment_not_found)?;
    let comment = comment?.ok_or_else(ApiError::comment_not_found)?;
    let (edge, names) = access(app, me, &post, vec![&comment.author_id]).await?;
    if !may_see(me, &post, edge.as_ref(), &names) || !names.exists(&comment.author_id) {
        return Err(ApiError::comment_not_found());
    }
    Ok((post, comment))
}

/// A post, if the caller may see it now (1 GetItem, then 1 BatchGetItem of
/// the edge and the author's profile): the one reading of the rule for a
/// single post.
pub(crate) async fn visible(
    app: &App,
    me: &UserId,
    post_id: &PostId,
) -> Result<PostRecord, ApiError> {
    let post = app
        .store
        .post(post_id)
        .await?
        .ok_or_else(ApiError::post_not_found)?;
    let (edge, names) = access(app, me, &post, Vec::new()).await?;
    match may_see(me, &post, edge.as_ref(), &names) {
        true => Ok(named(post, &mut Vec::new(), &names)),
        false => Err(ApiError::post_not_found()),
    }
}

/// The reaction counts of a post as the caller sees them: all kinds' counts,
/// and their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reactions {
    /// Per kind, none at zero.
    pub counts: Vec<(ReactionKind, i64)>,
    /// The caller's own.
    pub mine: Option<ReactionKind>,
}

impl Reactions {
    fn after(post: &PostRecord, before: Option<ReactionKind>, now: Option<ReactionKind>) -> Self {
        let mut counts = post.conversation.reactions.clone();
        let mut moved =
            |kind: ReactionKind, by: i64| match counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, count)) => *count += by,
                None => counts.push((kind, by)),
            };
        if let Some(kind) = before {
            moved(kind, -1);
        }
        if let Some(kind) = now {
            moved(kind, 1);
        }
        counts.retain(|(_, count)| *count > 0);
        counts.sort_by_key(|(kind, _)| ReactionKind::ALL.iter().position(|k| k == kind));
        Self { counts, mine: now }
    }
}

/// Sets the caller's reaction to a post they may see, replacing the one
/// they had: the post, their profile and their reaction at once (3
/// GetItem), the author's edge, then 1 TransactWriteItems, then the
/// author's notification (1 BatchWriteItem). Two calls at once leave one
/// reaction: each is conditioned on what it read, and the loser reads again.
pub async fn react(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    kind: ReactionKind,
) -> Result<Reactions, ApiError> {
    for _ in 0..REACTION_ATTEMPTS {
        let (joined, before) =
            tokio::join!(joinable(app, me, post_id), app.store.reaction(post_id, me));
        let (post, profile) = joined?;
        let before = before?.map(|r| r.kind);
        if before == Some(kind) {
            return Ok(Reactions::after(&post, None, None).with_mine(kind));
        }
        let reaction = ReactionRecord {
            user_id: profile.id.clone(),
            username: profile.username.clone(),
            display_name: profile.display_name.as_ref().map(|n| n.as_str().to_owned()),
            kind,
            created_at: Timestamp::now(),
        };
        match app.store.set_reaction(post_id, &reaction, before).await {
            Ok(()) => {
                notifications::reacted(app, &post, &profile).await;
                return Ok(Reactions::after(&post, before, Some(kind)));
            }
            Err(ConversationError::ReactionChanged) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(ConversationError::ReactionChanged.into())
}

impl Reactions {
    fn with_mine(mut self, kind: ReactionKind) -> Self {
        self.mine = Some(kind);
        self
    }
}

/// Removes the caller's reaction, if they had one, from a post they may see
/// (the post and their reaction at once, the edge, then 1
/// TransactWriteItems, then the author's reactions notification if it
/// named the caller: 1 conditional DeleteItem).
pub async fn unreact(app: &App, me: &UserId, post_id: &PostId) -> Result<Reactions, ApiError> {
    for _ in 0..REACTION_ATTEMPTS {
        let (post, before) =
            tokio::join!(visible(app, me, post_id), app.store.reaction(post_id, me));
        let post = post?;
        let Some(before) = before?.map(|r| r.kind) else {
            return Ok(Reactions::after(&post, None, None));
        };
        match app.store.remove_reaction(post_id, me, before).await {
            Ok(()) => {
                let forget = app
                    .store
                    .forget_reaction_notice(&post.author_id, post_id, me);
                best_effort("forget notifications", forget).await;
                return Ok(Reactions::after(&post, Some(before), None));
            }
            Err(ConversationError::ReactionChanged) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(ConversationError::ReactionChanged.into())
}

/// Who reacted to a post the caller may see, a page at a time (the post
/// and the page at once, then the edge with the profiles of the author and
/// of those who reacted: 3 requests, 2 deep).
pub async fn reactions(
    app: &App,
    me: &UserId,
    post_id: &PostId,
    limit: Option<usize>,
    cursor: Option<&str>,
) -> Result<Listing<ReactionRecord>, ApiError> {
    let list = format!("reactions:{post_id}");
    let pager = Pager::open(app.keys.cursor_key(), me, list, limit, cursor)?;
    let (post, page) = tokio::join!(
        app.store.post(post_id),
        app.store
            .reactions(post_id, pager.start.as_deref(), pager.limit)
    );
    let post = post?.ok_or_else(ApiError::post_not_found)?;
    let mut page = page?;
    let (edge, names) = access(
        app,
        me,
        &post,
        page.items.iter().map(|r| &r.user_id).collect(),
    )
    .await?;
    if !may_see(me, &post, edge.as_ref(), &names) {
        return Err(ApiError::post_not_found());
    }
    page.items.retain(|r| names.exists(&r.user_id));
    for reaction in &mut page.items {
        reaction.display_name = names.display_name(&reaction.user_id);
    }
    Ok(Listing {
        next_cursor: pager.next_cursor(page.next.as_deref()),
        items: page.items,
    })
}

/// The notification key of a comment for one of the people it notifies.
pub(crate) fn comment_notice(
    post: &PostRecord,
    comment: &CommentRecord,
    to: &UserId,
) -> NotificationKey {
    if *to == post.author_id {
        NotificationKey::Comment(comment.id.clone())
    } else {
        NotificationKey::Thread(comment.id.clone())
    }
}
