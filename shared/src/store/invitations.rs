//! Invitations by email. The inviter's list lives in their partition
//! (`INVITATION#<id>`); the link is found by its token's hash (`INVITE#…`,
//! never the token itself); and each invited address has a partition
//! (`INVITED#<email>`) holding every inviter's live invitation of it
//! (`FROM#<inviter>`, so that inviting again within the window sends
//! nothing) and the address's opt-out (`OPTOUT`). Everything but the
//! opt-out expires with the link (TTL), the list's lines 30 days later.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::Email;
use crate::domain::ids::InvitationId;
use crate::domain::invitation::KEPT_AFTER_EXPIRY_SECONDS;

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Its link works.
    Pending,
    /// Someone signed up through it.
    Joined,
    /// The inviter took it back.
    Cancelled,
    /// Its link ran out unused.
    Expired,
}

impl InvitationStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Joined => "joined",
            InvitationStatus::Cancelled => "cancelled",
            InvitationStatus::Expired => "expired",
        }
    }
}

/// One invitation, as its inviter lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    /// Its id.
    pub id: InvitationId,
    /// Who invited.
    pub inviter_id: UserId,
    /// The address.
    pub email: Email,
    /// Where it stands (expiry read against the clock).
    pub status: InvitationStatus,
    /// Sent.
    pub created_at: Timestamp,
    /// The link works until then.
    pub valid_until: Timestamp,
    /// The hash of its link's token, if it has a link (an address that had
    /// an account got a connection request instead).
    pub token_hash: Option<String>,
}

/// What a link's token finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteLink {
    /// Its token's hash.
    pub token_hash: String,
    /// Who invited.
    pub inviter_id: UserId,
    /// Their invitation.
    pub invitation_id: InvitationId,
    /// The only address it signs up.
    pub email: Email,
    /// Until when.
    pub valid_until: Timestamp,
}

/// What is known of an address about to be invited (1 BatchGetItem).
#[derive(Debug, Default)]
pub struct AddressState {
    /// The account it has, if any.
    pub account: Option<UserId>,
    /// It asked for no invitations.
    pub opted_out: bool,
    /// The inviter invited it already, and that link still works.
    pub invited_by_me: bool,
    /// The inviter's profile (for their name in the email).
    pub inviter: Option<UserRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InviteCondition {
    /// No live invitation of the address by this inviter.
    NotInvitedYet,
    /// New items.
    New,
    /// The invitation is still pending.
    StillPending,
    /// The link is there, unused.
    LinkUnused,
    /// Neither is connected to the other yet.
    NotConnected,
    /// The inviter has room for a connection.
    InviterUnderCap,
    /// The new account exists, and has room.
    JoinerUnderCap,
}

fn invitation_from_item(item: &Item, now: Timestamp) -> Result<InvitationRecord, StoreError> {
    let valid_until = Timestamp(attr_n(item, "valid_until")?);
    let status = match attr_s(item, "status")?.as_str() {
        "joined" => InvitationStatus::Joined,
        "cancelled" => InvitationStatus::Cancelled,
        _ if valid_until.0 <= now.0 => InvitationStatus::Expired,
        _ => InvitationStatus::Pending,
    };
    Ok(InvitationRecord {
        id: InvitationId::from_stored(attr_s(item, "id")?),
        inviter_id: UserId::from_stored(attr_s(item, "inviter_id")?),
        email: Email::from_stored(attr_s(item, "email")?),
        status,
        created_at: Timestamp(attr_n(item, "created_at")?),
        valid_until,
        token_hash: attr_s(item, "token_hash").ok(),
    })
}

impl Store {
    /// The address's account, opt-out and live invitation by `me`, and
    /// `me`'s profile (1 BatchGetItem).
    pub async fn address_state(
        &self,
        me: &UserId,
        email: &Email,
        now: Timestamp,
    ) -> Result<AddressState, StoreError> {
        let items = self
            .batch_get(vec![
                key(keys::email_claim(email), keys::CLAIM),
                key(keys::invited(email), keys::OPT_OUT),
                key(keys::invited(email), keys::invited_by(me)),
                key(keys::user(me), keys::PROFILE),
            ])
            .await?;
        let mut state = AddressState::default();
        for item in &items {
            let sort_key = attr_s(item, keys::SK)?;
            if sort_key == keys::CLAIM {
                state.account = Some(UserId::from_stored(attr_s(item, "user_id")?));
            } else if sort_key == keys::OPT_OUT {
                state.opted_out = true;
            } else if sort_key == keys::PROFILE {
                state.inviter = Some(user_from_item(item)?);
            } else {
                state.invited_by_me = attr_n(item, "valid_until")? > now.0;
            }
        }
        Ok(state)
    }

    /// Records an invitation (its line on the inviter's list, its link if
    /// it has one, and the address's note of it) in 1 TransactWriteItems;
    /// `false` if the inviter invited the address meanwhile.
    pub async fn record_invitation(
        &self,
        invitation: &InvitationRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        use InviteCondition::*;
        let until = invitation.valid_until.0;
        let mut line = Item::from([
            pk(keys::user(&invitation.inviter_id)),
            sk(keys::invitation(&invitation.id)),
            ("id".into(), s(&invitation.id)),
            ("inviter_id".into(), s(&invitation.inviter_id)),
            ("email".into(), s(invitation.email.as_str())),
            ("status".into(), s("pending")),
            ("created_at".into(), n(invitation.created_at.0)),
            ("valid_until".into(), n(until)),
            (
                keys::EXPIRES_AT.into(),
                n(until + KEPT_AFTER_EXPIRY_SECONDS),
            ),
        ]);
        let mut transaction = Transaction::new();
        if let Some(hash) = &invitation.token_hash {
            line.insert("token_hash".into(), s(hash));
            let link = Item::from([
                pk(keys::invite(hash)),
                sk(keys::INVITE),
                ("inviter_id".into(), s(&invitation.inviter_id)),
                ("invitation_id".into(), s(&invitation.id)),
                ("email".into(), s(invitation.email.as_str())),
                ("valid_until".into(), n(until)),
                (keys::EXPIRES_AT.into(), n(until)),
            ]);
            transaction = transaction.item(New, self.put_new(link)?);
        }
        let note = Item::from([
            pk(keys::invited(&invitation.email)),
            sk(keys::invited_by(&invitation.inviter_id)),
            ("invitation_id".into(), s(&invitation.id)),
            ("valid_until".into(), n(until)),
            (keys::EXPIRES_AT.into(), n(until)),
        ]);
        // A note whose link ran out (and that the TTL has not removed yet)
        // is no invitation.
        let note = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(note))
            .condition_expression("attribute_not_exists(PK) OR valid_until <= :now")
            .expression_attribute_values(":now", n(now.0))
            .build()
            .map_err(build_error)?;
        transaction = transaction.item(New, self.put_new(line)?).item(
            NotInvitedYet,
            TransactWriteItem::builder().put(note).build(),
        );
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::ConditionsFailed(failed)) if failed.has(NotInvitedYet) => Ok(false),
            Err(TransactError::ConditionsFailed(_)) => Err(StoreError::Corrupt(
                "a new invitation's key was taken".into(),
            )),
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// `me`'s invitations, newest first (1 Query).
    pub async fn invitations(
        &self,
        me: &UserId,
        now: Timestamp,
    ) -> Result<Vec<InvitationRecord>, StoreError> {
        let items = self
            .query_all(self.sorted_prefix_query(keys::user(me), keys::INVITATION_PREFIX))
            .await?;
        let mut list = items
            .iter()
            .map(|item| invitation_from_item(item, now))
            .collect::<Result<Vec<_>, _>>()?;
        list.reverse();
        Ok(list)
    }

    /// One of `me`'s invitations (1 GetItem).
    pub async fn invitation(
        &self,
        me: &UserId,
        id: &InvitationId,
        now: Timestamp,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        self.get(keys::user(me), &keys::invitation(id))
            .await?
            .map(|item| invitation_from_item(&item, now))
            .transpose()
    }

    /// Takes a pending invitation back: its line marked, its link and the
    /// address's note of it deleted (1 TransactWriteItems); `false` if it
    /// was not pending any more.
    pub async fn cancel_invitation(
        &self,
        invitation: &InvitationRecord,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut transaction = Transaction::new()
            .item(
                InviteCondition::StillPending,
                self.close_invitation(invitation, "cancelled", now)?,
            )
            .unconditioned(self.plain_delete(
                keys::invited(&invitation.email),
                &keys::invited_by(&invitation.inviter_id),
            )?);
        if let Some(hash) = &invitation.token_hash {
            transaction =
                transaction.unconditioned(self.plain_delete(keys::invite(hash), keys::INVITE)?);
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactError::ConditionsFailed(_)) => Ok(false),
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    fn close_invitation(
        &self,
        invitation: &InvitationRecord,
        status: &str,
        now: Timestamp,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(&invitation.inviter_id)))
            .key(keys::SK, s(keys::invitation(&invitation.id)))
            .condition_expression("#status = :pending AND valid_until > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", n(now.0))
            .expression_attribute_values(":status", s(status));
        // Who joined is not kept on the inviter's line: their account may be
        // deleted, and nothing of it may stay behind.
        let update = update.update_expression("SET #status = :status REMOVE token_hash");
        Ok(TransactWriteItem::builder()
            .update(update.build().map_err(build_error)?)
            .build())
    }

    /// The link a token's hash finds, if it is there (1 GetItem).
    pub async fn invite_link(&self, token_hash: &str) -> Result<Option<InviteLink>, StoreError> {
        let Some(item) = self.get(keys::invite(token_hash), keys::INVITE).await? else {
            return Ok(None);
        };
        Ok(Some(InviteLink {
            token_hash: token_hash.to_owned(),
            inviter_id: UserId::from_stored(attr_s(&item, "inviter_id")?),
            invitation_id: InvitationId::from_stored(attr_s(&item, "invitation_id")?),
            email: Email::from_stored(attr_s(&item, "email")?),
            valid_until: Timestamp(attr_n(&item, "valid_until")?),
        }))
    }

    /// Uses `link` for `joiner`, who just signed up with its address: the
    /// link consumed, the invitation marked joined and, when `connect`, both
    /// edges and both counts under the cap, else the inviter's request to
    /// the joiner with both pending counts, in 1 TransactWriteItems. When
    /// the inviter has no room (or the link was used or taken back
    /// meanwhile) nothing is written, and the error says which.
    pub async fn use_invitation(
        &self,
        link: &InviteLink,
        inviter: &UserRecord,
        joiner: &UserRecord,
        max_connections: u32,
        now: Timestamp,
        connect: bool,
    ) -> Result<Result<(), InviteUse>, StoreError> {
        use InviteCondition::*;
        let invitation = InvitationRecord {
            id: link.invitation_id.clone(),
            inviter_id: inviter.id.clone(),
            email: link.email.clone(),
            status: InvitationStatus::Pending,
            created_at: now,
            valid_until: link.valid_until,
            token_hash: Some(link.token_hash.clone()),
        };
        let mut transaction = Transaction::new()
            .item(
                LinkUnused,
                self.delete_existing(keys::invite(&link.token_hash), keys::INVITE)?,
            )
            .item(
                StillPending,
                self.close_invitation(&invitation, "joined", now)?,
            )
            .unconditioned(
                self.plain_delete(keys::invited(&link.email), &keys::invited_by(&inviter.id))?,
            );
        if connect {
            let edge = |owner, other| graph::edge_item(owner, other, now);
            let under_cap = format!(
                "attribute_exists(PK) AND {}",
                Counter::Connections.below(":max")
            );
            let count = |user: &UserRecord| {
                self.adjust_counts(
                    &user.id,
                    &[Step::Up(Counter::Connections)],
                    &under_cap,
                    &[(":max", max_connections)],
                )
            };
            transaction = transaction
                .item(NotConnected, self.put_new(edge(inviter, joiner))?)
                .item(NotConnected, self.put_new(edge(joiner, inviter))?)
                .item(InviterUnderCap, count(inviter)?)
                .item(JoinerUnderCap, count(joiner)?);
        } else {
            // The inviter's request instead, counted on both sides: asked
            // for by the inviter when they invited, so their own cap does
            // not refuse it (the joiner's accepting it waits for room).
            let request = |owner: &UserRecord, sk_value: String, other: &UserRecord| {
                Item::from([
                    pk(keys::user(&owner.id)),
                    sk(&sk_value),
                    ("other_id".into(), s(&other.id)),
                    ("other_username".into(), s(&other.username)),
                    ("created_at".into(), n(now.0)),
                ])
            };
            let pending = |user: &UserRecord, counter: Counter| {
                self.adjust_counts(&user.id, &[Step::Up(counter)], "attribute_exists(PK)", &[])
            };
            transaction = transaction
                .item(
                    NotConnected,
                    self.put_new(request(inviter, keys::request_out(&joiner.id), joiner))?,
                )
                .item(
                    NotConnected,
                    self.put_new(request(joiner, keys::request_in(&inviter.id), inviter))?,
                )
                .item(InviterUnderCap, pending(inviter, Counter::PendingOut)?)
                .item(JoinerUnderCap, pending(joiner, Counter::PendingIn)?);
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(Ok(())),
            Err(TransactError::ConditionsFailed(failed)) => {
                Ok(Err(if failed.has(LinkUnused) || failed.has(StillPending) {
                    InviteUse::Gone
                } else {
                    InviteUse::InviterFull
                }))
            }
            Err(TransactError::Store(error)) => Err(error),
        }
    }

    /// Records that `email` wants no invitations, ever (1 PutItem).
    pub async fn opt_out_of_invitations(&self, email: &Email) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item(keys::PK, s(keys::invited(email)))
            .item(keys::SK, s(keys::OPT_OUT))
            .item("opted_out", AttributeValue::Bool(true))
            .send()
            .await?;
        Ok(())
    }
}

/// Why a link could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteUse {
    /// Used, taken back or run out meanwhile.
    Gone,
    /// The inviter is at the cap (or the pair connected otherwise).
    InviterFull,
}
