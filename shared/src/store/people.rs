//! Who is still here and what they call themselves, read from their
//! profiles at display time. Display names are never copied onto posts,
//! comments, edges or notifications: a new name shows at once on every read
//! path for 1 write, and a deleted account (its profile is the first thing
//! deletion removes) drops out of every list on the next read, however far
//! its clean-up has come.

use std::collections::HashMap;

use super::*;
use crate::domain::profile::DisplayName;

/// The people a page shows who still exist, with their display names.
#[derive(Debug, Clone, Default)]
pub struct Names(HashMap<UserId, Option<String>>);

impl Names {
    /// Whether `id`'s account exists (its profile was read).
    pub fn exists(&self, id: &UserId) -> bool {
        self.0.contains_key(id)
    }

    /// `id`'s display name, if they exist and set one.
    pub fn display_name(&self, id: &UserId) -> Option<String> {
        self.0.get(id).cloned().flatten()
    }

    /// Records one that is known to exist (the caller, read elsewhere).
    pub fn insert(&mut self, id: UserId, display_name: Option<&DisplayName>) {
        self.0
            .insert(id, display_name.map(|name| name.as_str().to_owned()));
    }

    /// Takes `item` in if it is a profile; says whether it was.
    pub(crate) fn absorb(&mut self, item: &Item) -> Result<bool, StoreError> {
        if attr_s(item, keys::SK)? != keys::PROFILE {
            return Ok(false);
        }
        let id = UserId::from_stored(attr_s(item, "id")?);
        self.0.insert(id, attr_s(item, "display_name").ok());
        Ok(true)
    }
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
    pub async fn edge_and_names<'a>(
        &self,
        edge: Option<EdgeOf<'_>>,
        people: impl IntoIterator<Item = &'a UserId>,
    ) -> Result<(Option<Edge>, Names), StoreError> {
        let people: std::collections::BTreeSet<&UserId> = people.into_iter().collect();
        let mut wanted: Vec<Item> = profile_keys(people).collect();
        if let Some(edge) = edge {
            wanted.push(key(keys::user(edge.owner), keys::connection(edge.other)));
        }
        let mut found = None;
        let mut names = Names::default();
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
