//! The DynamoDB store: every read and write of the single table, one file
//! per aggregate. Key layouts live in [`keys`]; the files turn domain values
//! into items and back, and each method documents its access pattern and
//! request count. This file holds what they share: the client, the errors,
//! the batch plumbing and the attribute helpers; [`tx`] the transactions and
//! the items they are made of.

pub mod keys;
pub mod metrics;

mod blocks;
mod codes;
mod conversation;
mod deletion;
mod export;
mod feed;
mod graph;
mod invitations;
mod moderation;
mod notifications;
mod people;
mod posts;
mod rate;
mod sessions;
mod tags;
mod tx;
mod users;

pub use blocks::*;
pub use codes::*;
pub use conversation::*;
pub use deletion::*;
pub use feed::*;
pub use graph::*;
pub use invitations::*;
pub use moderation::*;
pub use notifications::*;
pub use people::*;
pub use posts::*;
pub use rate::*;
pub use sessions::*;
pub use tags::*;
use tx::*;
pub use users::*;

use std::collections::HashMap;

use crate::domain::ids::{PostId, TagId, UserId};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};

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
    /// DynamoDB refused the request itself (a malformed request, a
    /// permission or table missing): a defect of ours or of the deployment,
    /// which a retry would only repeat.
    #[error("DynamoDB refused the request: {0}")]
    Refused(String),
}

/// Error codes that mean the request was wrong, not that DynamoDB was
/// unwell: retrying cannot help, so they are bugs (`500`), never `503`.
const REFUSED: &[&str] = &[
    "ValidationException",
    "SerializationException",
    "ResourceNotFoundException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "InvalidSignatureException",
];

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
            Some(code) if REFUSED.contains(&code) => StoreError::Refused(
                aws_smithy_types::error::display::DisplayErrorContext(&error).to_string(),
            ),
            _ => StoreError::Unavailable(
                aws_smithy_types::error::display::DisplayErrorContext(&error).to_string(),
            ),
        }
    }
}

/// The single-table store.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
}

/// A page of items and where the next one starts.
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The sort key to continue before (exclusive), if there may be more.
    pub next: Option<String>,
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

    fn sorted_prefix_query(
        &self,
        pk_value: String,
        prefix: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(&pk_value))
            .expression_attribute_values(":prefix", s(prefix))
    }

    /// A Query of one GSI1 partition, newest first, `limit` items before
    /// `before` (a GSI1SK) or from the top.
    fn gsi1_newest_first(
        &self,
        partition: String,
        before: Option<&str>,
        limit: usize,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_values(":pk", s(partition));
        match before {
            Some(position) => query
                .key_condition_expression("GSI1PK = :pk AND GSI1SK < :before")
                .expression_attribute_values(":before", s(position)),
            None => query.key_condition_expression("GSI1PK = :pk"),
        }
    }

    async fn query_all(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = query.clone().set_exclusive_start_key(start).send().await?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Fetches items by key: BatchGetItem per 100 keys (DynamoDB's limit),
    /// up to [`BATCHES_IN_FLIGHT`] at once, so one round trip for
    /// anything the cap allows.
    pub(crate) async fn batch_get(
        &self,
        wanted: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<Vec<Item>, StoreError> {
        use futures::{StreamExt, TryStreamExt};
        let mut wanted = wanted;
        wanted.dedup();
        let chunks: Vec<Vec<_>> = wanted.chunks(BATCH_GET_MAX).map(<[_]>::to_vec).collect();
        let found: Vec<Vec<Item>> = futures::stream::iter(chunks)
            .map(|chunk| self.batch_get_chunk(chunk))
            .buffer_unordered(BATCHES_IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// One BatchGetItem, then its unprocessed keys again until none is left
    /// (DynamoDB returns some under load instead of failing).
    async fn batch_get_chunk(
        &self,
        mut pending: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        let mut attempt = 0;
        while !pending.is_empty() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .map_err(build_error)?;
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await?;
            found.extend(
                output
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default(),
            );
            if let Some(unprocessed) = output
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
            {
                pending = unprocessed.keys;
                attempt += 1;
                if attempt > 8 {
                    return Err(StoreError::Throttled);
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt.min(6))).await;
            }
        }
        Ok(found)
    }

    /// Puts items: BatchWriteItem per 25.
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let requests = items
            .into_iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .map_err(build_error)
            })
            .collect::<Result<_, _>>()?;
        self.batch_write(requests).await
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

pub(crate) fn is_condition_failure<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

pub(crate) fn build_error(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Refused(error.to_string())
}

pub(crate) fn s(value: impl AsRef<str>) -> AttributeValue {
    AttributeValue::S(value.as_ref().to_owned())
}

pub(crate) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn pk(value: String) -> (String, AttributeValue) {
    (keys::PK.into(), AttributeValue::S(value))
}

pub(crate) fn sk(value: impl AsRef<str>) -> (String, AttributeValue) {
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

/// An update expression setting `sets` and removing `removes` (either may be
/// empty; both empty is the empty expression, nothing to change).
fn set_and_remove(sets: &[&str], removes: &[&str]) -> String {
    let mut parts = Vec::new();
    if !sets.is_empty() {
        parts.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        parts.push(format!("REMOVE {}", removes.join(", ")));
    }
    parts.join(" ")
}

/// Where the next page of a GSI1 Query starts: the last evaluated item's
/// GSI1 sort key, if DynamoDB says there may be more.
fn gsi1_next(last_evaluated: Option<&Item>) -> Option<String> {
    last_evaluated
        .and_then(|k| k.get(keys::GSI1SK))
        .and_then(|v| v.as_s().ok())
        .cloned()
}

fn ss<T: AsRef<str>>(values: &[T]) -> Option<AttributeValue> {
    (!values.is_empty()).then(|| AttributeValue::Ss(crate::domain::ids::strings(values)))
}

/// A stored set of ids (tag ids), sorted.
fn attr_ids<T: Ord>(item: &Item, name: &str, id: impl Fn(String) -> T) -> Vec<T> {
    let mut ids: Vec<T> = match item.get(name) {
        Some(AttributeValue::Ss(values)) => values.iter().cloned().map(id).collect(),
        _ => Vec::new(),
    };
    ids.sort();
    ids
}

/// The tag ids of an edge, a post or a feed entry.
fn attr_tag_ids(item: &Item, name: &str) -> Vec<TagId> {
    attr_ids(item, name, TagId::from_stored)
}

fn key(pk_value: String, sk_value: impl AsRef<str>) -> HashMap<String, AttributeValue> {
    HashMap::from([pk(pk_value), sk(sk_value)])
}
