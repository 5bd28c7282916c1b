//! The demo network (`network.rs`) played through the API, step by step:
//! people, connections and pending requests, tags and tagged connections,
//! posts, and the closing message. Each step leaves what exists as it is.

use std::collections::{HashMap, HashSet};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::client::{Person, Seeder};
use crate::network::{self, For};
use crate::{DOMAIN, PASSWORD, Result};

/// The people signed in, by name.
pub type People = HashMap<&'static str, Person>;
/// Tag ids by (owner, tag name).
pub type TagIds = HashMap<(&'static str, &'static str), String>;

/// Signs everyone in or up; those whose name or address is someone else's
/// are left out.
pub async fn people(seeder: &Seeder) -> Result<People> {
    println!("\nPeople");
    let mut people: People = HashMap::new();
    for (index, &name) in network::PEOPLE.iter().enumerate() {
        if let Some(person) = seeder.account(index, name).await? {
            people.insert(name, person);
        }
    }
    Ok(people)
}

/// The accepted connections, each asked and accepted.
pub async fn connections(seeder: &Seeder, people: &People) -> Result<()> {
    println!("\nConnections");
    let mut made = 0;
    let mut had = 0;
    for &(from, to) in network::CONNECTIONS {
        let (Some(a), Some(b)) = (people.get(from), people.get(to)) else {
            continue;
        };
        match request(seeder, a, b).await? {
            Requested::Pending => {
                let reply = seeder
                    .as_person(
                        b,
                        Method::POST,
                        &format!("/api/connections/requests/{}/accept", a.id),
                        Some(json!({})),
                    )
                    .await?;
                if reply.status != StatusCode::OK {
                    return Err(format!("{to} accepting {from}: {}", reply.describe()));
                }
                made += 1;
            }
            Requested::Connected => made += 1,
            Requested::AlreadyConnected => had += 1,
            Requested::AlreadyPending => {
                // An earlier run stopped between request and accept.
                let reply = seeder
                    .as_person(
                        b,
                        Method::POST,
                        &format!("/api/connections/requests/{}/accept", a.id),
                        Some(json!({})),
                    )
                    .await?;
                if reply.status == StatusCode::OK {
                    made += 1;
                } else {
                    had += 1;
                }
            }
        }
    }
    println!("  {made} new, {had} already there");
    Ok(())
}

/// The requests left waiting for an answer.
pub async fn pending(seeder: &Seeder, people: &People) -> Result<()> {
    let mut pending_new = 0;
    let mut pending_had = 0;
    for &(from, to) in network::PENDING {
        let (Some(a), Some(b)) = (people.get(from), people.get(to)) else {
            continue;
        };
        match request(seeder, a, b).await? {
            Requested::Pending => pending_new += 1,
            _ => pending_had += 1,
        }
    }
    println!("  pending requests: {pending_new} new, {pending_had} already there");
    Ok(())
}

/// Each person's tags, and the tags on their connections; the tag ids.
pub async fn tags(seeder: &Seeder, people: &People) -> Result<TagIds> {
    println!("\nTags");
    let mut tag_ids: TagIds = HashMap::new();
    let mut tags_new = 0;
    for person in people.values() {
        let reply = seeder
            .as_person(person, Method::GET, "/api/tags", None)
            .await?;
        for tag in reply.body["tags"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let (Some(name), Some(id)) = (tag["name"].as_str(), tag["id"].as_str()) {
                if let Some(&(_, known, _)) = network::TAGS
                    .iter()
                    .find(|(o, n, _)| *o == person.name && n.eq_ignore_ascii_case(name))
                {
                    tag_ids.insert((person.name, known), id.to_owned());
                }
            }
        }
    }
    for &(owner, name, color) in network::TAGS {
        let Some(person) = people.get(owner) else {
            continue;
        };
        if tag_ids.contains_key(&(owner, name)) {
            continue;
        }
        let reply = seeder
            .as_person(
                person,
                Method::POST,
                "/api/tags",
                Some(json!({ "name": name, "color": color })),
            )
            .await?;
        if reply.status != StatusCode::CREATED {
            return Err(format!("{owner} creating tag {name}: {}", reply.describe()));
        }
        let id = reply.body["id"].as_str().unwrap_or_default().to_owned();
        tag_ids.insert((owner, name), id);
        tags_new += 1;
    }
    // Tags already on connections: (owner, other's id) → tag ids.
    let mut on_connections: HashMap<(&str, String), Vec<String>> = HashMap::new();
    for person in people.values() {
        let reply = seeder
            .as_person(person, Method::GET, "/api/connections", None)
            .await?;
        for connection in reply.body["connections"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let other = connection["user"]["id"].as_str().unwrap_or_default();
            let tags = connection["tag_ids"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect();
            on_connections.insert((person.name, other.to_owned()), tags);
        }
    }
    let mut tagged = 0;
    let mut tagged_had = 0;
    for &(owner, other, names) in network::TAGGED {
        let (Some(a), Some(b)) = (people.get(owner), people.get(other)) else {
            continue;
        };
        // Added to what is there, so tags put on by hand stay.
        let mut ids = on_connections
            .get(&(owner, b.id.clone()))
            .cloned()
            .unwrap_or_default();
        let before = ids.len();
        for id in names.iter().filter_map(|name| tag_ids.get(&(owner, *name))) {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        if ids.len() == before {
            tagged_had += 1;
            continue;
        }
        let reply = seeder
            .as_person(
                a,
                Method::PUT,
                &format!("/api/connections/{}/tags", b.id),
                Some(json!({ "tag_ids": ids })),
            )
            .await?;
        if reply.status != StatusCode::OK {
            return Err(format!("{owner} tagging {other}: {}", reply.describe()));
        }
        tagged += 1;
    }
    println!("  {tags_new} tags created; {tagged} connections tagged, {tagged_had} already tagged");
    Ok(tag_ids)
}

/// The posts not written yet.
pub async fn posts(seeder: &Seeder, people: &People, tag_ids: &TagIds) -> Result<()> {
    println!("\nPosts");
    let mut written: HashSet<(&str, String)> = HashSet::new();
    for person in people.values() {
        let reply = seeder
            .as_person(person, Method::GET, "/api/posts/mine?limit=50", None)
            .await?;
        for post in reply.body["posts"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(content) = post["content"].as_str() {
                written.insert((person.name, content.to_owned()));
            }
        }
    }
    let mut counts = [0usize; 3];
    let mut posts_had = 0;
    for &(author, audience, text) in network::POSTS {
        let Some(person) = people.get(author) else {
            continue;
        };
        if written.contains(&(author, text.to_owned())) {
            posts_had += 1;
            continue;
        }
        let (name, tags, slot) = match audience {
            For::Connections => ("connections", Vec::new(), 0),
            For::Tags(names) => (
                "tags",
                names
                    .iter()
                    .filter_map(|n| tag_ids.get(&(author, *n)).cloned())
                    .collect(),
                1,
            ),
            For::Private => ("private", Vec::new(), 2),
        };
        let reply = seeder
            .as_person(
                person,
                Method::POST,
                "/api/posts",
                Some(json!({ "content": text, "audience": name, "tag_ids": tags })),
            )
            .await?;
        if reply.status != StatusCode::CREATED {
            return Err(format!("{author} posting: {}", reply.describe()));
        }
        counts[slot] += 1;
    }
    println!(
        "  {} new ({} to all connections, {} to tags, {} private), {posts_had} already there",
        counts.iter().sum::<usize>(),
        counts[0],
        counts[1],
        counts[2]
    );
    Ok(())
}

/// Who is in the network, and how to sign in.
pub fn done(seeder: &Seeder, people: &People) {
    let mut names: Vec<&str> = network::PEOPLE
        .iter()
        .copied()
        .filter(|n| people.contains_key(n))
        .collect();
    names.sort_unstable();
    let showcase = if people.contains_key(network::SHOWCASE) {
        network::SHOWCASE
    } else {
        names.first().copied().unwrap_or(network::SHOWCASE)
    };
    println!(
        "\nDone: {} demo people ({}), all with the password\n\n    {PASSWORD}\n",
        names.len(),
        names.join(", ")
    );
    println!(
        "Sign in at {}/ as `{showcase}` (or {showcase}@{DOMAIN}) with that password: {showcase}'s feed holds posts \
         for all connections and for tags, with requests waiting, tags on connections and private notes \
         under My posts. Every other name works the same way.",
        seeder.base,
    );
    println!(
        "Every demo address's mail is in the local mailbox, {}/.",
        seeder.ses
    );
}

enum Requested {
    Pending,
    Connected,
    AlreadyConnected,
    AlreadyPending,
}

/// `a` asks `b` to connect.
async fn request(seeder: &Seeder, a: &Person, b: &Person) -> Result<Requested> {
    let reply = seeder
        .as_person(
            a,
            Method::POST,
            "/api/connections/requests",
            Some(json!({ "user_id": b.id })),
        )
        .await?;
    match (reply.status, reply.code()) {
        (StatusCode::CREATED, _) => Ok(Requested::Pending),
        (StatusCode::OK, _) => Ok(Requested::Connected),
        (StatusCode::CONFLICT, "already_connected") => Ok(Requested::AlreadyConnected),
        (StatusCode::CONFLICT, "request_already_sent") => Ok(Requested::AlreadyPending),
        _ => Err(format!(
            "{} asking {} to connect: {}",
            a.name,
            b.name,
            reply.describe()
        )),
    }
}
