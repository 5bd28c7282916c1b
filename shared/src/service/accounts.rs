//! Accounts: the sign-in rule.

use axum::http::StatusCode;

use crate::auth::verify_password;
use crate::config::RateLimit;
use crate::domain::account::Login;
use crate::rate_limit::{self, Rule};
use crate::store::UserRecord;
use crate::{ApiError, App};

/// A rate-limit rule of the accounts' use cases.
pub fn rule(name: &'static str, limit: RateLimit) -> Rule {
    Rule { name, limit }
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
    let limits = app.config.rate_limits;
    rate_limit::count(&app.store, rule("login-ip", limits.login_per_ip), client_ip).await?;

    let user_id = match Login::parse(login) {
        Some(Login::Email(email)) => app.store.user_id_by_email(&email).await?,
        Some(Login::Username(username)) => app
            .store
            .user_by_username(&username)
            .await?
            .map(|(id, _)| id),
        None => None,
    };
    let user = match user_id {
        Some(id) => app.store.user(&id).await?,
        None => None,
    };
    let failures = rule("login-failures", limits.login_failures_per_account);
    let taken = match &user {
        Some(user) => Some(rate_limit::take(&app.store, failures, user.id.as_str()).await?),
        None => None,
    };
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    if !verify_password(stored_hash, password).await {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "That username or email and password do not match an account. Check both and try again.",
        ));
    }
    let user = user.expect("a matching password implies an account");
    if let Some(taken) = taken {
        rate_limit::give_back(&app.store, failures, user.id.as_str(), taken).await?;
    }
    Ok(user)
}
