//! Refresh sessions: created at sign-in, rotated on refresh, deleted one by one or all at once.

use super::*;
use crate::domain::Timestamp;
use crate::domain::ids::{FamilyId, UserId};

impl Store {
    /// Starts a session family (1 PutItem).
    pub async fn create_session(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
        secret_hash: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Item::from([
                pk(keys::user(user_id)),
                sk(keys::session(family_id)),
                ("secret_hash".into(), s(secret_hash)),
                (keys::EXPIRES_AT.into(), n(expires_at.0)),
            ])))
            .send()
            .await?;
        Ok(())
    }

    /// The current secret hash of a live session family (1 GetItem).
    pub async fn session_secret_hash(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
        now: Timestamp,
    ) -> Result<Option<String>, StoreError> {
        let Some(item) = self
            .get(keys::user(user_id), &keys::session(family_id))
            .await?
        else {
            return Ok(None);
        };
        // TTL deletion is lazy: an expired item may still be there.
        if Timestamp(attr_n(&item, keys::EXPIRES_AT)?) <= now {
            return Ok(None);
        }
        attr_s(&item, "secret_hash").map(Some)
    }

    /// Replaces the family's secret hash if it is still `old_hash`
    /// (1 conditional UpdateItem). `false` when another refresh won the race.
    pub async fn rotate_session(
        &self,
        user_id: &UserId,
        family_id: &FamilyId,
        old_hash: &str,
        new_hash: &str,
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::session(family_id)))
            .update_expression("SET secret_hash = :new, expires_at = :exp")
            .condition_expression("secret_hash = :old")
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(old_hash))
            .expression_attribute_values(":exp", n(expires_at.0))
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
