//! Accounts: the profile with its email and username claims, password changes, and what one person sees of another.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::*;
use crate::domain::Timestamp;
use crate::domain::account::{Email, Username};
use crate::domain::profile::{Bio, DisplayName};

/// A user as stored. The password hash is not part of it: it is a separate
/// item (`keys::credentials`) that only the auth function reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The account.
    pub id: UserId,
    /// Lower-case username.
    pub username: Username,
    /// Normalised email.
    pub email: Email,
    /// The credential version: a password reset moves it on, which ends
    /// every session begun under an older one (see `SessionRecord`).
    pub credentials: i64,
    /// Creation time.
    pub created_at: Timestamp,
    /// Which emails they want.
    pub email_settings: crate::domain::conversation::EmailSettings,
    /// What they call themselves, if they said.
    pub display_name: Option<DisplayName>,
    /// A few words about them, if they wrote some.
    pub bio: Option<Bio>,
    /// Suspended by an operator: they cannot sign in or refresh, and
    /// nobody else finds them or sees what they made until it is lifted.
    pub suspended: bool,
}

/// A change of one profile field: left as it is, set, or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange<T> {
    /// Not in the request.
    Keep,
    /// A new value.
    Set(T),
    /// `null`: removed.
    Remove,
}

/// Why a registration did not commit.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// Another account has this email.
    #[error("email taken")]
    EmailTaken,
    /// Another account has this username.
    #[error("username taken")]
    UsernameTaken,
    /// The one-time code was used, replaced, expired or exhausted meanwhile.
    #[error("code no longer valid")]
    CodeGone,
    /// The rate-limit window the registration counts against is full.
    #[error("rate limit reached")]
    LimitReached {
        /// Seconds until the window ends.
        retry_after: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) fn user_from_item(item: &Item) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: UserId::from_stored(attr_s(item, "id")?),
        username: Username::from_stored(attr_s(item, "username")?),
        email: Email::from_stored(attr_s(item, "email")?),
        credentials: attr_n(item, "credentials").unwrap_or(0),
        created_at: Timestamp(attr_n(item, "created_at")?),
        email_settings: super::notifications::email_settings_of(item),
        display_name: attr_s(item, "display_name")
            .ok()
            .map(DisplayName::from_stored),
        bio: attr_s(item, "bio").ok().map(Bio::from_stored),
        suspended: is_suspended(item),
    })
}

/// Whether a profile item carries an operator's suspension.
pub(crate) fn is_suspended(item: &Item) -> bool {
    item.get(SUSPENDED)
        .and_then(|value| value.as_bool().ok())
        .copied()
        .unwrap_or(false)
}

/// The profile attribute an operator's suspension sets (absent otherwise).
pub(crate) const SUSPENDED: &str = "suspended";

/// How `me` relates to another person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// It is me.
    SelfView,
    /// Nothing between us.
    None,
    /// I asked them.
    OutgoingRequest,
    /// They asked me.
    IncomingRequest,
    /// Connected since.
    Connected(Timestamp),
    /// I blocked them (nothing else can be between us).
    Blocked,
}

/// A profile's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Connections.
    pub connections: u32,
    /// Pending outgoing requests.
    pub pending_out: u32,
    /// Pending incoming requests.
    pub pending_in: u32,
    /// Tags.
    pub tags: u32,
    /// People blocked.
    pub blocks: u32,
}

/// The named conditions of the account transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountCondition {
    /// No profile has the new user's id.
    ProfileNew,
    /// No account claims the email.
    EmailFree,
    /// No account claims the username.
    UsernameFree,
    /// The one-time code is still live (see [`Store::consume_code_item`]).
    CodeLive,
    /// The rate-limit window has room (see [`Store::count_in_window_item`]).
    UnderRateLimit,
    /// The profile whose password changes exists.
    ProfileExists,
    /// The account still has the address it moves from, and its claim.
    AddressUnchanged,
    /// No credentials item has the new user's id.
    CredentialsNew,
}

/// Moves a profile's credential version on (with `:zero` and `:one`): what
/// ends every session begun before, in a reset and in sign-out everywhere.
const NEXT_CREDENTIALS: &str = "SET credentials = if_not_exists(credentials, :zero) + :one";

impl Store {
    /// Registers a user, consumes the sign-up code and counts the
    /// registration against `limit`, in one `TransactWriteItems` (1 request):
    /// profile, email claim and username claim are each conditioned on not
    /// existing, so of N concurrent registrations of an email or username
    /// exactly one commits, and the counter on being under its maximum, so
    /// at most `limit.max` commit in a window.
    pub async fn create_user(
        &self,
        user: &UserRecord,
        password_hash: &str,
        code: CodeToConsume<'_>,
        limit: CountInWindow<'_>,
    ) -> Result<(), CreateUserError> {
        self.create_user_unless_held(user, password_hash, code, limit, None)
            .await
    }

    /// [`Store::create_user`], with a condition check in the same
    /// transaction that the username is not held after a deleted account
    /// had it (`hold`: the hold's keyed name, see `deletion`), so no
    /// registration can slip in between a check and the write.
    pub async fn create_user_unless_held(
        &self,
        user: &UserRecord,
        password_hash: &str,
        code: CodeToConsume<'_>,
        limit: CountInWindow<'_>,
        hold: Option<&str>,
    ) -> Result<(), CreateUserError> {
        use AccountCondition::*;
        let profile = Item::from([
            pk(keys::user(&user.id)),
            sk(keys::PROFILE),
            ("id".into(), s(&user.id)),
            ("username".into(), s(&user.username)),
            ("email".into(), s(&user.email)),
            ("created_at".into(), n(user.created_at.0)),
        ]);
        let credentials = Item::from([
            pk(keys::credentials(&user.id)),
            sk(keys::PASSWORD),
            ("password_hash".into(), s(password_hash)),
        ]);
        let claim = |key: String| {
            Item::from([
                pk(key),
                sk(keys::CLAIM),
                ("user_id".into(), s(&user.id)),
                ("username".into(), s(&user.username)),
            ])
        };
        let (email, username) = (&user.email, &user.username);
        let transaction = Transaction::new()
            .item(ProfileNew, self.put_new(profile)?)
            .item(CredentialsNew, self.put_new(credentials)?)
            .item(EmailFree, self.put_new(claim(keys::email_claim(email)))?)
            .item(
                UsernameFree,
                self.put_new(claim(keys::username_claim(username)))?,
            )
            .item(CodeLive, self.consume_code_item(&code)?)
            .item(UnderRateLimit, self.count_in_window_item(&limit)?);
        let transaction = match hold {
            None => transaction,
            Some(hold) => {
                let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
                    .table_name(&self.table)
                    .key(keys::PK, s(format!("HOLD#{hold}")))
                    .key(keys::SK, s(keys::CLAIM))
                    .condition_expression("attribute_not_exists(PK) OR expires_at < :now")
                    .expression_attribute_values(":now", n(Timestamp::now().0))
                    .build()
                    .map_err(build_error)?;
                transaction.item(
                    UsernameFree,
                    TransactWriteItem::builder().condition_check(check).build(),
                )
            }
        };
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            // The limit is reported first: a caller over it learns nothing
            // about the email or username.
            Err(TransactError::ConditionsFailed(failed)) => Err(if failed.has(UnderRateLimit) {
                CreateUserError::LimitReached {
                    retry_after: (limit.expires_at.0 - Timestamp::now().0).max(1) as u64,
                }
            } else if failed.has(EmailFree) {
                CreateUserError::EmailTaken
            } else if failed.has(UsernameFree) {
                CreateUserError::UsernameTaken
            } else if failed.has(CodeLive) {
                CreateUserError::CodeGone
            } else {
                // Only `ProfileNew` or `CredentialsNew` is left: a ULID
                // collision, vanishingly unlikely and retryable.
                CreateUserError::Store(StoreError::Unavailable("user id collision".into()))
            }),
        }
    }

    /// A user's password hash (1 GetItem of their credentials item; for an
    /// account made before the hash moved there, 1 more of the profile, which
    /// held it). Only the auth function reads this.
    pub async fn password_hash(&self, user_id: &UserId) -> Result<Option<String>, StoreError> {
        let item = self.get(keys::credentials(user_id), keys::PASSWORD).await?;
        match item {
            Some(item) => attr_s(&item, "password_hash").map(Some),
            None => Ok(None),
        }
    }

    /// The hash an account made before the credentials item kept on its
    /// profile (1 GetItem), until its next password change moves it.
    pub async fn legacy_password_hash(
        &self,
        user_id: &UserId,
    ) -> Result<Option<String>, StoreError> {
        let item = self.get(keys::user(user_id), keys::PROFILE).await?;
        Ok(item.and_then(|item| attr_s(&item, "password_hash").ok()))
    }

    /// A user's profile by id (1 GetItem).
    pub async fn user(&self, user_id: &UserId) -> Result<Option<UserRecord>, StoreError> {
        let item = self.get(keys::user(user_id), keys::PROFILE).await?;
        item.map(|item| user_from_item(&item)).transpose()
    }

    /// The user id holding `email` (1 GetItem on the claim).
    pub async fn user_id_by_email(&self, email: &Email) -> Result<Option<UserId>, StoreError> {
        let item = self.get(keys::email_claim(email), keys::CLAIM).await?;
        item.map(|item| attr_s(&item, "user_id").map(UserId::from_stored))
            .transpose()
    }

    /// The (id, username) holding `username` (1 GetItem on the claim).
    pub async fn user_by_username(
        &self,
        username: &Username,
    ) -> Result<Option<(UserId, Username)>, StoreError> {
        let item = self
            .get(keys::username_claim(username), keys::CLAIM)
            .await?;
        item.map(|item| {
            Ok((
                UserId::from_stored(attr_s(&item, "user_id")?),
                Username::from_stored(attr_s(&item, "username")?),
            ))
        })
        .transpose()
    }

    /// Moves the account's credential version on (1 UpdateItem, the
    /// expression [`NEXT_CREDENTIALS`]): from then
    /// on no session begun before can refresh, whatever session items are
    /// still stored. `false` if there is no such account.
    pub async fn retire_sessions(&self, user_id: &UserId) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression(NEXT_CREDENTIALS)
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Sets a new password hash (in the credentials item; a hash left on the
    /// profile by an older version is removed), moves the credential version
    /// on and consumes the reset code, in one `TransactWriteItems` (1
    /// request).
    pub async fn reset_password(
        &self,
        user_id: &UserId,
        password_hash: &str,
        code: CodeToConsume<'_>,
    ) -> Result<(), CreateUserError> {
        self.set_password(user_id, password_hash, Some(code)).await
    }

    /// Sets a new password hash and moves the credential version on (1
    /// `TransactWriteItems`), consuming `code` in it when the change is a
    /// reset: a change by the signed-in person needs none.
    pub async fn set_password(
        &self,
        user_id: &UserId,
        password_hash: &str,
        code: Option<CodeToConsume<'_>>,
    ) -> Result<(), CreateUserError> {
        use AccountCondition::*;
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression(format!("{NEXT_CREDENTIALS} REMOVE password_hash"))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(build_error)?;
        let credentials = Item::from([
            pk(keys::credentials(user_id)),
            sk(keys::PASSWORD),
            ("password_hash".into(), s(password_hash)),
        ]);
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(credentials))
            .build()
            .map_err(build_error)?;
        let mut transaction = Transaction::new()
            .item(
                ProfileExists,
                TransactWriteItem::builder().update(update).build(),
            )
            // Overwrites the hash; the profile's condition is the check.
            .unconditioned(TransactWriteItem::builder().put(put).build());
        if let Some(code) = &code {
            transaction = transaction.item(CodeLive, self.consume_code_item(code)?);
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            // `CodeLive` or `ProfileExists`: the caller found the account by
            // its email's claim just before, so a profile gone meanwhile is
            // reported like a code gone; the person starts over either way.
            Err(TransactError::ConditionsFailed(_)) => Err(CreateUserError::CodeGone),
        }
    }

    /// Moves `user` to a new email address in one `TransactWriteItems`: the
    /// new address's claim (on condition that nobody has it: of concurrent
    /// changes and registrations of one address exactly one commits), the
    /// old claim's deletion (on condition that it is still theirs), the
    /// profile's address (on condition that it is still the old one), and
    /// the code consumed.
    pub async fn change_email(
        &self,
        user: &UserRecord,
        new_email: &Email,
        code: CodeToConsume<'_>,
    ) -> Result<(), CreateUserError> {
        use AccountCondition::*;
        let claim = Item::from([
            pk(keys::email_claim(new_email)),
            sk(keys::CLAIM),
            ("user_id".into(), s(&user.id)),
            ("username".into(), s(&user.username)),
        ]);
        let old_claim = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::email_claim(&user.email)))
            .key(keys::SK, s(keys::CLAIM))
            .condition_expression("user_id = :me")
            .expression_attribute_values(":me", s(&user.id))
            .build()
            .map_err(build_error)?;
        let profile = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(&user.id)))
            .key(keys::SK, s(keys::PROFILE))
            .update_expression("SET email = :new")
            .condition_expression("email = :old")
            .expression_attribute_values(":new", s(new_email))
            .expression_attribute_values(":old", s(&user.email))
            .build()
            .map_err(build_error)?;
        let transaction = Transaction::new()
            .item(EmailFree, self.put_new(claim)?)
            .item(
                AddressUnchanged,
                TransactWriteItem::builder().delete(old_claim).build(),
            )
            .item(
                AddressUnchanged,
                TransactWriteItem::builder().update(profile).build(),
            )
            .item(CodeLive, self.consume_code_item(&code)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactError::Store(error)) => Err(error.into()),
            Err(TransactError::ConditionsFailed(failed)) => Err(if failed.has(EmailFree) {
                CreateUserError::EmailTaken
            } else {
                // The code, or the account moved meanwhile (another change
                // committed first): the person starts over.
                CreateUserError::CodeGone
            }),
        }
    }

    /// Changes what `user_id` says about themselves (1 conditional
    /// UpdateItem returning the profile as it is now); `None` if there is no
    /// such account.
    pub async fn update_profile(
        &self,
        user_id: &UserId,
        display_name: &FieldChange<DisplayName>,
        bio: &FieldChange<Bio>,
    ) -> Result<Option<UserRecord>, StoreError> {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::user(user_id)))
            .key(keys::SK, s(keys::PROFILE))
            .condition_expression("attribute_exists(PK)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        match display_name {
            FieldChange::Keep => {}
            FieldChange::Set(name) => {
                sets.push("display_name = :name");
                update = update.expression_attribute_values(":name", s(name.as_str()));
            }
            FieldChange::Remove => removes.push("display_name"),
        }
        match bio {
            FieldChange::Keep => {}
            FieldChange::Set(bio) => {
                sets.push("bio = :bio");
                update = update.expression_attribute_values(":bio", s(bio.as_str()));
            }
            FieldChange::Remove => removes.push("bio"),
        }
        let expression = set_and_remove(&sets, &removes);
        if expression.is_empty() {
            return self.user(user_id).await;
        }
        match update.update_expression(expression).send().await {
            Ok(output) => output
                .attributes
                .map(|item| user_from_item(&item))
                .transpose(),
            Err(error) if is_condition_failure(&error) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// A person's profile and how `me` relates to them, in one BatchGetItem:
    /// their profile, my edge to them, my outgoing and my incoming request,
    /// and a block either way (theirs of me: no such person for me).
    pub async fn relationship(
        &self,
        me: &UserId,
        other: &UserId,
    ) -> Result<(Option<super::UserRecord>, Relationship), StoreError> {
        let mine = keys::user(me);
        let items = self
            .batch_get(vec![
                key(keys::user(other), keys::PROFILE),
                key(mine.clone(), keys::connection(other)),
                key(mine.clone(), keys::request_out(other)),
                key(mine.clone(), keys::request_in(other)),
                // A person who blocked me is not there for me.
                key(keys::user(other), keys::block(me)),
                key(mine, keys::block(other)),
            ])
            .await?;
        let mut profile = None;
        let mut blocked_me = false;
        let mut relationship = Relationship::None;
        for item in &items {
            let sk_value = attr_s(item, keys::SK)?;
            if sk_value == keys::PROFILE {
                profile = Some(super::user_from_item(item)?);
            } else if sk_value.starts_with(keys::BLOCK_PREFIX) {
                if attr_s(item, keys::PK)? == keys::user(other) {
                    blocked_me = true;
                } else {
                    relationship = Relationship::Blocked;
                }
            } else if sk_value.starts_with(keys::CONN_PREFIX) {
                relationship = Relationship::Connected(Timestamp(attr_n(item, "connected_at")?));
            } else if sk_value.starts_with(keys::REQ_OUT_PREFIX)
                && relationship == Relationship::None
            {
                relationship = Relationship::OutgoingRequest;
            } else if sk_value.starts_with(keys::REQ_IN_PREFIX)
                && relationship == Relationship::None
            {
                relationship = Relationship::IncomingRequest;
            }
        }
        if me == other {
            relationship = Relationship::SelfView;
        } else if blocked_me || profile.as_ref().is_some_and(|p| p.suspended) {
            // Someone who blocked me, or whom an operator suspended, is not
            // there for me.
            profile = None;
        }
        Ok((profile, relationship))
    }

    /// Several profiles by id, in one BatchGetItem.
    pub async fn users(
        &self,
        ids: &[&UserId],
    ) -> Result<HashMap<UserId, super::UserRecord>, StoreError> {
        let wanted = ids
            .iter()
            .map(|id| key(keys::user(id), keys::PROFILE))
            .collect();
        self.batch_get(wanted)
            .await?
            .iter()
            .map(|item| super::user_from_item(item).map(|user| (user.id.clone(), user)))
            .collect()
    }

    /// The counters on a profile (1 GetItem).
    pub async fn counts(&self, user_id: &UserId) -> Result<Counts, StoreError> {
        let item = self
            .get(keys::user(user_id), keys::PROFILE)
            .await?
            .unwrap_or_default();
        let read = |counter: Counter| {
            attr_n(&item, counter.attribute())
                .ok()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0)
        };
        Ok(Counts {
            connections: read(Counter::Connections),
            pending_out: read(Counter::PendingOut),
            pending_in: read(Counter::PendingIn),
            tags: read(Counter::Tags),
            blocks: read(Counter::Blocks),
        })
    }
}
