//! Deleting an account: the one transaction that makes the person gone for
//! everyone, the job that remembers what is left to remove, and the
//! key-based reads and writes of the clean-up. Nothing here scans: every
//! item is found from the person's own partitions and their GSI1 lists.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::{Email, Username};
use crate::domain::conversation::ReactionKind;
use crate::domain::ids::CommentId;

/// GSI1 partition listing the deletions whose clean-up is not finished.
pub const DELETIONS: &str = "DELETIONS";

/// What is left to do for a deleted account: enough to find everything by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionJob {
    /// The account.
    pub user_id: UserId,
    /// Its username (for the rate windows and claims keyed by it).
    pub username: Username,
    /// Its address (the codes and rate windows keyed by it).
    pub email: Email,
    /// When the deletion was confirmed.
    pub confirmed_at: Timestamp,
}

/// Everything of the account the clean-up finds by key, in one place.
#[derive(Debug, Default)]
pub struct Remains {
    /// The people on the other side of each connection.
    pub connections: Vec<UserId>,
    /// Requests this person sent, by recipient.
    pub requested: Vec<UserId>,
    /// Requests sent to this person, by sender.
    pub requested_by: Vec<UserId>,
    /// Their posts.
    pub posts: Vec<PostId>,
    /// Their comments: (post, comment).
    pub comments: Vec<(PostId, CommentId)>,
    /// Their reactions: (post, kind).
    pub reactions: Vec<(PostId, ReactionKind)>,
    /// The people they exchanged request or acceptance notices with: the
    /// recipients of the notes in their partition (`NOTICE#`) and the actors
    /// of the `request#`/`accepted#` notifications they received. Those
    /// notices are kept after the request or the connection ends, so they
    /// are found here, not through an edge.
    pub noticed: Vec<UserId>,
    /// The people they blocked (whose partitions hold the twins).
    pub blocked: Vec<UserId>,
    /// The people who blocked them (whose partitions hold the blocks).
    pub blocked_by: Vec<UserId>,
    /// Keys outside their partition that its items lead to: their
    /// invitations' links (by the token's hash) and the invited addresses'
    /// notes of them, and the open reports they filed (by their claims).
    pub elsewhere: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    ProfileExists,
    ClaimIsTheirs,
    EdgeExists,
    RequestExists,
}

/// The other person of a note (`NOTICE#<kind>#<recipient>`) or of a
/// received `NOTIF#request#<actor>` / `NOTIF#accepted#<actor>`.
fn noticed_in(sort_key: &str) -> Option<UserId> {
    let rest = sort_key
        .strip_prefix(keys::NOTICE_SENT_PREFIX)
        .or_else(|| sort_key.strip_prefix(keys::NOTIFICATION_PREFIX))?;
    let (tag, other) = rest.split_once('#')?;
    matches!(tag, "request" | "accepted").then(|| UserId::from_stored(other.to_owned()))
}

fn job_key(user: &UserId) -> Item {
    key(format!("DELETION#{user}"), "JOB")
}

fn job_from_item(item: &Item) -> Result<DeletionJob, StoreError> {
    Ok(DeletionJob {
        user_id: UserId::from_stored(attr_s(item, "user_id")?),
        username: Username::from_stored(attr_s(item, "username")?),
        email: Email::from_stored(attr_s(item, "email")?),
        confirmed_at: Timestamp(attr_n(item, "confirmed_at")?),
    })
}

impl Store {
    /// Deletes items by key (BatchWriteItem per 25): what the clean-up
    /// found outside the person's partition.
    pub async fn forget_keys(&self, keys_to_delete: Vec<Item>) -> Result<(), StoreError> {
        self.batch_delete(keys_to_delete).await
    }

    /// The moment of deletion, in 1 TransactWriteItems: the profile (so
    /// every read path drops the person at once, see `people`), the password
    /// item, both claims (so nobody signs in as them and the address is free
    /// again), the username's hold (`hold`: a keyed hash of the username,
    /// never the name itself, expiring after the quarantine) and the job the
    /// clean-up resumes from. Returns false when the account is already gone.
    pub async fn confirm_deletion(
        &self,
        user: &UserRecord,
        hold: &str,
        hold_until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let claim_is_theirs = |pk: String| -> Result<TransactWriteItem, StoreError> {
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(pk))
                .key(keys::SK, s(keys::CLAIM))
                .condition_expression("user_id = :me")
                .expression_attribute_values(":me", s(user.id.as_str()))
                .build()
                .map_err(build_error)?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        let mut job = job_key(&user.id);
        job.insert("user_id".into(), s(user.id.as_str()));
        job.insert("username".into(), s(user.username.as_str()));
        job.insert("email".into(), s(user.email.as_str()));
        job.insert("confirmed_at".into(), n(now.0));
        job.insert(keys::GSI1PK.into(), s(DELETIONS));
        job.insert(keys::GSI1SK.into(), s(user.id.as_str()));
        let hold_item: Item = [
            pk(format!("HOLD#{hold}")),
            sk(keys::CLAIM),
            (keys::EXPIRES_AT.into(), n(hold_until.0)),
        ]
        .into();
        let credentials = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::credentials(&user.id)))
            .key(keys::SK, s(keys::PASSWORD))
            .build()
            .map_err(build_error)?;
        let transaction = Transaction::new()
            .item(
                Check::ProfileExists,
                self.delete_existing(keys::user(&user.id), keys::PROFILE)?,
            )
            .item(
                Check::ClaimIsTheirs,
                claim_is_theirs(keys::email_claim(&user.email))?,
            )
            .item(
                Check::ClaimIsTheirs,
                claim_is_theirs(keys::username_claim(&user.username))?,
            )
            .unconditioned(TransactWriteItem::builder().delete(credentials).build())
            .unconditioned(self.plain_put(hold_item)?)
            .unconditioned(self.plain_put(job)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// The deletions whose clean-up is not finished (1 Query of GSI1 per
    /// 1 MB: a handful at any time).
    pub async fn deletion_jobs(&self) -> Result<Vec<DeletionJob>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(DELETIONS));
        self.query_all(query)
            .await?
            .iter()
            .map(job_from_item)
            .collect()
    }

    /// The job is done: its item goes last (1 DeleteItem).
    pub async fn finish_deletion(&self, user: &UserId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(job_key(user)))
            .send()
            .await?;
        Ok(())
    }

    /// What the clean-up finds by key: the person's partition (edges and
    /// requests), their posts (GSI1 `AUTHOR#`), comments (`COMMENTS#`) and
    /// reactions (`REACTIONS#`): 4 Queries at once, 1 per 1 MB.
    pub async fn remains(&self, user: &UserId) -> Result<Remains, StoreError> {
        let gsi = |partition: String| {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI1)
                .key_condition_expression("GSI1PK = :pk")
                .expression_attribute_values(":pk", s(partition))
        };
        let own = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::user(user)));
        let (own, posts, comments, reactions) = tokio::join!(
            self.query_all(own),
            self.query_all(gsi(keys::author(user))),
            self.query_all(gsi(keys::comments_by(user))),
            self.query_all(gsi(keys::reactions_by(user))),
        );
        let mut remains = Remains::default();
        for item in own? {
            let sort_key = attr_s(&item, keys::SK)?;
            let other = |prefix: &str| UserId::from_stored(sort_key[prefix.len()..].to_owned());
            if sort_key.starts_with(keys::CONN_PREFIX) {
                remains.connections.push(other(keys::CONN_PREFIX));
            } else if sort_key.starts_with(keys::REQ_OUT_PREFIX) {
                remains.requested.push(other(keys::REQ_OUT_PREFIX));
            } else if sort_key.starts_with(keys::REQ_IN_PREFIX) {
                remains.requested_by.push(other(keys::REQ_IN_PREFIX));
            } else if sort_key.starts_with(keys::BLOCK_PREFIX) {
                remains.blocked.push(other(keys::BLOCK_PREFIX));
            } else if sort_key.starts_with(keys::BLOCKED_BY_PREFIX) {
                remains.blocked_by.push(other(keys::BLOCKED_BY_PREFIX));
            } else if sort_key.starts_with(keys::INVITATION_PREFIX) {
                let email = crate::domain::account::Email::from_stored(attr_s(&item, "email")?);
                remains
                    .elsewhere
                    .push(key(keys::invited(&email), keys::invited_by(user)));
                if let Ok(hash) = attr_s(&item, "token_hash") {
                    remains
                        .elsewhere
                        .push(key(keys::invite(&hash), keys::INVITE));
                }
            } else if let Some(target) = sort_key.strip_prefix(keys::REPORTED_PREFIX) {
                let report = crate::domain::ids::ReportId::from_stored(attr_s(&item, "report_id")?);
                remains
                    .elsewhere
                    .push(key(format!("REPORTS#{target}"), keys::report(&report)));
            } else if let Some(other) = noticed_in(&sort_key) {
                remains.noticed.push(other);
            }
        }
        for item in posts? {
            remains
                .posts
                .push(PostId::from_stored(attr_s(&item, "id")?));
        }
        for item in comments? {
            remains.comments.push((
                PostId::from_stored(attr_s(&item, "post_id")?),
                CommentId::from_stored(attr_s(&item, "id")?),
            ));
        }
        for item in reactions? {
            let post = attr_s(&item, keys::PK)?
                .trim_start_matches("POST#")
                .to_owned();
            if let Some(kind) = ReactionKind::from_stored(&attr_s(&item, "kind")?) {
                remains.reactions.push((PostId::from_stored(post), kind));
            }
        }
        remains.noticed.sort();
        remains.noticed.dedup();
        Ok(remains)
    }

    /// Ends one connection of a deleted account, in 1 TransactWriteItems:
    /// the other's edge and their counter together (conditioned on that
    /// edge existing), and the deleted side's edge. When the other edge is
    /// gone already, only the deleted side's is removed (1 DeleteItem).
    pub async fn drop_connection(&self, gone: &UserId, other: &UserId) -> Result<(), StoreError> {
        let counter = self.count_down(other, "connections")?;
        let transaction = Transaction::new()
            .item(
                Check::EdgeExists,
                self.delete_existing(keys::user(other), &keys::connection(gone))?,
            )
            .item(
                Check::EdgeExists,
                TransactWriteItem::builder().update(counter).build(),
            )
            .unconditioned(self.plain_delete(keys::user(gone), &keys::connection(other))?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionsFailed(_)) => {
                self.delete_one(keys::user(gone), &keys::connection(other))
                    .await
            }
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// Withdraws one pending request of a deleted account, either way, in 1
    /// TransactWriteItems: the other side's item and their pending counter
    /// together (conditioned on that item existing), and the deleted side's
    /// item; when the other side's is gone already, only the deleted side's.
    pub async fn drop_request(
        &self,
        gone: &UserId,
        other: &UserId,
        gone_asked: bool,
    ) -> Result<(), StoreError> {
        let (theirs, mine, counter) = if gone_asked {
            (
                keys::request_in(gone),
                keys::request_out(other),
                "pending_in",
            )
        } else {
            (
                keys::request_out(gone),
                keys::request_in(other),
                "pending_out",
            )
        };
        let update = self.count_down(other, counter)?;
        let transaction = Transaction::new()
            .item(
                Check::RequestExists,
                self.delete_existing(keys::user(other), &theirs)?,
            )
            .item(
                Check::RequestExists,
                TransactWriteItem::builder().update(update).build(),
            )
            .unconditioned(self.plain_delete(keys::user(gone), &mine)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionsFailed(_)) => {
                self.delete_one(keys::user(gone), &mine).await
            }
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// Takes `who` out of a post's commenters (1 UpdateItem; nothing when
    /// the post is gone).
    pub async fn forget_commenter(&self, post: &PostId, who: &UserId) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post)))
            .key(keys::SK, s(keys::POST))
            .update_expression("DELETE commenters :who")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":who", AttributeValue::Ss(vec![who.to_string()]))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failure(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes whole partitions (the person's own, their feed, their rate
    /// windows and codes): 1 consistent Query each, at once, then
    /// BatchWriteItem per 25. Returns how many items went.
    pub async fn remove_partitions(&self, partitions: Vec<String>) -> Result<usize, StoreError> {
        use futures::{StreamExt, TryStreamExt};
        let found: Vec<Vec<Item>> = futures::stream::iter(partitions)
            .map(|partition| {
                let query = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .consistent_read(true)
                    .key_condition_expression("PK = :pk")
                    .projection_expression("PK, SK")
                    .expression_attribute_values(":pk", s(partition));
                self.query_all(query)
            })
            .buffer_unordered(REQUESTS_IN_FLIGHT)
            .try_collect()
            .await?;
        let items: Vec<Item> = found.into_iter().flatten().collect();
        let count = items.len();
        self.batch_delete(items).await?;
        Ok(count)
    }

    /// `counter` on `user`'s profile down by one, conditioned on it being
    /// above zero (the other side of what a deleted account ends).
    fn count_down(&self, user: &UserId, counter: &str) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression(format!("SET {counter} = {counter} - :one"))
            .condition_expression(format!("{counter} > :zero"))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .build()
            .map_err(build_error)
    }

    async fn delete_one(&self, pk_value: String, sk_value: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk_value))
            .key(keys::SK, s(sk_value))
            .send()
            .await?;
        Ok(())
    }
}
