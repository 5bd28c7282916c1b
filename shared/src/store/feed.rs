//! Feeds: one entry per post a viewer may see, newest first, with what the visibility rule needs.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::domain::conversation::ReactionKind;
use crate::domain::social::Audience;

/// A feed entry: a pointer to a post plus what the visibility rule needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The post.
    pub post_id: PostId,
    /// Its author.
    pub author_id: UserId,
    /// Its audience.
    pub audience: Audience,
    /// Its tags.
    pub tag_ids: Vec<TagId>,
}

pub(super) fn feed_entry_from_item(item: &Item) -> Result<FeedEntry, StoreError> {
    Ok(FeedEntry {
        post_id: PostId::from_stored(attr_s(item, keys::SK)?),
        author_id: UserId::from_stored(attr_s(item, "author_id")?),
        audience: audience_of(item)?,
        tag_ids: attr_tag_ids(item, "tag_ids"),
    })
}

pub(super) fn feed_item(viewer: &UserId, post: &PostRecord) -> Item {
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
    /// Removes a post's entry from these feeds (BatchWriteItem per 25).
    pub async fn remove_feed_entries(
        &self,
        post_id: &PostId,
        viewers: &[UserId],
    ) -> Result<(), StoreError> {
        let keys_to_delete = viewers
            .iter()
            .map(|viewer| key(keys::feed(viewer), post_id))
            .collect();
        self.batch_delete(keys_to_delete).await
    }

    /// Writes a post's entry into these feeds, replacing what they held
    /// (BatchWriteItem per 25, all at once).
    pub async fn write_feed_entries(
        &self,
        post: &PostRecord,
        viewers: &[UserId],
    ) -> Result<(), StoreError> {
        self.batch_put(
            viewers
                .iter()
                .map(|viewer| feed_item(viewer, post))
                .collect(),
        )
        .await
    }

    /// Removes entries from one viewer's feed (BatchWriteItem per 25).
    pub async fn remove_entries_from_feed(
        &self,
        viewer: &UserId,
        post_ids: &[PostId],
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
        viewer: &UserId,
        posts: &[PostRecord],
    ) -> Result<(), StoreError> {
        self.batch_put(posts.iter().map(|post| feed_item(viewer, post)).collect())
            .await
    }

    /// A viewer's feed entries by one author (clean-up after disconnecting or
    /// untagging): 1 Query per 1 MB of the viewer's feed.
    pub async fn feed_entries_by(
        &self,
        viewer: &UserId,
        author: &UserId,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let items = self
            .query_all(
                self.client
                    .query()
                    .table_name(&self.table)
                    .key_condition_expression("PK = :pk")
                    .filter_expression("author_id = :author")
                    .expression_attribute_values(":pk", s(keys::feed(viewer)))
                    .expression_attribute_values(":author", s(author)),
            )
            .await?;
        items.iter().map(feed_entry_from_item).collect()
    }

    /// One page of a viewer's feed entries, newest first, before `before` (1 Query).
    pub async fn feed_page(
        &self,
        viewer: &UserId,
        before: Option<&str>,
        limit: usize,
        authors: Option<&[UserId]>,
    ) -> Result<Page<FeedEntry>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .scan_index_forward(false)
            .limit(limit as i32)
            .expression_attribute_values(":pk", s(keys::feed(viewer)));
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

    /// Posts, the authors' edges to `viewer`, `viewer`'s reactions to the
    /// posts and the profiles of `named` (the page's authors: their names,
    /// and whether they still exist), in one BatchGetItem per 100 keys, all
    /// at once (a default page of 20 posts is one).
    pub async fn posts_and_edges(
        &self,
        post_ids: &[PostId],
        authors: &HashSet<UserId>,
        named: &HashSet<UserId>,
        viewer: &UserId,
    ) -> Result<(HashMap<PostId, PostRecord>, HashMap<UserId, Edge>, Names), StoreError> {
        let mut wanted: Vec<_> = post_ids
            .iter()
            .map(|id| key(keys::post(id), keys::POST))
            .collect();
        wanted.extend(
            authors
                .iter()
                .map(|author| key(keys::user(author), keys::connection(viewer))),
        );
        wanted.extend(
            post_ids
                .iter()
                .map(|id| key(keys::post(id), keys::reaction(viewer))),
        );
        wanted.extend(profile_keys(named));
        let mut posts = HashMap::new();
        let mut edges = HashMap::new();
        let mut mine = HashMap::new();
        let mut names = Names::default();
        for item in self.batch_get(wanted).await? {
            if names.absorb(&item)? {
                continue;
            }
            let sort_key = attr_s(&item, keys::SK)?;
            if sort_key == keys::POST {
                let post = post_from_item(&item)?;
                posts.insert(post.id.clone(), post);
            } else if sort_key.starts_with(keys::REACTION_PREFIX) {
                let post = attr_s(&item, keys::PK)?
                    .trim_start_matches("POST#")
                    .to_owned();
                if let Some(kind) = ReactionKind::from_stored(&attr_s(&item, "kind")?) {
                    mine.insert(PostId::from_stored(post), kind);
                }
            } else {
                let owner = attr_s(&item, keys::PK)?
                    .trim_start_matches("USER#")
                    .to_owned();
                edges.insert(UserId::from_stored(owner), edge_from_item(&item)?);
            }
        }
        for (id, kind) in mine {
            if let Some(post) = posts.get_mut(&id) {
                post.conversation.mine = Some(kind);
            }
        }
        Ok((posts, edges, names))
    }

    /// `viewer`'s reactions to these posts and their authors' names, set on
    /// them; the posts of an account being deleted are dropped (1
    /// BatchGetItem for a page of up to 99; none for an empty page).
    pub async fn with_my_reactions(
        &self,
        viewer: &UserId,
        posts: &mut Vec<PostRecord>,
    ) -> Result<(), StoreError> {
        if posts.is_empty() {
            return Ok(());
        }
        let mut wanted: Vec<Item> = posts
            .iter()
            .map(|post| key(keys::post(&post.id), keys::reaction(viewer)))
            .collect();
        let authors: HashSet<&UserId> = posts.iter().map(|post| &post.author_id).collect();
        wanted.extend(profile_keys(authors));
        let mut mine = HashMap::new();
        let mut names = Names::default();
        for item in self.batch_get(wanted).await? {
            if names.absorb(&item)? {
                continue;
            }
            let post = attr_s(&item, keys::PK)?
                .trim_start_matches("POST#")
                .to_owned();
            if let Some(kind) = ReactionKind::from_stored(&attr_s(&item, "kind")?) {
                mine.insert(post, kind);
            }
        }
        posts.retain(|post| names.exists(&post.author_id));
        for post in posts {
            post.conversation.mine = mine.get(post.id.as_str()).copied();
            post.author_display_name = names.display_name(&post.author_id);
        }
        Ok(())
    }
}
