//! The graph: requests, mutual connections (one edge item on each side) and the cap.

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::social::MAX_PENDING_REQUESTS;

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

pub(super) fn count_below(attribute: &str, placeholder: &str) -> String {
    format!("(attribute_not_exists({attribute}) OR {attribute} < {placeholder})")
}

pub(super) fn edge_from_item(item: &Item) -> Result<Edge, StoreError> {
    Ok(Edge {
        other_id: attr_s(item, "other_id")?,
        other_username: attr_s(item, "other_username")?,
        connected_at: Timestamp(attr_n(item, "connected_at")?),
        tag_ids: attr_ss(item, "tag_ids"),
    })
}

pub(super) fn request_from_item(item: &Item) -> Result<PendingRequest, StoreError> {
    Ok(PendingRequest {
        other_id: attr_s(item, "other_id")?,
        other_username: attr_s(item, "other_username")?,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

impl Store {
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
}
