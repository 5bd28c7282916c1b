//! Comments, reactions, notifications and audience changes, through the
//! gateway: who may see a post may see what is under it, and nobody else
//! learns anything about it, on every read path, against the current state.

use crate::common::*;
use crate::social_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn comment(person: &Person, post: &str, content: &str) -> Reply {
    person
        .post(
            &format!("/api/posts/{post}/comments"),
            json!({ "content": content }),
        )
        .await
}

async fn commented(person: &Person, post: &str, content: &str) -> String {
    let reply = comment(person, post, content).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn react(person: &Person, post: &str, kind: &str) -> Reply {
    person
        .call(
            Method::PUT,
            &format!("/api/posts/{post}/reaction"),
            Some(json!({ "kind": kind })),
        )
        .await
}

async fn ask(from: &Person, to: &Person) -> Reply {
    from.post("/api/connections/requests", json!({ "user_id": to.id }))
        .await
}

async fn delete(person: &Person, path: &str) -> Reply {
    person.call(Method::DELETE, path, None).await
}

async fn change_audience(person: &Person, post: &str, audience: &str, tags: &[&str]) -> Reply {
    person
        .call(
            Method::PATCH,
            &format!("/api/posts/{post}"),
            Some(json!({ "audience": audience, "tag_ids": tags })),
        )
        .await
}

/// The notifications a person sees now: (kind, actor's username). First
/// checks that the unread count, which reads only the person's own
/// notifications, agrees with the list, which checks each one's source: a
/// change that took a source away and left its notification would show as
/// a count too high (the list itself would then delete it).
async fn notices(person: &Person) -> Vec<(String, String)> {
    let counted = unread(person).await;
    let reply = person.get("/api/notifications?limit=50").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let listed = reply.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["read"] == false)
        .count() as u64;
    assert_eq!(
        (counted, reply.body["unread"].as_u64().unwrap()),
        (listed, listed),
        "the unread count disagrees with the notifications shown: {}",
        reply.body
    );
    reply.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["actor"]["username"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Every item left in a post's partition (the post, its comments and reactions).
async fn partition_items(
    stack: &Stack,
    post: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    dynamodb()
        .await
        .query()
        .table_name(stack.app.store.table())
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("POST#{post}")),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default()
}

async fn unread(person: &Person) -> u64 {
    let reply = person.get("/api/notifications/unread").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["unread"].as_u64().unwrap()
}

/// The post as it shows in a person's feed, if it does.
async fn in_feed(person: &Person, post: &str) -> Option<Value> {
    let reply = person.get("/api/feed?limit=50").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == post)
        .cloned()
}

/// Everything a person could learn of a post and what is under it, on every
/// read path: each must say "no such post" to someone who may not see it.
async fn assert_sees_nothing(person: &Person, post: &str, who: &str) {
    let not_found = json!({"error": {"code": "post_not_found", "message": "There is no such post, or it is not shared with you."}});
    for path in [
        format!("/api/posts/{post}"),
        format!("/api/posts/{post}/comments"),
        format!("/api/posts/{post}/reactions"),
    ] {
        let reply = person.get(&path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who}: GET {path}");
        assert_eq!(reply.body, not_found, "{who}: GET {path}");
    }
    let reply = comment(person, post, "hello?").await;
    assert_eq!(
        (reply.status, &reply.body),
        (StatusCode::NOT_FOUND, &not_found),
        "{who}: comment"
    );
    let reply = react(person, post, "heart").await;
    assert_eq!(
        (reply.status, &reply.body),
        (StatusCode::NOT_FOUND, &not_found),
        "{who}: react"
    );
    let reply = delete(person, &format!("/api/posts/{post}/reaction")).await;
    assert_eq!(
        (reply.status, &reply.body),
        (StatusCode::NOT_FOUND, &not_found),
        "{who}: unreact"
    );
    assert!(in_feed(person, post).await.is_none(), "{who}: feed");
    let reply = person.get(&format!("/api/posts/{post}/audience")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who}: audience");
}

#[tokio::test]
async fn two_connected_people_talk_under_a_post_and_a_stranger_sees_none_of_it() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let sam = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let post = write(&ann, "The lake at dawn.", "connections", &[]).await;

    // Bob comments: one transaction, then the author's notification. The
    // post beside the profile (2 GetItem), the author's edge (1 GetItem),
    // the TransactWriteItems, then 1 BatchWriteItem: 5 requests, 4 deep.
    let reply = comment(&bob, &post, "  Was the water cold?  ").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.assert_write_cost(5, 4);
    assert_eq!(reply.body["content"], "Was the water cold?");
    assert_eq!(reply.body["author"]["username"], bob.username.as_str());
    assert_eq!(reply.body["post_id"], post.as_str());
    assert!(reply.body["edited_at"].is_null());
    let bobs = reply.body["id"].as_str().unwrap().to_owned();
    let anns = commented(&ann, &post, "Freezing.").await;

    // The thread, oldest first: the first page is 1 Query (the post comes
    // with it) and the author's edge: 2 requests, 2 deep.
    let reply = bob.get(&format!("/api/posts/{post}/comments")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.assert_read_cost(2, 2);
    let ids: Vec<&str> = reply.body["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [bobs.as_str(), anns.as_str()]);
    assert!(reply.body["next_cursor"].is_null());
    // The author's own read needs no edge: 1 Query, then the profiles of
    // the author and the commenters (their names; whether they still exist).
    ann.get(&format!("/api/posts/{post}/comments"))
        .await
        .assert_read_cost(2, 2);

    // Reactions: one tap each; the counts and one's own come with the post.
    let reply = react(&bob, &post, "heart").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({"reactions": {"counts": {"heart": 1}, "mine": "heart"}})
    );
    // The post, the profile and the reaction (3 GetItem at once), the edge,
    // the TransactWriteItems, the notification: 6 requests, 4 deep.
    reply.assert_write_cost(6, 4);
    let reply = react(&ann, &post, "thanks").await;
    assert_eq!(
        reply.body["reactions"]["counts"],
        json!({"heart": 1, "thanks": 1})
    );

    // The feed carries the counts and the caller's own reaction, and stays
    // at 2 requests (1 Query, 1 BatchGetItem).
    let reply = bob.get("/api/feed").await;
    reply.assert_read_cost(2, 2);
    let shown = &reply.body["posts"][0];
    assert_eq!(shown["id"], post.as_str());
    assert_eq!(shown["comment_count"], 2);
    assert_eq!(
        shown["reactions"],
        json!({"counts": {"heart": 1, "thanks": 1}, "mine": "heart"})
    );
    let mine = ann.get("/api/posts/mine").await;
    assert_eq!(mine.body["posts"][0]["reactions"]["mine"], "thanks");
    assert_eq!(mine.body["posts"][0]["comment_count"], 2);
    let profile = bob.get(&format!("/api/users/{}/posts", ann.id)).await;
    assert_eq!(profile.body["posts"][0]["reactions"]["mine"], "heart");
    let one = bob.get(&format!("/api/posts/{post}")).await;
    assert_eq!(one.body["reactions"]["mine"], "heart");
    assert_eq!(one.body["comment_count"], 2);

    // Who reacted, for viewers of the post.
    let reply = bob.get(&format!("/api/posts/{post}/reactions")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let mut who: Vec<(String, String)> = reply.body["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user"]["username"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    who.sort();
    let mut expected = vec![
        (ann.username.clone(), "thanks".to_owned()),
        (bob.username.clone(), "heart".to_owned()),
    ];
    expected.sort();
    assert_eq!(who, expected);

    // Setting it again replaces it; removing it is one call.
    let reply = react(&bob, &post, "laugh").await;
    assert_eq!(
        reply.body["reactions"],
        json!({"counts": {"laugh": 1, "thanks": 1}, "mine": "laugh"})
    );
    let reply = delete(&bob, &format!("/api/posts/{post}/reaction")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({"reactions": {"counts": {"thanks": 1}, "mine": null}})
    );
    let reply = delete(&bob, &format!("/api/posts/{post}/reaction")).await;
    assert_eq!(reply.body["reactions"]["mine"], Value::Null, "idempotent");

    // Ann's notifications, newest first: Bob's comment, and that he
    // accepted her request (her own comment and reaction tell her nothing;
    // the request he answered is no longer shown). Bob took his reaction
    // back, so the reactions notification (it named him) is gone.
    assert_eq!(
        notices(&ann).await,
        [
            ("comment_on_my_post".to_owned(), bob.username.clone()),
            ("request_accepted".to_owned(), bob.username.clone()),
        ]
    );
    // Bob hears of Ann's comment on the thread he joined.
    assert_eq!(
        notices(&bob).await,
        [("comment_on_thread".to_owned(), ann.username.clone())]
    );
    assert_eq!(unread(&bob).await, 1);
    // 1 Query, whatever is unread: every change that takes a source away
    // deletes its notifications.
    bob.get("/api/notifications/unread")
        .await
        .assert_read_cost(1, 1);
    // Ann takes her comment back: Bob's notification of it goes at once.
    let path = format!("/api/posts/{post}/comments/{anns}");
    assert_eq!(delete(&ann, &path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(unread(&bob).await, 0);
    assert!(notices(&bob).await.is_empty());
    // A stranger sees nothing, anywhere, and has nothing to be told.
    assert_sees_nothing(&sam, &post, "stranger").await;
    assert!(notices(&sam).await.is_empty());
    assert_eq!(unread(&sam).await, 0);
    // Nothing unread: 1 Query.
    sam.get("/api/notifications/unread")
        .await
        .assert_read_cost(1, 1);
}

#[tokio::test]
async fn bad_input_and_other_peoples_comments_are_refused_and_change_nothing() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    connect(&ann, &bob).await;
    connect(&ann, &cat).await;
    let post = write(&ann, "Soup tonight?", "connections", &[]).await;
    for (content, why) in [
        ("   ".to_owned(), "empty"),
        ("x".repeat(2_001), "too long"),
        ("bell\u{7}".to_owned(), "control character"),
        ("abc\u{202E}def".to_owned(), "text-direction control"),
    ] {
        let reply = comment(&bob, &post, &content).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{why}");
        assert_eq!(reply.code(), "invalid_content", "{why}");
    }
    assert!(
        comment(&bob, &post, &"é".repeat(2_000))
            .await
            .status
            .is_success()
    );
    let reply = react(&bob, &post, "angry").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    let reply = bob
        .call(
            Method::PUT,
            &format!("/api/posts/{post}/reaction"),
            Some(json!(["heart"])),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "an array is not a body"
    );

    // A missing post and one that is not shared answer alike.
    let missing = "01JD4Q8Z9X2V7K3M5N6P8R0T2W";
    let reply = comment(&bob, missing, "hi").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "post_not_found");
    let reply = comment(&bob, "not-an-id", "hi").await;
    assert_eq!(reply.code(), "post_not_found");

    // Someone else's comment cannot be edited, nor deleted but by the post's author.
    let bobs = commented(&bob, &post, "Yes please.").await;
    let path = format!("/api/posts/{post}/comments/{bobs}");
    for person in [&cat, &ann] {
        let reply = person
            .call(Method::PATCH, &path, Some(json!({ "content": "No." })))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{:?}", reply.body);
        assert_eq!(reply.code(), "comment_not_found");
    }
    let reply = delete(&cat, &path).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "comment_not_found");
    let reply = bob
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "content": "Yes, please!" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["content"], "Yes, please!");
    assert!(reply.body["edited_at"].is_string(), "marked edited");
    let reply = ann.get(&format!("/api/posts/{post}/comments")).await;
    let texts: Vec<&str> = reply.body["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["content"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Yes, please!"), "{texts:?}");
    // The post's author may delete any comment under it.
    assert_eq!(delete(&ann, &path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        delete(&bob, &path).await.status,
        StatusCode::NOT_FOUND,
        "gone"
    );
    let reply = ann.get(&format!("/api/posts/{post}")).await;
    assert_eq!(reply.body["comment_count"], 1, "the counter follows");
    // A malformed comment id is a missing one.
    let reply = delete(&bob, &format!("/api/posts/{post}/comments/nope")).await;
    assert_eq!(reply.code(), "comment_not_found");

    // Pages of a thread, with signed cursors; a later page reads the post
    // with its edge (1 BatchGetItem) beside the comments (1 Query).
    for n in 0..4 {
        commented(&cat, &post, &format!("comment {n}")).await;
    }
    let first = bob
        .get(&format!("/api/posts/{post}/comments?limit=3"))
        .await;
    assert_eq!(first.body["comments"].as_array().unwrap().len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = bob
        .get(&format!(
            "/api/posts/{post}/comments?limit=3&cursor={cursor}"
        ))
        .await;
    // The comments after the cursor, then the post, the edge and the
    // profiles of the page's people in one BatchGetItem.
    second.assert_read_cost(2, 2);
    let contents: Vec<&str> = second.body["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["content"].as_str().unwrap())
        .collect();
    // The first page held the long comment and comments 0 and 1.
    assert_eq!(contents, ["comment 2", "comment 3"]);
    assert!(second.body["next_cursor"].is_null());
    // The cursor is Bob's, for this thread.
    let reply = cat
        .get(&format!("/api/posts/{post}/comments?cursor={cursor}"))
        .await;
    assert_eq!(reply.code(), "invalid_cursor");
    // An audience change with nothing, or tags without an audience, is refused.
    let reply = ann
        .call(
            Method::PATCH,
            &format!("/api/posts/{post}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(reply.code(), "nothing_to_change");
    let reply = ann
        .call(
            Method::PATCH,
            &format!("/api/posts/{post}"),
            Some(json!({ "tag_ids": [] })),
        )
        .await;
    assert_eq!(reply.code(), "invalid_tag_ids");
    let reply = change_audience(&ann, &post, "tags", &[]).await;
    assert_eq!(reply.code(), "invalid_tag_ids");
    let reply = change_audience(&bob, &post, "private", &[]).await;
    assert_eq!(reply.code(), "post_not_found", "only the author");
    assert!(in_feed(&bob, &post).await.is_some(), "nothing changed");
}

/// Viewers: the author, a tagged connection, an untagged one, a stranger and
/// one who loses access; audiences: tags, then connections (widened), then
/// private (narrowed); read paths: feed, post, comments, reactions,
/// audience, notifications and the unread count.
#[tokio::test]
async fn the_visibility_matrix_holds_under_the_post_on_every_read_path() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await; // author
    let tom = signed_up(&stack).await; // tagged
    let uma = signed_up(&stack).await; // connected, untagged
    let sam = signed_up(&stack).await; // stranger
    let lea = signed_up(&stack).await; // tagged, then untagged
    for person in [&tom, &uma, &lea] {
        connect(&ann, person).await;
    }
    let close = create_tag(&ann, "close").await;
    for person in [&tom, &lea] {
        assert_eq!(
            set_tags(&ann, person, &[&close]).await.status,
            StatusCode::OK
        );
    }
    let older = write(&ann, "An older post for everyone.", "connections", &[]).await;
    let post = write(&ann, "For the close ones.", "tags", &[&close]).await;
    let newer = write(&ann, "A newer post for everyone.", "connections", &[]).await;
    commented(&tom, &post, "Count me in.").await;
    commented(&lea, &post, "Me too.").await;
    assert_eq!(react(&lea, &post, "wow").await.status, StatusCode::OK);

    // Who it reaches, for the author only: 1 GetItem beside 1 Query, then
    // their profiles (names) in 1 BatchGetItem.
    let reply = ann.get(&format!("/api/posts/{post}/audience")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.assert_read_cost(3, 2);
    let mut reach = vec![tom.username.clone(), lea.username.clone()];
    reach.sort();
    let names = |body: &Value| -> Vec<String> {
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&reply.body), reach);
    assert_eq!(reply.body["count"], 2);

    // Tom answers: Lea, who commented, hears of it.
    commented(&tom, &post, "See you there.").await;
    assert!(
        notices(&lea)
            .await
            .contains(&("comment_on_thread".to_owned(), tom.username.clone()))
    );
    assert_eq!(unread(&lea).await, 1);
    // Lea loses access: untagged. On the very next read she sees nothing of
    // it, the notification included, and a later comment on the thread she
    // joined is not hers to hear of.
    assert_eq!(set_tags(&ann, &lea, &[]).await.status, StatusCode::OK);
    assert_eq!(unread(&lea).await, 0, "the untagging took it away");
    commented(&tom, &post, "Bringing bread.").await;
    for (person, who) in [
        (&uma, "untagged"),
        (&sam, "stranger"),
        (&lea, "lost access"),
    ] {
        assert_sees_nothing(person, &post, who).await;
    }
    assert!(notices(&lea).await.is_empty(), "nothing about the post");
    assert_eq!(unread(&lea).await, 0);
    // Tom still sees it all, with Lea's comment and reaction.
    let reply = tom.get(&format!("/api/posts/{post}/comments")).await;
    assert_eq!(reply.body["comments"].as_array().unwrap().len(), 4);
    assert_eq!(
        in_feed(&tom, &post).await.unwrap()["reactions"]["counts"],
        json!({"wow": 1})
    );

    // Widened to every connection: Uma and Lea see it, in its place in time.
    let reply = change_audience(&ann, &post, "connections", &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["audience"], "connections");
    assert_eq!(
        reply.body["comment_count"], 4,
        "the answer is the whole post"
    );
    for person in [&uma, &lea] {
        let ids = all_ids(person, "/api/feed").await;
        let at = |id: &str| ids.iter().position(|x| x == id).unwrap();
        assert!(at(&newer) < at(&post) && at(&post) < at(&older), "{ids:?}");
        let reply = person.get(&format!("/api/posts/{post}/comments")).await;
        assert_eq!(reply.body["comments"].as_array().unwrap().len(), 4);
    }
    let reply = ann.get(&format!("/api/posts/{post}/audience")).await;
    let mut reach = vec![
        tom.username.clone(),
        uma.username.clone(),
        lea.username.clone(),
    ];
    reach.sort();
    assert_eq!(names(&reply.body), reach);
    commented(&uma, &post, "Can I come?").await;
    // Lea hears of Uma's comment: the thread is hers to see again.
    assert!(
        notices(&lea)
            .await
            .contains(&("comment_on_thread".to_owned(), uma.username.clone()))
    );
    assert_sees_nothing(&sam, &post, "stranger").await;

    // Narrowed to private: everyone but Ann loses it all at once, and
    // their notifications about it are gone.
    let tom_unread = unread(&tom).await;
    assert!(tom_unread >= 1);
    let reply = change_audience(&ann, &post, "private", &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    for (person, who) in [(&tom, "tagged"), (&uma, "connected"), (&lea, "lost access")] {
        assert_sees_nothing(person, &post, who).await;
        let about_the_post = notices(person)
            .await
            .into_iter()
            .filter(|(kind, _)| kind.starts_with("comment"))
            .count();
        assert_eq!(about_the_post, 0, "{who}");
    }
    assert_eq!(unread(&tom).await, 0, "all of Tom's were about the post");
    let reply = ann.get(&format!("/api/posts/{post}/audience")).await;
    assert_eq!(reply.body, json!({"users": [], "count": 0}));
    // The author still sees everything under it.
    let reply = ann.get(&format!("/api/posts/{post}/comments")).await;
    assert_eq!(reply.body["comments"].as_array().unwrap().len(), 5);
    assert!(in_feed(&ann, &post).await.is_some());
}

#[tokio::test]
async fn notifications_disappear_with_their_source_and_can_be_marked_read() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let read_all = || async {
        let reply = ann
            .post("/api/notifications/read", json!({ "all": true }))
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    };
    read_all().await; // Bob accepted her request: not what this test is about.
    let about_posts_and_requests = |list: Vec<(String, String)>| -> Vec<String> {
        let mut kinds: Vec<String> = list
            .into_iter()
            .map(|(kind, _)| kind)
            .filter(|kind| kind != "request_accepted")
            .collect();
        kinds.sort();
        kinds
    };
    let post = write(&ann, "Garden party on Sunday.", "connections", &[]).await;
    let bobs = commented(&bob, &post, "I'll bring chairs.").await;
    assert_eq!(react(&bob, &post, "heart").await.status, StatusCode::OK);
    // A request from Cat: Ann hears of it while it is pending.
    let reply = cat
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(
        about_posts_and_requests(notices(&ann).await),
        [
            "comment_on_my_post",
            "connection_request",
            "reactions_on_my_post"
        ]
    );
    assert_eq!(unread(&ann).await, 3);
    // A list page: the page (1 Query on GSI1) beside the unread ones (1
    // Query), then what both point at (1 BatchGetItem): 3 requests, 2 deep.
    let reply = ann.get("/api/notifications").await;
    reply.assert_read_cost(3, 2);
    assert_eq!(reply.body["unread"], 3);
    let reactions = reply.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "reactions_on_my_post")
        .unwrap()
        .clone();
    assert_eq!(reactions["post_id"], post.as_str());
    assert_eq!(reactions["others"], 0);
    assert_eq!(reactions["read"], false);
    // Grouped: Cat cannot react (not connected), but a second connection can.
    let dan = signed_up(&stack).await;
    connect(&ann, &dan).await;
    assert_eq!(react(&dan, &post, "thanks").await.status, StatusCode::OK);
    let reply = ann.get("/api/notifications").await;
    let grouped: Vec<&Value> = reply.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reactions_on_my_post")
        .collect();
    assert_eq!(grouped.len(), 1, "one per post");
    assert_eq!(grouped[0]["actor"]["username"], dan.username.as_str());
    assert_eq!(grouped[0]["others"], 1, "dan and 1 other");
    // The author's own reaction is not one of the others.
    assert_eq!(react(&ann, &post, "heart").await.status, StatusCode::OK);
    let reply = ann.get("/api/notifications").await;
    let grouped = reply.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "reactions_on_my_post")
        .unwrap()
        .clone();
    assert_eq!(grouped["others"], 1, "still dan and 1 other (bob)");
    let grouped = [&grouped];

    // Marking one read, then all.
    let id = grouped[0]["id"].as_str().unwrap().to_owned();
    let before = unread(&ann).await;
    let reply = ann
        .post("/api/notifications/read", json!({ "ids": [id] }))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    assert_eq!(unread(&ann).await, before - 1);
    // Someone else's notification id, or a made-up one, changes nothing.
    let reply = bob
        .post("/api/notifications/read", json!({ "ids": [id] }))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    for body in [
        json!({}),
        json!({"ids": ["nope"]}),
        json!({"ids": [], "all": true}),
    ] {
        let reply = ann.post("/api/notifications/read", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
    }
    read_all().await;
    assert_eq!(unread(&ann).await, 0);
    let reply = ann.get("/api/notifications").await;
    assert!(
        reply.body["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["read"] == true)
    );

    // Sources going away take their notifications with them.
    assert_eq!(
        delete(&bob, &format!("/api/posts/{post}/comments/{bobs}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        !notices(&ann)
            .await
            .iter()
            .any(|(k, _)| k == "comment_on_my_post")
    );
    assert_eq!(
        cat.call(
            Method::DELETE,
            &format!("/api/connections/requests/{}", ann.id),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert!(
        !notices(&ann)
            .await
            .iter()
            .any(|(k, _)| k == "connection_request")
    );
    let reply = delete(&ann, &format!("/api/posts/{post}")).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(
        about_posts_and_requests(notices(&ann).await).is_empty(),
        "{:?}",
        notices(&ann).await
    );
    // Its comments and reactions are gone from the table too.
    let left = partition_items(&stack, &post).await;
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn an_expired_notification_is_neither_shown_nor_counted() {
    use shared::domain::Timestamp;
    use shared::domain::conversation::NotificationKey;
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    let reply = cat
        .post("/api/connections/requests", json!({ "user_id": ann.id }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(unread(&ann).await, 1);
    // Its TTL passed, and DynamoDB has not deleted it yet.
    let now = Timestamp::now();
    let record = shared::store::NotificationRecord {
        recipient: ann.user_id(),
        key: NotificationKey::Request(cat.user_id()),
        actor_id: cat.user_id(),
        actor_username: shared::domain::account::Username::from_stored(cat.username.clone()),
        post_id: None,
        post_author_id: None,
        comment_id: None,
        created_at: now.plus_seconds(-31 * 24 * 3600),
        read: false,
        expires_at: now.plus_seconds(-60),
        position: shared::domain::ids::CommentId::new().into_string(),
    };
    stack.app.store.notify(&[record]).await.unwrap();
    assert_eq!(unread(&ann).await, 0);
    assert!(notices(&ann).await.is_empty());
}

#[tokio::test]
async fn concurrent_reactions_of_one_person_leave_one_and_the_counters_equal_it() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let post = write(&ann, "Which one?", "connections", &[]).await;
    let kinds = ["heart", "thumbs_up", "laugh", "wow", "sad", "thanks"];
    let replies = futures::future::join_all(
        kinds
            .iter()
            .cycle()
            .take(12)
            .map(|kind| react(&bob, &post, kind)),
    )
    .await;
    for reply in &replies {
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::CONFLICT,
            "{:?}",
            reply.body
        );
    }
    let reply = bob.get(&format!("/api/posts/{post}")).await;
    let counts = reply.body["reactions"]["counts"]
        .as_object()
        .unwrap()
        .clone();
    let total: i64 = counts.values().map(|v| v.as_i64().unwrap()).sum();
    assert_eq!(total, 1, "{counts:?}");
    let mine = reply.body["reactions"]["mine"].as_str().unwrap();
    assert_eq!(counts[mine], 1);
    let list = bob.get(&format!("/api/posts/{post}/reactions")).await;
    assert_eq!(list.body["reactions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_comment_racing_the_posts_deletion_leaves_no_orphan_and_no_notification() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let reply = ann
        .post("/api/notifications/read", json!({ "all": true }))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    for round in 0..5 {
        let post = write(&ann, &format!("Race {round}"), "connections", &[]).await;
        let path = format!("/api/posts/{post}");
        let (commented, deleted) =
            tokio::join!(comment(&bob, &post, "First!"), delete(&ann, &path));
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert!(
            commented.status == StatusCode::CREATED || commented.status == StatusCode::NOT_FOUND,
            "{:?}",
            commented.body
        );
        let left = partition_items(&stack, &post).await;
        assert!(left.is_empty(), "round {round}: {left:?}");
    }
    // The interleaving a race may or may not hit, made certain: a comment
    // whose post was deleted after it was read cannot commit.
    let post = write(&ann, "Gone soon", "connections", &[]).await;
    let path = format!("/api/posts/{post}");
    assert_eq!(delete(&ann, &path).await.status, StatusCode::NO_CONTENT);
    let late = shared::store::CommentRecord {
        id: shared::domain::ids::CommentId::new(),
        post_id: shared::domain::ids::PostId::parse(&post).unwrap(),
        author_id: bob.user_id(),
        author_username: shared::domain::account::Username::from_stored(bob.username.clone()),
        author_display_name: None,
        post_author_id: ann.user_id(),
        content: "Too late".into(),
        created_at: shared::domain::Timestamp::now(),
        edited_at: None,
    };
    let result = stack.app.store.add_comment(&late).await;
    assert!(
        matches!(result, Err(shared::store::ConversationError::PostGone)),
        "{result:?}"
    );
    let left = partition_items(&stack, &post).await;
    assert!(left.is_empty(), "{left:?}");
    assert!(
        !notices(&ann)
            .await
            .iter()
            .any(|(k, _)| k == "comment_on_my_post"),
        "no notification of a comment under a deleted post"
    );
    assert_eq!(unread(&ann).await, 0);
}

#[tokio::test]
async fn request_notices_are_emailed_once_name_only_the_person_and_unsubscribe_in_one_click() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    let cat = signed_up(&stack).await;
    let notices_to = |to: String| async move {
        mailbox(&to)
            .await
            .into_iter()
            .filter(|m| {
                m["subject"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("connect")
            })
            .collect::<Vec<Value>>()
    };
    let reply = ann.get("/api/account/email-settings").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_read_cost(1, 1);
    assert_eq!(reply.body, json!({"on_request": true, "on_accept": true}));

    assert_eq!(ask(&bob, &ann).await.status, StatusCode::CREATED);
    let mails = notices_to(ann.email.clone()).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(
        mail["subject"],
        format!("{} wants to connect on Intentional Social", bob.username)
    );
    let headers: Vec<(String, String)> = mail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let link = headers
        .iter()
        .find(|(name, _)| name == "List-Unsubscribe")
        .map(|(_, value)| value.trim_matches(|c| c == '<' || c == '>').to_owned())
        .expect("List-Unsubscribe");
    assert!(
        link.starts_with("http://localhost:3000/api/unsubscribe?token="),
        "{link}"
    );
    assert!(headers.contains(&(
        "List-Unsubscribe-Post".to_owned(),
        "List-Unsubscribe=One-Click".to_owned()
    )));
    let text = mail["body"]["text"].as_str().unwrap();
    assert!(text.contains(&link), "the link is in the text too");
    assert!(!text.contains(&bob.email), "no address");

    // Withdrawn and asked again: the notification is back, no second email.
    let path = format!("/api/connections/requests/{}", ann.id);
    assert_eq!(
        bob.call(Method::DELETE, &path, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(ask(&bob, &ann).await.status, StatusCode::CREATED);
    assert_eq!(notices_to(ann.email.clone()).await.len(), 1);
    assert!(
        notices(&ann)
            .await
            .contains(&("connection_request".to_owned(), bob.username.clone()))
    );

    // The link, opened, shows one button and changes nothing (mail scanners
    // open links); posted, as a mail client does, it unsubscribes.
    let local = link.replace("http://localhost:3000", "");
    let page = ann.raw(Method::GET, &local).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    let settings = ann.get("/api/account/email-settings").await;
    assert_eq!(settings.body["on_request"], true, "opening changed nothing");
    let done = ann
        .raw(Method::POST, &local)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let settings = ann.get("/api/account/email-settings").await;
    assert_eq!(
        settings.body,
        json!({"on_request": false, "on_accept": true})
    );
    assert_eq!(ask(&cat, &ann).await.status, StatusCode::CREATED);
    assert_eq!(
        notices_to(ann.email.clone()).await.len(),
        1,
        "no more request emails"
    );
    assert!(
        notices(&ann)
            .await
            .contains(&("connection_request".to_owned(), cat.username.clone()))
    );
    // A forged or mangled token is refused, and changes nothing.
    let reply = ann.post("/api/unsubscribe?token=AAAA", json!({})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_unsubscribe_link");

    // Accepting emails the requester, who wants those.
    let reply = ann
        .post(
            &format!("/api/connections/requests/{}/accept", bob.id),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let to_bob: Vec<Value> = mailbox(&bob.email)
        .await
        .into_iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or_default()
                .contains("accepted")
        })
        .collect();
    assert_eq!(to_bob.len(), 1);
    assert_eq!(
        to_bob[0]["subject"],
        format!(
            "{} accepted your request on Intentional Social",
            ann.username
        )
    );
    // Settings are the person's to change: both fields, nothing else.
    let reply = bob
        .call(
            Method::PUT,
            "/api/account/email-settings",
            Some(json!({"on_request": false, "on_accept": false})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_write_cost(1, 1);
    let reply = bob
        .call(
            Method::PUT,
            "/api/account/email-settings",
            Some(json!({"on_request": false})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

/// The other two ways to lose access: the author disconnects, and the tag
/// the post is for is deleted.
#[tokio::test]
async fn disconnecting_or_deleting_the_tag_takes_everything_under_the_post_away() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await; // will be disconnected
    let cat = signed_up(&stack).await; // tagged, then the tag is deleted
    let dan = signed_up(&stack).await; // stays, commenting
    for person in [&bob, &cat, &dan] {
        connect(&ann, person).await;
    }
    let team = create_tag(&ann, "team").await;
    let crew = create_tag(&ann, "crew").await;
    assert_eq!(set_tags(&ann, &cat, &[&team]).await.status, StatusCode::OK);
    assert_eq!(
        set_tags(&ann, &dan, &[&team, &crew]).await.status,
        StatusCode::OK
    );
    let everyone = write(&ann, "For all of you.", "connections", &[]).await;
    let tagged = write(&ann, "For the team and the crew.", "tags", &[&team, &crew]).await;
    commented(&bob, &everyone, "Hello from Bob.").await;
    commented(&cat, &tagged, "Hello from Cat.").await;
    assert_eq!(react(&bob, &everyone, "heart").await.status, StatusCode::OK);
    // Dan answers both threads: Bob and Cat hear of it.
    commented(&dan, &everyone, "Dan first.").await;
    commented(&dan, &tagged, "Dan first too.").await;
    for person in [&bob, &cat] {
        assert!(
            notices(person)
                .await
                .contains(&("comment_on_thread".to_owned(), dan.username.clone()))
        );
    }

    let path = format!("/api/connections/{}", bob.id);
    assert_eq!(
        ann.call(Method::DELETE, &path, None).await.status,
        StatusCode::NO_CONTENT
    );
    let path = format!("/api/tags/{team}");
    assert_eq!(
        ann.call(Method::DELETE, &path, None).await.status,
        StatusCode::NO_CONTENT
    );
    // What they heard of is gone; Dan comments on both again, and neither
    // Bob nor Cat may hear of it.
    assert_eq!(unread(&bob).await, 0, "disconnecting took it away");
    assert_eq!(unread(&cat).await, 0, "deleting the tag took it away");
    commented(&dan, &everyone, "Dan here.").await;
    commented(&dan, &tagged, "Dan here too.").await;
    assert_sees_nothing(&bob, &everyone, "disconnected").await;
    assert_sees_nothing(&cat, &tagged, "tag deleted").await;
    for (person, who) in [(&bob, "disconnected"), (&cat, "tag deleted")] {
        let about_posts: Vec<_> = notices(person)
            .await
            .into_iter()
            .filter(|(kind, _)| kind.starts_with("comment") || kind.starts_with("reactions"))
            .collect();
        assert!(about_posts.is_empty(), "{who}: {about_posts:?}");
        assert_eq!(unread(person).await, 0, "{who}");
    }
    // Cat still sees the post for everyone; Dan (still in the crew) both,
    // with all their comments, Bob's and Cat's included.
    assert!(in_feed(&cat, &everyone).await.is_some());
    let reply = dan.get(&format!("/api/posts/{tagged}/comments")).await;
    assert_eq!(reply.body["comments"].as_array().unwrap().len(), 3);
    let reply = dan.get(&format!("/api/posts/{everyone}/comments")).await;
    assert_eq!(reply.body["comments"].as_array().unwrap().len(), 3);
    // And Ann hears of Dan's comments, not of anything Bob can no longer do.
    assert!(
        notices(&ann)
            .await
            .contains(&("comment_on_my_post".to_owned(), dan.username.clone()))
    );
}

/// The request counts of the conversation's other calls (data-model.md).
#[tokio::test]
async fn the_other_conversation_calls_cost_what_data_model_says() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let post = write(&ann, "Costs", "connections", &[]).await;
    let bobs = commented(&bob, &post, "One").await;
    let path = format!("/api/posts/{post}/comments/{bobs}");
    // Editing: the post, the edge, the conditional UpdateItem.
    let reply = bob
        .call(Method::PATCH, &path, Some(json!({ "content": "Two" })))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_write_cost(3, 3);
    // Reactions: the list is the post beside the Query, then the edge.
    assert_eq!(react(&bob, &post, "wow").await.status, StatusCode::OK);
    let reply = bob.get(&format!("/api/posts/{post}/reactions")).await;
    reply.assert_read_cost(3, 2);
    // Removing one's reaction: the post beside one's reaction, the edge,
    // the TransactWriteItems, then the author's notification if it named
    // the caller (1 conditional DeleteItem).
    let reply = delete(&bob, &format!("/api/posts/{post}/reaction")).await;
    reply.assert_write_cost(5, 4);
    // Nothing to remove: no transaction.
    let reply = delete(&bob, &format!("/api/posts/{post}/reaction")).await;
    reply.assert_write_cost(3, 2);
    // Deleting a comment: the post, the edge, the TransactWriteItems, then
    // its notifications (1 BatchWriteItem).
    let reply = delete(&bob, &path).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    reply.assert_write_cost(4, 4);
    // Marking read: an UpdateItem per id, at once; all: the Query first.
    let listed = ann.get("/api/notifications").await;
    let ids: Vec<Value> = listed.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    assert!(!ids.is_empty());
    let reply = ann
        .post("/api/notifications/read", json!({ "ids": ids }))
        .await;
    reply.assert_write_cost(ids.len() as u32, 1);
    let reply = ann
        .post("/api/notifications/read", json!({ "all": true }))
        .await;
    reply.assert_write_cost(1, 1); // nothing left unread: the Query only
    // A text edit of a post: the UpdateItem beside one's own reaction.
    let reply = ann
        .call(
            Method::PATCH,
            &format!("/api/posts/{post}"),
            Some(json!({ "content": "Costs, edited" })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_write_cost(2, 1);
    // An audience change for one connection: the author's partition, the
    // UpdateItem beside the reaction, then the entries (1 BatchWriteItem
    // for Ann and Bob; nobody lost): 4 requests, 3 deep.
    let reply = change_audience(&ann, &post, "private", &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Private: Bob lost it, so 1 BatchWriteItem of removals beside 1 of
    // Ann's own entry, and beside them a Query of Bob's notifications about
    // the post (he commented; none left to delete).
    reply.assert_write_cost(6, 3);
    let reply = change_audience(&ann, &post, "connections", &[]).await;
    reply.assert_write_cost(4, 3);
    // Unsubscribing: the page reads nothing; the click, the profile read
    // and its update.
    let token =
        shared::domain::conversation::UnsubscribeTokens::new(stack.app.keys.unsubscribe_key())
            .issue(
                &ann.user_id(),
                shared::domain::conversation::EmailTopic::Accepts,
            );
    let reply = ann.get(&format!("/api/unsubscribe?token={token}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_read_cost(0, 0);
    let reply = ann
        .post(&format!("/api/unsubscribe?token={token}"), json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.assert_write_cost(2, 2);
}

/// A person's comments and reactions are found by key (GSI1), not by a
/// scan: what their export and their account's deletion read.
#[tokio::test]
async fn a_persons_comments_and_reactions_are_indexed_by_them() {
    let stack = Stack::start().await;
    let ann = signed_up(&stack).await;
    let bob = signed_up(&stack).await;
    connect(&ann, &bob).await;
    let first = write(&ann, "One", "connections", &[]).await;
    let second = write(&ann, "Two", "connections", &[]).await;
    let comments = [
        commented(&bob, &first, "a").await,
        commented(&bob, &second, "b").await,
    ];
    commented(&ann, &first, "not Bob's").await;
    assert_eq!(react(&bob, &second, "wow").await.status, StatusCode::OK);
    let by = |partition: String| {
        let table = stack.app.store.table().to_owned();
        async move {
            dynamodb()
                .await
                .query()
                .table_name(table)
                .index_name("GSI1")
                .key_condition_expression("GSI1PK = :pk")
                .expression_attribute_values(
                    ":pk",
                    aws_sdk_dynamodb::types::AttributeValue::S(partition),
                )
                .send()
                .await
                .unwrap()
                .items
                .unwrap_or_default()
        }
    };
    let found: Vec<String> = by(format!("COMMENTS#{}", bob.id))
        .await
        .iter()
        .map(|item| item["id"].as_s().unwrap().clone())
        .collect();
    assert_eq!(found, comments, "Bob's, oldest first");
    let reactions = by(format!("REACTIONS#{}", bob.id)).await;
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0]["kind"].as_s().unwrap(), "wow");
}
