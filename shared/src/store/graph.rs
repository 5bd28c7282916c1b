//! The graph: requests, mutual connections (one edge item on each side) and the cap.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Username;
use crate::domain::conversation::NotificationKey;
use crate::domain::social::{MAX_INCOMING_REQUESTS, MAX_PENDING_REQUESTS};

/// One direction of a connection: `owner`'s view of `other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The other person.
    pub other_id: UserId,
    /// Their username (copied when connecting; usernames never change).
    pub other_username: Username,
    /// Their display name, as read with the list (not stored on the edge).
    pub other_display_name: Option<String>,
    /// When the connection was made.
    pub connected_at: Timestamp,
    /// The owner's own tags on the other person.
    pub tag_ids: Vec<TagId>,
}

/// Which of a connection's two edges: `owner`'s, which holds `owner`'s tags
/// on `other`. Named fields, because both ends are `UserId`s and an edge read
/// the wrong way round would compile and answer with the other person's tags.
#[derive(Debug, Clone, Copy)]
pub struct EdgeOf<'a> {
    /// Whose edge.
    pub owner: &'a UserId,
    /// To whom.
    pub other: &'a UserId,
}

/// A pending request, seen from one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    /// The person on the other side.
    pub other_id: UserId,
    /// Their username.
    pub other_username: Username,
    /// Their display name, as read with the list.
    pub other_display_name: Option<String>,
    /// When it was sent.
    pub created_at: Timestamp,
}

/// Why a connection request was not sent.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// There is no such person.
    #[error("no such person")]
    NoSuchPerson,
    /// Already connected.
    #[error("already connected")]
    AlreadyConnected,
    /// A request in this direction exists already.
    #[error("request already sent")]
    AlreadyRequested,
    /// The other person has already asked the caller: accept theirs instead.
    #[error("they already asked")]
    TheyAsked,
    /// The caller blocked them.
    #[error("blocked by the caller")]
    YouBlocked,
    /// The caller has the most connections allowed.
    #[error("at the limit of {max} connections")]
    CallerAtLimit {
        /// The cap.
        max: u32,
    },
    /// The caller has the most pending requests allowed.
    #[error("at the limit of {max} pending requests")]
    TooManyPending {
        /// The limit.
        max: u32,
    },
    /// The other person has the most incoming requests allowed.
    #[error("their {max} incoming requests are full")]
    TheirRequestsFull {
        /// The limit.
        max: u32,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a request was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// There is no such request (any more).
    #[error("no such request")]
    NoSuchRequest,
    /// Already connected.
    #[error("already connected")]
    AlreadyConnected,
    /// The accepting person has the most connections allowed.
    #[error("at the limit of {max} connections")]
    CallerAtLimit {
        /// The cap.
        max: u32,
    },
    /// The requester has the most connections allowed.
    #[error("they are at the limit of {max} connections")]
    OtherAtLimit {
        /// The cap.
        max: u32,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The named conditions of the graph's transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GraphCondition {
    /// The sender's profile exists and is under both the pending-request
    /// and the connection limit.
    SenderUnderLimits,
    /// No request in this direction yet (either half).
    NotRequested,
    /// Not connected yet (either edge).
    NotConnected,
    /// The recipient has not asked the sender.
    NotAskedBack,
    /// The recipient has not blocked the sender.
    NotBlockedByThem,
    /// The sender has not blocked the recipient.
    NotBlockedByMe,
    /// The recipient's profile exists and has room for another incoming
    /// request.
    RecipientHasRoom,
    /// The recipient's incoming count has the request in it.
    IncomingCounted,
    /// The request exists (either half).
    RequestExists,
    /// The accepting person's profile exists and is under the cap.
    CallerUnderCap,
    /// The requester's profile exists and is under the cap.
    OtherUnderCap,
    /// The requester's pending count has the request in it.
    PendingCounted,
    /// The connection exists (either edge).
    Connected,
    /// A profile's connection count has the connection in it.
    ConnectionCounted,
    /// The tag exists and is the caller's.
    TagExists,
}

pub(super) fn edge_from_item(item: &Item) -> Result<Edge, StoreError> {
    Ok(Edge {
        other_id: UserId::from_stored(attr_s(item, "other_id")?),
        other_username: Username::from_stored(attr_s(item, "other_username")?),
        other_display_name: None,
        connected_at: Timestamp(attr_n(item, "connected_at")?),
        tag_ids: attr_tag_ids(item, "tag_ids"),
    })
}

pub(super) fn request_from_item(item: &Item) -> Result<PendingRequest, StoreError> {
    Ok(PendingRequest {
        other_id: UserId::from_stored(attr_s(item, "other_id")?),
        other_username: Username::from_stored(attr_s(item, "other_username")?),
        other_display_name: None,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

/// The connection edge `owner` → `other`, made `now` (one of a pair).
pub(crate) fn edge_item(
    owner: &super::UserRecord,
    other: &super::UserRecord,
    now: Timestamp,
) -> Item {
    Item::from([
        pk(keys::user(&owner.id)),
        sk(keys::connection(&other.id)),
        ("other_id".into(), s(&other.id)),
        ("other_username".into(), s(&other.username)),
        ("connected_at".into(), n(now.0)),
    ])
}

impl Store {
    /// Sends a request from `from` to `to` (1 TransactWriteItems, and 1
    /// GetItem of the counts when a limit refused it): counts the pending
    /// request on both sides under their limits, refuses at the connection
    /// cap, when already connected or requested, or when `to` already asked
    /// `from`.
    pub async fn send_request(
        &self,
        from: &super::UserRecord,
        to: &super::UserRecord,
        max_connections: u32,
        now: Timestamp,
    ) -> Result<(), RequestError> {
        use GraphCondition::*;
        let count_pending = self.adjust_counts(
            &from.id,
            &[Step::Up(Counter::PendingOut)],
            &format!(
                "attribute_exists(PK) AND {} AND {}",
                Counter::PendingOut.below(":max_pending"),
                Counter::Connections.below(":max_connections")
            ),
            &[
                (":max_pending", MAX_PENDING_REQUESTS),
                (":max_connections", max_connections),
            ],
        )?;
        let request = |owner: &UserId, sk_value: String, other: &super::UserRecord| {
            Item::from([
                pk(keys::user(owner)),
                sk(&sk_value),
                ("other_id".into(), s(&other.id)),
                ("other_username".into(), s(&other.username)),
                ("created_at".into(), n(now.0)),
            ])
        };
        let absent =
            |pk_value: String, sk_value: String| self.check_item(pk_value, &sk_value, false);
        let count_incoming = self.adjust_counts(
            &to.id,
            &[Step::Up(Counter::PendingIn)],
            &format!(
                "attribute_exists(PK) AND {}",
                Counter::PendingIn.below(":max_incoming")
            ),
            &[(":max_incoming", MAX_INCOMING_REQUESTS)],
        )?;
        let transaction = Transaction::new()
            .item(SenderUnderLimits, count_pending)
            .item(
                NotRequested,
                self.put_new(request(&from.id, keys::request_out(&to.id), to))?,
            )
            .item(
                NotRequested,
                self.put_new(request(&to.id, keys::request_in(&from.id), from))?,
            )
            .item(
                NotConnected,
                absent(keys::user(&from.id), keys::connection(&to.id))?,
            )
            .item(
                NotAskedBack,
                absent(keys::user(&from.id), keys::request_in(&to.id))?,
            )
            // Checked in the transaction, so a block made meanwhile holds.
            .item(
                NotBlockedByThem,
                absent(keys::user(&to.id), keys::block(&from.id))?,
            )
            .item(
                NotBlockedByMe,
                absent(keys::user(&from.id), keys::block(&to.id))?,
            )
            .item(RecipientHasRoom, count_incoming);
        // The most specific reason first: someone who is not there, then
        // what already exists between the two, and the limits last.
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) => Err(
                if failed.has(NotBlockedByThem)
                    || (failed.has(RecipientHasRoom) && self.user(&to.id).await?.is_none())
                {
                    // Blocked: the same answer as for nobody there.
                    RequestError::NoSuchPerson
                } else if failed.has(NotBlockedByMe) {
                    RequestError::YouBlocked
                } else if failed.has(NotConnected) {
                    RequestError::AlreadyConnected
                } else if failed.has(NotAskedBack) {
                    RequestError::TheyAsked
                } else if failed.has(NotRequested) {
                    RequestError::AlreadyRequested
                } else if failed.has(RecipientHasRoom) {
                    RequestError::TheirRequestsFull {
                        max: MAX_INCOMING_REQUESTS,
                    }
                } else {
                    // Only `SenderUnderLimits` is left, and it does not say which
                    // limit: the counts do.
                    let counts = self.counts(&from.id).await?;
                    if counts.connections >= max_connections {
                        RequestError::CallerAtLimit {
                            max: max_connections,
                        }
                    } else {
                        RequestError::TooManyPending {
                            max: MAX_PENDING_REQUESTS,
                        }
                    }
                },
            ),
        }
    }

    /// Accepts `requester`'s request to `me`, creating both edges and
    /// counting them, in one TransactWriteItems (1 request, 6 items).
    /// Nothing changes unless the request exists and both sides are under
    /// the cap.
    pub async fn accept_request(
        &self,
        me: &super::UserRecord,
        requester: &super::UserRecord,
        max_connections: u32,
        now: Timestamp,
    ) -> Result<(), AcceptError> {
        use GraphCondition::*;
        let edge = |owner, other| edge_item(owner, other, now);
        // The cap is checked on the connections only: the requester's
        // pending count goes down with the request it counted.
        let under_cap = format!(
            "attribute_exists(PK) AND {}",
            Counter::Connections.below(":max")
        );
        let count = |user: &super::UserRecord, steps: &[Step]| {
            self.adjust_counts(&user.id, steps, &under_cap, &[(":max", max_connections)])
        };
        let transaction = Transaction::new()
            .item(
                RequestExists,
                self.delete_existing(keys::user(&me.id), &keys::request_in(&requester.id))?,
            )
            .item(
                RequestExists,
                self.delete_existing(keys::user(&requester.id), &keys::request_out(&me.id))?,
            )
            .item(NotConnected, self.put_new(edge(me, requester))?)
            .item(NotConnected, self.put_new(edge(requester, me))?)
            .item(
                CallerUnderCap,
                count(
                    me,
                    &[
                        Step::Up(Counter::Connections),
                        Step::Down(Counter::PendingIn),
                    ],
                )?,
            )
            .item(
                OtherUnderCap,
                count(
                    requester,
                    &[
                        Step::Up(Counter::Connections),
                        Step::Down(Counter::PendingOut),
                    ],
                )?,
            )
            // The request answered, its notification is done with.
            .unconditioned(self.retire_notice(
                &me.id,
                &NotificationKey::Request(requester.id.clone()),
                now,
            )?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) => Err(if failed.has(RequestExists) {
                AcceptError::NoSuchRequest
            } else if failed.has(NotConnected) {
                AcceptError::AlreadyConnected
            } else if failed.has(CallerUnderCap) {
                AcceptError::CallerAtLimit {
                    max: max_connections,
                }
            } else {
                // Only `OtherUnderCap` is left.
                AcceptError::OtherAtLimit {
                    max: max_connections,
                }
            }),
        }
    }

    /// Declines an incoming or cancels an outgoing request between `me` and
    /// `other` (1 BatchGetItem to find it, 1 TransactWriteItems); `false`
    /// if there is none.
    pub async fn remove_request(&self, me: &UserId, other: &UserId) -> Result<bool, StoreError> {
        use GraphCondition::*;
        let mine = keys::user(me);
        let found = self
            .batch_get(vec![
                key(mine.clone(), keys::request_in(other)),
                key(mine, keys::request_out(other)),
            ])
            .await?;
        let Some(item) = found.first() else {
            return Ok(false);
        };
        let incoming = attr_s(item, keys::SK)?.starts_with(keys::REQ_IN_PREFIX);
        // The requester's pending count goes down with the pair.
        let (requester, recipient) = if incoming { (other, me) } else { (me, other) };
        let transaction = Transaction::new()
            .item(
                RequestExists,
                self.delete_existing(keys::user(requester), &keys::request_out(recipient))?,
            )
            .item(
                RequestExists,
                self.delete_existing(keys::user(recipient), &keys::request_in(requester))?,
            )
            .item(
                PendingCounted,
                self.adjust_counts(
                    requester,
                    &[Step::Down(Counter::PendingOut)],
                    &Counter::PendingOut.above_zero(),
                    &[],
                )?,
            )
            .item(
                IncomingCounted,
                self.adjust_counts(
                    recipient,
                    &[Step::Down(Counter::PendingIn)],
                    "attribute_exists(PK)",
                    &[],
                )?,
            )
            .unconditioned(self.retire_notice(
                recipient,
                &NotificationKey::Request(requester.clone()),
                Timestamp::now(),
            )?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::Store(error)) => Err(error),
            // `RequestExists`, `PendingCounted` or `IncomingCounted` (a
            // profile gone): the request was accepted or removed meanwhile.
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
        }
    }

    /// `me`'s pending requests in one direction (1 Query per 1 MB).
    pub async fn requests(
        &self,
        me: &UserId,
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
    pub async fn connections(&self, me: &UserId) -> Result<Vec<Edge>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(me), keys::CONN_PREFIX)
                    .consistent_read(true),
            )
            .await?;
        items.iter().map(edge_from_item).collect()
    }

    /// `owner`'s edge to `other`, if they are connected (1 GetItem).
    pub async fn edge(&self, key: EdgeOf<'_>) -> Result<Option<Edge>, StoreError> {
        self.get(keys::user(key.owner), &keys::connection(key.other))
            .await?
            .map(|item| edge_from_item(&item))
            .transpose()
    }

    /// Ends a connection: both edges and both counts in one TransactWriteItems
    /// (1 request); `false` if they were not connected.
    pub async fn disconnect(&self, me: &UserId, other: &UserId) -> Result<bool, StoreError> {
        use GraphCondition::*;
        let edge = |owner: &UserId, peer: &UserId| {
            self.delete_existing(keys::user(owner), &keys::connection(peer))
        };
        let count = |user: &UserId| {
            self.adjust_counts(
                user,
                &[Step::Down(Counter::Connections)],
                &Counter::Connections.above_zero(),
                &[],
            )
        };
        let transaction = Transaction::new()
            .item(Connected, edge(me, other)?)
            .item(Connected, edge(other, me)?)
            .item(ConnectionCounted, count(me)?)
            .item(ConnectionCounted, count(other)?)
            // "accepted your request" is no longer true news for either.
            .unconditioned(self.retire_notice(
                me,
                &NotificationKey::Accepted(other.clone()),
                Timestamp::now(),
            )?)
            .unconditioned(self.retire_notice(
                other,
                &NotificationKey::Accepted(me.clone()),
                Timestamp::now(),
            )?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::Store(error)) => Err(error),
            // `Connected` or `ConnectionCounted`: not connected (any more).
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
        }
    }

    /// Replaces `me`'s tags on the connection to `other` (1 TransactWriteItems:
    /// the edge update plus a check that each tag is still `me`'s); `false`
    /// if there is no such connection or one of the tags is not `me`'s.
    pub async fn set_edge_tags(
        &self,
        me: &UserId,
        other: &UserId,
        tag_ids: &[TagId],
    ) -> Result<bool, StoreError> {
        use GraphCondition::*;
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(me)))
            .key(keys::SK, s(keys::connection(other)))
            .condition_expression("attribute_exists(PK)");
        update = match ss(tag_ids) {
            Some(tags) => update
                .update_expression("SET tag_ids = :tags")
                .expression_attribute_values(":tags", tags),
            None => update.update_expression("REMOVE tag_ids"),
        };
        let mut transaction = Transaction::new().item(
            Connected,
            TransactWriteItem::builder()
                .update(update.build().map_err(build_error)?)
                .build(),
        );
        for tag_id in tag_ids {
            transaction = transaction.item(
                TagExists,
                self.check_item(keys::user(me), &keys::tag(tag_id), true)?,
            );
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::Store(error)) => Err(error),
            // `Connected` or `TagExists`: no such connection or tag of `me`'s.
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
        }
    }
}
