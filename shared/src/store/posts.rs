//! Posts: written once with their audience; read by id or by author (GSI1).

use aws_sdk_dynamodb::types::ReturnValue;

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Username;
use crate::domain::conversation::ReactionKind;
use crate::domain::social::Audience;

/// A post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    /// Time-ordered, so ids sort newest-last.
    pub id: PostId,
    /// The author.
    pub author_id: UserId,
    /// The author's username.
    pub author_username: Username,
    /// The author's display name, as read with the page (never stored on
    /// the post: see `people`).
    pub author_display_name: Option<String>,
    /// Text.
    pub content: String,
    /// Who it is for (its author can change it).
    pub audience: Audience,
    /// For `tags` posts: the author's tags it is for.
    pub tag_ids: Vec<TagId>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last edit.
    pub edited_at: Option<Timestamp>,
    /// Its comment and reaction counters, and who commented.
    pub conversation: Conversation,
}

/// The counters a post carries, moved in the same transaction as the comment
/// or reaction they count, so a page of posts shows them without a request
/// per post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    /// Comments under it.
    pub comments: i64,
    /// Reactions per kind, in [`ReactionKind::ALL`]'s order, none at zero.
    pub reactions: Vec<(ReactionKind, i64)>,
    /// Everyone who ever commented (at most the post's audience, which the
    /// connection cap bounds): whom a new comment notifies.
    pub commenters: Vec<UserId>,
    /// The reader's own reaction, when the post was read for a reader.
    pub mine: Option<ReactionKind>,
}

/// The post attribute counting reactions of `kind`.
pub(super) fn reaction_counter(kind: ReactionKind) -> String {
    format!("reactions_{}", kind.as_str())
}

fn conversation_of(item: &Item) -> Conversation {
    Conversation {
        comments: attr_n(item, "comment_count").unwrap_or(0).max(0),
        reactions: ReactionKind::ALL
            .into_iter()
            .map(|kind| (kind, attr_n(item, &reaction_counter(kind)).unwrap_or(0)))
            .filter(|(_, count)| *count > 0)
            .collect(),
        commenters: attr_ids(item, "commenters", UserId::from_stored),
        mine: None,
    }
}

/// What an author changes on a post.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostChange {
    /// New text.
    pub content: Option<String>,
    /// A new audience, with its tags (none unless `tags`).
    pub audience: Option<(Audience, Vec<TagId>)>,
}

pub(super) fn audience_of(item: &Item) -> Result<Audience, StoreError> {
    Audience::from_stored(&attr_s(item, "audience")?)
        .ok_or_else(|| StoreError::Corrupt("audience".into()))
}

pub(super) fn post_from_item(item: &Item) -> Result<PostRecord, StoreError> {
    Ok(PostRecord {
        id: PostId::from_stored(attr_s(item, "id")?),
        author_id: UserId::from_stored(attr_s(item, "author_id")?),
        author_username: Username::from_stored(attr_s(item, "author_username")?),
        author_display_name: None,
        content: attr_s(item, "content")?,
        audience: audience_of(item)?,
        tag_ids: attr_tag_ids(item, "tag_ids"),
        created_at: Timestamp(attr_n(item, "created_at")?),
        edited_at: attr_n(item, "edited_at").ok().map(Timestamp),
        conversation: conversation_of(item),
    })
}

/// A new post as it is stored (its counters start absent: zero). Public so
/// that a test can write many posts in batches, as no API call does.
pub fn post_item(post: &PostRecord) -> HashMap<String, AttributeValue> {
    let mut item = Item::from([
        pk(keys::post(&post.id)),
        sk(keys::POST),
        (keys::GSI1PK.into(), s(keys::author(&post.author_id))),
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
    item
}

impl Store {
    /// Everything about `me` a new post needs (profile, connections, tags), in
    /// one Query of `me`'s partition (a few KB: the cap keeps it small).
    pub async fn author_context(
        &self,
        me: &UserId,
    ) -> Result<(Option<super::UserRecord>, Vec<Edge>, Vec<TagRecord>), StoreError> {
        let items = self
            .query_all(
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("PK = :pk")
                    .expression_attribute_values(":pk", s(keys::user(me)))
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

    /// Writes a post's feed entries (the author's and each viewer's) in
    /// BatchWriteItem calls of 25, all at once, then the post (1 PutItem):
    /// ⌈(1 + viewers) / 25⌉ + 1 requests, 2 deep.
    pub async fn create_post(
        &self,
        post: &PostRecord,
        viewers: &[UserId],
    ) -> Result<(), StoreError> {
        let item = post_item(post);
        // The feed entries first, the post last: an entry whose post does not
        // exist is skipped by every read, so a failure part-way leaves
        // nothing anyone sees, and the post appears only once every feed it
        // is for holds it (docs/data-model.md, "When the store fails
        // part-way"). A retry writes a new post; the orphans stay invisible.
        let mut entries = vec![feed_item(&post.author_id, post)];
        entries.extend(viewers.iter().map(|viewer| feed_item(viewer, post)));
        self.batch_put(entries).await?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await?;
        Ok(())
    }

    /// A post by id (1 GetItem).
    pub async fn post(&self, post_id: &PostId) -> Result<Option<PostRecord>, StoreError> {
        self.get(keys::post(post_id), keys::POST)
            .await?
            .map(|item| post_from_item(&item))
            .transpose()
    }

    /// Changes `author`'s post: its text, its audience, or both (1
    /// conditional UpdateItem). Returns the post as it was and as it is now;
    /// `None` if there is no such post of theirs.
    pub async fn change_post(
        &self,
        author: &UserId,
        post_id: &PostId,
        change: &PostChange,
        now: Timestamp,
    ) -> Result<Option<(PostRecord, PostRecord)>, StoreError> {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post_id)))
            .key(keys::SK, s(keys::POST))
            .condition_expression("author_id = :author")
            .expression_attribute_values(":author", s(author))
            .return_values(ReturnValue::AllOld);
        if let Some(content) = &change.content {
            sets.push("content = :content, edited_at = :now");
            update = update
                .expression_attribute_values(":content", s(content))
                .expression_attribute_values(":now", n(now.0));
        }
        if let Some((audience, tag_ids)) = &change.audience {
            sets.push("audience = :audience");
            update = update.expression_attribute_values(":audience", s(audience.as_str()));
            match ss(tag_ids) {
                Some(tags) => {
                    sets.push("tag_ids = :tags");
                    update = update.expression_attribute_values(":tags", tags);
                }
                None => removes.push("tag_ids"),
            }
        }
        let expression = set_and_remove(&sets, &removes);
        if expression.is_empty() {
            // Nothing to change: the post as it is, if it is theirs.
            return Ok(self
                .post(post_id)
                .await?
                .filter(|post| post.author_id == *author)
                .map(|post| (post.clone(), post)));
        }
        match update.update_expression(expression).send().await {
            Ok(output) => {
                let Some(item) = output.attributes else {
                    return Ok(None);
                };
                let before = post_from_item(&item)?;
                let mut after = before.clone();
                if let Some(content) = &change.content {
                    after.content = content.clone();
                    after.edited_at = Some(now);
                }
                if let Some((audience, tag_ids)) = &change.audience {
                    after.audience = *audience;
                    after.tag_ids = tag_ids.clone();
                }
                Ok(Some((before, after)))
            }
            Err(error) if is_condition_failure(&error) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes `author`'s post (1 conditional DeleteItem) and returns it as
    /// it was (for the clean-up: who commented); `None` if there is no such
    /// post of theirs. Feed entries are removed separately.
    pub async fn delete_post(
        &self,
        author: &UserId,
        post_id: &PostId,
    ) -> Result<Option<PostRecord>, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::post(post_id)))
            .key(keys::SK, s(keys::POST))
            .condition_expression("author_id = :author")
            .expression_attribute_values(":author", s(author))
            .return_values(ReturnValue::AllOld)
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

    /// One page of an author's posts, newest first, before `before`
    /// (1 Query on GSI1; `filter` is a DynamoDB filter on the post's audience
    /// and tags, so a page may hold fewer than `limit`).
    pub async fn posts_by_author(
        &self,
        author: &UserId,
        before: Option<&str>,
        limit: usize,
        visible_to: Option<&[TagId]>,
    ) -> Result<Page<PostRecord>, StoreError> {
        let mut query = self.gsi1_newest_first(keys::author(author), before, limit);
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
        let evaluated_last = gsi1_next(output.last_evaluated_key.as_ref());
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
}
