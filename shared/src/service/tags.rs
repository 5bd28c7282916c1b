//! A person's own tags: private labels for their connections, which a
//! `tags` post is addressed to.

use crate::domain::Timestamp;
use crate::domain::ids::{TagId, UserId};
use crate::domain::social::{TagColor, TagName, UnknownTag};
use crate::service::fanout;
use crate::store::TagRecord;
use crate::{ApiError, App};

/// Whether every tag of `wanted` is one of the caller's `own` tags.
pub fn all_mine(wanted: &[TagId], own: &[TagRecord]) -> Result<(), UnknownTag> {
    match wanted.iter().all(|id| own.iter().any(|t| t.id == *id)) {
        true => Ok(()),
        false => Err(UnknownTag),
    }
}

/// The caller's tags, alphabetical (1 Query).
pub async fn list(app: &App, me: &UserId) -> Result<Vec<TagRecord>, ApiError> {
    let mut tags = app.store.tags(me).await?;
    tags.sort_by_key(|t| t.name.folded());
    Ok(tags)
}

/// A new tag, unique by name (ignoring case) among the caller's, under the
/// limit (1 TransactWriteItems).
pub async fn create(
    app: &App,
    me: &UserId,
    name: &str,
    color: &str,
) -> Result<TagRecord, ApiError> {
    let name = TagName::parse(name)?;
    let color = TagColor::parse(color)?;
    let tag = TagRecord {
        id: TagId::new(),
        name,
        color,
        created_at: Timestamp::now(),
    };
    app.store.create_tag(me, &tag).await?;
    Ok(tag)
}

/// Renames and/or recolours one of the caller's tags (1 GetItem, then 1
/// TransactWriteItems when renaming or 1 UpdateItem).
pub async fn update(
    app: &App,
    me: &UserId,
    id: &TagId,
    name: Option<&str>,
    color: Option<&str>,
) -> Result<TagRecord, ApiError> {
    let name = name.map(TagName::parse).transpose()?;
    let color = color.map(TagColor::parse).transpose()?;
    let mut tag = app
        .store
        .tag(me, id)
        .await?
        .ok_or_else(ApiError::tag_not_found)?;
    app.store
        .update_tag(me, &tag, name.as_ref(), color.unwrap_or(tag.color))
        .await?;
    if let Some(name) = name {
        tag.name = name;
    }
    if let Some(color) = color {
        tag.color = color;
    }
    Ok(tag)
}

/// Deletes a tag: it is taken off every connection first, so posts addressed
/// only to it stop being visible to them at once, and the feed entries it
/// granted go with it. 3 round trips: the tag and the connections; the tag
/// off each carrier beside the reads of their feeds; the tag itself beside
/// the entries' removal.
pub async fn delete(app: &App, me: &UserId, id: &TagId) -> Result<(), ApiError> {
    let (tag, connections) = tokio::join!(app.store.tag(me, id), app.store.connections(me));
    let (tag, connections) = (tag?.ok_or_else(ApiError::tag_not_found)?, connections?);
    // Who carries the tag, and the tags each keeps once it is gone.
    let carrying: Vec<(&UserId, Vec<TagId>)> = connections
        .iter()
        .filter(|edge| edge.tag_ids.contains(&tag.id))
        .map(|edge| {
            let remaining = edge.tag_ids.iter().filter(|t| **t != tag.id).cloned();
            (&edge.other_id, remaining.collect())
        })
        .collect();
    let others: Vec<&UserId> = carrying.iter().map(|(other, _)| *other).collect();
    let (stripped, stale) = tokio::join!(
        app.store.strip_tag(me, &tag.id, &others),
        fanout::stale_entries_of(&app.store, me, &carrying),
    );
    stripped?;
    let forget = async {
        use futures::StreamExt;
        futures::stream::iter(&carrying)
            .for_each_concurrent(crate::store::REQUESTS_IN_FLIGHT, |(viewer, remaining)| {
                super::notifications::forget_unseen_under(app, viewer, me, Some(remaining))
            })
            .await;
    };
    let (deleted, (), ()) = tokio::join!(
        app.store.delete_tag(me, &tag),
        fanout::best_effort("prune", fanout::take_away_all(&app.store, stale)),
        forget,
    );
    match deleted? {
        true => Ok(()),
        false => Err(ApiError::tag_not_found()),
    }
}
