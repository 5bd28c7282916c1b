//! Rate-limit counters: fixed windows counted atomically, alone or inside another write's transaction.

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;

/// One event to count in a rate-limit window inside another write's
/// transaction, so the count and the write commit together (or neither):
/// a burst of concurrent requests cannot all pass a check made before any of
/// them was counted.
#[derive(Debug, Clone, Copy)]
pub struct CountInWindow<'a> {
    /// The rule's stable name (part of the counter's key).
    pub rule: &'a str,
    /// Who is counted (e.g. a client address).
    pub subject: &'a str,
    /// Start of the current window (epoch seconds).
    pub window_start: i64,
    /// When the counter may be deleted (TTL).
    pub expires_at: Timestamp,
    /// The most events the window admits.
    pub max: u32,
}

impl Store {
    /// Adds one event to a rate-limit window and returns the window's count
    /// (1 UpdateItem, atomic `ADD`).
    pub async fn count_event(
        &self,
        rule: &str,
        subject: &str,
        window_start: i64,
        expires_at: Timestamp,
    ) -> Result<u32, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::rate(rule, subject)))
            .key(keys::SK, s(window_start.to_string()))
            .update_expression("ADD events :one SET expires_at = :exp")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n(expires_at.0))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await?;
        let item = output.attributes.unwrap_or_default();
        Ok(u32::try_from(attr_n(&item, "events")?).unwrap_or(u32::MAX))
    }

    /// Takes back one event [`Store::count_event`] added to a window that
    /// still exists (1 UpdateItem, atomic `ADD -1`; nothing if it is gone).
    pub async fn uncount_event(
        &self,
        rule: &str,
        subject: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::rate(rule, subject)))
            .key(keys::SK, s(window_start.to_string()))
            .update_expression("ADD events :minus_one")
            .condition_expression("attribute_exists(events)")
            .expression_attribute_values(":minus_one", n(-1))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if error.code() == Some("ConditionalCheckFailedException") => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Empties a rate-limit window (1 DeleteItem): what lifts a lock.
    pub async fn clear_events(
        &self,
        rule: &str,
        subject: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::rate(rule, subject)))
            .key(keys::SK, s(window_start.to_string()))
            .send()
            .await?;
        Ok(())
    }

    /// The count of a rate-limit window without adding to it (1 GetItem).
    pub async fn event_count(
        &self,
        rule: &str,
        subject: &str,
        window_start: i64,
    ) -> Result<u32, StoreError> {
        let item = self
            .get(keys::rate(rule, subject), &window_start.to_string())
            .await?;
        Ok(item
            .map(|item| attr_n(&item, "events"))
            .transpose()?
            .map_or(0, |count| u32::try_from(count).unwrap_or(u32::MAX)))
    }

    /// Adds one event to a rate-limit counter, on condition that it is under
    /// its maximum (for a transaction).
    pub(super) fn count_in_window_item(
        &self,
        limit: &CountInWindow<'_>,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::rate(limit.rule, limit.subject)))
            .key(keys::SK, s(limit.window_start.to_string()))
            .update_expression("ADD events :one SET expires_at = :exp")
            .condition_expression("attribute_not_exists(events) OR events < :max")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n(limit.expires_at.0))
            .expression_attribute_values(":max", n(i64::from(limit.max)))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
