//! One-time codes: sent by email, stored as a keyed hash, counted when
//! wrong, and consumed inside the write they allow (a registration, a
//! password change).

use crate::domain::Timestamp;
use crate::domain::account::Email;
use crate::domain::ids::UserId;
use crate::domain::one_time_code::{self, CODE_TTL_SECONDS, CodeCheck, CodePurpose, OneTimeCode};
use crate::email::Email as Message;
use crate::rate_limit::{self, Rule};
use crate::store::CodeToConsume;
use crate::{ApiError, App};

/// Why a presented code does not allow the write it came with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefused {
    /// Not six digits.
    #[error("malformed code")]
    Malformed,
    /// Not the code sent; `tries_left` more may be made on it.
    #[error("wrong code")]
    Wrong {
        /// Tries left on this code (0: it is used up now).
        tries_left: u32,
    },
    /// Expired, replaced by a newer one, consumed, or never sent.
    #[error("code expired or missing")]
    ExpiredOrMissing,
    /// Entered wrongly too many times.
    #[error("code exhausted")]
    Exhausted,
    /// Any of wrong, expired, missing or exhausted, in one answer: where the
    /// difference would tell whether an address has an account.
    #[error("code not valid")]
    NotValid,
}

/// How much a refusal may say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Wrong (with the tries left), expired, or used up: for registration,
    /// where a code exists only if the person asked for one.
    Detailed,
    /// One answer for every refusal ([`CodeRefused::NotValid`]).
    Uniform,
}

/// Refuses a code that is not even shaped like one, before any store call.
pub fn well_formed(code: &str) -> Result<&str, CodeRefused> {
    let code = code.trim();
    match one_time_code::is_well_formed(code) {
        true => Ok(code),
        false => Err(CodeRefused::Malformed),
    }
}

/// Stores a fresh code (replacing any earlier one) and emails it (1
/// PutItem). If the email fails, the code is removed again: nothing
/// half-done remains.
pub async fn send(app: &App, purpose: CodePurpose, email: &Email) -> Result<(), ApiError> {
    send_bound(app, purpose, email, None).await
}

/// [`send`], the code bound to `account`: only that account's
/// [`check`] with it accepts it (an email change, whose code goes to an
/// address the account does not have yet).
pub async fn send_bound(
    app: &App,
    purpose: CodePurpose,
    email: &Email,
    account: Option<&UserId>,
) -> Result<(), ApiError> {
    let code = store_new(app, purpose, email, account).await?;
    if let Err(error) = app
        .mailer
        .send(email.as_str(), Message::code(purpose, code.digits()))
        .await
    {
        if let Err(cleanup) = app.store.delete_code(purpose, email).await {
            tracing::error!(%cleanup, "could not remove a code whose email failed");
        }
        return Err(error.into());
    }
    Ok(())
}

/// A fresh code for `email`, stored as its keyed hash (1 PutItem),
/// replacing any earlier one.
async fn store_new(
    app: &App,
    purpose: CodePurpose,
    email: &Email,
    account: Option<&UserId>,
) -> Result<OneTimeCode, ApiError> {
    let code = OneTimeCode::generate();
    let hash = hash(app, purpose, email, code.digits(), account);
    let expires_at = Timestamp::now().plus_seconds(CODE_TTL_SECONDS);
    app.store
        .put_code(purpose, email, &hash, expires_at)
        .await?;
    Ok(code)
}

/// The keyed hash a code is stored and checked as; a bound code's hash
/// covers the account too.
fn hash(
    app: &App,
    purpose: CodePurpose,
    email: &Email,
    digits: &str,
    account: Option<&UserId>,
) -> String {
    match account {
        None => one_time_code::hash_code(app.keys.code_key(), purpose, email, digits),
        Some(account) => {
            let bound = format!("{account}:{digits}");
            one_time_code::hash_code(app.keys.code_key(), purpose, email, &bound)
        }
    }
}

/// A code checked against the stored one, ready to be consumed atomically
/// with the write it allows.
pub struct CheckedCode<'a> {
    purpose: CodePurpose,
    email: &'a Email,
    hash: String,
}

impl CheckedCode<'_> {
    /// The condition to put in the write's transaction: this code is still
    /// live when the write commits.
    pub fn to_consume(&self) -> CodeToConsume<'_> {
        CodeToConsume {
            purpose: self.purpose,
            email: self.email,
            code_hash: &self.hash,
            now: Timestamp::now(),
        }
    }
}

/// The client address's budget of wrong codes, across every address and
/// purpose: five tries per code and a few codes an hour per address still
/// let one client guess across thousands of addresses without it.
fn wrong_codes(app: &App) -> Rule {
    Rule {
        name: "wrong-codes-ip",
        limit: app.config.rate_limits.wrong_codes_per_ip,
    }
}

/// Checks a presented code: the client's wrong-code budget is taken first
/// (`429` past it, before the code is looked at) beside the read of the
/// stored code (1 UpdateItem and 1 GetItem at once); a wrong try is counted
/// on the code (1 UpdateItem), a right one gives the budget back (1
/// UpdateItem).
pub async fn check<'a>(
    app: &App,
    client_ip: &str,
    purpose: CodePurpose,
    email: &'a Email,
    code: &str,
    answer: Answer,
) -> Result<CheckedCode<'a>, ApiError> {
    check_bound(app, client_ip, purpose, email, code, answer, None).await
}

/// [`check`] of a code sent with [`send_bound`] to `account`.
pub async fn check_bound<'a>(
    app: &App,
    client_ip: &str,
    purpose: CodePurpose,
    email: &'a Email,
    code: &str,
    answer: Answer,
    account: Option<&UserId>,
) -> Result<CheckedCode<'a>, ApiError> {
    let hash = hash(app, purpose, email, code, account);
    let (taken, stored) = tokio::join!(
        rate_limit::take(&app.store, wrong_codes(app), client_ip),
        app.store.code(purpose, email),
    );
    let taken = taken.inspect_err(|error| {
        if error.status.as_u16() == 429 {
            tracing::warn!(
                event = "code_limit_hit",
                client_ip,
                limit = "wrong-codes-ip",
                "wrong-code limit reached"
            );
        }
    })?;
    let stored = stored?;
    let refused = match one_time_code::check_code(stored.as_ref(), &hash, Timestamp::now()) {
        CodeCheck::Valid => {
            rate_limit::give_back(&app.store, wrong_codes(app), client_ip, taken).await?;
            return Ok(CheckedCode {
                purpose,
                email,
                hash,
            });
        }
        CodeCheck::Wrong => {
            app.store.record_wrong_code(purpose, email).await?;
            let tries_left = stored.map_or(0, |s| {
                one_time_code::MAX_WRONG_ATTEMPTS.saturating_sub(s.wrong_attempts + 1)
            });
            CodeRefused::Wrong { tries_left }
        }
        CodeCheck::ExpiredOrMissing => CodeRefused::ExpiredOrMissing,
        CodeCheck::Exhausted => CodeRefused::Exhausted,
    };
    tracing::warn!(event = "code_rejected", client_ip, purpose = purpose.as_str(), reason = %refused, "one-time code rejected");
    Err(match answer {
        Answer::Detailed => refused,
        Answer::Uniform => CodeRefused::NotValid,
    }
    .into())
}

/// Stores a code that is never sent (1 PutItem), so that a request for an
/// address that gets no code makes the same store calls as one that does.
pub async fn store_unsent(app: &App, purpose: CodePurpose, email: &Email) -> Result<(), ApiError> {
    store_new(app, purpose, email, None).await.map(drop)
}
