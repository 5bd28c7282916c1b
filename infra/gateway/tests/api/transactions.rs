//! The store's transactions, called directly on the real local table: each
//! named condition of each transactional call is made to fail once, and the
//! call must answer exactly the error that condition stands for, having made
//! exactly the requests it documents. Some conditions only fail in races
//! (a request accepted while it is being declined); those are set up by
//! writing the half-finished state into the table directly.

use std::future::Future;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use shared::domain::Timestamp;
use shared::domain::account::{Email, Username};
use shared::domain::ids::{TagId, UserId};
use shared::domain::one_time_code::CodePurpose;
use shared::domain::social::{
    MAX_INCOMING_REQUESTS, MAX_PENDING_REQUESTS, MAX_TAGS, TagColor, TagName,
};
use shared::store::metrics::{StoreTally, TALLY};
use shared::store::{
    AcceptError, CodeToConsume, CountInWindow, CreateTagError, CreateUserError, EdgeOf,
    RequestError, Store, StoreError, TagRecord, UpdateTagError, UserRecord, keys,
};

use crate::common::*;

/// Runs one store call and returns its result with the DynamoDB operations
/// it made, in order.
async fn counted<T>(call: impl Future<Output = T>) -> (T, Vec<&'static str>) {
    let tally = Arc::new(StoreTally::default());
    let result = TALLY.scope(tally.clone(), call).await;
    (result, tally.operations())
}

/// Asserts that a store call fails with `$error` and returns the operations
/// it made.
macro_rules! refused {
    ($call:expr, $error:pat) => {{
        let (result, operations) = counted($call).await;
        assert!(
            matches!(result, Err($error)),
            "expected {}, got {result:?}",
            stringify!($error)
        );
        operations
    }};
}

/// Asserts that a store call found nothing to change (`Ok(false)`: no such
/// request, connection or tag, or gone meanwhile) and returns the operations
/// it made.
macro_rules! found_nothing {
    ($call:expr) => {{
        let (result, operations) = counted($call).await;
        assert!(
            matches!(result, Ok(false)),
            "expected Ok(false), got {result:?}"
        );
        operations
    }};
}

const TRANSACTION: &[&str] = &["TransactWriteItems"];

/// A password hash, never checked here: the store only keeps it.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dHhkdHhkdHhk$AAAA";

/// A sign-up that has not happened yet: a fresh person with a live code.
struct SignUp {
    user: UserRecord,
    email: Email,
    code_hash: String,
}

impl SignUp {
    /// A fresh id, email and username, and a live code for the email.
    async fn new(store: &Store) -> SignUp {
        let suffix = unique();
        let user = UserRecord {
            id: UserId::new(),
            username: Username::parse(&format!("t_{suffix}")).unwrap(),
            email: Email::parse(&format!("tx-{suffix}@example.com")).unwrap(),
            credentials: 0,
            created_at: Timestamp::now(),
            email_settings: Default::default(),
            display_name: None,
            bio: None,
            suspended: false,
        };
        SignUp::for_user(store, user).await
    }

    /// `user` as given (to reuse another's email, username or id), with a
    /// live code for its email.
    async fn for_user(store: &Store, user: UserRecord) -> SignUp {
        let email = user.email.clone();
        let code_hash = format!("hash-{}", unique());
        store
            .put_code(
                CodePurpose::Register,
                &email,
                &code_hash,
                Timestamp::now().plus_seconds(600),
            )
            .await
            .unwrap();
        SignUp {
            user,
            email,
            code_hash,
        }
    }

    fn code(&self) -> CodeToConsume<'_> {
        CodeToConsume {
            purpose: CodePurpose::Register,
            email: &self.email,
            code_hash: &self.code_hash,
            now: Timestamp::now(),
        }
    }

    /// Registers, counted in `window` (which admits `max` registrations).
    async fn register(&self, store: &Store, window: &str, max: u32) -> Result<(), CreateUserError> {
        let limit = CountInWindow {
            rule: "register-tx-test",
            subject: window,
            window_start: 0,
            expires_at: Timestamp::now().plus_seconds(600),
            max,
        };
        store
            .create_user(&self.user, HASH, self.code(), limit)
            .await
    }
}

/// A registered person (counted in a window of their own, never full).
async fn person(store: &Store) -> UserRecord {
    let sign_up = SignUp::new(store).await;
    sign_up
        .register(store, sign_up.user.id.as_str(), u32::MAX)
        .await
        .unwrap();
    sign_up.user
}

/// A person who was never stored.
fn nobody() -> UserRecord {
    UserRecord {
        id: UserId::new(),
        username: Username::parse(&format!("n_{}", unique())).unwrap(),
        email: Email::parse(&format!("nobody-{}@example.com", unique())).unwrap(),
        credentials: 0,
        created_at: Timestamp::now(),
        email_settings: Default::default(),
        display_name: None,
        bio: None,
        suspended: false,
    }
}

/// Plenty of room under the connection cap.
const ROOMY: u32 = 100;

/// `a` asks `b`, `b` accepts.
async fn connect(store: &Store, a: &UserRecord, b: &UserRecord) {
    store
        .send_request(a, b, ROOMY, Timestamp::now())
        .await
        .unwrap();
    store
        .accept_request(b, a, ROOMY, Timestamp::now())
        .await
        .unwrap();
}

/// Overwrites a counter on `user_id`'s profile, as a race or an old bug
/// might have left it.
async fn set_count(store: &Store, user_id: &UserId, counter: &str, value: u32) {
    dynamodb()
        .await
        .update_item()
        .table_name(store.table())
        .key(keys::PK, AttributeValue::S(keys::user(user_id)))
        .key(keys::SK, AttributeValue::S(keys::PROFILE.into()))
        .update_expression("SET #counter = :value")
        .expression_attribute_names("#counter", counter)
        .expression_attribute_values(":value", AttributeValue::N(value.to_string()))
        .send()
        .await
        .unwrap();
}

/// Writes one half of a request from `from` to `to` in `owner`'s partition.
async fn put_request_half(store: &Store, owner: &UserRecord, sk: String, other: &UserRecord) {
    dynamodb()
        .await
        .put_item()
        .table_name(store.table())
        .item(keys::PK, AttributeValue::S(keys::user(&owner.id)))
        .item(keys::SK, AttributeValue::S(sk))
        .item("other_id", AttributeValue::S(other.id.to_string()))
        .item(
            "other_username",
            AttributeValue::S(other.username.to_string()),
        )
        .item(
            "created_at",
            AttributeValue::N(Timestamp::now().0.to_string()),
        )
        .send()
        .await
        .unwrap();
}

async fn delete_item(store: &Store, pk: String, sk: String) {
    dynamodb()
        .await
        .delete_item()
        .table_name(store.table())
        .key(keys::PK, AttributeValue::S(pk))
        .key(keys::SK, AttributeValue::S(sk))
        .send()
        .await
        .unwrap();
}

fn tag(name: &str) -> TagRecord {
    TagRecord {
        id: TagId::new(),
        name: TagName::parse(name).unwrap(),
        color: TagColor::Friends,
        created_at: Timestamp::now(),
    }
}

async fn create_tag(store: &Store, me: &UserRecord, name: &str) -> TagRecord {
    let tag = tag(name);
    store.create_tag(&me.id, &tag).await.unwrap();
    tag
}

#[tokio::test]
async fn create_user_names_the_claim_the_code_or_the_limit_that_refused_it() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let window = unique();
    let ann = SignUp::new(store).await;
    ann.register(store, &window, 3).await.unwrap();

    // Ann's email again, under another id and username.
    let mut user = SignUp::new(store).await.user;
    user.email = ann.user.email.clone();
    let same_email = SignUp::for_user(store, user).await;
    let operations = refused!(
        same_email.register(store, &window, 3),
        CreateUserError::EmailTaken
    );
    assert_eq!(operations, TRANSACTION);

    // Ann's username, with a free email; the refusal consumed nothing, so the
    // same code then registers a free username.
    let mut same_username = SignUp::new(store).await;
    let free_username = same_username.user.username.clone();
    same_username.user.username = ann.user.username.clone();
    refused!(
        same_username.register(store, &window, 3),
        CreateUserError::UsernameTaken
    );
    same_username.user.username = free_username;
    same_username.register(store, &window, 3).await.unwrap();

    // Both taken: the email is reported.
    let mut user = SignUp::new(store).await.user;
    user.email = ann.user.email.clone();
    user.username = ann.user.username.clone();
    let both = SignUp::for_user(store, user).await;
    refused!(
        both.register(store, &window, 3),
        CreateUserError::EmailTaken
    );

    // A code that is not the live one.
    let mut wrong_code = SignUp::new(store).await;
    wrong_code.code_hash = "not-the-code".into();
    refused!(
        wrong_code.register(store, &window, 3),
        CreateUserError::CodeGone
    );

    // Ann's id (a ULID collision): retryable, not anything the person did.
    let mut user = SignUp::new(store).await.user;
    user.id = ann.user.id.clone();
    let same_id = SignUp::for_user(store, user).await;
    refused!(
        same_id.register(store, &window, 3),
        CreateUserError::Store(StoreError::Unavailable(_))
    );

    // The window has counted Ann and the free username: a third fills it.
    SignUp::new(store)
        .await
        .register(store, &window, 3)
        .await
        .unwrap();
    let operations = refused!(
        SignUp::new(store).await.register(store, &window, 3),
        CreateUserError::LimitReached { .. }
    );
    assert_eq!(operations, TRANSACTION);
    // Over the limit, nothing else is revealed: not even a taken email.
    refused!(
        same_email.register(store, &window, 3),
        CreateUserError::LimitReached { .. }
    );
}

#[tokio::test]
async fn reset_password_needs_the_live_code_and_the_profile() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let ann = person(store).await;
    let email = ann.email.clone();
    store
        .put_code(
            CodePurpose::PasswordReset,
            &email,
            "reset-hash",
            Timestamp::now().plus_seconds(600),
        )
        .await
        .unwrap();
    let code = |hash| CodeToConsume {
        purpose: CodePurpose::PasswordReset,
        email: &email,
        code_hash: hash,
        now: Timestamp::now(),
    };
    let operations = refused!(
        store.reset_password(&ann.id, "new-hash", code("wrong-hash")),
        CreateUserError::CodeGone
    );
    assert_eq!(operations, TRANSACTION);
    // The live code, but no such profile: reported the same way.
    refused!(
        store.reset_password(&nobody().id, "new-hash", code("reset-hash")),
        CreateUserError::CodeGone
    );
    store
        .reset_password(&ann.id, "new-hash", code("reset-hash"))
        .await
        .unwrap();
    assert_eq!(
        store.password_hash(&ann.id).await.unwrap().unwrap(),
        "new-hash"
    );
    // Consumed.
    refused!(
        store.reset_password(&ann.id, "newer-hash", code("reset-hash")),
        CreateUserError::CodeGone
    );
}

#[tokio::test]
async fn send_request_names_who_is_missing_what_exists_or_which_limit() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let now = Timestamp::now();
    let [ann, bob, carol, dan] = [
        person(store).await,
        person(store).await,
        person(store).await,
        person(store).await,
    ];

    // The recipient's count is an update (a transaction cannot also check
    // the same item), so a refusal there reads the profile to tell a person
    // who is not there from one whose requests are full.
    let operations = refused!(
        store.send_request(&ann, &nobody(), ROOMY, now),
        RequestError::NoSuchPerson
    );
    assert_eq!(operations, ["TransactWriteItems", "GetItem"]);

    store.send_request(&ann, &bob, ROOMY, now).await.unwrap();
    refused!(
        store.send_request(&ann, &bob, ROOMY, now),
        RequestError::AlreadyRequested
    );
    refused!(
        store.send_request(&bob, &ann, ROOMY, now),
        RequestError::TheyAsked
    );

    store.accept_request(&bob, &ann, ROOMY, now).await.unwrap();
    refused!(
        store.send_request(&ann, &bob, ROOMY, now),
        RequestError::AlreadyConnected
    );
    refused!(
        store.send_request(&bob, &ann, ROOMY, now),
        RequestError::AlreadyConnected
    );
    // At the cap of 1, what exists between them is still the answer.
    refused!(
        store.send_request(&ann, &bob, 1, now),
        RequestError::AlreadyConnected
    );

    // Ann has one connection: a cap of 1 refuses her, and the counts tell
    // which limit it was (one GetItem after the transaction).
    let operations = refused!(
        store.send_request(&ann, &carol, 1, now),
        RequestError::CallerAtLimit { max: 1 }
    );
    assert_eq!(operations, ["TransactWriteItems", "GetItem"]);
    // Dan has as many pending requests as allowed (written directly: asking
    // a hundred people would only slow the test).
    set_count(store, &dan.id, "pending_out", MAX_PENDING_REQUESTS).await;
    let operations = refused!(
        store.send_request(&dan, &carol, ROOMY, now),
        RequestError::TooManyPending {
            max: MAX_PENDING_REQUESTS
        }
    );
    assert_eq!(operations, ["TransactWriteItems", "GetItem"]);
    // Nobody there beats the limit.
    refused!(
        store.send_request(&dan, &nobody(), ROOMY, now),
        RequestError::NoSuchPerson
    );
    // Carol has as many incoming requests as allowed (written directly).
    set_count(store, &carol.id, "pending_in", MAX_INCOMING_REQUESTS).await;
    let operations = refused!(
        store.send_request(&bob, &carol, ROOMY, now),
        RequestError::TheirRequestsFull {
            max: MAX_INCOMING_REQUESTS
        }
    );
    assert_eq!(operations, ["TransactWriteItems", "GetItem"]);
    // What exists between them still comes first.
    set_count(store, &ann.id, "pending_in", MAX_INCOMING_REQUESTS).await;
    refused!(
        store.send_request(&bob, &ann, ROOMY, now),
        RequestError::AlreadyConnected
    );
    set_count(store, &carol.id, "pending_in", 0).await;
    // Nothing was written by any refusal.
    assert!(store.requests(&carol.id, true).await.unwrap().is_empty());
}

#[tokio::test]
async fn accept_request_names_the_missing_request_the_edge_or_whose_cap() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let now = Timestamp::now();
    let [ann, bob, carol, dan, erin] = [
        person(store).await,
        person(store).await,
        person(store).await,
        person(store).await,
        person(store).await,
    ];

    let operations = refused!(
        store.accept_request(&ann, &bob, ROOMY, now),
        AcceptError::NoSuchRequest
    );
    assert_eq!(operations, TRANSACTION);

    // Ann (the one accepting) has a connection; Bob asks her; a cap of 1.
    connect(store, &ann, &carol).await;
    store.send_request(&bob, &ann, ROOMY, now).await.unwrap();
    let operations = refused!(
        store.accept_request(&ann, &bob, 1, now),
        AcceptError::CallerAtLimit { max: 1 }
    );
    assert_eq!(operations, TRANSACTION);
    // Refused, the request is still there to accept under a roomier cap.
    assert_eq!(store.requests(&ann.id, true).await.unwrap().len(), 1);

    // Dan (the one asking) has a connection; he asks Erin; a cap of 1.
    connect(store, &dan, &carol).await;
    store.send_request(&dan, &erin, ROOMY, now).await.unwrap();
    refused!(
        store.accept_request(&erin, &dan, 1, now),
        AcceptError::OtherAtLimit { max: 1 }
    );
    // Both at the cap: the caller's is reported.
    store.send_request(&dan, &ann, ROOMY, now).await.unwrap();
    refused!(
        store.accept_request(&ann, &dan, 1, now),
        AcceptError::CallerAtLimit { max: 1 }
    );

    // A request left beside an existing connection (both halves, as a race
    // could leave them): accepting it would duplicate the edges.
    put_request_half(store, &ann, keys::request_out(&carol.id), &carol).await;
    put_request_half(store, &carol, keys::request_in(&ann.id), &ann).await;
    refused!(
        store.accept_request(&carol, &ann, ROOMY, now),
        AcceptError::AlreadyConnected
    );

    store.accept_request(&ann, &bob, ROOMY, now).await.unwrap();
    refused!(
        store.accept_request(&ann, &bob, ROOMY, now),
        AcceptError::NoSuchRequest
    );
}

#[tokio::test]
async fn remove_request_reports_a_request_gone_or_uncounted_as_not_found() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let now = Timestamp::now();
    let [ann, bob, carol] = [
        person(store).await,
        person(store).await,
        person(store).await,
    ];

    // No request at all: found out by the read, no transaction.
    let operations = found_nothing!(store.remove_request(&ann.id, &bob.id));
    assert_eq!(operations, ["BatchGetItem"]);

    // Only the incoming half is left (the outgoing one went in a race).
    store.send_request(&bob, &ann, ROOMY, now).await.unwrap();
    delete_item(store, keys::user(&bob.id), keys::request_out(&ann.id)).await;
    let operations = found_nothing!(store.remove_request(&ann.id, &bob.id));
    assert_eq!(operations, ["BatchGetItem", "TransactWriteItems"]);
    assert_eq!(store.requests(&ann.id, true).await.unwrap().len(), 1);

    // Both halves, but the requester's pending count does not include it.
    store.send_request(&carol, &ann, ROOMY, now).await.unwrap();
    set_count(store, &carol.id, "pending_out", 0).await;
    found_nothing!(store.remove_request(&ann.id, &carol.id));
    set_count(store, &carol.id, "pending_out", 1).await;
    store.remove_request(&ann.id, &carol.id).await.unwrap();
    assert_eq!(store.counts(&carol.id).await.unwrap().pending_out, 0);
}

#[tokio::test]
async fn disconnect_needs_both_edges_and_both_counts() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let [ann, bob] = [person(store).await, person(store).await];

    let operations = found_nothing!(store.disconnect(&ann.id, &bob.id));
    assert_eq!(operations, TRANSACTION);

    connect(store, &ann, &bob).await;
    // Bob's count does not include the connection: taking one off it would
    // make it negative.
    set_count(store, &bob.id, "connections", 0).await;
    found_nothing!(store.disconnect(&ann.id, &bob.id));
    assert!(
        store
            .edge(EdgeOf {
                owner: &ann.id,
                other: &bob.id
            })
            .await
            .unwrap()
            .is_some()
    );

    set_count(store, &bob.id, "connections", 1).await;
    store.disconnect(&ann.id, &bob.id).await.unwrap();
    found_nothing!(store.disconnect(&bob.id, &ann.id));
}

#[tokio::test]
async fn set_edge_tags_needs_the_connection_and_each_tag_of_ones_own() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let [ann, bob, carol] = [
        person(store).await,
        person(store).await,
        person(store).await,
    ];
    let close = create_tag(store, &ann, "close").await;
    let bobs = create_tag(store, &bob, "bob's").await;

    let operations =
        found_nothing!(store.set_edge_tags(&ann.id, &carol.id, std::slice::from_ref(&close.id)));
    assert_eq!(operations, TRANSACTION);

    connect(store, &ann, &carol).await;
    found_nothing!(store.set_edge_tags(&ann.id, &carol.id, &[close.id.clone(), TagId::new()]));
    found_nothing!(store.set_edge_tags(&ann.id, &carol.id, std::slice::from_ref(&bobs.id)));
    store
        .set_edge_tags(&ann.id, &carol.id, std::slice::from_ref(&close.id))
        .await
        .unwrap();
    assert_eq!(
        store
            .edge(EdgeOf {
                owner: &ann.id,
                other: &carol.id
            })
            .await
            .unwrap()
            .unwrap()
            .tag_ids,
        [close.id]
    );
}

#[tokio::test]
async fn create_tag_names_a_taken_name_before_the_limit() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let ann = person(store).await;
    let close = create_tag(store, &ann, "Close").await;

    let operations = refused!(
        store.create_tag(&ann.id, &tag("CLOSE")),
        CreateTagError::NameTaken
    );
    assert_eq!(operations, TRANSACTION);
    // The same id under a free name (a ULID collision) is refused like the
    // limit, as it always was.
    let mut same_id = tag("far");
    same_id.id = close.id.clone();
    refused!(
        store.create_tag(&ann.id, &same_id),
        CreateTagError::AtLimit { .. }
    );

    for i in 1..MAX_TAGS {
        create_tag(store, &ann, &format!("tag {i}")).await;
    }
    assert_eq!(store.counts(&ann.id).await.unwrap().tags as usize, MAX_TAGS);
    refused!(
        store.create_tag(&ann.id, &tag("one too many")),
        CreateTagError::AtLimit { .. }
    );
    refused!(
        store.create_tag(&ann.id, &tag("close")),
        CreateTagError::NameTaken
    );
}

#[tokio::test]
async fn update_tag_names_a_taken_name_or_a_missing_tag() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let ann = person(store).await;
    let close = create_tag(store, &ann, "close").await;
    let work = create_tag(store, &ann, "work").await;

    let name = |to: &str| TagName::parse(to).unwrap();
    let operations = refused!(
        store.update_tag(&ann.id, &close, Some(&name("Work")), TagColor::Work),
        UpdateTagError::NameTaken
    );
    assert_eq!(operations, TRANSACTION);

    let missing = tag("gone");
    refused!(
        store.update_tag(&ann.id, &missing, Some(&name("elsewhere")), TagColor::Work),
        UpdateTagError::NotFound
    );
    // Only the case changes: the claim stays, the transaction is the update.
    refused!(
        store.update_tag(&ann.id, &missing, Some(&name("GONE")), TagColor::Work),
        UpdateTagError::NotFound
    );
    // Only the colour: one UpdateItem.
    let operations = refused!(
        store.update_tag(&ann.id, &missing, None, TagColor::Work),
        UpdateTagError::NotFound
    );
    assert_eq!(operations, ["UpdateItem"]);

    // A free name: the old one is released.
    store
        .update_tag(&ann.id, &work, Some(&name("jobs")), TagColor::Work)
        .await
        .unwrap();
    create_tag(store, &ann, "work").await;
}

#[tokio::test]
async fn delete_tag_needs_the_tag_its_claim_and_its_count() {
    let stack = Stack::start().await;
    let store = &stack.app.store;
    let ann = person(store).await;
    let close = create_tag(store, &ann, "close").await;
    let far = create_tag(store, &ann, "far").await;

    // The count does not include the tags: taking one off would make it
    // negative.
    set_count(store, &ann.id, "tags", 0).await;
    let operations = found_nothing!(store.delete_tag(&ann.id, &close));
    assert_eq!(operations, TRANSACTION);
    assert!(store.tag(&ann.id, &close.id).await.unwrap().is_some());
    set_count(store, &ann.id, "tags", 2).await;

    // The name claim is gone (as a race could leave it).
    delete_item(store, keys::user(&ann.id), keys::tag_name("far")).await;
    found_nothing!(store.delete_tag(&ann.id, &far));

    store.delete_tag(&ann.id, &close).await.unwrap();
    found_nothing!(store.delete_tag(&ann.id, &close));
    assert_eq!(store.counts(&ann.id).await.unwrap().tags, 1);
}
