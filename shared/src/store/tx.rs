//! Transactions: one `TransactWriteItems` built item by item, each item
//! carrying the name of the condition it checks, so a cancellation reads as
//! the names that failed. Decoding by position made reordering the items
//! silently change which error a person got.
//!
//! Also the items every aggregate puts in its transactions: a put of a new
//! item, a delete of an item that must exist, and a profile counter moved by
//! one.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::*;

/// One `TransactWriteItems` being built. `C` is the caller's small enum of
/// condition names; several items may share a name when their failures mean
/// the same thing (both halves of a request, both edges of a connection).
pub(crate) struct Transaction<C> {
    items: Vec<TransactWriteItem>,
    /// Parallel to `items`: the name of each item's condition, `None` for an
    /// item that has none.
    names: Vec<Option<C>>,
}

impl<C: Copy + PartialEq> Transaction<C> {
    /// An empty transaction.
    pub(crate) fn new() -> Self {
        Self {
            items: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Adds an item whose condition is reported as `name` when it fails.
    pub(crate) fn item(mut self, name: C, item: TransactWriteItem) -> Self {
        self.items.push(item);
        self.names.push(Some(name));
        self
    }

    /// Adds an item without a condition. One with a condition here would
    /// fail unnamed: [`Store::transact`] reports that as a store error, never
    /// as a named one, and debug builds refuse it outright.
    pub(crate) fn unconditioned(mut self, item: TransactWriteItem) -> Self {
        debug_assert!(
            condition_of(&item).is_none(),
            "a conditioned transaction item needs a name"
        );
        self.items.push(item);
        self.names.push(None);
        self
    }
}

/// The names of the conditions that failed in a cancelled transaction: never
/// empty, and only names its items carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failed<C>(Vec<C>);

impl<C: Copy + PartialEq> Failed<C> {
    /// Whether the condition named `name` failed (on any item carrying it).
    pub(crate) fn has(&self, name: C) -> bool {
        self.0.contains(&name)
    }
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub(crate) enum TransactError<C> {
    /// These named conditions failed; nothing was written.
    ConditionsFailed(Failed<C>),
    /// Anything else, including a condition failing on an item without a
    /// name: no named error is guessed for it.
    Store(StoreError),
}

impl Store {
    /// Commits `transaction` in one `TransactWriteItems` (1 request, a few
    /// more only when DynamoDB reports a conflict with another transaction on
    /// the same items, which it cancels without judging our conditions:
    /// those are retried, up to 4 attempts with jittered backoff, since the
    /// SDK does not).
    pub(crate) async fn transact<C: Copy + PartialEq>(
        &self,
        transaction: Transaction<C>,
    ) -> Result<(), TransactError<C>> {
        const ATTEMPTS: u32 = 4;
        let Transaction { items, names } = transaction;
        for attempt in 1..=ATTEMPTS {
            let error = match self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            match cancellation(&names, &error) {
                Cancellation::Failed(failed) => {
                    return Err(TransactError::ConditionsFailed(failed));
                }
                Cancellation::Unnamed(index) => {
                    return Err(TransactError::Store(StoreError::Refused(format!(
                        "transaction cancelled by the condition of unnamed item {index}"
                    ))));
                }
                Cancellation::Invalid(code) => {
                    return Err(TransactError::Store(StoreError::Refused(format!(
                        "transaction cancelled: an item was refused ({code})"
                    ))));
                }
                Cancellation::Conflict if attempt < ATTEMPTS => {
                    let jitter = u64::from(rand::random::<u8>() % 20);
                    tokio::time::sleep(std::time::Duration::from_millis((20 << attempt) + jitter))
                        .await;
                }
                Cancellation::Conflict => return Err(TransactError::Store(StoreError::Throttled)),
                Cancellation::Other => return Err(TransactError::Store(error.into())),
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    /// Puts `item`, on condition that no item has its key (for a transaction).
    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Deletes the item at `pk_value`/`sk_value`, on condition that it exists
    /// (for a transaction): what is removed is what the other items assumed.
    pub(crate) fn delete_existing(
        &self,
        pk_value: String,
        sk_value: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(&pk_value))
            .key(keys::SK, s(sk_value))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Puts `item`, whatever is at its key (for a transaction).
    pub(crate) fn plain_put(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A check that the item at `pk_value`/`sk_value` exists (`true`) or
    /// does not (`false`), changing nothing (for a transaction).
    pub(crate) fn check_item(
        &self,
        pk_value: String,
        sk_value: &str,
        exists: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let condition = if exists {
            "attribute_exists(PK)"
        } else {
            "attribute_not_exists(PK)"
        };
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(pk_value))
            .key(keys::SK, s(sk_value))
            .condition_expression(condition)
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Deletes the item at `pk_value`/`sk_value` whether or not it exists
    /// (for a transaction): the half of a pair that may be gone already.
    pub(crate) fn plain_delete(
        &self,
        pk_value: String,
        sk_value: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(pk_value))
            .key(keys::SK, s(sk_value))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Marks `recipient`'s notification `which` read, for a transaction that
    /// takes its source away (a request answered, a connection ended): no
    /// longer counted as unread, and no longer shown (its source is gone).
    /// It is kept, not deleted, so that asking again within its 30 days
    /// emails nobody twice (`notify_once`). Were there none, the update
    /// leaves a key-only item already expired, which no read lists.
    pub(crate) fn retire_notice(
        &self,
        recipient: &UserId,
        which: &crate::domain::conversation::NotificationKey,
        now: crate::domain::Timestamp,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(recipient)))
            .key(keys::SK, s(keys::notification(which)))
            .update_expression("SET #read = :yes, expires_at = if_not_exists(expires_at, :now)")
            .expression_attribute_names("#read", "read")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":now", n(now.0))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Moves counters on `user_id`'s profile by one each, on `condition`,
    /// whose own placeholders are `limits` (for a transaction). A counter
    /// never written counts as 0 going up and as 1 going down, so the first
    /// change needs no set-up item.
    pub(crate) fn adjust_counts(
        &self,
        user_id: &UserId,
        changes: &[Step],
        condition: &str,
        limits: &[(&str, u32)],
    ) -> Result<TransactWriteItem, StoreError> {
        let sets: Vec<String> = changes
            .iter()
            .map(|change| match change {
                Step::Up(counter) => {
                    let name = counter.attribute();
                    format!("{name} = if_not_exists({name}, :zero) + :one")
                }
                Step::Down(counter) => {
                    let name = counter.attribute();
                    format!("{name} = if_not_exists({name}, :one) - :one")
                }
            })
            .collect();
        let expression = format!("SET {}", sets.join(", "));
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression(&expression)
            .condition_expression(condition)
            .expression_attribute_values(":one", n(1));
        // DynamoDB refuses a value the expressions do not use.
        if expression.contains(":zero") || condition.contains(":zero") {
            update = update.expression_attribute_values(":zero", n(0));
        }
        for (placeholder, value) in limits {
            update = update.expression_attribute_values(*placeholder, n(i64::from(*value)));
        }
        Ok(TransactWriteItem::builder()
            .update(update.build().map_err(build_error)?)
            .build())
    }
}

/// A counter on a profile (see [`Counts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// Connections made.
    Connections,
    /// Requests sent and still pending.
    PendingOut,
    /// Requests received and still pending.
    PendingIn,
    /// Tags.
    Tags,
    /// People blocked.
    Blocks,
}

impl Counter {
    /// The profile attribute holding it.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Counter::Connections => "connections",
            Counter::PendingOut => "pending_out",
            Counter::PendingIn => "pending_in",
            Counter::Tags => "tags",
            Counter::Blocks => "blocks",
        }
    }

    /// A condition that it is below the value of `placeholder` (a counter
    /// never written is 0).
    pub(crate) fn below(self, placeholder: &str) -> String {
        let name = self.attribute();
        format!("(attribute_not_exists({name}) OR {name} < {placeholder})")
    }

    /// A condition that it is above zero, so that taking one off never
    /// makes it negative.
    pub(crate) fn above_zero(self) -> String {
        format!("{} > :zero", self.attribute())
    }
}

/// One change of [`Store::adjust_counts`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// Add one.
    Up(Counter),
    /// Take one off.
    Down(Counter),
}

/// How a failed `TransactWriteItems` ended, read from its cancellation
/// reasons.
#[derive(Debug, PartialEq, Eq)]
enum Cancellation<C> {
    /// These named conditions failed.
    Failed(Failed<C>),
    /// The condition of the item at this index failed, and it had no name
    /// (or there was no such item).
    Unnamed(usize),
    /// No condition failed, but an item was in conflict with another
    /// transaction: worth retrying.
    Conflict,
    /// An item was refused as invalid (`ValidationError`: e.g. one item
    /// named twice, a key of the wrong type): a bug of ours.
    Invalid(String),
    /// Not a cancellation by our conditions or a conflict (another error, or
    /// reasons with codes we do not act on).
    Other,
}

/// Reads `error`'s cancellation reasons against the names of the items sent.
/// A failed condition wins over a conflict, as DynamoDB judged it anyway.
fn cancellation<C: Copy + PartialEq, R>(
    names: &[Option<C>],
    error: &SdkError<TransactWriteItemsError, R>,
) -> Cancellation<C> {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return Cancellation::Other;
    };
    let reasons = cancelled.cancellation_reasons();
    let mut failed = Vec::new();
    for (index, reason) in reasons.iter().enumerate() {
        if reason.code() != Some("ConditionalCheckFailed") {
            continue;
        }
        match names.get(index).copied().flatten() {
            Some(name) if !failed.contains(&name) => failed.push(name),
            Some(_) => {}
            None => return Cancellation::Unnamed(index),
        }
    }
    if !failed.is_empty() {
        Cancellation::Failed(Failed(failed))
    } else if let Some(code) = reasons
        .iter()
        .filter_map(|reason| reason.code())
        .find(|code| *code == "ValidationError")
    {
        Cancellation::Invalid(code.to_owned())
    } else if reasons
        .iter()
        .any(|reason| reason.code() == Some("TransactionConflict"))
    {
        Cancellation::Conflict
    } else {
        Cancellation::Other
    }
}

/// The condition expression of a transaction item, if it has one.
fn condition_of(item: &TransactWriteItem) -> Option<&str> {
    item.put()
        .and_then(|put| put.condition_expression())
        .or_else(|| {
            item.update()
                .and_then(|update| update.condition_expression())
        })
        .or_else(|| {
            item.delete()
                .and_then(|delete| delete.condition_expression())
        })
        .or_else(|| {
            item.condition_check()
                .map(|check| check.condition_expression())
        })
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::CancellationReason;
    use aws_sdk_dynamodb::types::error::TransactionCanceledException;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Name {
        Exists,
        Free,
        UnderLimit,
    }

    /// A cancellation as DynamoDB sends it: one reason per item, in order.
    fn cancelled(codes: &[&str]) -> SdkError<TransactWriteItemsError, ()> {
        let reasons = codes
            .iter()
            .map(|code| CancellationReason::builder().code(*code).build())
            .collect();
        SdkError::service_error(
            TransactWriteItemsError::TransactionCanceledException(
                TransactionCanceledException::builder()
                    .set_cancellation_reasons(Some(reasons))
                    .build(),
            ),
            (),
        )
    }

    fn failed(names: &[Name]) -> Cancellation<Name> {
        Cancellation::Failed(Failed(names.to_vec()))
    }

    #[test]
    fn failures_map_to_names_whatever_the_order_of_the_items() {
        const FAILED: &str = "ConditionalCheckFailed";
        // The same three items in two orders; in each, the `Free` item fails.
        let one = [Some(Name::Exists), Some(Name::Free), Some(Name::UnderLimit)];
        let other = [Some(Name::UnderLimit), Some(Name::Exists), Some(Name::Free)];
        assert_eq!(
            cancellation(&one, &cancelled(&["None", FAILED, "None"])),
            failed(&[Name::Free])
        );
        assert_eq!(
            cancellation(&other, &cancelled(&["None", "None", FAILED])),
            failed(&[Name::Free])
        );
        // Two at once, whichever comes first.
        let both = cancellation(&other, &cancelled(&[FAILED, "None", FAILED]));
        let Cancellation::Failed(names) = both else {
            panic!("{both:?}")
        };
        assert!(names.has(Name::UnderLimit) && names.has(Name::Free));
        assert!(!names.has(Name::Exists));
        // A name on two items is reported once.
        let shared = [Some(Name::Exists), Some(Name::Exists)];
        assert_eq!(
            cancellation(&shared, &cancelled(&[FAILED, FAILED])),
            failed(&[Name::Exists])
        );
    }

    #[test]
    fn what_has_no_name_is_never_reported_as_a_name() {
        const FAILED: &str = "ConditionalCheckFailed";
        let names = [Some(Name::Exists), None];
        // A failure on the unnamed item, even beside a named one.
        assert_eq!(
            cancellation(&names, &cancelled(&[FAILED, FAILED])),
            Cancellation::Unnamed(1)
        );
        // More reasons than items.
        assert_eq!(
            cancellation(&names, &cancelled(&["None", "None", FAILED])),
            Cancellation::Unnamed(2)
        );
        // An item refused as invalid is a bug of ours, never an outage.
        assert_eq!(
            cancellation(&names, &cancelled(&["ValidationError", "None"])),
            Cancellation::Invalid("ValidationError".into())
        );
        // Other codes name nothing.
        assert_eq!(
            cancellation(
                &names,
                &cancelled(&["ItemCollectionSizeLimitExceeded", "None"])
            ),
            Cancellation::Other
        );
        assert_eq!(
            cancellation(&names, &cancelled(&["TransactionConflict", "None"])),
            Cancellation::Conflict
        );
        // A condition judged beside a conflict is still the answer.
        assert_eq!(
            cancellation(&names, &cancelled(&[FAILED, "TransactionConflict"])),
            failed(&[Name::Exists])
        );
    }

    #[test]
    fn only_conditioned_items_need_a_name() {
        let store_item = |condition: Option<&str>| {
            let mut delete = Delete::builder()
                .table_name("t")
                .key(keys::PK, s("a"))
                .key(keys::SK, s("b"));
            if let Some(condition) = condition {
                delete = delete.condition_expression(condition);
            }
            TransactWriteItem::builder()
                .delete(delete.build().unwrap())
                .build()
        };
        assert_eq!(condition_of(&store_item(None)), None);
        assert_eq!(
            condition_of(&store_item(Some("attribute_exists(PK)"))),
            Some("attribute_exists(PK)")
        );
    }
}
