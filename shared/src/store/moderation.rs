//! Reports and the moderation desk: a report lives in its target's
//! partition (`REPORTS#<kind>#<id>`), so that an action on the target
//! closes every report on it by key, and is queued for the operators on
//! GSI1 (`REPORTS#open`, oldest first). A key-only claim in the reporter's
//! partition makes one open report per reporter per target. Every operator
//! action is an item of the `AUDIT` partition, written in the transaction
//! that closes its reports.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::ids::{CommentId, ReportId};
use crate::domain::moderation::{ReportReason, ReportTarget, Resolution};

/// Reports closed per transaction beside the audit record: each is two
/// items (the report, the reporter's claim) of DynamoDB's 100.
const CLOSED_PER_TRANSACTION: usize = 45;

/// A report, open or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    /// Time-ordered.
    pub id: ReportId,
    /// What it is about.
    pub target: ReportTarget,
    /// Who reported it (never shown to the person reported).
    pub reporter_id: UserId,
    /// The person reported, or the author of the post or comment.
    pub subject_id: UserId,
    /// Why.
    pub reason: ReportReason,
    /// The reporter's words, if any.
    pub note: Option<String>,
    /// When.
    pub created_at: Timestamp,
    /// Still waiting for an operator.
    pub open: bool,
    /// How it was closed, when, by whom, with what note.
    pub closed: Option<Closing>,
}

/// How a report was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// Dismissed, or what was done.
    pub resolution: Resolution,
    /// The operator.
    pub by: UserId,
    /// When.
    pub at: Timestamp,
    /// The operator's note or reason.
    pub note: Option<String>,
}

/// One operator action, as the audit keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The operator.
    pub operator_id: UserId,
    /// `dismiss_report`, `remove_post`, `remove_comment`, `suspend_user`
    /// or `unsuspend_user`.
    pub action: &'static str,
    /// What it was done to.
    pub target: ReportTarget,
    /// The person it concerned (the author of removed content).
    pub subject_id: Option<UserId>,
    /// Why (the operator's words).
    pub reason: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// What a report filing met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Filed.
    Done,
    /// The reporter's earlier report of this target is still open.
    AlreadyReported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportCondition {
    /// The reporter has no open report of the target.
    NoOpenReport,
    /// A new report.
    New,
    /// The report is still open.
    StillOpen,
    /// A new audit record.
    NewAudit,
    /// What the action changes is there (the profile, post or comment).
    ActionApplies,
}

/// What an operator does, in the transaction that audits it.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Nothing but the audit record and the reports closed (a dismissal).
    AuditOnly,
    /// Suspend (`true`) or lift a suspension.
    Suspend(&'a UserId, bool),
    /// Delete a post (what goes with it is removed after, as for its author).
    RemovePost(&'a PostId),
    /// Delete a comment, and count it off its post.
    RemoveComment(&'a PostId, &'a CommentId),
}

/// What an action met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acted {
    /// Done, audited, reports closed.
    Done,
    /// A report was closed meanwhile by another operator: read them again.
    ReportsChanged,
    /// What it acts on is not there: nothing was written.
    Gone,
}

/// What the desk shows with a page of reports, read in one BatchGetItem:
/// the targets as they are now, and the people concerned.
#[derive(Debug, Default)]
pub struct DeskView {
    /// Reported posts that still exist.
    pub posts: HashMap<PostId, PostRecord>,
    /// Reported comments that still exist.
    pub comments: HashMap<CommentId, CommentRecord>,
    /// Reporters, subjects and reported people that still exist.
    pub people: HashMap<UserId, UserRecord>,
}

fn report_item(report: &ReportRecord) -> Item {
    let target = &report.target;
    let mut item = Item::from([
        pk(keys::reports_on(target)),
        sk(keys::report(&report.id)),
        (keys::GSI1PK.into(), s(keys::report_queue(report.open))),
        (keys::GSI1SK.into(), s(&report.id)),
        ("id".into(), s(&report.id)),
        ("target_kind".into(), s(target.kind())),
        ("target_id".into(), s(target.id())),
        ("reporter_id".into(), s(&report.reporter_id)),
        ("subject_id".into(), s(&report.subject_id)),
        ("reason".into(), s(report.reason.as_str())),
        ("created_at".into(), n(report.created_at.0)),
    ]);
    if let Some(post) = target.post_id() {
        item.insert("post_id".into(), s(post));
    }
    if let Some(note) = &report.note {
        item.insert("note".into(), s(note));
    }
    item
}

fn report_from_item(item: &Item) -> Result<ReportRecord, StoreError> {
    let kind = attr_s(item, "target_kind")?;
    let target = ReportTarget::from_stored(
        &kind,
        attr_s(item, "target_id")?,
        attr_s(item, "post_id").ok(),
    )
    .ok_or_else(|| StoreError::Corrupt(format!("report target kind {kind:?}")))?;
    let reason = attr_s(item, "reason")?;
    let open = attr_s(item, keys::GSI1PK)? == keys::report_queue(true);
    let closed = match attr_s(item, "resolution") {
        Ok(raw) => Some(Closing {
            resolution: Resolution::from_stored(&raw)
                .ok_or_else(|| StoreError::Corrupt(format!("report resolution {raw:?}")))?,
            by: UserId::from_stored(attr_s(item, "closed_by")?),
            at: Timestamp(attr_n(item, "closed_at")?),
            note: attr_s(item, "closing_note").ok(),
        }),
        Err(_) => None,
    };
    Ok(ReportRecord {
        id: ReportId::from_stored(attr_s(item, "id")?),
        target,
        reporter_id: UserId::from_stored(attr_s(item, "reporter_id")?),
        subject_id: UserId::from_stored(attr_s(item, "subject_id")?),
        reason: ReportReason::parse(&reason)
            .map_err(|_| StoreError::Corrupt(format!("report reason {reason:?}")))?,
        note: attr_s(item, "note").ok(),
        created_at: Timestamp(attr_n(item, "created_at")?),
        open,
        closed,
    })
}

fn audit_item(entry: &AuditEntry) -> Item {
    let mut item = Item::from([
        pk(keys::AUDIT.to_owned()),
        sk(ulid::Ulid::new().to_string()),
        ("operator_id".into(), s(&entry.operator_id)),
        ("action".into(), s(entry.action)),
        ("target_kind".into(), s(entry.target.kind())),
        ("target_id".into(), s(entry.target.id())),
        ("at".into(), n(entry.at.0)),
    ]);
    if let Some(post) = entry.target.post_id() {
        item.insert("post_id".into(), s(post));
    }
    if let Some(subject) = &entry.subject_id {
        item.insert("subject_id".into(), s(subject));
    }
    if let Some(reason) = &entry.reason {
        item.insert("reason".into(), s(reason));
    }
    item
}

impl Store {
    /// Files `report` with the reporter's claim on its target (1
    /// TransactWriteItems): refused while their earlier report of it is
    /// open.
    pub async fn file_report(&self, report: &ReportRecord) -> Result<Filed, StoreError> {
        let claim = Item::from([
            pk(keys::user(&report.reporter_id)),
            sk(keys::reported(&report.target)),
            ("report_id".into(), s(&report.id)),
        ]);
        let transaction = Transaction::new()
            .item(ReportCondition::NoOpenReport, self.put_new(claim)?)
            .item(ReportCondition::New, self.put_new(report_item(report))?);
        match self.transact(transaction).await {
            Ok(()) => Ok(Filed::Done),
            Err(TransactError::ConditionsFailed(failed))
                if failed.has(ReportCondition::NoOpenReport) =>
            {
                Ok(Filed::AlreadyReported)
            }
            Err(TransactError::ConditionsFailed(_)) => {
                Err(StoreError::Corrupt("a new report's id was taken".into()))
            }
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// The open report `id` (1 Query of the open queue on GSI1).
    pub async fn open_report(&self, id: &ReportId) -> Result<Option<ReportRecord>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :queue AND GSI1SK = :id")
            .expression_attribute_values(":queue", s(keys::report_queue(true)))
            .expression_attribute_values(":id", s(id))
            .send()
            .await?;
        output
            .items
            .unwrap_or_default()
            .first()
            .map(report_from_item)
            .transpose()
    }

    /// One page of the open queue, oldest first, after `after`, or of the
    /// closed one, newest first, before it (1 Query on GSI1).
    pub async fn reports_page(
        &self,
        open: bool,
        start: Option<&str>,
        limit: usize,
    ) -> Result<Page<ReportRecord>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .expression_attribute_values(":queue", s(keys::report_queue(open)))
            .scan_index_forward(open)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        query = match start {
            Some(start) => query
                .key_condition_expression(if open {
                    "GSI1PK = :queue AND GSI1SK > :start"
                } else {
                    "GSI1PK = :queue AND GSI1SK < :start"
                })
                .expression_attribute_values(":start", s(start)),
            None => query.key_condition_expression("GSI1PK = :queue"),
        };
        let output = query.send().await?;
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(report_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let next = output
            .last_evaluated_key
            .and(items.last().map(|r| r.id.to_string()));
        Ok(Page { items, next })
    }

    /// The open reports on `target` (1 Query of its partition per 1 MB).
    pub async fn open_reports_on(
        &self,
        target: &ReportTarget,
    ) -> Result<Vec<ReportRecord>, StoreError> {
        let items = self
            .query_all(self.sorted_prefix_query(keys::reports_on(target), "REPORT#"))
            .await?;
        let reports = items
            .iter()
            .map(report_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(reports.into_iter().filter(|r| r.open).collect())
    }

    /// The targets of `reports` as they are now and everyone they concern
    /// (1 BatchGetItem per 100 keys: one for a page of 25).
    pub async fn desk_view(&self, reports: &[ReportRecord]) -> Result<DeskView, StoreError> {
        let mut seen = HashSet::new();
        let mut wanted = Vec::new();
        let mut want = |pk_value: String, sk_value: String| {
            if seen.insert((pk_value.clone(), sk_value.clone())) {
                wanted.push(key(pk_value, &sk_value));
            }
        };
        for report in reports {
            match &report.target {
                ReportTarget::User(id) => want(keys::user(id), keys::PROFILE.to_owned()),
                ReportTarget::Post(id) => want(keys::post(id), keys::POST.to_owned()),
                ReportTarget::Comment(post, comment) => {
                    want(keys::post(post), keys::comment(comment))
                }
            }
            want(keys::user(&report.subject_id), keys::PROFILE.to_owned());
            want(keys::user(&report.reporter_id), keys::PROFILE.to_owned());
        }
        let mut view = DeskView::default();
        for item in self.batch_get(wanted).await? {
            let sort_key = attr_s(&item, keys::SK)?;
            if sort_key == keys::PROFILE {
                let person = user_from_item(&item)?;
                view.people.insert(person.id.clone(), person);
            } else if sort_key == keys::POST {
                let post = posts::post_from_item(&item)?;
                view.posts.insert(post.id.clone(), post);
            } else if sort_key.starts_with(keys::COMMENT_PREFIX) {
                let comment = conversation::comment_from_item(&item)?;
                view.comments.insert(comment.id.clone(), comment);
            }
        }
        Ok(view)
    }

    /// Does `action`, records `entry` in the audit and closes `reports`
    /// with `resolution` (each report moved to the closed queue, its
    /// reporter's claim deleted so they may report again), all in one
    /// TransactWriteItems for up to 45 reports: an action is never without
    /// its audit record. Reports beyond those are closed after, 45 a
    /// transaction.
    pub async fn act(
        &self,
        action: Action<'_>,
        entry: &AuditEntry,
        reports: &[ReportRecord],
        resolution: Resolution,
        note: Option<&str>,
    ) -> Result<Acted, StoreError> {
        let mut chunks = reports.chunks(CLOSED_PER_TRANSACTION);
        let mut transaction =
            Transaction::new().item(ReportCondition::NewAudit, self.put_new(audit_item(entry))?);
        for item in self.action_items(action)? {
            transaction = transaction.item(ReportCondition::ActionApplies, item);
        }
        transaction = self.closing(
            transaction,
            chunks.next().unwrap_or(&[]),
            resolution,
            entry,
            note,
        )?;
        match self.transact(transaction).await {
            Ok(()) => {}
            Err(TransactError::ConditionsFailed(failed))
                if failed.has(ReportCondition::ActionApplies) =>
            {
                return Ok(Acted::Gone);
            }
            Err(TransactError::ConditionsFailed(_)) => return Ok(Acted::ReportsChanged),
            Err(TransactError::Store(error)) => return Err(error),
        }
        for chunk in chunks {
            let transaction = self.closing(Transaction::new(), chunk, resolution, entry, note)?;
            match self.transact(transaction).await {
                Ok(()) => {}
                // Closed meanwhile by another operator: theirs stands.
                Err(TransactError::ConditionsFailed(_)) => {
                    tracing::warn!(action = entry.action, "some reports were closed meanwhile");
                }
                Err(TransactError::Store(error)) => return Err(error),
            }
        }
        Ok(Acted::Done)
    }

    /// `transaction` with `reports` closed in it.
    fn closing(
        &self,
        mut transaction: Transaction<ReportCondition>,
        reports: &[ReportRecord],
        resolution: Resolution,
        entry: &AuditEntry,
        note: Option<&str>,
    ) -> Result<Transaction<ReportCondition>, StoreError> {
        for report in reports {
            transaction = transaction
                .item(
                    ReportCondition::StillOpen,
                    self.close_report(report, resolution, &entry.operator_id, entry.at, note)?,
                )
                .unconditioned(self.plain_delete(
                    keys::user(&report.reporter_id),
                    &keys::reported(&report.target),
                )?);
        }
        Ok(transaction)
    }

    /// The writes of an operator's action, each conditioned on its item
    /// being there.
    fn action_items(&self, action: Action<'_>) -> Result<Vec<TransactWriteItem>, StoreError> {
        Ok(match action {
            Action::AuditOnly => Vec::new(),
            Action::Suspend(user, suspended) => {
                let update = Update::builder()
                    .table_name(&self.table)
                    .key(keys::PK, s(keys::user(user)))
                    .key(keys::SK, s(keys::PROFILE))
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_names("#suspended", users::SUSPENDED);
                let update = if suspended {
                    update
                        .update_expression("SET #suspended = :yes")
                        .expression_attribute_values(":yes", AttributeValue::Bool(true))
                } else {
                    update.update_expression("REMOVE #suspended")
                };
                vec![
                    TransactWriteItem::builder()
                        .update(update.build().map_err(build_error)?)
                        .build(),
                ]
            }
            Action::RemovePost(post) => {
                vec![self.delete_existing(keys::post(post), keys::POST)?]
            }
            Action::RemoveComment(post, comment) => vec![
                self.delete_existing(keys::post(post), &keys::comment(comment))?,
                self.count_on_post(post, "ADD comment_count :minus_one")?,
            ],
        })
    }

    /// The open reports whose `attribute` is `value`, from the open queue
    /// (1 Query on GSI1 per 1 MB): those about a person, or under a post.
    pub async fn open_reports_where(
        &self,
        attributes: &[&str],
        value: &str,
    ) -> Result<Vec<ReportRecord>, StoreError> {
        let filter: Vec<String> = attributes.iter().map(|a| format!("{a} = :value")).collect();
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :queue")
            .filter_expression(filter.join(" OR "))
            .expression_attribute_values(":queue", s(keys::report_queue(true)))
            .expression_attribute_values(":value", s(value));
        self.query_all(query)
            .await?
            .iter()
            .map(report_from_item)
            .collect()
    }

    fn close_report(
        &self,
        report: &ReportRecord,
        resolution: Resolution,
        by: &UserId,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::reports_on(&report.target)))
            .key(keys::SK, s(keys::report(&report.id)))
            .condition_expression("GSI1PK = :open")
            .expression_attribute_values(":open", s(keys::report_queue(true)))
            .expression_attribute_values(":closed", s(keys::report_queue(false)))
            .expression_attribute_values(":resolution", s(resolution.as_str()))
            .expression_attribute_values(":by", s(by))
            .expression_attribute_values(":at", n(at.0));
        let mut expression = "SET GSI1PK = :closed, resolution = :resolution, closed_by = :by, \
                              closed_at = :at"
            .to_owned();
        if let Some(note) = note {
            expression.push_str(", closing_note = :note");
            update = update.expression_attribute_values(":note", s(note));
        }
        let update = update
            .update_expression(expression)
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
