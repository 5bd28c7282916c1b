//! Finding people and seeing how one relates to them. No fuzzy search on
//! purpose: you find people you already know.

use crate::domain::account::{USERNAME_MAX_LEN, Username};
use crate::domain::ids::UserId;
use crate::store::{Relationship, UserRecord};
use crate::{ApiError, App};

/// The person whose username is exactly `query` (any case, a leading `@`
/// tolerated), never the caller, and how the caller relates to them: 1
/// GetItem of the username's claim, and 1 BatchGetItem when found.
pub async fn find(
    app: &App,
    me: &UserId,
    query: &str,
) -> Result<Option<(UserRecord, Relationship)>, ApiError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "Parameter `q`: enter the username you are looking for.",
        ));
    }
    if query.chars().count() > USERNAME_MAX_LEN + 1 {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("Parameter `q`: a username has at most {USERNAME_MAX_LEN} characters."),
        ));
    }
    // Tolerate a leading "@", as people write usernames that way.
    let query = query.strip_prefix('@').unwrap_or(query);
    let Ok(username) = Username::parse(query) else {
        // Not a possible username, so certainly nobody's.
        return Ok(None);
    };
    let Some((id, _)) = app
        .store
        .user_by_username(&username)
        .await?
        .filter(|(id, _)| id != me)
    else {
        return Ok(None);
    };
    let (profile, relationship) = app.store.relationship(me, &id).await?;
    Ok(profile.map(|profile| (profile, relationship)))
}

/// A person and how the caller relates to them (1 BatchGetItem).
pub async fn person(
    app: &App,
    me: &UserId,
    id: &UserId,
) -> Result<(UserRecord, Relationship), ApiError> {
    let (user, relationship) = app.store.relationship(me, id).await?;
    Ok((user.ok_or_else(ApiError::user_not_found)?, relationship))
}
