//! Deleting one's own account. Confirming it (password, or a code sent to
//! the account's address) commits one transaction that removes the profile,
//! the password and both claims: from then on sign-in fails, refreshing
//! fails, and every read path leaves the person out (they read profiles for
//! names; see `store::people`). The clean-up then removes everything else by
//! key, step by step, each step idempotent; a job item remembers the
//! account until a pass finds nothing left, so a clean-up a fault stopped is
//! resumed by the next pass (`resume`, run after each deletion and on a
//! schedule).

use futures::{StreamExt, TryStreamExt};

use super::accounts::{own_password, rule};
use super::codes::{self, Answer};
use super::fanout;
use crate::domain::Timestamp;
use crate::domain::conversation::NotificationKey;
use crate::domain::ids::UserId;
use crate::domain::one_time_code::CodePurpose;
use crate::email::Email as Message;
use crate::store::{ConversationError, DeletionJob, REQUESTS_IN_FLIGHT, StoreError, keys};
use crate::{ApiError, App, rate_limit};

/// Days a deleted account's username stays unavailable, so nobody can take
/// it to pass as the person to those who knew them.
pub const USERNAME_HOLD_DAYS: i64 = 30;

/// How the person confirms.
pub enum Confirmation {
    /// Their password (counted against the account's sign-in lock).
    Password(String),
    /// A code sent to the account's address.
    Code(String),
}

/// Sends a deletion code to the account's own address, bound to the
/// account; counted per client address and per address like every code.
pub async fn send_code(app: &App, client_ip: &str, me: &UserId) -> Result<(), ApiError> {
    let user = app
        .store
        .user(me)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let limits = &app.config.rate_limits;
    let (per_ip, per_email) = tokio::join!(
        rate_limit::count(&app.store, rule("code-ip", limits.code_per_ip), client_ip),
        rate_limit::count(
            &app.store,
            rule("code-email", limits.code_per_email),
            user.email.as_str()
        ),
    );
    per_ip?;
    per_email?;
    codes::send_bound(app, CodePurpose::AccountDeletion, &user.email, Some(me)).await?;
    tracing::info!(event = "deletion_code_sent", client_ip, user_id = %me, "account deletion code sent");
    Ok(())
}

/// Deletes the caller's account once confirmed: gone for everyone when this
/// returns, and everything of it removed unless a fault interrupts the
/// clean-up, which the next pass then finishes.
pub async fn delete_account(
    app: &App,
    client_ip: &str,
    me: &UserId,
    confirmation: Confirmation,
) -> Result<(), ApiError> {
    let user = match confirmation {
        Confirmation::Password(password) => {
            own_password(app, client_ip, me, "password", password).await?
        }
        Confirmation::Code(code) => {
            let code = codes::well_formed(&code)?;
            let user = app
                .store
                .user(me)
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            codes::check_bound(
                app,
                client_ip,
                CodePurpose::AccountDeletion,
                &user.email,
                code,
                Answer::Detailed,
                Some(me),
            )
            .await?;
            user
        }
    };
    let now = Timestamp::now();
    let hold = app.keys.username_hold(user.username.as_str());
    let hold_until = now.plus_seconds(USERNAME_HOLD_DAYS * 24 * 3600);
    if !app
        .store
        .confirm_deletion(&user, &hold, hold_until, now)
        .await?
    {
        return Err(ApiError::unauthenticated());
    }
    tracing::info!(event = "account_deleted", client_ip, user_id = %me, "account deleted; clean-up begins");
    if let Err(error) = app
        .mailer
        .send(user.email.as_str(), Message::account_deleted())
        .await
    {
        tracing::warn!(%error, user_id = %me, "account-deleted notice not sent");
    }
    let job = DeletionJob {
        user_id: user.id,
        username: user.username,
        email: user.email,
        confirmed_at: now,
    };
    if let Err(error) = clean_up(app, &job, now).await {
        tracing::warn!(%error, user_id = %me, "account clean-up interrupted; the next pass resumes it");
    }
    Ok(())
}

/// One pass over every unfinished deletion (what the schedule runs).
/// Returns how many finished.
pub async fn resume(app: &App, now: Timestamp) -> Result<usize, StoreError> {
    let mut finished = 0;
    for job in app.store.deletion_jobs().await? {
        match clean_up(app, &job, now).await {
            Ok(true) => finished += 1,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, user_id = %job.user_id, "account clean-up interrupted; the next pass resumes it");
            }
        }
    }
    Ok(finished)
}

/// Removes what is left of a deleted account, by key: its connections
/// (each other side's edge with their counter, in one transaction, after
/// pruning the person's posts from their feed), its requests either way
/// (likewise), its posts with what is under them, its comments and
/// reactions under other people's posts (with those posts' counters), the
/// notifications it caused, its partitions (profile items, sessions,
/// tags, notifications received, its feed), the rate windows and codes keyed
/// by it. Each step is idempotent. The job is finished (its item deleted)
/// only by a pass that runs once every access token issued before the
/// deletion has expired, so anything such a token still wrote goes too.
/// Returns whether the job finished.
pub async fn clean_up(app: &App, job: &DeletionJob, now: Timestamp) -> Result<bool, StoreError> {
    let store = &app.store;
    let me = &job.user_id;
    let remains = store.remains(me).await?;
    let in_flight = REQUESTS_IN_FLIGHT;

    futures::stream::iter(remains.connections.clone())
        .map(|other| async move {
            // What hangs off the connection first, the edges last: a pass
            // finds its work through them.
            fanout::prune(store, &other, me, None).await?;
            store
                .forget(&[
                    (other.clone(), NotificationKey::Request(me.clone())),
                    (other.clone(), NotificationKey::Accepted(me.clone())),
                ])
                .await?;
            store.drop_connection(me, &other).await
        })
        .buffer_unordered(in_flight)
        .try_collect::<Vec<()>>()
        .await?;
    futures::stream::iter(remains.requested.clone())
        .map(|other| async move {
            store
                .forget(&[(other.clone(), NotificationKey::Request(me.clone()))])
                .await?;
            store.drop_request(me, &other, true).await
        })
        .buffer_unordered(in_flight)
        .try_collect::<Vec<()>>()
        .await?;
    futures::stream::iter(remains.requested_by.clone())
        .map(|other| async move { store.drop_request(me, &other, false).await })
        .buffer_unordered(in_flight)
        .try_collect::<Vec<()>>()
        .await?;

    // Their posts, with the comments and reactions under them and the
    // notifications about them (their commenters').
    futures::stream::iter(remains.posts.clone())
        .map(|post_id| async move {
            let post_id = &post_id;
            // The notifications first: once the post is gone, nothing
            // would lead a later pass back to them.
            if let Some(post) = store.post(post_id).await? {
                for commenter in post.conversation.commenters.iter().filter(|c| *c != me) {
                    let about = store.notices_about_post(commenter, post_id).await?;
                    let which: Vec<(UserId, NotificationKey)> =
                        about.into_iter().map(|r| (r.recipient, r.key)).collect();
                    store.forget(&which).await?;
                }
                // The post goes last: its GSI1 entry is how a pass finds
                // what is under it.
                store.remove_conversation(post_id).await?;
                store.delete_post(me, post_id).await?;
            }
            Ok::<(), StoreError>(())
        })
        .buffer_unordered(in_flight)
        .try_collect::<Vec<()>>()
        .await?;

    // Their comments under other people's posts.
    futures::stream::iter(remains.comments.clone())
        .map(|(post_id, comment_id)| async move {
            let (post_id, comment_id) = (&post_id, &comment_id);
            // Its notifications and her place among the commenters first;
            // the comment last, since its GSI1 entry leads a pass here.
            if let Some(post) = store.post(post_id).await? {
                let mut told = vec![(
                    post.author_id.clone(),
                    NotificationKey::Comment(comment_id.clone()),
                )];
                told.extend(
                    post.conversation
                        .commenters
                        .iter()
                        .map(|c| (c.clone(), NotificationKey::Thread(comment_id.clone()))),
                );
                store.forget(&told).await?;
                store.forget_commenter(post_id, me).await?;
            }
            match store.delete_comment(me, post_id, comment_id).await {
                Ok(()) | Err(ConversationError::PostGone | ConversationError::CommentGone) => {}
                Err(ConversationError::Store(error)) => return Err(error),
                Err(ConversationError::ReactionChanged) => {}
            }
            Ok(())
        })
        .buffer_unordered(in_flight)
        .try_collect::<Vec<()>>()
        .await?;

    // Their reactions under other people's posts.
    futures::stream::iter(remains.reactions.clone())
        .map(|(post_id, kind)| async move {
            let post_id = &post_id;
            if let Some(post) = store.post(post_id).await? {
                store
                    .forget_reaction_notice(&post.author_id, post_id, me)
                    .await?;
            }
            match store.remove_reaction(post_id, me, kind).await {
                Ok(()) | Err(ConversationError::PostGone | ConversationError::ReactionChanged) => {}
                Err(ConversationError::CommentGone) => {}
                Err(ConversationError::Store(error)) => return Err(error),
            }
            Ok(())
        })
        .buffer_unordered(in_flight)
        .try_collect::<Vec<()>>()
        .await?;

    // The request and acceptance notices that outlived what they were about
    // (declined, disconnected), found through the person's partition (so
    // before it goes): the notes of those they caused, the ones they
    // received; both kinds, both ways, with each such person.
    store.forget_notices_with(me, &remains.noticed).await?;
    store
        .forget_blocks(me, &remains.blocked, &remains.blocked_by)
        .await?;
    // Their invitations' links stop working, the invited addresses' notes
    // of them go (an address's opt-out is the address's own), and so do the
    // open reports they filed.
    store.forget_keys(remains.elsewhere.clone()).await?;

    // What is keyed by the person: their partitions, rate windows, codes.
    let user = me.as_str();
    let email = job.email.as_str();
    let mut partitions = vec![
        keys::user(me),
        keys::feed(me),
        keys::credentials(me),
        keys::rate("login-failures", user),
        // Sign-in attempts after the deletion count under the login itself.
        keys::rate(
            "login-failures",
            &format!("login:{}", job.username.as_str()),
        ),
        keys::rate("login-failures", &format!("login:{email}")),
        keys::rate(crate::rate_limit::CLIENT_CALLS, &format!("user:{user}")),
        keys::rate("code-email", email),
        keys::rate("reset-email", email),
        keys::rate("export", user),
        keys::rate("reports", user),
        keys::rate("invitations", user),
    ];
    for purpose in [
        CodePurpose::Register,
        CodePurpose::PasswordReset,
        CodePurpose::EmailChange,
        CodePurpose::AccountDeletion,
    ] {
        partitions.push(keys::code(purpose, &job.email));
    }
    store.remove_partitions(partitions).await?;

    let settled = now.0 > job.confirmed_at.0 + app.keys.access_ttl_seconds() as i64 + 60;
    if settled {
        store.finish_deletion(me).await?;
        tracing::info!(event = "account_clean_up_finished", user_id = %me, "nothing of the account is left");
    }
    Ok(settled)
}
