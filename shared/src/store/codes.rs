//! One-time codes: stored as a hash, counted when wrong, consumed inside the write they allow.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Email;
use crate::domain::one_time_code::{CodePurpose, StoredCode};

/// A one-time code to consume atomically with another write: the write only
/// happens if this exact code is still live.
pub struct CodeToConsume<'a> {
    /// Which flow it was sent for.
    pub purpose: CodePurpose,
    /// The address it was sent to.
    pub email: &'a Email,
    /// Its hash, as checked.
    pub code_hash: &'a str,
    /// Now: the code must not have expired by the time we commit.
    pub now: Timestamp,
}

impl Store {
    /// Stores a new code, replacing any earlier one for the same address and
    /// purpose (1 PutItem). TTL cleans it up.
    pub async fn put_code(
        &self,
        purpose: CodePurpose,
        email: &Email,
        code_hash: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Item::from([
                pk(keys::code(purpose, email)),
                sk(keys::CODE),
                ("code_hash".into(), s(code_hash)),
                ("wrong_attempts".into(), n(0)),
                (keys::EXPIRES_AT.into(), n(expires_at.0)),
            ])))
            .send()
            .await?;
        Ok(())
    }

    /// The live code for an address and purpose (1 GetItem).
    pub async fn code(
        &self,
        purpose: CodePurpose,
        email: &Email,
    ) -> Result<Option<StoredCode>, StoreError> {
        let Some(item) = self.get(keys::code(purpose, email), keys::CODE).await? else {
            return Ok(None);
        };
        Ok(Some(StoredCode {
            code_hash: attr_s(&item, "code_hash")?,
            expires_at: Timestamp(attr_n(&item, keys::EXPIRES_AT)?),
            wrong_attempts: u32::try_from(attr_n(&item, "wrong_attempts")?).unwrap_or(u32::MAX),
        }))
    }

    /// Counts one wrong try against the code (1 UpdateItem). Atomic `ADD`, so
    /// concurrent guesses cannot slip past the limit.
    pub async fn record_wrong_code(
        &self,
        purpose: CodePurpose,
        email: &Email,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::code(purpose, email)))
            .key(keys::SK, s(keys::CODE))
            .update_expression("ADD wrong_attempts :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failure(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a code (1 DeleteItem), e.g. when its email could not be sent.
    pub async fn delete_code(&self, purpose: CodePurpose, email: &Email) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::code(purpose, email)))
            .key(keys::SK, s(keys::CODE))
            .send()
            .await?;
        Ok(())
    }

    pub(super) fn consume_code_item(
        &self,
        code: &CodeToConsume<'_>,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::code(code.purpose, code.email)))
            .key(keys::SK, s(keys::CODE))
            .condition_expression(
                "code_hash = :code AND wrong_attempts < :max AND expires_at > :now",
            )
            .expression_attribute_values(":code", s(code.code_hash))
            .expression_attribute_values(
                ":max",
                n(i64::from(crate::domain::one_time_code::MAX_WRONG_ATTEMPTS)),
            )
            .expression_attribute_values(":now", n(code.now.0))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}
