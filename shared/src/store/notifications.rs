//! Notifications, in their recipient's partition (listed newest first on
//! GSI1), the reads that check them against the current state, and the
//! email settings on the profile.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Username;
use crate::domain::conversation::{EmailSettings, NotificationKey};
use crate::domain::ids::CommentId;

/// A notification as stored: a pointer to its source, never its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// Who it is for.
    pub recipient: UserId,
    /// Which, and of what kind.
    pub key: NotificationKey,
    /// Who did it (the latest one, for reactions).
    pub actor_id: UserId,
    /// Their username.
    pub actor_username: Username,
    /// The post it is about, if any.
    pub post_id: Option<PostId>,
    /// That post's author (to check the recipient may still see it).
    pub post_author_id: Option<UserId>,
    /// The comment it is about, if any.
    pub comment_id: Option<CommentId>,
    /// When it last happened.
    pub created_at: Timestamp,
    /// Whether the recipient marked it read.
    pub read: bool,
    /// When it expires (TTL).
    pub expires_at: Timestamp,
    /// Where it sorts in the list (a ULID of its last change).
    pub position: String,
}

/// What the recipient's notifications point at, as it is now: the items
/// that exist among those asked for.
#[derive(Debug, Default)]
pub struct Sources {
    /// Posts, by id.
    pub posts: HashMap<PostId, PostRecord>,
    /// Comments that exist.
    pub comments: HashSet<CommentId>,
    /// Reactions that exist: (post, who).
    pub reactions: HashSet<(PostId, UserId)>,
    /// Authors' edges to the recipient, by author.
    pub edges_to_me: HashMap<UserId, Edge>,
    /// The recipient's own connections (by the other's id).
    pub connected: HashSet<UserId>,
    /// Who has a pending request to the recipient.
    pub requested: HashSet<UserId>,
    /// The actors who still exist, with their display names.
    pub names: Names,
}

fn notification_item(record: &NotificationRecord) -> Item {
    let mut item = Item::from([
        pk(keys::user(&record.recipient)),
        sk(keys::notification(&record.key)),
        (
            keys::GSI1PK.into(),
            s(keys::notifications(&record.recipient)),
        ),
        (keys::GSI1SK.into(), s(&record.position)),
        ("actor_id".into(), s(&record.actor_id)),
        ("actor_username".into(), s(&record.actor_username)),
        ("created_at".into(), n(record.created_at.0)),
        ("read".into(), AttributeValue::Bool(record.read)),
        (keys::EXPIRES_AT.into(), n(record.expires_at.0)),
    ]);
    if let Some(post) = &record.post_id {
        item.insert("post_id".into(), s(post));
    }
    if let Some(author) = &record.post_author_id {
        item.insert("post_author_id".into(), s(author));
    }
    if let Some(comment) = &record.comment_id {
        item.insert("comment_id".into(), s(comment));
    }
    item
}

fn notification_from_item(item: &Item) -> Result<NotificationRecord, StoreError> {
    let sort_key = attr_s(item, keys::SK)?;
    let id = sort_key
        .strip_prefix(keys::NOTIFICATION_PREFIX)
        .map(|rest| rest.replacen('#', ":", 1))
        .and_then(|id| NotificationKey::parse(&id))
        .ok_or_else(|| StoreError::Corrupt("notification key".into()))?;
    let recipient = attr_s(item, keys::PK)?
        .trim_start_matches("USER#")
        .to_owned();
    Ok(NotificationRecord {
        recipient: UserId::from_stored(recipient),
        key: id,
        actor_id: UserId::from_stored(attr_s(item, "actor_id")?),
        actor_username: Username::from_stored(attr_s(item, "actor_username")?),
        post_id: attr_s(item, "post_id").ok().map(PostId::from_stored),
        post_author_id: attr_s(item, "post_author_id").ok().map(UserId::from_stored),
        comment_id: attr_s(item, "comment_id").ok().map(CommentId::from_stored),
        created_at: Timestamp(attr_n(item, "created_at")?),
        read: matches!(item.get("read"), Some(AttributeValue::Bool(true))),
        expires_at: Timestamp(attr_n(item, keys::EXPIRES_AT)?),
        position: attr_s(item, keys::GSI1SK)?,
    })
}

/// The email settings on a profile item: on unless turned off.
pub(super) fn email_settings_of(item: &Item) -> EmailSettings {
    let on = |name: &str| !matches!(item.get(name), Some(AttributeValue::Bool(false)));
    EmailSettings {
        on_request: on("email_on_request"),
        on_accept: on("email_on_accept"),
    }
}

impl Store {
    /// Writes notifications, each replacing the one with its key (one per
    /// source): BatchWriteItem per 25, all at once.
    pub async fn notify(&self, records: &[NotificationRecord]) -> Result<(), StoreError> {
        self.batch_put(records.iter().map(notification_item).collect())
            .await
    }

    /// Writes one notification (1 PutItem) and says whether it is news: no
    /// live one with its key was there before. An email goes out only for
    /// news, so asking, withdrawing and asking again mails nobody twice.
    pub async fn notify_once(&self, record: &NotificationRecord) -> Result<bool, StoreError> {
        let output = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(notification_item(record)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await?;
        let before = output
            .attributes
            .as_ref()
            .and_then(|item| attr_n(item, keys::EXPIRES_AT).ok());
        Ok(before.is_none_or(|expires| expires <= record.created_at.0))
    }

    /// One page of `me`'s notifications, newest first, before `before`
    /// (1 Query on GSI1).
    pub async fn notifications_page(
        &self,
        me: &UserId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Page<NotificationRecord>, StoreError> {
        let query = self.gsi1_newest_first(keys::notifications(me), before, limit);
        let output = query.send().await?;
        let next = gsi1_next(output.last_evaluated_key.as_ref());
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(notification_from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next })
    }

    /// `me`'s unread notifications that have not expired (1 Query of their
    /// partition's notifications, read ones filtered out by DynamoDB).
    pub async fn unread_notifications(
        &self,
        me: &UserId,
        now: Timestamp,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(me), keys::NOTIFICATION_PREFIX)
                    .filter_expression("#read = :no AND expires_at > :now")
                    .expression_attribute_names("#read", "read")
                    .expression_attribute_values(":no", AttributeValue::Bool(false))
                    .expression_attribute_values(":now", n(now.0)),
            )
            .await?;
        items.iter().map(notification_from_item).collect()
    }

    /// `recipient`'s notifications caused by `actor` (1 Query of their
    /// notifications per 1 MB, filtered by DynamoDB).
    pub async fn notices_from(
        &self,
        recipient: &UserId,
        actor: &UserId,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(recipient), keys::NOTIFICATION_PREFIX)
                    .filter_expression("actor_id = :actor")
                    .expression_attribute_values(":actor", s(actor)),
            )
            .await?;
        items.iter().map(notification_from_item).collect()
    }

    /// Marks these notifications of `me` read: 1 UpdateItem each, up to
    /// [`REQUESTS_IN_FLIGHT`] at once. Ids that are not theirs, or gone,
    /// change nothing: each update is keyed in `me`'s own partition and
    /// conditioned on the item existing.
    pub async fn mark_read(
        &self,
        me: &UserId,
        which: &[NotificationKey],
    ) -> Result<(), StoreError> {
        use futures::{StreamExt, TryStreamExt};
        // Owned keys: a future borrowing the caller's slice would not be
        // `Send` for every lifetime, which axum's handlers need.
        let partition = keys::user(me);
        let sort_keys: Vec<String> = which.iter().map(keys::notification).collect();
        let updates = sort_keys.into_iter().map(|sort_key| {
            let request = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(keys::PK, s(&partition))
                .key(keys::SK, s(sort_key))
                .update_expression("SET #read = :yes")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#read", "read")
                .expression_attribute_values(":yes", AttributeValue::Bool(true));
            async move {
                match request.send().await {
                    Ok(_) => Ok(()),
                    Err(error) if is_condition_failure(&error) => Ok(()),
                    Err(error) => Err(StoreError::from(error)),
                }
            }
        });
        futures::stream::iter(updates)
            .buffer_unordered(REQUESTS_IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// What `records` point at, as it is now, in one BatchGetItem (or one per
    /// 100 keys, all at once): their posts, comments and reactions, the
    /// authors' edges to `me`, `me`'s own edges and incoming requests, and
    /// the actors' profiles (for their names, and whether they still exist).
    pub async fn notification_sources(
        &self,
        me: &UserId,
        records: &[NotificationRecord],
    ) -> Result<Sources, StoreError> {
        let mut wanted = Vec::new();
        for record in records {
            match &record.key {
                NotificationKey::Request(from) => {
                    wanted.push(key(keys::user(me), keys::request_in(from)));
                }
                NotificationKey::Accepted(by) => {
                    wanted.push(key(keys::user(me), keys::connection(by)));
                }
                NotificationKey::Comment(comment) | NotificationKey::Thread(comment) => {
                    if let Some(post) = &record.post_id {
                        wanted.push(key(keys::post(post), keys::comment(comment)));
                    }
                }
                NotificationKey::Reactions(post) => {
                    wanted.push(key(keys::post(post), keys::reaction(&record.actor_id)));
                    // The author's own reaction is not one of the "others".
                    wanted.push(key(keys::post(post), keys::reaction(me)));
                }
            }
            if let Some(post) = &record.post_id {
                wanted.push(key(keys::post(post), keys::POST));
            }
            wanted.extend(profile_keys([&record.actor_id]));
            // The actor is hidden by a block either way, or by the post
            // author's block of them (their comment is gone for everyone).
            wanted.extend(block_keys(
                me,
                record.post_author_id.as_ref(),
                [&record.actor_id],
            ));
            if let Some(author) = record.post_author_id.as_ref().filter(|a| *a != me) {
                wanted.push(key(keys::user(author), keys::connection(me)));
            }
        }
        // Distinct keys only: BatchGetItem refuses a key asked twice.
        let mut seen = HashSet::new();
        wanted.retain(|k| {
            seen.insert((
                k[keys::PK].as_s().cloned().unwrap_or_default(),
                k[keys::SK].as_s().cloned().unwrap_or_default(),
            ))
        });
        let mut sources = Sources {
            names: Names::seen_by(me),
            ..Sources::default()
        };
        if wanted.is_empty() {
            return Ok(sources);
        }
        let my_partition = keys::user(me);
        for item in self.batch_get(wanted).await? {
            if sources.names.absorb(&item)? {
                continue;
            }
            let partition = attr_s(&item, keys::PK)?;
            let sort_key = attr_s(&item, keys::SK)?;
            if sort_key == keys::POST {
                let post = post_from_item(&item)?;
                sources.posts.insert(post.id.clone(), post);
            } else if let Some(comment) = sort_key.strip_prefix(keys::COMMENT_PREFIX) {
                sources
                    .comments
                    .insert(CommentId::from_stored(comment.to_owned()));
            } else if let Some(user) = sort_key.strip_prefix(keys::REACTION_PREFIX) {
                let post = partition.trim_start_matches("POST#").to_owned();
                sources.reactions.insert((
                    PostId::from_stored(post),
                    UserId::from_stored(user.to_owned()),
                ));
            } else if partition == my_partition {
                if let Some(from) = sort_key.strip_prefix(keys::REQ_IN_PREFIX) {
                    sources
                        .requested
                        .insert(UserId::from_stored(from.to_owned()));
                } else if let Some(other) = sort_key.strip_prefix(keys::CONN_PREFIX) {
                    sources
                        .connected
                        .insert(UserId::from_stored(other.to_owned()));
                }
            } else {
                let owner = partition.trim_start_matches("USER#").to_owned();
                sources
                    .edges_to_me
                    .insert(UserId::from_stored(owner), edge_from_item(&item)?);
            }
        }
        Ok(sources)
    }

    /// Deletes these notifications (recipient, which): BatchWriteItem per 25,
    /// all at once. What a change that took their source away calls, so the
    /// unread count (which reads only the recipient's partition) follows.
    pub async fn forget(&self, which: &[(UserId, NotificationKey)]) -> Result<(), StoreError> {
        let keys_to_delete = which
            .iter()
            .map(|(recipient, key_of)| key(keys::user(recipient), keys::notification(key_of)))
            .collect();
        self.batch_delete(keys_to_delete).await
    }

    /// Notes in the actor's partition that they caused `notice` (1 PutItem,
    /// expiring a day after it): see [`keys::notice_sent`].
    pub async fn note_notice_sent(&self, notice: &NotificationRecord) -> Result<(), StoreError> {
        let item = Item::from([
            pk(keys::user(&notice.actor_id)),
            sk(keys::notice_sent(&notice.key, &notice.recipient)),
            // A day after the notice: while a notice is in the table, its note is.
            (keys::EXPIRES_AT.into(), n(notice.expires_at.0 + 86_400)),
        ]);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await?;
        Ok(())
    }

    /// Deletes, in each of `others`' partitions, every request or
    /// acceptance notice from `gone` and every note of one sent to `gone`
    /// (4 keys each, whichever exist: a disconnect may have left a read
    /// stub): BatchWriteItem per 25.
    pub async fn forget_notices_with(
        &self,
        gone: &UserId,
        others: &[UserId],
    ) -> Result<(), StoreError> {
        let about_gone = [
            NotificationKey::Request(gone.clone()),
            NotificationKey::Accepted(gone.clone()),
        ];
        let mut keys_to_delete = Vec::new();
        for other in others {
            for which in &about_gone {
                keys_to_delete.push(key(keys::user(other), keys::notification(which)));
                keys_to_delete.push(key(keys::user(other), keys::notice_sent(which, gone)));
            }
        }
        self.batch_delete(keys_to_delete).await
    }

    /// `recipient`'s notifications about one post (1 Query of their
    /// notifications, filtered by DynamoDB).
    pub async fn notices_about_post(
        &self,
        recipient: &UserId,
        post: &PostId,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(recipient), keys::NOTIFICATION_PREFIX)
                    .filter_expression("post_id = :post")
                    .expression_attribute_values(":post", s(post)),
            )
            .await?;
        items.iter().map(notification_from_item).collect()
    }

    /// `recipient`'s notifications about threads under `author`'s posts (1
    /// Query of their thread notifications, filtered by DynamoDB).
    pub async fn thread_notices_under(
        &self,
        recipient: &UserId,
        author: &UserId,
    ) -> Result<Vec<NotificationRecord>, StoreError> {
        let prefix = format!("{}thread#", keys::NOTIFICATION_PREFIX);
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(recipient), &prefix)
                    .filter_expression("post_author_id = :author")
                    .expression_attribute_values(":author", s(author)),
            )
            .await?;
        items.iter().map(notification_from_item).collect()
    }

    /// Deletes the reactions notification of `author`'s post if it names
    /// `actor` (1 conditional DeleteItem): the one who took their reaction
    /// back is no longer the news.
    pub async fn forget_reaction_notice(
        &self,
        author: &UserId,
        post: &PostId,
        actor: &UserId,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(author)))
            .key(
                keys::SK,
                s(keys::notification(&NotificationKey::Reactions(
                    post.clone(),
                ))),
            )
            .condition_expression("actor_id = :actor")
            .expression_attribute_values(":actor", s(actor))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failure(&error) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Posts by id (1 BatchGetItem per 100; the ones that exist).
    pub async fn posts(&self, ids: &[PostId]) -> Result<HashMap<PostId, PostRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let wanted = ids
            .iter()
            .map(|id| key(keys::post(id), keys::POST))
            .collect();
        self.batch_get(wanted)
            .await?
            .iter()
            .map(|item| post_from_item(item).map(|post| (post.id.clone(), post)))
            .collect()
    }

    /// The edges `author` has to each of `others`, by the other's id (1
    /// BatchGetItem per 100: the cap keeps it one).
    pub async fn edges_to(
        &self,
        author: &UserId,
        others: &[UserId],
    ) -> Result<HashMap<UserId, Edge>, StoreError> {
        if others.is_empty() {
            return Ok(HashMap::new());
        }
        let wanted = others
            .iter()
            .map(|other| key(keys::user(author), keys::connection(other)))
            .collect();
        self.batch_get(wanted)
            .await?
            .iter()
            .map(|item| edge_from_item(item).map(|edge| (edge.other_id.clone(), edge)))
            .collect()
    }

    /// A person's email settings (1 GetItem of the profile); `None` if
    /// there is no such person.
    pub async fn email_settings(&self, user: &UserId) -> Result<Option<EmailSettings>, StoreError> {
        Ok(self
            .get(keys::user(user), keys::PROFILE)
            .await?
            .map(|item| email_settings_of(&item)))
    }

    /// Saves a person's email settings (1 conditional UpdateItem); `false`
    /// if there is no such person.
    pub async fn set_email_settings(
        &self,
        user: &UserId,
        settings: EmailSettings,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET email_on_request = :request, email_on_accept = :accept")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":request", AttributeValue::Bool(settings.on_request))
            .expression_attribute_values(":accept", AttributeValue::Bool(settings.on_accept))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}
