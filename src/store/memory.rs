//! `memory:` — an in-process store (tests, dry runs) with the JSON store's semantics: the same
//! id/collection validation, records kept per collection in id order (code-point order, as the
//! JSON store's file-stem order), the same save modes and per-record results. Reads clone.
//! A collection exists once something was written to it (like the JSON store's directory),
//! and stays after its records are deleted; reading never creates one.
use super::{
    Backend, Count, GetResult, Item, ItemStream, OpenOptions, SaveMode, Saved, Store, StoreSpec,
    deep_merge, record_id, validate_component,
};
use crate::error::{Error, Result};
use crate::query::Filter;
use crate::value::Value;
use async_trait::async_trait;
use futures::FutureExt;
use futures::StreamExt;
use futures::stream;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

pub static BACKEND: Backend = Backend {
    name: "memory",
    schemes: &[],
    summary: "in-process store, empty at start (tests, dry runs)",
    open: |_spec: &StoreSpec, _o: &OpenOptions| {
        async { Ok(Arc::new(MemoryStore::new()) as Arc<dyn Store>) }.boxed()
    },
    local: crate::store::not_local,
    path_form: true,
};

type Collection = BTreeMap<String, Value>;

/// Records scanned per lock acquisition.
const SCAN_CHUNK: usize = 256;

/// An in-process store.
#[derive(Default)]
pub struct MemoryStore {
    data: Arc<Mutex<BTreeMap<String, Collection>>>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Collection>> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn save_one(
    coll: &mut Collection,
    collection: &str,
    id: String,
    record: Value,
    mode: SaveMode,
) -> Result<Saved> {
    match (mode, coll.get_mut(&id)) {
        (SaveMode::Replace, Some(slot)) => {
            *slot = record;
            Ok(Saved::Replaced)
        }
        (SaveMode::Insert, Some(_)) => Err(Error::conflict(format!(
            "collection {collection}: record {id:?} already exists (insert mode)"
        ))),
        (SaveMode::SkipExisting, Some(_)) => Ok(Saved::Skipped),
        (SaveMode::Merge, Some(slot)) => {
            deep_merge(slot, record);
            Ok(Saved::Merged)
        }
        (_, None) => {
            coll.insert(id, record);
            Ok(Saved::Created)
        }
    }
}

#[async_trait]
impl Store for MemoryStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    fn describe(&self) -> String {
        "memory:".into()
    }

    async fn collections(&self) -> Result<Vec<String>> {
        Ok(self.lock().keys().cloned().collect())
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        validate_component(collection, "collection")?;
        validate_component(id, "record id")
            .map_err(|e| e.context(format!("collection {collection}")))?;
        Ok(match self.lock().get(collection).and_then(|c| c.get(id)) {
            Some(v) => GetResult::Found(v.clone()),
            None => GetResult::Missing,
        })
    }

    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        validate_component(collection, "collection")?;
        let mut checked = Vec::with_capacity(records.len());
        for (index, record) in records.into_iter().enumerate() {
            let id = record_id(&record).and_then(|id| {
                validate_component(id, "record id")?;
                Ok(id.to_string())
            });
            checked.push(
                id.map(|id| (id, record))
                    .map_err(|e| e.context(format!("collection {collection}: record {index}"))),
            );
        }
        if checked.iter().all(|r| r.is_err()) {
            return Ok(checked
                .into_iter()
                .map(|r| r.map(|_| Saved::Created))
                .collect());
        }
        let mut data = self.lock();
        let coll = data.entry(collection.to_string()).or_default();
        Ok(checked
            .into_iter()
            .map(|r| r.and_then(|(id, rec)| save_one(coll, collection, id, rec, mode)))
            .collect())
    }

    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        validate_component(collection, "collection")?;
        let mut data = self.lock();
        let mut coll = data.get_mut(collection);
        Ok(ids
            .iter()
            .map(|id| {
                validate_component(id, "record id")
                    .map_err(|e| e.context(format!("collection {collection}")))?;
                Ok(coll.as_mut().is_some_and(|c| c.remove(id).is_some()))
            })
            .collect())
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        validate_component(collection, "collection")?;
        let data = self.data.clone();
        let collection = collection.to_string();
        // Walk the collection in id order, a chunk per lock, resuming after the last id seen.
        let chunks = stream::unfold(
            Some(Bound::Unbounded),
            move |after: Option<Bound<String>>| {
                let data = data.clone();
                let collection = collection.clone();
                async move {
                    let after = after?;
                    let guard = data.lock().unwrap_or_else(|e| e.into_inner());
                    let coll = guard.get(&collection)?;
                    let chunk: Vec<(String, Value)> = coll
                        .range::<String, _>((after, Bound::Unbounded))
                        .take(SCAN_CHUNK)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    drop(guard);
                    if chunk.is_empty() {
                        return None;
                    }
                    let next = (chunk.len() == SCAN_CHUNK)
                        .then(|| chunk.last().map(|(k, _)| Bound::Excluded(k.clone())))
                        .flatten();
                    Some((chunk, next))
                }
            },
        );
        Ok(chunks
            .flat_map(|chunk| stream::iter(chunk.into_iter().map(|(_, v)| Ok(Item::Record(v)))))
            .boxed())
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        match filter {
            Some(f) if !f.is_empty() => {
                let items = self.find(collection, super::FindSpec::matching(f)).await?;
                crate::find::count_stream(items).await
            }
            _ => {
                validate_component(collection, "collection")?;
                Ok(Count {
                    count: self.lock().get(collection).map_or(0, |c| c.len() as u64),
                    unreadable: Vec::new(),
                })
            }
        }
    }
}
