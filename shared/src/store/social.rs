//! The social graph in the table: connections, requests, tags, posts and
//! feeds. Every method states its requests; `docs/data-model.md` sums them
//! per API call.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, PutRequest, ReturnValue,
    TransactWriteItem, Update, WriteRequest,
};

use super::{
    Item, Store, StoreError, TransactError, attr_n, attr_s, build_error, is_condition_failure,
    keys, n, pk, s, sk,
};
use crate::domain::Timestamp;
use crate::domain::social::{Audience, MAX_PENDING_REQUESTS, MAX_TAGS, TagColor};

/// One direction of a connection: `owner`'s view of `other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The other person.
    pub other_id: String,
    /// Their username (copied when connecting; usernames never change).
    pub other_username: String,
    /// When the connection was made.
    pub connected_at: Timestamp,
    /// The owner's own tags on the other person.
    pub tag_ids: Vec<String>,
}

/// A pending request, seen from one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    /// The person on the other side.
    pub other_id: String,
    /// Their username.
    pub other_username: String,
    /// When it was sent.
    pub created_at: Timestamp,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    /// ULID.
    pub id: String,
    /// Name as written.
    pub name: String,
    /// Palette colour.
    pub color: TagColor,
    /// Creation time.
    pub created_at: Timestamp,
}

/// A post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    /// ULID: time-ordered, so ids sort newest-last.
    pub id: String,
    /// The author.
    pub author_id: String,
    /// The author's username.
    pub author_username: String,
    /// Text.
    pub content: String,
    /// Who it is for (never changes).
    pub audience: Audience,
    /// For `tags` posts: the author's tags it is for (never change).
    pub tag_ids: Vec<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last edit.
    pub edited_at: Option<Timestamp>,
}

/// A feed entry: a pointer to a post plus what the visibility rule needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The post.
    pub post_id: String,
    /// Its author.
    pub author_id: String,
    /// Its audience.
    pub audience: Audience,
    /// Its tags.
    pub tag_ids: Vec<String>,
}

/// Why a connection change did not commit.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The caller has the most connections allowed.
    #[error("connection limit reached")]
    CallerAtLimit,
    /// The other person has the most connections allowed.
    #[error("their connection limit reached")]
    OtherAtLimit,
    /// The caller has the most pending requests allowed.
    #[error("too many pending requests")]
    TooManyPending,
    /// Already connected.
    #[error("already connected")]
    AlreadyConnected,
    /// A request in this direction exists already.
    #[error("request already sent")]
    AlreadyRequested,
    /// The other person has already asked the caller.
    #[error("they already asked")]
    TheyAsked,
    /// No such request / connection / person.
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a tag change did not commit.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// The caller has another tag with this name.
    #[error("tag name taken")]
    NameTaken,
    /// The caller has the most tags allowed.
    #[error("too many tags")]
    TooMany,
    /// No such tag (of the caller's).
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A page of items and where the next one starts.
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The sort key to continue before (exclusive), if there may be more.
    pub next: Option<String>,
}

fn ss(values: &[String]) -> Option<AttributeValue> {
    (!values.is_empty()).then(|| AttributeValue::Ss(values.to_vec()))
}

fn attr_ss(item: &Item, name: &str) -> Vec<String> {
    match item.get(name) {
        Some(AttributeValue::Ss(values)) => {
            let mut values = values.clone();
            values.sort();
            values
        }
        _ => Vec::new(),
    }
}

fn key(pk_value: String, sk_value: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([pk(pk_value), sk(sk_value)])
}

fn count_below(attribute: &str, placeholder: &str) -> String {
    format!("(attribute_not_exists({attribute}) OR {attribute} < {placeholder})")
}

fn edge_from_item(item: &Item) -> Result<Edge, StoreError> {
    Ok(Edge {
        other_id: attr_s(item, "other_id")?,
        other_username: attr_s(item, "other_username")?,
        connected_at: Timestamp(attr_n(item, "connected_at")?),
        tag_ids: attr_ss(item, "tag_ids"),
    })
}

fn request_from_item(item: &Item) -> Result<PendingRequest, StoreError> {
    Ok(PendingRequest {
        other_id: attr_s(item, "other_id")?,
        other_username: attr_s(item, "other_username")?,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

fn tag_from_item(item: &Item) -> Result<TagRecord, StoreError> {
    Ok(TagRecord {
        id: attr_s(item, "id")?,
        name: attr_s(item, "name")?,
        color: TagColor::parse(&attr_s(item, "color")?)
            .map_err(|_| StoreError::Corrupt("tag colour".into()))?,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

fn audience_of(item: &Item) -> Result<Audience, StoreError> {
    Audience::from_stored(&attr_s(item, "audience")?)
        .ok_or_else(|| StoreError::Corrupt("audience".into()))
}

fn post_from_item(item: &Item) -> Result<PostRecord, StoreError> {
    Ok(PostRecord {
        id: attr_s(item, "id")?,
        author_id: attr_s(item, "author_id")?,
        author_username: attr_s(item, "author_username")?,
        content: attr_s(item, "content")?,
        audience: audience_of(item)?,
        tag_ids: attr_ss(item, "tag_ids"),
        created_at: Timestamp(attr_n(item, "created_at")?),
        edited_at: attr_n(item, "edited_at").ok().map(Timestamp),
    })
}

fn feed_entry_from_item(item: &Item) -> Result<FeedEntry, StoreError> {
    Ok(FeedEntry {
        post_id: attr_s(item, keys::SK)?,
        author_id: attr_s(item, "author_id")?,
        audience: audience_of(item)?,
        tag_ids: attr_ss(item, "tag_ids"),
    })
}

fn feed_item(viewer: &str, post: &PostRecord) -> Item {
    let mut item = Item::from([
        pk(keys::feed(viewer)),
        sk(&post.id),
        ("author_id".into(), s(&post.author_id)),
        ("audience".into(), s(post.audience.as_str())),
    ]);
    if let Some(tags) = ss(&post.tag_ids) {
        item.insert("tag_ids".into(), tags);
    }
    item
}

impl Store {
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
    /// up to [`super::BATCHES_IN_FLIGHT`] at once, so one round trip for
    /// anything the cap allows.
    pub(crate) async fn batch_get(
        &self,
        wanted: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<Vec<Item>, StoreError> {
        use futures::{StreamExt, TryStreamExt};
        let mut wanted = wanted;
        wanted.dedup();
        let chunks: Vec<Vec<_>> = wanted
            .chunks(super::BATCH_GET_MAX)
            .map(<[_]>::to_vec)
            .collect();
        let found: Vec<Vec<Item>> = futures::stream::iter(chunks)
            .map(|chunk| self.batch_get_chunk(chunk))
            .buffer_unordered(super::BATCHES_IN_FLIGHT)
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

    // ---- people and relationships ----------------------------------------

    /// A person's profile and how `me` relates to them, in one BatchGetItem:
    /// their profile, my edge to them, my outgoing and my incoming request.
    pub async fn relationship(
        &self,
        me: &str,
        other: &str,
    ) -> Result<(Option<super::UserRecord>, Relationship), StoreError> {
        let mine = keys::user(me);
        let items = self
            .batch_get(vec![
                key(keys::user(other), keys::PROFILE),
                key(mine.clone(), &keys::connection(other)),
                key(mine.clone(), &keys::request_out(other)),
                key(mine, &keys::request_in(other)),
            ])
            .await?;
        let mut profile = None;
        let mut relationship = Relationship::None;
        for item in &items {
            let sk_value = attr_s(item, keys::SK)?;
            if sk_value == keys::PROFILE {
                profile = Some(super::user_from_item(item)?);
            } else if sk_value.starts_with(keys::CONN_PREFIX) {
                relationship = Relationship::Connected(Timestamp(attr_n(item, "connected_at")?));
            } else if sk_value.starts_with(keys::REQ_OUT_PREFIX)
                && relationship == Relationship::None
            {
                relationship = Relationship::OutgoingRequest;
            } else if sk_value.starts_with(keys::REQ_IN_PREFIX)
                && relationship == Relationship::None
            {
                relationship = Relationship::IncomingRequest;
            }
        }
        if me == other {
            relationship = Relationship::SelfView;
        }
        Ok((profile, relationship))
    }

    /// Several profiles by id, in one BatchGetItem.
    pub async fn users(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, super::UserRecord>, StoreError> {
        let wanted = ids
            .iter()
            .map(|id| key(keys::user(id), keys::PROFILE))
            .collect();
        self.batch_get(wanted)
            .await?
            .iter()
            .map(|item| super::user_from_item(item).map(|user| (user.id.clone(), user)))
            .collect()
    }

    /// Everything about `me` a new post needs (profile, connections, tags), in
    /// one Query of `me`'s partition (a few KB: the cap keeps it small).
    pub async fn author_context(
        &self,
        me: &str,
    ) -> Result<(Option<super::UserRecord>, Vec<Edge>, Vec<TagRecord>), StoreError> {
        let items = self
            .query_all(
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("PK = :pk")
                    .expression_attribute_values(":pk", s(&keys::user(me)))
                    .consistent_read(true),
            )
            .await?;
        let mut profile = None;
        let mut edges = Vec::new();
        let mut tags = Vec::new();
        for item in &items {
            let sort_key = attr_s(item, keys::SK)?;
            if sort_key == keys::PROFILE {
                profile = Some(super::user_from_item(item)?);
            } else if sort_key.starts_with(keys::CONN_PREFIX) {
                edges.push(edge_from_item(item)?);
            } else if sort_key.starts_with(keys::TAG_PREFIX) {
                tags.push(tag_from_item(item)?);
            }
        }
        Ok((profile, edges, tags))
    }

    // ---- requests ---------------------------------------------------------

    /// Sends a request from `from` to `to` (1 TransactWriteItems): counts the
    /// pending request under its limit, refuses at the connection cap, when
    /// already connected or requested, or when `to` already asked `from`.
    pub async fn send_request(
        &self,
        from: &super::UserRecord,
        to: &super::UserRecord,
        max_connections: u32,
        now: Timestamp,
    ) -> Result<(), GraphError> {
        let profile_update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(&from.id)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET pending_out = if_not_exists(pending_out, :zero) + :one")
            .condition_expression(format!(
                "attribute_exists(PK) AND {} AND {}",
                count_below("pending_out", ":max_pending"),
                count_below("connections", ":max_connections")
            ))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max_pending", n(i64::from(MAX_PENDING_REQUESTS)))
            .expression_attribute_values(":max_connections", n(i64::from(max_connections)))
            .build()
            .map_err(build_error)?;
        let request = |owner: &str, sk_value: String, other: &super::UserRecord| {
            Item::from([
                pk(keys::user(owner)),
                sk(&sk_value),
                ("other_id".into(), s(&other.id)),
                ("other_username".into(), s(&other.username)),
                ("created_at".into(), n(now.0)),
            ])
        };
        let absent = |pk_value: String, sk_value: String| {
            ConditionCheck::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&pk_value))
                .key(keys::SK, s(&sk_value))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .map(|c| TransactWriteItem::builder().condition_check(c).build())
                .map_err(build_error)
        };
        let recipient_exists = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(&to.id)))
            .key(keys::SK, s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(build_error)?;
        let items = vec![
            TransactWriteItem::builder().update(profile_update).build(),
            self.put_new(request(&from.id, keys::request_out(&to.id), to))?,
            self.put_new(request(&to.id, keys::request_in(&from.id), from))?,
            absent(keys::user(&from.id), keys::connection(&to.id))?,
            absent(keys::user(&from.id), keys::request_in(&to.id))?,
            TransactWriteItem::builder()
                .condition_check(recipient_exists)
                .build(),
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) => Err(if failed.contains(&5) {
                GraphError::NotFound
            } else if failed.contains(&3) {
                GraphError::AlreadyConnected
            } else if failed.contains(&4) {
                GraphError::TheyAsked
            } else if failed.contains(&1) || failed.contains(&2) {
                GraphError::AlreadyRequested
            } else {
                // The profile condition: find out which limit.
                let counts = self.counts(&from.id).await?;
                if counts.connections >= max_connections {
                    GraphError::CallerAtLimit
                } else {
                    GraphError::TooManyPending
                }
            }),
        }
    }

    /// Accepts `requester`'s request to `me`, creating both edges and
    /// counting them, in one TransactWriteItems (6 items). Nothing changes
    /// unless the request exists and both sides are under the cap.
    pub async fn accept_request(
        &self,
        me: &super::UserRecord,
        requester: &super::UserRecord,
        max_connections: u32,
        now: Timestamp,
    ) -> Result<(), GraphError> {
        let delete = |pk_value: String, sk_value: String| {
            Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&pk_value))
                .key(keys::SK, s(&sk_value))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map(|d| TransactWriteItem::builder().delete(d).build())
                .map_err(build_error)
        };
        let edge = |owner: &super::UserRecord, other: &super::UserRecord| {
            Item::from([
                pk(keys::user(&owner.id)),
                sk(&keys::connection(&other.id)),
                ("other_id".into(), s(&other.id)),
                ("other_username".into(), s(&other.username)),
                ("connected_at".into(), n(now.0)),
            ])
        };
        let count = |user: &super::UserRecord, also_pending: bool| {
            let expression = if also_pending {
                "SET connections = if_not_exists(connections, :zero) + :one, pending_out = if_not_exists(pending_out, :one) - :one"
            } else {
                "SET connections = if_not_exists(connections, :zero) + :one"
            };
            Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(&user.id)))
                .key(keys::SK, s(keys::PROFILE))
                .update_expression(expression)
                .condition_expression(format!(
                    "attribute_exists(PK) AND {}",
                    count_below("connections", ":max")
                ))
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":max", n(i64::from(max_connections)))
                .build()
                .map(|u| TransactWriteItem::builder().update(u).build())
                .map_err(build_error)
        };
        let items = vec![
            delete(keys::user(&me.id), keys::request_in(&requester.id))?,
            delete(keys::user(&requester.id), keys::request_out(&me.id))?,
            self.put_new(edge(me, requester))?,
            self.put_new(edge(requester, me))?,
            count(me, false)?,
            count(requester, true)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) => {
                Err(if failed.contains(&0) || failed.contains(&1) {
                    GraphError::NotFound
                } else if failed.contains(&2) || failed.contains(&3) {
                    GraphError::AlreadyConnected
                } else if failed.contains(&4) {
                    GraphError::CallerAtLimit
                } else {
                    GraphError::OtherAtLimit
                })
            }
        }
    }

    /// Declines an incoming or cancels an outgoing request between `me` and
    /// `other` (1 BatchGetItem to find it, 1 TransactWriteItems).
    pub async fn remove_request(&self, me: &str, other: &str) -> Result<(), GraphError> {
        let mine = keys::user(me);
        let found = self
            .batch_get(vec![
                key(mine.clone(), &keys::request_in(other)),
                key(mine, &keys::request_out(other)),
            ])
            .await?;
        let Some(item) = found.first() else {
            return Err(GraphError::NotFound);
        };
        let incoming = attr_s(item, keys::SK)?.starts_with(keys::REQ_IN_PREFIX);
        // The requester's pending count goes down with the pair.
        let (requester, recipient) = if incoming { (other, me) } else { (me, other) };
        let delete = |pk_value: String, sk_value: String| {
            Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&pk_value))
                .key(keys::SK, s(&sk_value))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map(|d| TransactWriteItem::builder().delete(d).build())
                .map_err(build_error)
        };
        let decrement = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(requester)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET pending_out = if_not_exists(pending_out, :one) - :one")
            .condition_expression("pending_out > :zero")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .build()
            .map_err(build_error)?;
        let items = vec![
            delete(keys::user(requester), keys::request_out(recipient))?,
            delete(keys::user(recipient), keys::request_in(requester))?,
            TransactWriteItem::builder().update(decrement).build(),
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(_)) => Err(GraphError::NotFound),
        }
    }

    /// `me`'s pending requests in one direction (1 Query per 1 MB).
    pub async fn requests(
        &self,
        me: &str,
        incoming: bool,
    ) -> Result<Vec<PendingRequest>, StoreError> {
        let prefix = if incoming {
            keys::REQ_IN_PREFIX
        } else {
            keys::REQ_OUT_PREFIX
        };
        let items = self
            .query_all(self.sorted_prefix_query(keys::user(me), prefix))
            .await?;
        items.iter().map(request_from_item).collect()
    }

    // ---- connections ------------------------------------------------------

    /// All of `me`'s connections (1 Query: at most 100 small items).
    pub async fn connections(&self, me: &str) -> Result<Vec<Edge>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(me), keys::CONN_PREFIX)
                    .consistent_read(true),
            )
            .await?;
        items.iter().map(edge_from_item).collect()
    }

    /// `owner`'s edge to `other`, if they are connected (1 GetItem).
    pub async fn edge(&self, owner: &str, other: &str) -> Result<Option<Edge>, StoreError> {
        self.get(keys::user(owner), &keys::connection(other))
            .await?
            .map(|item| edge_from_item(&item))
            .transpose()
    }

    /// Ends a connection: both edges and both counts in one TransactWriteItems.
    pub async fn disconnect(&self, me: &str, other: &str) -> Result<(), GraphError> {
        let delete = |owner: &str, peer: &str| {
            Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(owner)))
                .key(keys::SK, s(&keys::connection(peer)))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map(|d| TransactWriteItem::builder().delete(d).build())
                .map_err(build_error)
        };
        let decrement = |user: &str| {
            Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(user)))
                .key(keys::SK, s(keys::PROFILE))
                .update_expression("SET connections = if_not_exists(connections, :one) - :one")
                .condition_expression("connections > :zero")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":zero", n(0))
                .build()
                .map(|u| TransactWriteItem::builder().update(u).build())
                .map_err(build_error)
        };
        let items = vec![
            delete(me, other)?,
            delete(other, me)?,
            decrement(me)?,
            decrement(other)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(_)) => Err(GraphError::NotFound),
        }
    }

    /// Replaces `me`'s tags on the connection to `other` (1 TransactWriteItems:
    /// the edge update plus a check that each tag is still `me`'s).
    pub async fn set_edge_tags(
        &self,
        me: &str,
        other: &str,
        tag_ids: &[String],
    ) -> Result<(), TagError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(me)))
            .key(keys::SK, s(&keys::connection(other)))
            .condition_expression("attribute_exists(PK)");
        update = match ss(tag_ids) {
            Some(tags) => update
                .update_expression("SET tag_ids = :tags")
                .expression_attribute_values(":tags", tags),
            None => update.update_expression("REMOVE tag_ids"),
        };
        let mut items = vec![
            TransactWriteItem::builder()
                .update(update.build().map_err(build_error)?)
                .build(),
        ];
        for tag_id in tag_ids {
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(me)))
                .key(keys::SK, s(&keys::tag(tag_id)))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().condition_check(check).build());
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(_)) => Err(TagError::NotFound),
        }
    }

    /// The counters on a profile (1 GetItem).
    pub async fn counts(&self, user_id: &str) -> Result<Counts, StoreError> {
        let item = self
            .get(keys::user(user_id), keys::PROFILE)
            .await?
            .unwrap_or_default();
        let read = |name: &str| {
            attr_n(&item, name)
                .ok()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0)
        };
        Ok(Counts {
            connections: read("connections"),
            pending_out: read("pending_out"),
            tags: read("tags"),
        })
    }

    // ---- tags -------------------------------------------------------------

    /// `me`'s tags (1 Query).
    pub async fn tags(&self, me: &str) -> Result<Vec<TagRecord>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(me), keys::TAG_PREFIX)
                    .consistent_read(true),
            )
            .await?;
        items.iter().map(tag_from_item).collect()
    }

    /// One of `me`'s tags (1 GetItem).
    pub async fn tag(&self, me: &str, tag_id: &str) -> Result<Option<TagRecord>, StoreError> {
        self.get(keys::user(me), &keys::tag(tag_id))
            .await?
            .map(|item| tag_from_item(&item))
            .transpose()
    }

    /// Creates a tag, its name claim and counts it (1 TransactWriteItems).
    pub async fn create_tag(
        &self,
        me: &str,
        tag: &TagRecord,
        folded: &str,
    ) -> Result<(), TagError> {
        let item = Item::from([
            pk(keys::user(me)),
            sk(&keys::tag(&tag.id)),
            ("id".into(), s(&tag.id)),
            ("name".into(), s(&tag.name)),
            ("color".into(), s(tag.color.as_str())),
            ("created_at".into(), n(tag.created_at.0)),
        ]);
        let claim = Item::from([
            pk(keys::user(me)),
            sk(&keys::tag_name(folded)),
            ("tag_id".into(), s(&tag.id)),
        ]);
        let count = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(me)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET tags = if_not_exists(tags, :zero) + :one")
            .condition_expression(count_below("tags", ":max"))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(MAX_TAGS as i64))
            .build()
            .map_err(build_error)?;
        let items = vec![
            self.put_new(item)?,
            self.put_new(claim)?,
            TransactWriteItem::builder().update(count).build(),
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) if failed.contains(&1) => {
                Err(TagError::NameTaken)
            }
            Err(TransactError::ConditionsFailed(_)) => Err(TagError::TooMany),
        }
    }

    /// Renames and/or recolours a tag (1 TransactWriteItems when renaming:
    /// the claim moves atomically; 1 UpdateItem otherwise).
    pub async fn update_tag(
        &self,
        me: &str,
        current: &TagRecord,
        new_name: Option<(&str, String, String)>,
        color: TagColor,
    ) -> Result<(), TagError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(me)))
            .key(keys::SK, s(&keys::tag(&current.id)))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":color", s(color.as_str()));
        let Some((name, old_folded, new_folded)) = new_name else {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(me)))
                .key(keys::SK, s(&keys::tag(&current.id)))
                .update_expression("SET color = :color")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":color", s(color.as_str()))
                .send()
                .await;
            return match result {
                Ok(_) => Ok(()),
                Err(error) if is_condition_failure(&error) => Err(TagError::NotFound),
                Err(error) => Err(StoreError::from(error).into()),
            };
        };
        update = update
            .update_expression("SET color = :color, #name = :name")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(name));
        let mut items = vec![
            TransactWriteItem::builder()
                .update(update.build().map_err(build_error)?)
                .build(),
        ];
        if old_folded != new_folded {
            let release = Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(me)))
                .key(keys::SK, s(&keys::tag_name(&old_folded)))
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().delete(release).build());
            items.push(self.put_new(Item::from([
                pk(keys::user(me)),
                sk(&keys::tag_name(&new_folded)),
                ("tag_id".into(), s(&current.id)),
            ]))?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) if failed.contains(&2) => {
                Err(TagError::NameTaken)
            }
            Err(TransactError::ConditionsFailed(_)) => Err(TagError::NotFound),
        }
    }

    /// Takes `tag_id` off each of `me`'s connections to `others`: one
    /// UpdateItem each, up to [`super::REQUESTS_IN_FLIGHT`] at once. An edge
    /// that is gone meanwhile (a disconnect) is skipped, never recreated.
    pub async fn strip_tag(
        &self,
        me: &str,
        tag_id: &str,
        others: &[&str],
    ) -> Result<(), StoreError> {
        use futures::{StreamExt, TryStreamExt};
        let others: Vec<String> = others.iter().map(|o| (*o).to_owned()).collect();
        futures::stream::iter(others)
            .map(|other| async move {
                let result = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .key(keys::PK, s(&keys::user(me)))
                    .key(keys::SK, s(&keys::connection(&other)))
                    .update_expression("DELETE tag_ids :tag")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(
                        ":tag",
                        AttributeValue::Ss(vec![tag_id.to_owned()]),
                    )
                    .send()
                    .await;
                match result {
                    Err(error) if !is_condition_failure(&error) => Err(StoreError::from(error)),
                    _ => Ok(()),
                }
            })
            .buffer_unordered(super::REQUESTS_IN_FLIGHT)
            .try_collect()
            .await
    }

    /// Deletes a tag, its name claim and its count (1 TransactWriteItems).
    /// The caller first takes it off every connection carrying it
    /// ([`Store::strip_tag`]), so that it stops granting visibility before it
    /// is gone.
    pub async fn delete_tag(&self, me: &str, tag: &TagRecord) -> Result<(), TagError> {
        let delete = |sk_value: String| {
            Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(&keys::user(me)))
                .key(keys::SK, s(&sk_value))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map(|d| TransactWriteItem::builder().delete(d).build())
                .map_err(build_error)
        };
        let count = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::user(me)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET tags = if_not_exists(tags, :one) - :one")
            .condition_expression("tags > :zero")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .build()
            .map_err(build_error)?;
        let items = vec![
            delete(keys::tag(&tag.id))?,
            delete(keys::tag_name(&tag.name.trim().to_lowercase()))?,
            TransactWriteItem::builder().update(count).build(),
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(_)) => Err(TagError::NotFound),
        }
    }

    // ---- posts and feeds --------------------------------------------------

    /// Writes a post and its feed entries (the author's and each viewer's) in
    /// BatchWriteItem calls of 25: ⌈(2 + viewers) / 25⌉ requests.
    pub async fn create_post(
        &self,
        post: &PostRecord,
        viewers: &[String],
    ) -> Result<(), StoreError> {
        let mut item = Item::from([
            pk(keys::post(&post.id)),
            sk(keys::POST),
            (keys::GSI1PK.into(), s(&keys::author(&post.author_id))),
            (keys::GSI1SK.into(), s(&post.id)),
            ("id".into(), s(&post.id)),
            ("author_id".into(), s(&post.author_id)),
            ("author_username".into(), s(&post.author_username)),
            ("content".into(), s(&post.content)),
            ("audience".into(), s(post.audience.as_str())),
            ("created_at".into(), n(post.created_at.0)),
        ]);
        if let Some(tags) = ss(&post.tag_ids) {
            item.insert("tag_ids".into(), tags);
        }
        let mut items = vec![item, feed_item(&post.author_id, post)];
        items.extend(viewers.iter().map(|viewer| feed_item(viewer, post)));
        self.batch_put(items).await
    }

    /// A post by id (1 GetItem).
    pub async fn post(&self, post_id: &str) -> Result<Option<PostRecord>, StoreError> {
        self.get(keys::post(post_id), keys::POST)
            .await?
            .map(|item| post_from_item(&item))
            .transpose()
    }

    /// Edits the text of `author`'s post (1 conditional UpdateItem); `None`
    /// if there is no such post of theirs.
    pub async fn edit_post(
        &self,
        author: &str,
        post_id: &str,
        content: &str,
        now: Timestamp,
    ) -> Result<Option<PostRecord>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::post(post_id)))
            .key(keys::SK, s(keys::POST))
            .update_expression("SET content = :content, edited_at = :now")
            .condition_expression("author_id = :author")
            .expression_attribute_values(":content", s(content))
            .expression_attribute_values(":now", n(now.0))
            .expression_attribute_values(":author", s(author))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => output
                .attributes
                .map(|item| post_from_item(&item))
                .transpose(),
            Err(error) if is_condition_failure(&error) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes `author`'s post (1 conditional DeleteItem); `false` if there
    /// is no such post of theirs. Feed entries are removed separately.
    pub async fn delete_post(&self, author: &str, post_id: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::post(post_id)))
            .key(keys::SK, s(keys::POST))
            .condition_expression("author_id = :author")
            .expression_attribute_values(":author", s(author))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a post's entry from these feeds (BatchWriteItem per 25).
    pub async fn remove_feed_entries(
        &self,
        post_id: &str,
        viewers: &[String],
    ) -> Result<(), StoreError> {
        let keys_to_delete = viewers
            .iter()
            .map(|viewer| key(keys::feed(viewer), post_id))
            .collect();
        self.batch_delete(keys_to_delete).await
    }

    /// Removes entries from one viewer's feed (BatchWriteItem per 25).
    pub async fn remove_entries_from_feed(
        &self,
        viewer: &str,
        post_ids: &[String],
    ) -> Result<(), StoreError> {
        let keys_to_delete = post_ids
            .iter()
            .map(|post_id| key(keys::feed(viewer), post_id))
            .collect();
        self.batch_delete(keys_to_delete).await
    }

    /// Adds entries for existing posts to a viewer's feed (backfill after a
    /// new connection or tag): BatchWriteItem per 25.
    pub async fn add_feed_entries(
        &self,
        viewer: &str,
        posts: &[PostRecord],
    ) -> Result<(), StoreError> {
        self.batch_put(posts.iter().map(|post| feed_item(viewer, post)).collect())
            .await
    }

    /// A viewer's feed entries by one author (clean-up after disconnecting or
    /// untagging): 1 Query per 1 MB of the viewer's feed.
    pub async fn feed_entries_by(
        &self,
        viewer: &str,
        author: &str,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let items = self
            .query_all(
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("PK = :pk")
                    .filter_expression("author_id = :author")
                    .expression_attribute_values(":pk", s(&keys::feed(viewer)))
                    .expression_attribute_values(":author", s(author)),
            )
            .await?;
        items.iter().map(feed_entry_from_item).collect()
    }

    /// One page of a viewer's feed entries, newest first, before `before` (1 Query).
    pub async fn feed_page(
        &self,
        viewer: &str,
        before: Option<&str>,
        limit: usize,
        authors: Option<&[String]>,
    ) -> Result<Page<FeedEntry>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_values(":pk", s(&keys::feed(viewer)));
        if let Some(authors) = authors {
            // DynamoDB's IN takes at most 100 values: the cap keeps us there.
            let names: Vec<String> = (0..authors.len()).map(|i| format!(":a{i}")).collect();
            query = query.filter_expression(format!("author_id IN ({})", names.join(", ")));
            for (name, author) in names.iter().zip(authors) {
                query = query.expression_attribute_values(name, s(author));
            }
        }
        query = match before {
            Some(position) => query
                .key_condition_expression("PK = :pk AND SK < :before")
                .expression_attribute_values(":before", s(position)),
            None => query.key_condition_expression("PK = :pk"),
        };
        let output = query.send().await?;
        let items: Vec<FeedEntry> = output
            .items
            .unwrap_or_default()
            .iter()
            .map(feed_entry_from_item)
            .collect::<Result<_, _>>()?;
        // With a filter the last *evaluated* entry may not be among the items.
        let next = output
            .last_evaluated_key
            .as_ref()
            .and_then(|k| k.get(keys::SK))
            .and_then(|v| v.as_s().ok())
            .cloned();
        Ok(Page { items, next })
    }

    /// One page of an author's posts, newest first, before `before`
    /// (1 Query on GSI1; `filter` is a DynamoDB filter on the post's audience
    /// and tags, so a page may hold fewer than `limit`).
    pub async fn posts_by_author(
        &self,
        author: &str,
        before: Option<&str>,
        limit: usize,
        visible_to: Option<&[String]>,
    ) -> Result<Page<PostRecord>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_values(":pk", s(&keys::author(author)));
        query = match before {
            Some(position) => query
                .key_condition_expression("GSI1PK = :pk AND GSI1SK < :before")
                .expression_attribute_values(":before", s(position)),
            None => query.key_condition_expression("GSI1PK = :pk"),
        };
        if let Some(edge_tags) = visible_to {
            // What a connection may see: `connections` posts, and `tags` posts
            // naming one of the tags the author has on them.
            let mut expression = String::from("audience = :connections");
            query = query
                .expression_attribute_values(":connections", s(Audience::Connections.as_str()));
            if !edge_tags.is_empty() {
                let any: Vec<String> = (0..edge_tags.len())
                    .map(|i| format!("contains(tag_ids, :t{i})"))
                    .collect();
                expression = format!(
                    "{expression} OR (audience = :tags AND ({}))",
                    any.join(" OR ")
                );
                query = query.expression_attribute_values(":tags", s(Audience::Tags.as_str()));
                for (i, tag) in edge_tags.iter().enumerate() {
                    query = query.expression_attribute_values(format!(":t{i}"), s(tag));
                }
            }
            query = query.filter_expression(expression);
        }
        let output = query.send().await?;
        let evaluated_last = output
            .last_evaluated_key
            .as_ref()
            .and_then(|k| k.get(keys::GSI1SK))
            .and_then(|v| v.as_s().ok())
            .cloned();
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(post_from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next: evaluated_last,
        })
    }

    /// Posts and the authors' edges to `viewer`, in one BatchGetItem (the feed
    /// keeps the total at or under 100 keys).
    pub async fn posts_and_edges(
        &self,
        post_ids: &[String],
        authors: &HashSet<String>,
        viewer: &str,
    ) -> Result<(HashMap<String, PostRecord>, HashMap<String, Edge>), StoreError> {
        let mut wanted: Vec<_> = post_ids
            .iter()
            .map(|id| key(keys::post(id), keys::POST))
            .collect();
        wanted.extend(
            authors
                .iter()
                .map(|author| key(keys::user(author), &keys::connection(viewer))),
        );
        let mut posts = HashMap::new();
        let mut edges = HashMap::new();
        for item in self.batch_get(wanted).await? {
            if attr_s(&item, keys::SK)? == keys::POST {
                let post = post_from_item(&item)?;
                posts.insert(post.id.clone(), post);
            } else {
                let owner = attr_s(&item, keys::PK)?
                    .trim_start_matches("USER#")
                    .to_owned();
                edges.insert(owner, edge_from_item(&item)?);
            }
        }
        Ok((posts, edges))
    }
}

/// How `me` relates to another person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// It is me.
    SelfView,
    /// Nothing between us.
    None,
    /// I asked them.
    OutgoingRequest,
    /// They asked me.
    IncomingRequest,
    /// Connected since.
    Connected(Timestamp),
}

/// A profile's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Connections.
    pub connections: u32,
    /// Pending outgoing requests.
    pub pending_out: u32,
    /// Tags.
    pub tags: u32,
}
