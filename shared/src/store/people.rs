//! Who is still here and what they call themselves, read from their
//! profiles at display time. Display names are never copied onto posts,
//! comments, edges or notifications: a new name shows at once on every read
//! path for 1 write, and a deleted account (its profile is the first thing
//! deletion removes) drops out of every list on the next read, however far
//! its clean-up has come.
//!
//! The same read applies blocks: the block items that would hide someone on
//! the page ride in the BatchGetItem too ([`block_keys`]), and whoever one
//! hides is left out as if their account were gone.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::domain::profile::DisplayName;

/// The people a page shows who still exist, with their display names, and
/// those a block hides from its reader.
#[derive(Debug, Clone, Default)]
pub struct Names {
    people: HashMap<UserId, Option<String>>,
    hidden: HashSet<UserId>,
    suspended: HashSet<UserId>,
    viewer: Option<UserId>,
}

impl Names {
    /// Names read for `viewer`, so that the blocks read with them hide the
    /// right side (see [`block_keys`]).
    pub fn seen_by(viewer: &UserId) -> Self {
        Self {
            viewer: Some(viewer.clone()),
            ..Self::default()
        }
    }

    /// Whether `id`'s account exists (its profile was read), is not
    /// suspended, and no block read with it hides them.
    pub fn exists(&self, id: &UserId) -> bool {
        self.people.contains_key(id) && !self.hidden.contains(id)
    }

    /// Whether `id`'s account exists, suspended or not (the blocker's own
    /// list of blocks still names a suspended person, to be unblocked).
    pub fn known(&self, id: &UserId) -> bool {
        self.people.contains_key(id)
    }

    /// Whether an operator suspended `id` (hidden for now, not gone: what
    /// they made comes back when it is lifted).
    pub fn suspended(&self, id: &UserId) -> bool {
        self.suspended.contains(id)
    }

    /// `id`'s display name, if they exist and set one.
    pub fn display_name(&self, id: &UserId) -> Option<String> {
        self.people.get(id).cloned().flatten()
    }

    /// Records one that is known to exist (the caller, read elsewhere).
    pub fn insert(&mut self, id: UserId, display_name: Option<&DisplayName>) {
        self.people
            .insert(id, display_name.map(|name| name.as_str().to_owned()));
    }

    /// Takes `item` in if it is a profile or a block; says whether it was.
    /// A block hides whichever of its two people is not the viewer: the
    /// blocker when the viewer is the one blocked, else the blocked person
    /// (blocked by the viewer, or by the author of the post on the page).
    pub(crate) fn absorb(&mut self, item: &Item) -> Result<bool, StoreError> {
        let sort_key = attr_s(item, keys::SK)?;
        if let Some(blocked) = sort_key.strip_prefix(keys::BLOCK_PREFIX) {
            let blocked = UserId::from_stored(blocked.to_owned());
            let owner = attr_s(item, keys::PK)?;
            let owner = UserId::from_stored(owner.trim_start_matches("USER#").to_owned());
            if self.viewer.as_ref() == Some(&blocked) {
                self.hidden.insert(owner);
            } else {
                self.hidden.insert(blocked);
            }
            return Ok(true);
        }
        if sort_key != keys::PROFILE {
            return Ok(false);
        }
        let id = UserId::from_stored(attr_s(item, "id")?);
        // A suspended person's content is hidden everywhere, from everyone,
        // until an operator lifts it: the profile read for their name says so.
        if super::users::is_suspended(item) {
            self.hidden.insert(id.clone());
            self.suspended.insert(id.clone());
        }
        self.people.insert(id, attr_s(item, "display_name").ok());
        Ok(true)
    }
}

/// The block items that would hide any of `people` from `viewer`: a block
/// either way between them, and one by `author` (whose post the page is
/// under: the people they blocked are gone from it for everyone). Three
/// keys a person at most, to ride in a BatchGetItem a read makes anyway.
pub(crate) fn block_keys<'a>(
    viewer: &UserId,
    author: Option<&UserId>,
    people: impl IntoIterator<Item = &'a UserId>,
) -> Vec<Item> {
    let mut wanted = Vec::new();
    for person in people {
        if person == viewer {
            continue;
        }
        wanted.push(key(keys::user(viewer), keys::block(person)));
        wanted.push(key(keys::user(person), keys::block(viewer)));
        if let Some(author) = author.filter(|a| *a != person && *a != viewer) {
            wanted.push(key(keys::user(author), keys::block(person)));
        }
    }
    wanted
}

/// The profile keys of `ids`, to ride in a BatchGetItem a read makes anyway.
pub(crate) fn profile_keys<'a>(
    ids: impl IntoIterator<Item = &'a UserId>,
) -> impl Iterator<Item = Item> {
    ids.into_iter().map(|id| key(keys::user(id), keys::PROFILE))
}

impl Store {
    /// The names of `ids` who still exist: 1 BatchGetItem per 100 (a list
    /// the cap bounds is one); none for an empty list.
    pub async fn names<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a UserId>,
    ) -> Result<Names, StoreError> {
        let ids: std::collections::BTreeSet<&UserId> = ids.into_iter().collect();
        let wanted: Vec<Item> = profile_keys(ids).collect();
        let mut names = Names::default();
        if wanted.is_empty() {
            return Ok(names);
        }
        for item in self.batch_get(wanted).await? {
            names.absorb(&item)?;
        }
        Ok(names)
    }
}

impl Store {
    /// An edge (when the visibility rule needs it) with the profiles of
    /// `people`, in one BatchGetItem per 100 keys, all at once: how a read
    /// of one post learns both whether the reader may see it and who is on
    /// the page.
    /// The blocks that hide any of them from `viewer` ride in it too
    /// ([`block_keys`], `author` being the post's).
    pub async fn edge_and_names<'a>(
        &self,
        edge: Option<EdgeOf<'_>>,
        viewer: &UserId,
        author: &UserId,
        people: impl IntoIterator<Item = &'a UserId>,
    ) -> Result<(Option<Edge>, Names), StoreError> {
        let people: std::collections::BTreeSet<&UserId> = people.into_iter().collect();
        let mut wanted: Vec<Item> = block_keys(viewer, Some(author), people.iter().copied());
        wanted.extend(profile_keys(people));
        if let Some(edge) = edge {
            wanted.push(key(keys::user(edge.owner), keys::connection(edge.other)));
        }
        let mut found = None;
        let mut names = Names::seen_by(viewer);
        if wanted.is_empty() {
            return Ok((found, names));
        }
        for item in self.batch_get(wanted).await? {
            if !names.absorb(&item)? {
                found = Some(edge_from_item(&item)?);
            }
        }
        Ok((found, names))
    }
}
