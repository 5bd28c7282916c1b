//! Inviting a friend by email, one address at a time (no address book is
//! ever uploaded). The inviter is told "sent" whatever the address: one
//! with an account gets a connection request instead, one that opted out
//! or was invited by them already gets nothing new, and none of that is
//! told apart. The link signs up only the address it was sent to, still
//! with the emailed code, and connects the new account to the inviter (or,
//! at the inviter's cap, leaves a request from them).

use super::fanout;
use super::graph;
use super::notifications;
use crate::domain::Timestamp;
use crate::domain::account::Email;
use crate::domain::ids::{InvitationId, UserId};
use crate::domain::invitation::{INVITATION_DAYS, InvitationToken, OptOutTokens};
use crate::email::Email as Message;
use crate::rate_limit;
use crate::service::accounts::rule;
use crate::store::{InvitationRecord, InvitationStatus, InviteLink, InviteUse, UserRecord};
use crate::{ApiError, App};

/// Invites `email` (the count, 1 UpdateItem, beside 1 BatchGetItem of the
/// address's account, opt-out and live invitation by the caller; then 1
/// TransactWriteItems and the email; or, for an address with an account,
/// the transaction and a connection request's own calls).
pub async fn invite(app: &App, me: &UserId, email: &str) -> Result<Email, ApiError> {
    let email = Email::parse(email)?;
    let now = Timestamp::now();
    let limit = app.config.rate_limits.invitations_per_account;
    // Every try counts, sent or not: nothing tells the tries apart.
    let (counted, state) = tokio::join!(
        rate_limit::count(&app.store, rule("invitations", limit), me.as_str()),
        app.store.address_state(me, &email, now),
    );
    counted?;
    let state = state?;
    let inviter = state.inviter.ok_or_else(ApiError::unauthenticated)?;
    let skipped = |why: &'static str| {
        tracing::info!(event = "invitation_skipped", user_id = %me, why, "nothing sent");
        Ok(email.clone())
    };
    if state.account.as_ref() == Some(me) {
        return skipped("own address");
    }
    if state.opted_out {
        return skipped("opted out");
    }
    if state.invited_by_me {
        return skipped("invited already");
    }
    let Some(site) = app.config.site_url.as_deref() else {
        return skipped("no SITE_URL for the link");
    };
    let token = state.account.is_none().then(InvitationToken::issue);
    let invitation = InvitationRecord {
        id: InvitationId::new(),
        inviter_id: me.clone(),
        email: email.clone(),
        status: InvitationStatus::Pending,
        created_at: now,
        valid_until: Timestamp(now.0 + INVITATION_DAYS * 24 * 3600),
        token_hash: token.as_ref().map(InvitationToken::hash),
    };
    if !app.store.record_invitation(&invitation, now).await? {
        return skipped("invited already");
    }
    let (Some(token), None) = (token, &state.account) else {
        // A member already: a request instead, and the same answer. Whatever
        // stands between them (connected, blocked, at a cap) is not told.
        let member = state.account.as_ref().expect("an account");
        if let Err(error) = graph::ask(app, me, member).await {
            tracing::info!(event = "invitation_skipped", user_id = %me, why = error.code, "a member: no request");
        }
        tracing::info!(event = "invitation_sent", user_id = %me, member = true, "invitation recorded");
        return Ok(email);
    };
    let link = format!("{site}/join?invitation={}", token.as_str());
    let opt_out = format!(
        "{site}/api/invitations/opt-out?token={}",
        OptOutTokens::new(app.keys.unsubscribe_key()).issue(&email)
    );
    let from = match &inviter.display_name {
        Some(name) => format!("{} (@{})", name.as_str(), inviter.username.as_str()),
        None => format!("@{}", inviter.username.as_str()),
    };
    let message = Message::invitation(&from, &link, INVITATION_DAYS, opt_out);
    if let Err(error) = app.mailer.send(email.as_str(), message).await {
        // Not sent: taken back, so that asking again sends it.
        if let Err(undo) = app.store.cancel_invitation(&invitation, now).await {
            tracing::error!(error = %undo, user_id = %me, "an unsent invitation was not taken back");
        }
        return Err(error.into());
    }
    tracing::info!(event = "invitation_sent", user_id = %me, member = false, "invitation sent");
    Ok(email)
}

/// The caller's invitations, newest first (1 Query).
pub async fn list(app: &App, me: &UserId) -> Result<Vec<InvitationRecord>, ApiError> {
    Ok(app.store.invitations(me, Timestamp::now()).await?)
}

/// Takes back a pending invitation: its link stops working (1 GetItem, 1
/// TransactWriteItems).
pub async fn cancel(app: &App, me: &UserId, id: &InvitationId) -> Result<(), ApiError> {
    let now = Timestamp::now();
    let invitation = app
        .store
        .invitation(me, id, now)
        .await?
        .filter(|i| i.status == InvitationStatus::Pending)
        .ok_or_else(invitation_not_found)?;
    if !app.store.cancel_invitation(&invitation, now).await? {
        return Err(invitation_not_found());
    }
    Ok(())
}

/// `404` for an invitation that is not the caller's, or not pending.
pub fn invitation_not_found() -> ApiError {
    ApiError::not_found(
        "invitation_not_found",
        "There is no pending invitation of yours with this id (it may have been used, taken back or run out).",
    )
}

/// `400` for a link that cannot sign this address up.
fn not_valid() -> ApiError {
    ApiError::bad_request(
        "invitation_not_valid",
        "This invitation cannot be used: it was used already, taken back, ran out, or was sent to \
         another address. Sign up without it, or ask for a new one.",
    )
}

/// The link `raw` names, if it can sign up `email` now (1 GetItem): asked
/// after the sign-up code proved the address, so nobody learns anything
/// of a link without one.
pub(crate) async fn usable_link(
    app: &App,
    raw: &str,
    email: &Email,
) -> Result<InviteLink, ApiError> {
    let token = InvitationToken::parse(raw).ok_or_else(not_valid)?;
    let link = app
        .store
        .invite_link(&token.hash())
        .await?
        .filter(|link| link.valid_until.0 > Timestamp::now().0 && link.email == *email)
        .ok_or_else(not_valid)?;
    Ok(link)
}

/// Connects the person who just signed up through `link` with its inviter
/// (1 GetItem of the inviter, 1 TransactWriteItems, then the inviter's
/// earlier posts into the new feed), or, at the inviter's cap, consumes the
/// link with a request from the inviter (a second transaction, and the
/// request's notification). Best effort: the account exists whatever
/// happens here.
pub(crate) async fn join(app: &App, link: &InviteLink, joiner: &UserRecord) {
    let now = Timestamp::now();
    let inviter = match app.store.user(&link.inviter_id).await {
        Ok(Some(inviter)) => inviter,
        Ok(None) => return,
        Err(error) => {
            tracing::error!(%error, user_id = %joiner.id, "invitation not used");
            return;
        }
    };
    let max = app.config.max_connections;
    let used = app
        .store
        .use_invitation(link, &inviter, joiner, max, now, true)
        .await;
    let outcome = match used {
        Ok(Ok(())) => {
            // The inviter's earlier posts that the rule lets a new
            // connection see (the new account has none of its own).
            let posts = fanout::posts_to_backfill(&app.store, &joiner.id, &inviter.id, &[]).await;
            fanout::best_effort("backfill", fanout::give(&app.store, &joiner.id, posts)).await;
            "connected"
        }
        Ok(Err(InviteUse::InviterFull)) => {
            match app
                .store
                .use_invitation(link, &inviter, joiner, max, now, false)
                .await
            {
                Ok(Ok(())) => {
                    // Told as any request is: a notification, and an email.
                    let notice = notifications::request_notice(&inviter, joiner);
                    let noted = app.store.note_notice_sent(&notice).await;
                    notifications::asked(app, notice, noted, &inviter, joiner).await;
                    "requested"
                }
                Ok(Err(_)) => "gone",
                Err(error) => {
                    tracing::error!(%error, user_id = %joiner.id, "invitation not used");
                    return;
                }
            }
        }
        Ok(Err(InviteUse::Gone)) => "gone",
        Err(error) => {
            tracing::error!(%error, user_id = %joiner.id, "invitation not used");
            return;
        }
    };
    tracing::info!(event = "invitation_used", user_id = %joiner.id, inviter_id = %inviter.id, outcome, "joined through an invitation");
}

/// The address an opt-out link names, if it is one of ours (no request).
pub fn opt_out_link(app: &App, token: &str) -> Result<Email, ApiError> {
    OptOutTokens::new(app.keys.unsubscribe_key())
        .verify(token)
        .ok_or_else(bad_opt_out)
}

/// Opts the link's address out of invitations for good (1 PutItem).
pub async fn opt_out(app: &App, token: &str) -> Result<Email, ApiError> {
    let email = opt_out_link(app, token)?;
    app.store.opt_out_of_invitations(&email).await?;
    tracing::info!(
        event = "invitations_opted_out",
        "an address opted out of invitations"
    );
    Ok(email)
}

fn bad_opt_out() -> ApiError {
    ApiError::bad_request(
        "invalid_token",
        "Parameter `token`: this link is not one of ours, or it was cut short. Copy the whole link from the email.",
    )
}
