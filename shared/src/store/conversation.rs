//! Comments and reactions, in their post's partition, and the post's
//! counters that move with them in one transaction.

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValue, TransactWriteItem, Update,
};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Username;
use crate::domain::conversation::ReactionKind;
use crate::domain::ids::CommentId;

/// A comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// Time-ordered: the thread reads oldest first.
    pub id: CommentId,
    /// The post it is under.
    pub post_id: PostId,
    /// Who wrote it.
    pub author_id: UserId,
    /// Their username.
    pub author_username: Username,
    /// Their display name, as read with the page.
    pub author_display_name: Option<String>,
    /// The post's author, who may delete it too (a condition in the store).
    pub post_author_id: UserId,
    /// Text.
    pub content: String,
    /// Written.
    pub created_at: Timestamp,
    /// Last edit.
    pub edited_at: Option<Timestamp>,
}

/// One person's reaction to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionRecord {
    /// Who reacted.
    pub user_id: UserId,
    /// Their username.
    pub username: Username,
    /// Their display name, as read with the page.
    pub display_name: Option<String>,
    /// How.
    pub kind: ReactionKind,
    /// When (set again when the kind changes).
    pub created_at: Timestamp,
}

/// A page of a thread and the post it is under, read together.
pub struct Thread {
    /// The post, when this page was read with it (the first page).
    pub post: Option<PostRecord>,
    /// Oldest first.
    pub comments: Vec<CommentRecord>,
    /// The last comment read, if there may be more.
    pub next: Option<CommentId>,
}

/// Why a comment or reaction write did not commit.
#[derive(Debug, thiserror::Error)]
pub enum ConversationError {
    /// The post is gone (deleted meanwhile).
    #[error("post gone")]
    PostGone,
    /// The comment is gone, or is not the caller's to change.
    #[error("comment gone")]
    CommentGone,
    /// The caller's reaction changed meanwhile (another call of theirs):
    /// read it again and retry.
    #[error("reaction changed")]
    ReactionChanged,
    /// Anything else.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    PostExists,
    CommentIsTheirs,
    ReactionAsRead,
}

impl From<TransactError<Check>> for ConversationError {
    fn from(error: TransactError<Check>) -> Self {
        match error {
            TransactError::ConditionsFailed(failed) if failed.has(Check::PostExists) => {
                ConversationError::PostGone
            }
            TransactError::ConditionsFailed(failed) if failed.has(Check::CommentIsTheirs) => {
                ConversationError::CommentGone
            }
            TransactError::ConditionsFailed(_) => ConversationError::ReactionChanged,
            TransactError::Store(error) => ConversationError::Store(error),
        }
    }
}

pub(super) fn comment_from_item(item: &Item) -> Result<CommentRecord, StoreError> {
    Ok(CommentRecord {
        id: CommentId::from_stored(attr_s(item, "id")?),
        post_id: PostId::from_stored(attr_s(item, "post_id")?),
        author_id: UserId::from_stored(attr_s(item, "author_id")?),
        author_username: Username::from_stored(attr_s(item, "author_username")?),
        author_display_name: None,
        post_author_id: UserId::from_stored(attr_s(item, "post_author_id")?),
        content: attr_s(item, "content")?,
        created_at: Timestamp(attr_n(item, "created_at")?),
        edited_at: attr_n(item, "edited_at").ok().map(Timestamp),
    })
}

pub(super) fn reaction_from_item(item: &Item) -> Result<ReactionRecord, StoreError> {
    Ok(ReactionRecord {
        user_id: UserId::from_stored(attr_s(item, "user_id")?),
        username: Username::from_stored(attr_s(item, "username")?),
        display_name: None,
        kind: ReactionKind::from_stored(&attr_s(item, "kind")?)
            .ok_or_else(|| StoreError::Corrupt("reaction kind".into()))?,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

impl Store {
    /// A page of a thread, oldest first, `limit` comments at most (1 Query).
    /// The first page (`after` is `None`) reads the post with it: the post
    /// sorts just before its comments.
    pub async fn thread(
        &self,
        post_id: &PostId,
        after: Option<&CommentId>,
        limit: usize,
    ) -> Result<Thread, StoreError> {
        let (from, wanted) = match after {
            None => (keys::POST.to_owned(), limit + 1),
            Some(_) => (keys::COMMENT_PREFIX.to_owned(), limit),
        };
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :end")
            .expression_attribute_values(":pk", s(keys::post(post_id)))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":end", s(keys::COMMENTS_END))
            .limit(wanted as i32);
        if let Some(after) = after {
            query =
                query.set_exclusive_start_key(Some(key(keys::post(post_id), keys::comment(after))));
        }
        let output = query.send().await?;
        let mut post = None;
        let mut comments = Vec::new();
        for item in output.items.unwrap_or_default() {
            if attr_s(&item, keys::SK)? == keys::POST {
                post = Some(post_from_item(&item)?);
            } else {
                comments.push(comment_from_item(&item)?);
            }
        }
        let next = output
            .last_evaluated_key
            .is_some()
            .then(|| comments.last().map(|c| c.id.clone()))
            .flatten();
        Ok(Thread {
            post,
            comments,
            next,
        })
    }

    /// A post, its author's edge to `viewer` and the profiles of the author
    /// and of `people`, in one BatchGetItem (the later pages of a thread:
    /// its cursor names the author).
    pub async fn post_and_edge<'a>(
        &self,
        post_id: &PostId,
        author: &'a UserId,
        viewer: &UserId,
        people: Vec<&'a UserId>,
    ) -> Result<(Option<PostRecord>, Option<Edge>, Names), StoreError> {
        let mut wanted = vec![key(keys::post(post_id), keys::POST)];
        if author != viewer {
            wanted.push(key(keys::user(author), keys::connection(viewer)));
        }
        let people: std::collections::BTreeSet<&UserId> =
            std::iter::once(author).chain(people).collect();
        wanted.extend(block_keys(viewer, Some(author), people.iter().copied()));
        wanted.extend(profile_keys(people));
        let mut post = None;
        let mut edge = None;
        let mut names = Names::seen_by(viewer);
        for item in self.batch_get(wanted).await? {
            if names.absorb(&item)? {
                continue;
            }
            if attr_s(&item, keys::SK)? == keys::POST {
                post = Some(post_from_item(&item)?);
            } else {
                edge = Some(edge_from_item(&item)?);
            }
        }
        Ok((post, edge, names))
    }

    /// One comment (1 GetItem).
    pub async fn comment(
        &self,
        post_id: &PostId,
        comment_id: &CommentId,
    ) -> Result<Option<CommentRecord>, StoreError> {
        self.get(keys::post(post_id), &keys::comment(comment_id))
            .await?
            .map(|item| comment_from_item(&item))
            .transpose()
    }

    /// Writes a comment and counts it on its post, which must still exist,
    /// adding its author to the post's commenters (1 TransactWriteItems).
    pub async fn add_comment(&self, comment: &CommentRecord) -> Result<(), ConversationError> {
        let mut item = Item::from([
            pk(keys::post(&comment.post_id)),
            sk(keys::comment(&comment.id)),
            ("id".into(), s(&comment.id)),
            ("post_id".into(), s(&comment.post_id)),
            ("author_id".into(), s(&comment.author_id)),
            ("author_username".into(), s(&comment.author_username)),
            ("post_author_id".into(), s(&comment.post_author_id)),
            ("content".into(), s(&comment.content)),
            ("created_at".into(), n(comment.created_at.0)),
            (
                keys::GSI1PK.into(),
                s(keys::comments_by(&comment.author_id)),
            ),
            (keys::GSI1SK.into(), s(&comment.id)),
        ]);
        if let Some(edited) = comment.edited_at {
            item.insert("edited_at".into(), n(edited.0));
        }
        let count = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(&comment.post_id)))
            .key(keys::SK, s(keys::POST))
            .update_expression("ADD comment_count :one, commenters :me")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(
                ":me",
                AttributeValue::Ss(vec![comment.author_id.to_string()]),
            )
            .build()
            .map_err(build_error)?;
        // A fresh id cannot collide, so the put has no condition of its own.
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(build_error)?;
        let transaction = Transaction::new()
            .unconditioned(TransactWriteItem::builder().put(put).build())
            .item(
                Check::PostExists,
                TransactWriteItem::builder().update(count).build(),
            );
        Ok(self.transact(transaction).await?)
    }

    /// Changes the text of `author`'s comment (1 conditional UpdateItem);
    /// `None` if there is no such comment of theirs.
    pub async fn edit_comment(
        &self,
        author: &UserId,
        post_id: &PostId,
        comment_id: &CommentId,
        content: &str,
        now: Timestamp,
    ) -> Result<Option<CommentRecord>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post_id)))
            .key(keys::SK, s(keys::comment(comment_id)))
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
                .map(|item| comment_from_item(&item))
                .transpose(),
            Err(error) if is_condition_failure(&error) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes a comment that `by` wrote or that is under `by`'s post, and
    /// counts it off the post (1 TransactWriteItems): who may delete is the
    /// delete's own condition, never a read before it.
    pub async fn delete_comment(
        &self,
        by: &UserId,
        post_id: &PostId,
        comment_id: &CommentId,
    ) -> Result<(), ConversationError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post_id)))
            .key(keys::SK, s(keys::comment(comment_id)))
            .condition_expression("author_id = :by OR post_author_id = :by")
            .expression_attribute_values(":by", s(by))
            .build()
            .map_err(build_error)?;
        let count = self.count_on_post(post_id, "ADD comment_count :minus_one")?;
        let transaction = Transaction::new()
            .item(
                Check::CommentIsTheirs,
                TransactWriteItem::builder().delete(delete).build(),
            )
            .item(Check::PostExists, count);
        Ok(self.transact(transaction).await?)
    }

    /// An update of a post's counters, on condition that it exists.
    pub(super) fn count_on_post(
        &self,
        post_id: &PostId,
        expression: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post_id)))
            .key(keys::SK, s(keys::POST))
            .update_expression(expression)
            .condition_expression("attribute_exists(PK)");
        if expression.contains(":one") {
            update = update.expression_attribute_values(":one", n(1));
        }
        if expression.contains(":minus_one") {
            update = update.expression_attribute_values(":minus_one", n(-1));
        }
        Ok(TransactWriteItem::builder()
            .update(update.build().map_err(build_error)?)
            .build())
    }

    /// `user`'s reaction to a post (1 GetItem).
    pub async fn reaction(
        &self,
        post_id: &PostId,
        user: &UserId,
    ) -> Result<Option<ReactionRecord>, StoreError> {
        self.get(keys::post(post_id), &keys::reaction(user))
            .await?
            .map(|item| reaction_from_item(&item))
            .transpose()
    }

    /// Sets `reaction` in place of `before` (what the caller read) and moves
    /// the post's counters (1 TransactWriteItems). Two calls of one person at
    /// once cannot both count: each is conditioned on the reaction it read.
    pub async fn set_reaction(
        &self,
        post_id: &PostId,
        reaction: &ReactionRecord,
        before: Option<ReactionKind>,
    ) -> Result<(), ConversationError> {
        let item = Item::from([
            pk(keys::post(post_id)),
            sk(keys::reaction(&reaction.user_id)),
            ("user_id".into(), s(&reaction.user_id)),
            ("username".into(), s(&reaction.username)),
            ("kind".into(), s(reaction.kind.as_str())),
            ("created_at".into(), n(reaction.created_at.0)),
            (
                keys::GSI1PK.into(),
                s(keys::reactions_by(&reaction.user_id)),
            ),
            (keys::GSI1SK.into(), s(post_id)),
        ]);
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        let new = reaction_counter(reaction.kind);
        let expression = match before {
            None => {
                put = put.condition_expression("attribute_not_exists(PK)");
                format!("ADD {new} :one")
            }
            Some(old) => {
                put = put
                    .condition_expression("kind = :old")
                    .expression_attribute_values(":old", s(old.as_str()));
                format!("ADD {new} :one, {} :minus_one", reaction_counter(old))
            }
        };
        let transaction = Transaction::new()
            .item(
                Check::ReactionAsRead,
                TransactWriteItem::builder()
                    .put(put.build().map_err(build_error)?)
                    .build(),
            )
            .item(Check::PostExists, self.count_on_post(post_id, &expression)?);
        Ok(self.transact(transaction).await?)
    }

    /// Removes `user`'s reaction, which was `before`, and counts it off the
    /// post (1 TransactWriteItems).
    pub async fn remove_reaction(
        &self,
        post_id: &PostId,
        user: &UserId,
        before: ReactionKind,
    ) -> Result<(), ConversationError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post_id)))
            .key(keys::SK, s(keys::reaction(user)))
            .condition_expression("kind = :old")
            .expression_attribute_values(":old", s(before.as_str()))
            .build()
            .map_err(build_error)?;
        let expression = format!("ADD {} :minus_one", reaction_counter(before));
        let transaction = Transaction::new()
            .item(
                Check::ReactionAsRead,
                TransactWriteItem::builder().delete(delete).build(),
            )
            .item(Check::PostExists, self.count_on_post(post_id, &expression)?);
        Ok(self.transact(transaction).await?)
    }

    /// A page of who reacted to a post, by user id (1 Query).
    pub async fn reactions(
        &self,
        post_id: &PostId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ReactionRecord>, StoreError> {
        let mut query = self
            .sorted_prefix_query(keys::post(post_id), keys::REACTION_PREFIX)
            .limit(limit as i32);
        if let Some(after) = after {
            query = query.set_exclusive_start_key(Some(key(
                keys::post(post_id),
                format!("{}{after}", keys::REACTION_PREFIX),
            )));
        }
        let output = query.send().await?;
        let items: Vec<ReactionRecord> = output
            .items
            .unwrap_or_default()
            .iter()
            .map(reaction_from_item)
            .collect::<Result<_, _>>()?;
        let next = output
            .last_evaluated_key
            .is_some()
            .then(|| items.last().map(|r| r.user_id.to_string()))
            .flatten();
        Ok(Page { items, next })
    }

    /// Removes what is left in a deleted post's partition (its comments and
    /// reactions): 1 consistent Query per 1 MB, then BatchWriteItem per 25.
    /// A comment cannot commit after the post is gone (its transaction
    /// checks the post), so what this Query finds is all there is.
    pub async fn remove_conversation(&self, post_id: &PostId) -> Result<usize, StoreError> {
        let items = self
            .query_all(
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("PK = :pk")
                    .expression_attribute_values(":pk", s(keys::post(post_id)))
                    .projection_expression("PK, SK")
                    .consistent_read(true),
            )
            .await?;
        let keys_to_delete: Vec<Item> = items
            .into_iter()
            .filter(|item| attr_s(item, keys::SK).is_ok_and(|sk| sk != keys::POST))
            .collect();
        let removed = keys_to_delete.len();
        self.batch_delete(keys_to_delete).await?;
        Ok(removed)
    }
}
