//! Blocks: one person keeping another out. The block lives in the
//! blocker's partition (`BLOCK#<blocked>`, listed and checked by key from
//! either side), with a key-only twin in the blocked person's partition
//! (`BLOCKEDBY#<blocker>`) so that deleting the blocked account finds it by
//! key. Blocking ends what was between the two in the same transaction.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Username;
use crate::domain::conversation::NotificationKey;
use crate::domain::social::MAX_BLOCKS;

/// Someone the caller blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRecord {
    /// The blocked person.
    pub other_id: UserId,
    /// Their username when blocked (names are read at display time).
    pub other_username: Username,
    /// Their display name, read at display time.
    pub other_display_name: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

/// How a block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Done.
    Done,
    /// The pair (or a profile) changed since it was read: read again.
    Changed,
    /// The blocker has blocked the most people allowed.
    AtLimit,
}

/// What stood between two people when it was read: what a block must end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Between {
    /// Connected.
    pub connected: bool,
    /// The blocker had asked the other.
    pub asked: bool,
    /// The other had asked the blocker.
    pub asked_by: bool,
    /// Already blocked.
    pub blocked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockCondition {
    /// The edges are as read (there, or not).
    EdgesAsRead,
    /// The blocker's request is as read.
    AskedAsRead,
    /// The other's request is as read.
    AskedByAsRead,
    /// Both profiles exist.
    ProfilesExist,
    /// The blocker has room for another block.
    BlockerHasRoom,
    /// No block yet.
    BlockAsRead,
    /// The block exists.
    BlockExists,
}

fn block_from_item(item: &Item) -> Result<BlockRecord, StoreError> {
    Ok(BlockRecord {
        other_id: UserId::from_stored(attr_s(item, "other_id")?),
        other_username: Username::from_stored(attr_s(item, "other_username")?),
        other_display_name: None,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

impl Store {
    /// What stands between `me` and `other` (1 BatchGetItem: my edge, my
    /// requests either way, my block).
    pub async fn between(&self, me: &UserId, other: &UserId) -> Result<Between, StoreError> {
        let mine = keys::user(me);
        let items = self
            .batch_get(vec![
                key(mine.clone(), keys::connection(other)),
                key(mine.clone(), keys::request_out(other)),
                key(mine.clone(), keys::request_in(other)),
                key(mine, keys::block(other)),
            ])
            .await?;
        let mut between = Between::default();
        for item in &items {
            let sort_key = attr_s(item, keys::SK)?;
            if sort_key.starts_with(keys::CONN_PREFIX) {
                between.connected = true;
            } else if sort_key.starts_with(keys::REQ_OUT_PREFIX) {
                between.asked = true;
            } else if sort_key.starts_with(keys::REQ_IN_PREFIX) {
                between.asked_by = true;
            } else if sort_key.starts_with(keys::BLOCK_PREFIX) {
                between.blocked = true;
            }
        }
        Ok(between)
    }

    /// Blocks `other` and ends what `seen` says is between them, in 1
    /// TransactWriteItems: the block and its twin; both edges and both
    /// connection counts; each pending request (both halves) with its
    /// counts; their notices retired. Every part is conditioned on being as
    /// read, so a request sent or accepted meanwhile makes it fail instead
    /// of leaving an edge beside a block: `Ok(false)`, read again and retry.
    pub async fn block(
        &self,
        me: &UserRecord,
        other: &UserRecord,
        seen: Between,
        now: Timestamp,
    ) -> Result<Blocked, StoreError> {
        use BlockCondition::*;
        let absent =
            |pk_value: String, sk_value: String| self.check_item(pk_value, &sk_value, false);
        let block = Item::from([
            pk(keys::user(&me.id)),
            sk(keys::block(&other.id)),
            ("other_id".into(), s(&other.id)),
            ("other_username".into(), s(&other.username)),
            ("created_at".into(), n(now.0)),
        ]);
        let twin = Item::from([pk(keys::user(&other.id)), sk(keys::blocked_by(&me.id))]);
        // A new block only (two at once count once): one already there ends
        // nothing more, and the use case answers before coming here.
        let mut transaction = Transaction::new()
            .item(BlockAsRead, self.put_new(block)?)
            .unconditioned(self.plain_put(twin)?);
        let (mut mine, mut theirs) = (Vec::new(), Vec::new());
        if seen.connected {
            transaction = transaction
                .item(
                    EdgesAsRead,
                    self.delete_existing(keys::user(&me.id), &keys::connection(&other.id))?,
                )
                .item(
                    EdgesAsRead,
                    self.delete_existing(keys::user(&other.id), &keys::connection(&me.id))?,
                )
                .unconditioned(self.retire_notice(
                    &me.id,
                    &NotificationKey::Accepted(other.id.clone()),
                    now,
                )?)
                .unconditioned(self.retire_notice(
                    &other.id,
                    &NotificationKey::Accepted(me.id.clone()),
                    now,
                )?);
            mine.push(Step::Down(Counter::Connections));
            theirs.push(Step::Down(Counter::Connections));
        } else {
            transaction = transaction.item(
                EdgesAsRead,
                absent(keys::user(&me.id), keys::connection(&other.id))?,
            );
        }
        if seen.asked {
            transaction = transaction
                .item(
                    AskedAsRead,
                    self.delete_existing(keys::user(&me.id), &keys::request_out(&other.id))?,
                )
                .item(
                    AskedAsRead,
                    self.delete_existing(keys::user(&other.id), &keys::request_in(&me.id))?,
                )
                .unconditioned(self.retire_notice(
                    &other.id,
                    &NotificationKey::Request(me.id.clone()),
                    now,
                )?);
            mine.push(Step::Down(Counter::PendingOut));
            theirs.push(Step::Down(Counter::PendingIn));
        } else {
            transaction = transaction.item(
                AskedAsRead,
                absent(keys::user(&me.id), keys::request_out(&other.id))?,
            );
        }
        if seen.asked_by {
            transaction = transaction
                .item(
                    AskedByAsRead,
                    self.delete_existing(keys::user(&me.id), &keys::request_in(&other.id))?,
                )
                .item(
                    AskedByAsRead,
                    self.delete_existing(keys::user(&other.id), &keys::request_out(&me.id))?,
                )
                .unconditioned(self.retire_notice(
                    &me.id,
                    &NotificationKey::Request(other.id.clone()),
                    now,
                )?);
            mine.push(Step::Down(Counter::PendingIn));
            theirs.push(Step::Down(Counter::PendingOut));
        } else {
            transaction = transaction.item(
                AskedByAsRead,
                absent(keys::user(&me.id), keys::request_in(&other.id))?,
            );
        }
        // The blocker's count, under the limit.
        mine.push(Step::Up(Counter::Blocks));
        // One update per profile (a transaction names an item once), which
        // also checks both still exist.
        let mine_item = self.adjust_counts(
            &me.id,
            &mine,
            &format!(
                "attribute_exists(PK) AND {}",
                Counter::Blocks.below(":max_blocks")
            ),
            &[(":max_blocks", MAX_BLOCKS)],
        )?;
        let profile = |user: &UserId, steps: &[Step]| -> Result<TransactWriteItem, StoreError> {
            if steps.is_empty() {
                self.check_item(keys::user(user), keys::PROFILE, true)
            } else {
                self.adjust_counts(user, steps, "attribute_exists(PK)", &[])
            }
        };
        transaction = transaction
            .item(BlockerHasRoom, mine_item)
            .item(ProfilesExist, profile(&other.id, &theirs)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(Blocked::Done),
            Err(TransactError::ConditionsFailed(failed))
                if failed.has(BlockerHasRoom)
                    && self.counts(&me.id).await?.blocks >= MAX_BLOCKS =>
            {
                Ok(Blocked::AtLimit)
            }
            Err(TransactError::ConditionsFailed(_)) => Ok(Blocked::Changed),
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// Lifts `me`'s block of `other`, its twin and its count (1
    /// TransactWriteItems); `false` if there was none.
    pub async fn unblock(&self, me: &UserId, other: &UserId) -> Result<bool, StoreError> {
        let transaction = Transaction::new()
            .item(
                BlockCondition::BlockExists,
                self.delete_existing(keys::user(me), &keys::block(other))?,
            )
            .item(
                BlockCondition::BlockExists,
                self.adjust_counts(
                    me,
                    &[Step::Down(Counter::Blocks)],
                    &Counter::Blocks.above_zero(),
                    &[],
                )?,
            )
            .unconditioned(self.plain_delete(keys::user(other), &keys::blocked_by(me))?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// The halves of blocks between a deleted account and others that are
    /// in the others' partitions: the twins of the blocks it made, the
    /// blocks made of it (BatchWriteItem per 25).
    pub async fn forget_blocks(
        &self,
        gone: &UserId,
        blocked: &[UserId],
        blocked_by: &[UserId],
    ) -> Result<(), StoreError> {
        let mut keys_to_delete: Vec<Item> = blocked
            .iter()
            .map(|other| key(keys::user(other), keys::blocked_by(gone)))
            .collect();
        keys_to_delete.extend(
            blocked_by
                .iter()
                .map(|other| key(keys::user(other), keys::block(gone))),
        );
        self.batch_delete(keys_to_delete).await
    }

    /// Everyone `me` blocked (1 Query per 1 MB).
    pub async fn blocks(&self, me: &UserId) -> Result<Vec<BlockRecord>, StoreError> {
        let items = self
            .query_all(self.sorted_prefix_query(keys::user(me), keys::BLOCK_PREFIX))
            .await?;
        items.iter().map(block_from_item).collect()
    }
}
