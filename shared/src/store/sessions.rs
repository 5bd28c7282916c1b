//! Refresh sessions: created at sign-in, rotated on refresh, deleted one by one or all at once.

use super::*;
use crate::domain::Timestamp;
use crate::domain::ids::{FamilyId, UserId};

/// A live session family as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hash of the current refresh secret.
    pub secret_hash: String,
    /// Hash of the secret the current one replaced, once rotated.
    pub previous_hash: Option<String>,
    /// The end of the session's lifetime, fixed at sign-in: rotation never
    /// moves it (also the item's TTL).
    pub expires_at: Timestamp,
    /// The account's credential version when the session began; a password
    /// reset moves the account's on, and every older session stops.
    pub credentials: i64,
}

impl Store {
    /// Starts a session family (1 PutItem).
    pub async fn create_session(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Item::from([
                pk(keys::user(user_id)),
                sk(keys::session(family_id)),
                ("secret_hash".into(), s(&session.secret_hash)),
                (keys::EXPIRES_AT.into(), n(session.expires_at.0)),
                ("credentials".into(), n(session.credentials)),
            ])))
            .send()
            .await?;
        Ok(())
    }

    /// A live session family (1 GetItem): `None` once it ended, even while
    /// DynamoDB's lazy TTL deletion has not removed it yet.
    pub async fn session(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let Some(item) = self
            .get(keys::user(user_id), &keys::session(family_id))
            .await?
        else {
            return Ok(None);
        };
        let expires_at = Timestamp(attr_n(&item, keys::EXPIRES_AT)?);
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some(SessionRecord {
            secret_hash: attr_s(&item, "secret_hash")?,
            previous_hash: attr_s(&item, "previous_hash").ok(),
            expires_at,
            credentials: attr_n(&item, "credentials").unwrap_or(0),
        }))
    }

    /// Replaces the family's secret hash if it is still `old_hash`, keeping
    /// `old_hash` as the previous one (1 conditional UpdateItem); the
    /// session's end does not move. `false` when another refresh won the race.
    pub async fn rotate_session(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::session(family_id)))
            .update_expression("SET secret_hash = :new, previous_hash = :old")
            .condition_expression("secret_hash = :old")
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(old_hash))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Ends one session family (1 DeleteItem).
    pub async fn delete_session(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::session(family_id)))
            .send()
            .await?;
        Ok(())
    }

    /// Ends every session of a user: 1 Query per page of keys, then 1
    /// BatchWriteItem per 25 sessions (the DynamoDB batch limit).
    pub async fn delete_all_sessions(&self, user_id: &UserId) -> Result<usize, StoreError> {
        let mut keys_to_delete = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(keys::user(user_id)))
                .expression_attribute_values(":prefix", s(keys::SESSION_PREFIX))
                .projection_expression("PK, SK")
                .set_exclusive_start_key(start)
                .send()
                .await?;
            keys_to_delete.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let count = keys_to_delete.len();
        self.batch_delete(keys_to_delete).await?;
        Ok(count)
    }
}
