//! The reads a data export makes that no other path does: what a person
//! wrote under posts and their reactions, a page at a time from their GSI1
//! lists (`COMMENTS#`, `REACTIONS#`). Their posts come from
//! [`Store::posts_by_author`], the short lists from the person's partition.

use super::*;
use crate::domain::ids::PostId;

impl Store {
    /// One page of what `author` wrote under posts (anyone's), newest
    /// first, before `before` (a comment id): 1 Query on GSI1, `limit`
    /// items or 1 MB at most.
    pub async fn comments_by_author(
        &self,
        author: &UserId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Page<CommentRecord>, StoreError> {
        let output = self
            .gsi1_newest_first(keys::comments_by(author), before, limit)
            .send()
            .await?;
        let next = gsi1_next(output.last_evaluated_key.as_ref());
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(comment_from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next })
    }

    /// One page of `user`'s reactions with the post each is on, newest
    /// post first, before `before` (a post id): 1 Query on GSI1, `limit`
    /// items or 1 MB at most.
    pub async fn reactions_by_user(
        &self,
        user: &UserId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Page<(PostId, ReactionRecord)>, StoreError> {
        let output = self
            .gsi1_newest_first(keys::reactions_by(user), before, limit)
            .send()
            .await?;
        let next = gsi1_next(output.last_evaluated_key.as_ref());
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(|item| {
                // A reaction's GSI1 sort key is the post it is on.
                let post = PostId::from_stored(attr_s(item, keys::GSI1SK)?);
                Ok((post, reaction_from_item(item)?))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page { items, next })
    }
}
