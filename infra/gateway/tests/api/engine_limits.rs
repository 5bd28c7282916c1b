//! DynamoDB's own request limits, and our store within them.
//!
//! DynamoDB refuses a `BatchWriteItem` of more than 25 writes, a
//! `BatchGetItem` of more than 100 keys, a `TransactWriteItems` of more than
//! 100 items and an item over 400 KB. Dynoxide refuses all four as DynamoDB
//! does; moto accepts the 26-write batch (docs/architecture.md, "Two
//! engines"). So on Dynoxide a store call that forgot to split its work
//! fails here, as it would in AWS.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, Put, PutRequest, TransactWriteItem, WriteRequest,
};
use shared::domain::Timestamp;
use shared::domain::ids::{PostId, UserId};
use shared::domain::social::Audience;
use shared::store::PostRecord;
use std::collections::HashMap;

use crate::common::*;

type Item = HashMap<String, AttributeValue>;

fn item(pk: &str, sk: &str) -> Item {
    HashMap::from([
        ("PK".to_owned(), AttributeValue::S(pk.to_owned())),
        ("SK".to_owned(), AttributeValue::S(sk.to_owned())),
    ])
}

fn items(n: usize) -> Vec<Item> {
    let run = unique();
    (0..n)
        .map(|i| item(&format!("LIMIT#{run}"), &format!("{i:04}")))
        .collect()
}

/// The engine's verdict on one request: `Ok`, or the error code.
fn verdict<T, E>(result: Result<T, aws_sdk_dynamodb::error::SdkError<E>>) -> Result<(), String>
where
    E: ProvideErrorMetadata,
{
    result
        .map(|_| ())
        .map_err(|e| e.code().unwrap_or("no code").to_owned())
}

#[tokio::test]
async fn the_engine_refuses_what_dynamodb_refuses() {
    let client = dynamodb().await;
    let table = new_table_like(&test_config().table_name).await;
    let invalid = Err("ValidationException".to_owned());

    let batch_write = |n: usize| {
        let writes = items(n)
            .into_iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item)).build().unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        client
            .batch_write_item()
            .request_items(&table, writes)
            .send()
    };
    assert_eq!(verdict(batch_write(25).await), Ok(()));
    if engine() == "moto" {
        eprintln!("moto accepts a 26-write BatchWriteItem: that limit is checked on Dynoxide only");
    } else {
        assert_eq!(verdict(batch_write(26).await), invalid);
    }

    let batch_get = |n: usize| {
        let keys = KeysAndAttributes::builder()
            .set_keys(Some(items(n)))
            .build()
            .unwrap();
        client.batch_get_item().request_items(&table, keys).send()
    };
    assert_eq!(verdict(batch_get(100).await), Ok(()));
    assert_eq!(verdict(batch_get(101).await), invalid);

    let transaction = |n: usize| {
        let puts = items(n)
            .into_iter()
            .map(|item| {
                let put = Put::builder()
                    .table_name(&table)
                    .set_item(Some(item))
                    .build()
                    .unwrap();
                TransactWriteItem::builder().put(put).build()
            })
            .collect();
        client
            .transact_write_items()
            .set_transact_items(Some(puts))
            .send()
    };
    assert_eq!(verdict(transaction(100).await), Ok(()));
    assert_eq!(verdict(transaction(101).await), invalid);

    let mut big = item("LIMIT#big", "0");
    big.insert("blob".into(), AttributeValue::S("x".repeat(400 * 1024)));
    let put = client.put_item().table_name(&table).set_item(Some(big));
    assert_eq!(verdict(put.send().await), invalid);
}

fn post_by(author: &UserId, n: usize) -> PostRecord {
    PostRecord {
        id: PostId::new(),
        author_id: author.clone(),
        author_username: shared::domain::account::Username::parse("limits").unwrap(),
        author_display_name: None,
        content: format!("post {n}"),
        audience: Audience::Connections,
        tag_ids: vec![],
        created_at: Timestamp::now(),
        edited_at: None,
        conversation: Default::default(),
    }
}

#[tokio::test]
async fn the_store_splits_batches_at_the_limits() {
    let stack = Stack::start().await;
    let store = &stack.app.store;

    // 60 feed entries: three BatchWriteItem calls of at most 25.
    let (viewer, author) = (UserId::new(), UserId::new());
    let posts: Vec<PostRecord> = (0..60).map(|n| post_by(&author, n)).collect();
    store.add_feed_entries(&viewer, &posts).await.unwrap();
    assert_eq!(
        store.feed_entries_by(&viewer, &author).await.unwrap().len(),
        60
    );

    // 250 profiles asked for, 2 of them real: three BatchGetItem calls of at
    // most 100 keys, and exactly the 2 found.
    let mut ann = stack.person();
    ann.sign_up().await;
    let mut bob = stack.person();
    bob.sign_up().await;
    let strangers: Vec<UserId> = (0..248).map(|_| UserId::new()).collect();
    let mut ids: Vec<&UserId> = strangers.iter().collect();
    let (ann_id, bob_id) = (ann.user_id(), bob.user_id());
    ids.insert(17, &ann_id);
    ids.insert(170, &bob_id);
    let found = store.users(&ids).await.unwrap();
    let mut names: Vec<&str> = found.values().map(|u| u.username.as_str()).collect();
    names.sort_unstable();
    let mut expected = [ann.username.as_str(), bob.username.as_str()];
    expected.sort_unstable();
    assert_eq!(names, expected);
}
