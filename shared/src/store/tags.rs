//! Tags: a person's private labels for their connections.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::social::{MAX_TAGS, TagColor, TagName};

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    /// The tag.
    pub id: TagId,
    /// Name as written.
    pub name: TagName,
    /// Palette colour.
    pub color: TagColor,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Why a new tag was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateTagError {
    /// The caller has another tag with this name.
    #[error("tag name taken")]
    NameTaken,
    /// The caller has the most tags allowed.
    #[error("at the limit of {max} tags")]
    AtLimit {
        /// The limit.
        max: usize,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a tag was not renamed or recoloured.
#[derive(Debug, thiserror::Error)]
pub enum UpdateTagError {
    /// The caller has another tag with the new name.
    #[error("tag name taken")]
    NameTaken,
    /// No such tag (of the caller's), or deleted meanwhile.
    #[error("no such tag")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(super) fn tag_from_item(item: &Item) -> Result<TagRecord, StoreError> {
    Ok(TagRecord {
        id: TagId::from_stored(attr_s(item, "id")?),
        name: TagName::from_stored(attr_s(item, "name")?),
        color: TagColor::parse(&attr_s(item, "color")?)
            .map_err(|_| StoreError::Corrupt("tag colour".into()))?,
        created_at: Timestamp(attr_n(item, "created_at")?),
    })
}

/// The named conditions of the tag transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagCondition {
    /// No tag has the new tag's id.
    TagNew,
    /// None of the caller's tags has the (folded) name.
    NameFree,
    /// The caller has fewer tags than allowed.
    UnderLimit,
    /// The tag exists and is the caller's.
    TagExists,
    /// The tag's name claim exists.
    NameClaimed,
    /// The caller's tag count has the tag in it.
    TagCounted,
}

impl Store {
    /// `me`'s tags (1 Query).
    pub async fn tags(&self, me: &UserId) -> Result<Vec<TagRecord>, StoreError> {
        let items = self
            .query_all(
                self.sorted_prefix_query(keys::user(me), keys::TAG_PREFIX)
                    .consistent_read(true),
            )
            .await?;
        items.iter().map(tag_from_item).collect()
    }

    /// One of `me`'s tags (1 GetItem).
    pub async fn tag(&self, me: &UserId, tag_id: &TagId) -> Result<Option<TagRecord>, StoreError> {
        self.get(keys::user(me), &keys::tag(tag_id))
            .await?
            .map(|item| tag_from_item(&item))
            .transpose()
    }

    /// Creates a tag, its name claim and counts it (1 TransactWriteItems).
    pub async fn create_tag(&self, me: &UserId, tag: &TagRecord) -> Result<(), CreateTagError> {
        use TagCondition::*;
        let item = Item::from([
            pk(keys::user(me)),
            sk(keys::tag(&tag.id)),
            ("id".into(), s(&tag.id)),
            ("name".into(), s(tag.name.as_str())),
            ("color".into(), s(tag.color.as_str())),
            ("created_at".into(), n(tag.created_at.0)),
        ]);
        let claim = Item::from([
            pk(keys::user(me)),
            sk(keys::tag_name(&tag.name.folded())),
            ("tag_id".into(), s(&tag.id)),
        ]);
        let count = self.adjust_counts(
            me,
            &[Step::Up(Counter::Tags)],
            &Counter::Tags.below(":max"),
            &[(":max", MAX_TAGS as u32)],
        )?;
        let transaction = Transaction::new()
            .item(TagNew, self.put_new(item)?)
            .item(NameFree, self.put_new(claim)?)
            .item(UnderLimit, count);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) if failed.has(NameFree) => {
                Err(CreateTagError::NameTaken)
            }
            // `UnderLimit`, or a tag id collision (`TagNew`, vanishingly
            // unlikely), which is refused the same way.
            Err(TransactError::ConditionsFailed(_)) => {
                Err(CreateTagError::AtLimit { max: MAX_TAGS })
            }
        }
    }

    /// Renames and/or recolours a tag (1 TransactWriteItems when renaming:
    /// the claim moves atomically; 1 UpdateItem otherwise).
    pub async fn update_tag(
        &self,
        me: &UserId,
        current: &TagRecord,
        new_name: Option<&TagName>,
        color: TagColor,
    ) -> Result<(), UpdateTagError> {
        use TagCondition::*;
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(me)))
            .key(keys::SK, s(keys::tag(&current.id)))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":color", s(color.as_str()));
        let Some(name) = new_name else {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(keys::PK, s(keys::user(me)))
                .key(keys::SK, s(keys::tag(&current.id)))
                .update_expression("SET color = :color")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":color", s(color.as_str()))
                .send()
                .await;
            return match result {
                Ok(_) => Ok(()),
                Err(error) if is_condition_failure(&error) => Err(UpdateTagError::NotFound),
                Err(error) => Err(StoreError::from(error).into()),
            };
        };
        update = update
            .update_expression("SET color = :color, #name = :name")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(name.as_str()));
        let (old_folded, new_folded) = (current.name.folded(), name.folded());
        let mut transaction = Transaction::new().item(
            TagExists,
            TransactWriteItem::builder()
                .update(update.build().map_err(build_error)?)
                .build(),
        );
        if old_folded != new_folded {
            let release = Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(keys::user(me)))
                .key(keys::SK, s(keys::tag_name(&old_folded)))
                .build()
                .map_err(build_error)?;
            // The old name's claim goes with the rename: the tag's update is
            // the check, so it needs no condition of its own.
            transaction = transaction
                .unconditioned(TransactWriteItem::builder().delete(release).build())
                .item(
                    NameFree,
                    self.put_new(Item::from([
                        pk(keys::user(me)),
                        sk(keys::tag_name(&new_folded)),
                        ("tag_id".into(), s(&current.id)),
                    ]))?,
                );
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) if failed.has(NameFree) => {
                Err(UpdateTagError::NameTaken)
            }
            // Only `TagExists` is left.
            Err(TransactError::ConditionsFailed(_)) => Err(UpdateTagError::NotFound),
        }
    }

    /// Takes `tag_id` off each of `me`'s connections to `others`: one
    /// UpdateItem each, up to [`super::REQUESTS_IN_FLIGHT`] at once. An edge
    /// that is gone meanwhile (a disconnect) is skipped, never recreated.
    pub async fn strip_tag(
        &self,
        me: &UserId,
        tag_id: &TagId,
        others: &[&UserId],
    ) -> Result<(), StoreError> {
        use futures::{StreamExt, TryStreamExt};
        let others: Vec<UserId> = others.iter().map(|o| (*o).clone()).collect();
        futures::stream::iter(others)
            .map(|other| async move {
                let result = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .key(keys::PK, s(keys::user(me)))
                    .key(keys::SK, s(keys::connection(&other)))
                    .update_expression("DELETE tag_ids :tag")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(
                        ":tag",
                        AttributeValue::Ss(vec![tag_id.to_string()]),
                    )
                    .send()
                    .await;
                match result {
                    Err(error) if !is_condition_failure(&error) => Err(StoreError::from(error)),
                    _ => Ok(()),
                }
            })
            .buffer_unordered(super::REQUESTS_IN_FLIGHT)
            .try_collect()
            .await
    }

    /// Deletes a tag, its name claim and its count (1 TransactWriteItems).
    /// The caller first takes it off every connection carrying it
    /// ([`Store::strip_tag`]), so that it stops granting visibility before it
    /// is gone. `false` if it was gone already (deleted meanwhile).
    pub async fn delete_tag(&self, me: &UserId, tag: &TagRecord) -> Result<bool, StoreError> {
        use TagCondition::*;
        let transaction = Transaction::new()
            .item(
                TagExists,
                self.delete_existing(keys::user(me), &keys::tag(&tag.id))?,
            )
            .item(
                NameClaimed,
                self.delete_existing(keys::user(me), &keys::tag_name(&tag.name.folded()))?,
            )
            .item(
                TagCounted,
                self.adjust_counts(
                    me,
                    &[Step::Down(Counter::Tags)],
                    &Counter::Tags.above_zero(),
                    &[],
                )?,
            );
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::Store(error)) => Err(error),
            // Any of the three: the tag is gone (deleted meanwhile).
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
        }
    }
}
