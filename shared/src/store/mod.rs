//! The DynamoDB store: every read and write of the single table.
//!
//! Key layouts live in [`keys`]; this module turns domain values into items
//! and back. Each method documents its access pattern and request count.

pub mod keys;
pub mod metrics;
mod social;

pub use social::*;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, DeleteRequest, Put, ReturnValue, TransactWriteItem, Update,
    WriteRequest,
};

use crate::domain::Timestamp;
use crate::domain::account::{Email, Username};
use crate::domain::one_time_code::{CodePurpose, StoredCode};

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The store could not do what was asked, for reasons that are not the
/// caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB is throttling us; the client should retry shortly.
    #[error("DynamoDB throttled the request")]
    Throttled,
    /// DynamoDB failed or could not be reached.
    #[error("DynamoDB request failed: {0}")]
    Unavailable(String),
    /// An item did not have the shape this code writes.
    #[error("malformed item: {0}")]
    Corrupt(String),
}

impl<E, R> From<SdkError<E, R>> for StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    fn from(error: SdkError<E, R>) -> Self {
        match error.code() {
            Some(
                "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded",
            ) => StoreError::Throttled,
            _ => StoreError::Unavailable(
                aws_smithy_types::error::display::DisplayErrorContext(&error).to_string(),
            ),
        }
    }
}

/// A user as stored (the password hash never leaves the auth code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// ULID.
    pub id: String,
    /// Lower-case username.
    pub username: String,
    /// Normalised email.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Why a registration did not commit.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// Another account has this email.
    #[error("email taken")]
    EmailTaken,
    /// Another account has this username.
    #[error("username taken")]
    UsernameTaken,
    /// The one-time code was used, replaced, expired or exhausted meanwhile.
    #[error("code no longer valid")]
    CodeGone,
    /// The rate-limit window the registration counts against is full.
    #[error("rate limit reached")]
    LimitReached,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

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

/// The single-table store.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    /// A store on `table`, counting requests (see [`metrics`]).
    pub fn new(sdk_config: &aws_config::SdkConfig, table: String) -> Self {
        let config = aws_sdk_dynamodb::config::Builder::from(sdk_config)
            .interceptor(metrics::CountRequests)
            .build();
        Self {
            client: Client::from_conf(config),
            table,
        }
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    // ---- users ------------------------------------------------------------

    /// Registers a user, consumes the sign-up code and counts the
    /// registration against `limit`, in one `TransactWriteItems` (1 request):
    /// profile, email claim and username claim are each conditioned on not
    /// existing, so of N concurrent registrations of an email or username
    /// exactly one commits, and the counter on being under its maximum, so
    /// at most `limit.max` commit in a window.
    pub async fn create_user(
        &self,
        user: &UserRecord,
        code: CodeToConsume<'_>,
        limit: CountInWindow<'_>,
    ) -> Result<(), CreateUserError> {
        let profile = Item::from([
            pk(keys::user(&user.id)),
            sk(keys::PROFILE),
            ("id".into(), s(&user.id)),
            ("username".into(), s(&user.username)),
            ("email".into(), s(&user.email)),
            ("password_hash".into(), s(&user.password_hash)),
            ("created_at".into(), n(user.created_at.0)),
        ]);
        let claim = |key: String| {
            Item::from([
                pk(key),
                sk(keys::CLAIM),
                ("user_id".into(), s(&user.id)),
                ("username".into(), s(&user.username)),
            ])
        };
        let email = Email::parse(&user.email).map_err(|e| StoreError::Corrupt(e.message))?;
        let username =
            Username::parse(&user.username).map_err(|e| StoreError::Corrupt(e.message))?;
        let items = vec![
            self.put_new(profile)?,
            self.put_new(claim(keys::email_claim(&email)))?,
            self.put_new(claim(keys::username_claim(&username)))?,
            self.consume_code_item(&code)?,
            self.count_in_window_item(&limit)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            // Index order matches `items` above. The limit is reported first:
            // a caller over it learns nothing about the email or username.
            Err(TransactError::ConditionsFailed(failed)) => Err(if failed.contains(&4) {
                CreateUserError::LimitReached
            } else if failed.contains(&1) {
                CreateUserError::EmailTaken
            } else if failed.contains(&2) {
                CreateUserError::UsernameTaken
            } else if failed.contains(&3) {
                CreateUserError::CodeGone
            } else {
                // A ULID collision on the profile: vanishingly unlikely, retryable.
                CreateUserError::Store(StoreError::Unavailable("user id collision".into()))
            }),
        }
    }

    /// A user's profile by id (1 GetItem).
    pub async fn user(&self, user_id: &str) -> Result<Option<UserRecord>, StoreError> {
        let item = self.get(keys::user(user_id), keys::PROFILE).await?;
        item.map(|item| user_from_item(&item)).transpose()
    }

    /// The user id holding `email` (1 GetItem on the claim).
    pub async fn user_id_by_email(&self, email: &Email) -> Result<Option<String>, StoreError> {
        let item = self.get(keys::email_claim(email), keys::CLAIM).await?;
        item.map(|item| attr_s(&item, "user_id")).transpose()
    }

    /// The (id, username) holding `username` (1 GetItem on the claim).
    pub async fn user_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<(String, String)>, StoreError> {
        let item = self
            .get(keys::username_claim(username), keys::CLAIM)
            .await?;
        item.map(|item| Ok((attr_s(&item, "user_id")?, attr_s(&item, "username")?)))
            .transpose()
    }

    /// Sets a new password hash and consumes the reset code, in one
    /// `TransactWriteItems` (1 request).
    pub async fn reset_password(
        &self,
        user_id: &str,
        password_hash: &str,
        code: CodeToConsume<'_>,
    ) -> Result<(), CreateUserError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(user_id)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET password_hash = :h")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":h", s(password_hash))
            .build()
            .map_err(build_error)?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            self.consume_code_item(&code)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(_)) => Err(CreateUserError::CodeGone),
        }
    }

    // ---- one-time codes ---------------------------------------------------

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
            .key(keys::PK, s(&keys::code(purpose, email)))
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
            .key(keys::PK, s(&keys::code(purpose, email)))
            .key(keys::SK, s(keys::CODE))
            .send()
            .await?;
        Ok(())
    }

    // ---- sessions ---------------------------------------------------------

    /// Starts a session family (1 PutItem).
    pub async fn create_session(
        &self,
        user_id: &str,
        family_id: &str,
        secret_hash: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Item::from([
                pk(keys::user(user_id)),
                sk(&keys::session(family_id)),
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
        user_id: &str,
        family_id: &str,
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
        user_id: &str,
        family_id: &str,
        old_hash: &str,
        new_hash: &str,
        expires_at: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(user_id)))
            .key(keys::SK, s(&keys::session(family_id)))
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
    pub async fn delete_session(&self, user_id: &str, family_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(user_id)))
            .key(keys::SK, s(&keys::session(family_id)))
            .send()
            .await?;
        Ok(())
    }

    /// Ends every session of a user: 1 Query per page of keys, then 1
    /// BatchWriteItem per 25 sessions (the DynamoDB batch limit).
    pub async fn delete_all_sessions(&self, user_id: &str) -> Result<usize, StoreError> {
        let mut keys_to_delete = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(&keys::user(user_id)))
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

    // ---- rate limits ------------------------------------------------------

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
            .key(keys::PK, s(&keys::rate(rule, subject)))
            .key(keys::SK, s(&window_start.to_string()))
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
            .key(keys::PK, s(&keys::rate(rule, subject)))
            .key(keys::SK, s(&window_start.to_string()))
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

    // ---- plumbing ---------------------------------------------------------

    /// One `TransactWriteItems` (1 request, a few more only when DynamoDB
    /// reports a conflict with another transaction on the same items, which it
    /// cancels without judging our conditions: those are retried, since the
    /// SDK does not).
    pub(crate) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), TransactError> {
        const ATTEMPTS: u32 = 4;
        for attempt in 1..=ATTEMPTS {
            let error = match self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let (failed, conflicted) = cancellation(&error);
            if !failed.is_empty() {
                return Err(TransactError::ConditionsFailed(failed));
            }
            if !conflicted || attempt == ATTEMPTS {
                return Err(TransactError::Store(if conflicted {
                    StoreError::Throttled
                } else {
                    error.into()
                }));
            }
            let jitter = u64::from(rand::random::<u8>() % 20);
            tokio::time::sleep(std::time::Duration::from_millis((20 << attempt) + jitter)).await;
        }
        unreachable!("the loop returns on its last attempt")
    }

    pub(crate) async fn get(
        &self,
        pk_value: String,
        sk_value: &str,
    ) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(&pk_value))
            .key(keys::SK, s(sk_value))
            .send()
            .await?;
        Ok(output.item)
    }

    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn consume_code_item(&self, code: &CodeToConsume<'_>) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::code(code.purpose, code.email)))
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

    /// Adds one event to a rate-limit counter, on condition that it is under
    /// its maximum (for a transaction).
    fn count_in_window_item(
        &self,
        limit: &CountInWindow<'_>,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::rate(limit.rule, limit.subject)))
            .key(keys::SK, s(&limit.window_start.to_string()))
            .update_expression("ADD events :one SET expires_at = :exp")
            .condition_expression("attribute_not_exists(events) OR events < :max")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":exp", n(limit.expires_at.0))
            .expression_attribute_values(":max", n(i64::from(limit.max)))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Deletes items by key: BatchWriteItem per 25.
    pub(crate) async fn batch_delete(&self, keys_to_delete: Vec<Item>) -> Result<(), StoreError> {
        let requests = keys_to_delete
            .into_iter()
            .map(|key| {
                DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map(|delete| WriteRequest::builder().delete_request(delete).build())
                    .map_err(build_error)
            })
            .collect::<Result<_, _>>()?;
        self.batch_write(requests).await
    }

    /// Sends writes in BatchWriteItem calls of 25 (DynamoDB's limit), up to
    /// [`BATCHES_IN_FLIGHT`] at once: a fan-out to 100 connections is one
    /// round trip, not five. Unprocessed items are retried with backoff.
    pub(crate) async fn batch_write(&self, writes: Vec<WriteRequest>) -> Result<(), StoreError> {
        use futures::{StreamExt, TryStreamExt};
        // Owned chunks: a future borrowing the caller's slice would not be
        // `Send` for every lifetime, which axum's handlers need.
        let chunks: Vec<Vec<WriteRequest>> =
            writes.chunks(BATCH_WRITE_MAX).map(<[_]>::to_vec).collect();
        futures::stream::iter(chunks)
            .map(|chunk| self.batch_write_chunk(chunk))
            .buffer_unordered(BATCHES_IN_FLIGHT)
            .try_collect()
            .await
    }

    /// One BatchWriteItem, then its unprocessed items again until none is
    /// left (DynamoDB returns some under load instead of failing).
    async fn batch_write_chunk(&self, mut requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        let mut attempt = 0;
        while !requests.is_empty() {
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.table, requests)
                .send()
                .await?;
            requests = output
                .unprocessed_items
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .unwrap_or_default();
            attempt += 1;
            if !requests.is_empty() {
                if attempt >= 8 {
                    return Err(StoreError::Throttled);
                }
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
            }
        }
        Ok(())
    }
}

/// DynamoDB's limit on the writes of one BatchWriteItem.
pub(crate) const BATCH_WRITE_MAX: usize = 25;
/// DynamoDB's limit on the keys of one BatchGetItem.
pub(crate) const BATCH_GET_MAX: usize = 100;
/// Batch requests of one call sent at once: enough for the largest fan-out
/// (100 connections and the author: 5 batches) in one round trip, few enough
/// that one call cannot flood the table's partitions.
pub(crate) const BATCHES_IN_FLIGHT: usize = 8;
/// Single-item requests and Queries of one call sent at once (a tag taken
/// off the connections carrying it, and their feeds read): a quarter of the
/// connection cap per round trip.
pub(crate) const REQUESTS_IN_FLIGHT: usize = 25;

/// Why a transaction did not commit.
pub(crate) enum TransactError {
    /// These items' conditions failed (indexes into the request).
    ConditionsFailed(Vec<usize>),
    /// Anything else.
    Store(StoreError),
}

/// Indexes of the items whose condition failed, and whether any item was in
/// conflict with another transaction.
fn cancellation<R>(
    error: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> (Vec<usize>, bool) {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return (Vec::new(), false);
    };
    let reasons = cancelled.cancellation_reasons();
    let failed = reasons
        .iter()
        .enumerate()
        .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
        .map(|(index, _)| index)
        .collect();
    let conflicted = reasons
        .iter()
        .any(|reason| reason.code() == Some("TransactionConflict"));
    (failed, conflicted)
}

pub(crate) fn is_condition_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

pub(crate) fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

pub(crate) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

pub(crate) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn pk(value: String) -> (String, AttributeValue) {
    (keys::PK.into(), AttributeValue::S(value))
}

pub(crate) fn sk(value: &str) -> (String, AttributeValue) {
    (keys::SK.into(), s(value))
}

pub(crate) fn attr_s(item: &Item, name: &str) -> Result<String, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value.clone()),
        _ => Err(StoreError::Corrupt(format!(
            "missing string attribute {name}"
        ))),
    }
}

pub(crate) fn attr_n(item: &Item, name: &str) -> Result<i64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not an integer"))),
        _ => Err(StoreError::Corrupt(format!(
            "missing number attribute {name}"
        ))),
    }
}

pub(crate) fn user_from_item(item: &Item) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: attr_s(item, "id")?,
        username: attr_s(item, "username")?,
        email: attr_s(item, "email")?,
        password_hash: attr_s(item, "password_hash")?,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}
