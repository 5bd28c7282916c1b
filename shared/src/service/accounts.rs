//! Accounts: a sign-up code, registration, sign-in, a password reset, and
//! one's own account. No answer tells whether an address or a username has
//! an account: not its body, not its status, and not its work — the paths
//! for an account and for none make the same DynamoDB requests (the
//! deterministic stand-in for their timing; `tests/api/enumeration.rs`).

use axum::http::StatusCode;

use crate::auth::{hash_password, verify_password};
use crate::config::RateLimit;
use crate::domain::Timestamp;
use crate::domain::ValidationError;
use crate::domain::account::{Email, Login, PASSWORD_MAX_LEN, Password, Username};
use crate::domain::ids::UserId;
use crate::domain::one_time_code::CodePurpose;
use crate::email::Email as Message;
use crate::rate_limit::{self, Rule};
use crate::service::codes::{self, Answer, CodeRefused};
use crate::service::invitations;
use crate::store::UserRecord;
use crate::{ApiError, App};

/// Longest sign-in identifier read (an email address at most).
pub const LOGIN_MAX_LEN: usize = 254;

/// An id no account has (ULIDs are never all zeros): the profile read for
/// a login without an account, so both paths read alike.
fn nobody() -> UserId {
    UserId::from_stored("00000000000000000000000000".to_owned())
}

/// A username claim nobody holds (usernames are at least 3 characters).
fn nobody_username() -> Username {
    Username::from_stored("-".to_owned())
}

/// The sign-in lock: failed tries per account (or per made-up login). One
/// definition, because a completed reset must clear exactly the window that
/// sign-in counts in.
fn sign_in_failures(app: &App) -> Rule {
    rule(
        "login-failures",
        app.config.rate_limits.login_failures_per_account,
    )
}

/// A rate-limit rule of the accounts' use cases.
pub fn rule(name: &'static str, limit: RateLimit) -> Rule {
    Rule { name, limit }
}

/// Sends a sign-up code to `email`, or, if the address has an account
/// already, an email saying so: the answer is the same either way. Counted
/// per client address and per email address.
pub async fn request_sign_up_code(
    app: &App,
    client_ip: &str,
    email: &str,
) -> Result<Email, ApiError> {
    let per_email = rule("code-email", app.config.rate_limits.code_per_email);
    let email = counted_code_request(app, client_ip, email, per_email).await?;
    if app.store.user_id_by_email(&email).await?.is_some() {
        // A code nobody receives: the same store work as sending one.
        codes::store_unsent(app, CodePurpose::Register, &email).await?;
        app.mailer
            .send(email.as_str(), Message::already_registered())
            .await?;
    } else {
        codes::send(app, CodePurpose::Register, &email).await?;
    }
    Ok(email)
}

/// A request for an emailed code, counted per client address (shared by
/// every code flow) and per email address (`per_email`): 2 UpdateItems.
async fn counted_code_request(
    app: &App,
    client_ip: &str,
    email: &str,
    per_email: Rule,
) -> Result<Email, ApiError> {
    let email = Email::parse(email)?;
    let per_ip = rule("code-ip", app.config.rate_limits.code_per_ip);
    rate_limit::count(&app.store, per_ip, client_ip).await?;
    rate_limit::count(&app.store, per_email, email.as_str()).await?;
    Ok(email)
}

/// What a registration gives.
pub struct NewAccount<'a> {
    /// The address the code was sent to.
    pub email: &'a str,
    /// The username chosen.
    pub username: &'a str,
    /// The password chosen.
    pub password: &'a str,
    /// The code from the email.
    pub code: &'a str,
    /// The token of the invitation link they came through, if any.
    pub invitation: Option<&'a str>,
}

/// Creates the account and consumes the code in one transaction, counted
/// against the client address's registrations.
pub async fn register(
    app: &App,
    client_ip: &str,
    account: NewAccount<'_>,
) -> Result<UserRecord, ApiError> {
    let email = Email::parse(account.email)?;
    let username = Username::parse(account.username)?;
    let code = codes::well_formed(account.code)?;
    let password = Password::parse(
        "password",
        account.password,
        &[email.as_str(), username.as_str()],
    )?;
    // The limit counts accounts created, not attempts: a mistyped code must
    // not lock a person out for an hour, and code guessing is already capped
    // by the code's own five tries.
    let registrations = rule("register-ip", app.config.rate_limits.register_per_ip);
    // A cheap early answer that spares the password hash; the registration
    // itself is counted inside its own transaction (`create_user`), so a
    // burst from one address cannot all pass this check together.
    rate_limit::ensure_not_exhausted(&app.store, registrations, client_ip).await?;
    let count = rate_limit::count_with_write(registrations, client_ip);

    let code = codes::check(
        app,
        client_ip,
        CodePurpose::Register,
        &email,
        code,
        Answer::Detailed,
    )
    .await?;
    // An invitation that cannot sign this address up is refused before
    // anything is written (the code stays usable, to sign up without it).
    let invitation = match account.invitation {
        Some(token) => Some(invitations::usable_link(app, token, &email).await?),
        None => None,
    };
    // A deleted account's username is held for a while (see
    // `deletion::USERNAME_HOLD_DAYS`): nobody can take it to pass as them.
    // The hold is checked inside the registration's transaction.
    let hold = app.keys.username_hold(username.as_str());
    let password_hash = hash(password).await?;
    let user = UserRecord {
        id: UserId::new(),
        username,
        email: email.clone(),
        credentials: 0,
        created_at: Timestamp::now(),
        email_settings: Default::default(),
        display_name: None,
        bio: None,
        suspended: false,
    };
    app.store
        .create_user_unless_held(&user, &password_hash, code.to_consume(), count, Some(&hold))
        .await?;
    tracing::info!(user_id = %user.id, "account created");
    if let Some(link) = invitation {
        invitations::join(app, &link, &user).await;
    }
    Ok(user)
}

async fn hash(password: Password) -> Result<String, ApiError> {
    hash_password(password).await.map_err(|error| {
        tracing::error!(%error, "hashing failed");
        ApiError::internal()
    })
}

/// Who `login` (an email address or a username) and `password` sign in as.
///
/// Every try from the client address counts against its limit. Every try on
/// an account counts as a failure *before* the password is checked, so a
/// burst of guesses cannot all be checked before any is counted; the right
/// password gives its count back. An unknown login is checked against a
/// dummy hash, so it costs the time a wrong password does.
pub async fn sign_in(
    app: &App,
    client_ip: &str,
    login: &str,
    password: String,
) -> Result<UserRecord, ApiError> {
    if login.chars().count() > LOGIN_MAX_LEN {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("Field `login`: at most {LOGIN_MAX_LEN} characters."),
        ));
    }
    if password.chars().count() > PASSWORD_MAX_LEN {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("Field `password`: at most {PASSWORD_MAX_LEN} characters."),
        ));
    }
    let limits = app.config.rate_limits;
    let login = Login::parse(login);
    // The same reads whether the login names an account or not: a claim,
    // then a profile and a password hash (nobody's, when there is no
    // claim). The client's count goes beside the claim's read.
    let (counted, claim) = tokio::join!(
        rate_limit::count(&app.store, rule("login-ip", limits.login_per_ip), client_ip),
        async {
            match &login {
                Some(Login::Email(email)) => app.store.user_id_by_email(email).await,
                Some(Login::Username(username)) => app
                    .store
                    .user_by_username(username)
                    .await
                    .map(|claim| claim.map(|(id, _)| id)),
                None => app
                    .store
                    .user_by_username(&nobody_username())
                    .await
                    .map(|claim| claim.map(|(id, _)| id)),
            }
        },
    );
    counted?;
    let claim = claim?;
    // Every try counts as a failure before the password is checked — for an
    // account by its id, for a login without one by the login itself — so
    // the lock answers alike and tells nobody which accounts exist. The
    // count goes beside the profile's read.
    let failures = sign_in_failures(app);
    let subject = match (&claim, &login) {
        (Some(id), _) => id.to_string(),
        (None, Some(Login::Email(email))) => format!("login:{}", email.as_str()),
        (None, Some(Login::Username(username))) => format!("login:{}", username.as_str()),
        (None, None) => "login:invalid".to_owned(),
    };
    let nobody = nobody();
    let account = claim.as_ref().unwrap_or(&nobody);
    let (user, stored_hash, taken) = tokio::join!(
        app.store.user(account),
        app.store.password_hash(account),
        rate_limit::take(&app.store, failures, &subject),
    );
    let (user, mut stored_hash) = (user?, stored_hash?);
    if stored_hash.is_none() && user.is_some() {
        // An account from before the hash had an item of its own.
        stored_hash = app.store.legacy_password_hash(account).await?;
    }
    let user_id = claim.as_ref();
    let taken = taken.map_err(|error| match error.retry_after {
        Some(retry_after) if error.status == StatusCode::TOO_MANY_REQUESTS => {
            tracing::warn!(
                event = "sign_in_locked",
                client_ip,
                user_id = user_id.map(tracing::field::display),
                "sign-in locked"
            );
            ApiError::sign_in_locked(retry_after)
        }
        _ => error,
    })?;
    let stored_hash = stored_hash.filter(|_| user.is_some());
    if !verify_password(stored_hash, password).await {
        tracing::warn!(
            event = "sign_in_failed",
            client_ip,
            user_id = user_id.map(tracing::field::display),
            "sign-in failed"
        );
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "That username or email and password do not match an account. Check both and try again.",
        ));
    }
    let user = user.expect("a matching password implies an account");
    rate_limit::give_back(&app.store, failures, &subject, taken).await?;
    if user.suspended {
        tracing::warn!(event = "sign_in_suspended", client_ip, user_id = %user.id, "suspended account refused");
        return Err(ApiError::account_suspended());
    }
    Ok(user)
}

/// Sends a reset code if `email` has an account, and a notice if not: the
/// answer is the same either way. Counted per client address and per email
/// address.
pub async fn request_password_reset(
    app: &App,
    client_ip: &str,
    email: &str,
) -> Result<Email, ApiError> {
    let per_email = rule("reset-email", app.config.rate_limits.reset_per_email);
    let email = counted_code_request(app, client_ip, email, per_email).await?;
    let user_id = app.store.user_id_by_email(&email).await?;
    tracing::info!(
        event = "reset_requested",
        client_ip,
        user_id = user_id.as_ref().map(tracing::field::display),
        "password reset requested"
    );
    if user_id.is_some() {
        codes::send(app, CodePurpose::PasswordReset, &email).await?;
    } else {
        // A code nobody receives: the same store work as sending one.
        codes::store_unsent(app, CodePurpose::PasswordReset, &email).await?;
        app.mailer
            .send(email.as_str(), Message::no_account())
            .await?;
    }
    Ok(email)
}

/// Sets a new password with the emailed code, consuming it in the same
/// transaction; every session of the account ends and its sign-in lock is
/// lifted. The code is checked before anything about the account or the
/// password is looked at, and every refusal of it is one answer, whether
/// the address has an account or not.
pub async fn reset_password(
    app: &App,
    client_ip: &str,
    email: &str,
    code: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    let email = Email::parse(email)?;
    let code = codes::well_formed(code)?;
    let code = codes::check(
        app,
        client_ip,
        CodePurpose::PasswordReset,
        &email,
        code,
        Answer::Uniform,
    )
    .await?;
    // A right code for an address without an account cannot happen (its
    // code is never sent), but if one were guessed it gets the same answer.
    let not_valid = || ApiError::from(CodeRefused::NotValid);
    let user_id = app
        .store
        .user_id_by_email(&email)
        .await?
        .ok_or_else(not_valid)?;
    let user = app.store.user(&user_id).await?.ok_or_else(not_valid)?;
    let password = Password::parse(
        "new_password",
        new_password,
        &[email.as_str(), user.username.as_str()],
    )?;
    let password_hash = hash(password).await?;
    app.store
        .reset_password(&user_id, &password_hash, code.to_consume())
        .await?;
    let failures = sign_in_failures(app);
    let (revoked, lifted, noticed) = tokio::join!(
        app.store.delete_all_sessions(&user_id),
        rate_limit::clear(&app.store, failures, user_id.as_str()),
        app.mailer
            .send(user.email.as_str(), Message::password_changed()),
    );
    if let Err(error) = noticed {
        // The password is changed either way; the notice is not worth
        // failing the reset (and its retry would find the code used up).
        tracing::warn!(%error, user_id = %user_id, "password-changed notice not sent");
    }
    let (revoked, ()) = (revoked?, lifted?);
    tracing::info!(event = "reset_completed", client_ip, user_id = %user_id, revoked, "password reset; sessions revoked, sign-in lock lifted");
    Ok(())
}

/// The signed-in person's own account (1 GetItem).
pub async fn account(app: &App, me: &UserId) -> Result<UserRecord, ApiError> {
    app.store
        .user(me)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

/// Checks the signed-in person's own password, as sign-in does: counted
/// against the account's sign-in lock before it is checked, given back when
/// right, so this route guesses no faster than sign-in (1 UpdateItem beside
/// the profile's and the password's GetItem, 1 UpdateItem back).
pub(crate) async fn own_password(
    app: &App,
    client_ip: &str,
    me: &UserId,
    field: &'static str,
    password: String,
) -> Result<UserRecord, ApiError> {
    if password.chars().count() > PASSWORD_MAX_LEN {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("Field `{field}`: at most {PASSWORD_MAX_LEN} characters."),
        ));
    }
    let failures = sign_in_failures(app);
    let (user, stored_hash, taken) = tokio::join!(
        app.store.user(me),
        app.store.password_hash(me),
        rate_limit::take(&app.store, failures, me.as_str()),
    );
    let user = user?.ok_or_else(ApiError::unauthenticated)?;
    let mut stored_hash = stored_hash?;
    if stored_hash.is_none() {
        stored_hash = app.store.legacy_password_hash(me).await?;
    }
    let taken = taken.map_err(|error| match error.retry_after {
        Some(retry_after) if error.status == StatusCode::TOO_MANY_REQUESTS => {
            ApiError::sign_in_locked(retry_after)
        }
        _ => error,
    })?;
    if !verify_password(stored_hash, password).await {
        tracing::warn!(event = "password_check_failed", client_ip, user_id = %me, "wrong current password");
        return Err(ApiError::bad_request(
            "wrong_password",
            format!("Field `{field}`: that is not your current password. Check it and try again."),
        ));
    }
    rate_limit::give_back(&app.store, failures, me.as_str(), taken).await?;
    Ok(user)
}

/// Changes the signed-in person's password, which needs the current one:
/// the new hash and the credential version moved on in one transaction, so
/// every session begun before it can no longer refresh; their items are
/// deleted and the owner is told by email. The caller gets a new session.
pub async fn change_password(
    app: &App,
    client_ip: &str,
    me: &UserId,
    current: String,
    new_password: &str,
) -> Result<UserRecord, ApiError> {
    let user = own_password(app, client_ip, me, "current_password", current).await?;
    let password = Password::parse(
        "new_password",
        new_password,
        &[user.email.as_str(), user.username.as_str()],
    )?;
    let password_hash = hash(password).await?;
    app.store.set_password(me, &password_hash, None).await?;
    let (revoked, noticed) = tokio::join!(
        app.store.delete_all_sessions(me),
        app.mailer
            .send(user.email.as_str(), Message::password_changed()),
    );
    if let Err(error) = noticed {
        tracing::warn!(%error, user_id = %me, "password-changed notice not sent");
    }
    let revoked = revoked?;
    tracing::info!(event = "password_changed", client_ip, user_id = %me, revoked, "password changed; other sessions revoked");
    // The profile as it is now: the new credential version for the session.
    app.store
        .user(me)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}

/// Sends a code to the address the signed-in person wants to move to,
/// bound to their account, once their password is checked. The answer is
/// the same whether the address is free or has an account (which gets the
/// "already registered" notice instead, as at sign-up); counted per client
/// address and per new address like every code.
pub async fn request_email_change(
    app: &App,
    client_ip: &str,
    me: &UserId,
    new_email: &str,
    password: String,
) -> Result<Email, ApiError> {
    let new_email = new_address(new_email)?;
    let user = own_password(app, client_ip, me, "password", password).await?;
    if user.email == new_email {
        return Err(ApiError::bad_request(
            "same_email",
            "Field `new_email`: that is already your address.",
        ));
    }
    // The code windows (per client, per address) and the address's claim,
    // read at once.
    let limits = app.config.rate_limits;
    let (per_ip, per_email, claim) = tokio::join!(
        rate_limit::count(&app.store, rule("code-ip", limits.code_per_ip), client_ip),
        rate_limit::count(
            &app.store,
            rule("code-email", limits.code_per_email),
            new_email.as_str()
        ),
        app.store.user_id_by_email(&new_email),
    );
    per_ip?;
    per_email?;
    if claim?.is_some() {
        codes::store_unsent(app, CodePurpose::EmailChange, &new_email).await?;
        app.mailer
            .send(new_email.as_str(), Message::already_registered())
            .await?;
    } else {
        codes::send_bound(app, CodePurpose::EmailChange, &new_email, Some(me)).await?;
    }
    tracing::info!(event = "email_change_requested", client_ip, user_id = %me, "email change requested");
    Ok(new_email)
}

/// Moves the signed-in person to the new address with the code sent there:
/// the claims, the profile and the code in one transaction, so of
/// concurrent changes and registrations of one address exactly one
/// commits. The old address is told.
pub async fn confirm_email_change(
    app: &App,
    client_ip: &str,
    me: &UserId,
    new_email: &str,
    code: &str,
) -> Result<UserRecord, ApiError> {
    let new_email = new_address(new_email)?;
    let code = codes::well_formed(code)?;
    let code = codes::check_bound(
        app,
        client_ip,
        CodePurpose::EmailChange,
        &new_email,
        code,
        Answer::Detailed,
        Some(me),
    )
    .await?;
    let user = app
        .store
        .user(me)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    app.store
        .change_email(&user, &new_email, code.to_consume())
        .await?;
    if let Err(error) = app
        .mailer
        .send(user.email.as_str(), Message::email_changed())
        .await
    {
        tracing::warn!(%error, user_id = %me, "email-changed notice not sent");
    }
    tracing::info!(event = "email_changed", client_ip, user_id = %me, "email address changed");
    Ok(UserRecord {
        email: new_email,
        ..user
    })
}

/// The address an account moves to, read as sign-up reads one; its errors
/// name the field it came in.
fn new_address(raw: &str) -> Result<Email, ValidationError> {
    Email::parse(raw).map_err(|error| ValidationError {
        field: "new_email",
        ..error
    })
}

/// What a profile change asks: each field kept (absent), set, or removed
/// (`null`).
pub struct ProfileEdit<'a> {
    /// The display name.
    pub display_name: Option<Option<&'a str>>,
    /// The bio.
    pub bio: Option<Option<&'a str>>,
}

/// Changes what the signed-in person says about themselves (1 UpdateItem).
pub async fn update_profile(
    app: &App,
    me: &UserId,
    edit: ProfileEdit<'_>,
) -> Result<UserRecord, ApiError> {
    use crate::domain::profile::{Bio, DisplayName};
    use crate::store::FieldChange;
    let display_name = match edit.display_name {
        None => FieldChange::Keep,
        Some(None) => FieldChange::Remove,
        Some(Some(raw)) => FieldChange::Set(DisplayName::parse(raw)?),
    };
    let bio = match edit.bio {
        None => FieldChange::Keep,
        Some(None) => FieldChange::Remove,
        Some(Some(raw)) => match Bio::parse(raw)? {
            Some(bio) => FieldChange::Set(bio),
            None => FieldChange::Remove,
        },
    };
    app.store
        .update_profile(me, &display_name, &bio)
        .await?
        .ok_or_else(ApiError::unauthenticated)
}
