//! `--backup FILE`: an archive of the records a destructive command is about to delete or
//! change, written, read back against its manifest and fsynced before the change. It is an
//! ordinary archive store (see [`crate::store::archive`]), so `jvdb restore FILE --to SPEC
//! --mode replace` puts the records back.

use crate::error::{Error, Result};
use crate::query::Filter;
use crate::store::{FindSpec, GetResult, Item, OpenOptions, SaveMode, Store, StoreSpec};
use crate::value::{Map, Value};
use futures::StreamExt;
use indexmap::IndexMap;
use std::sync::Arc;

/// Ids looked up per query when the store pushes filters down.
const CHUNK: usize = 1000;

/// An archive being filled with the records that are about to change.
pub struct Backup {
    archive: Arc<dyn Store>,
    file: String,
    counts: IndexMap<String, u64>,
}

/// What a finished backup holds.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub file: String,
    /// Records per collection.
    pub counts: IndexMap<String, u64>,
}

impl Written {
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// "3 record(s) (edge 3) to FILE".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .counts
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        format!(
            "{} record(s) ({}) to {}",
            self.total(),
            if parts.is_empty() {
                "none".to_string()
            } else {
                parts.join(", ")
            },
            self.file
        )
    }
}

impl Backup {
    /// Start the archive `file` (refused when it exists; `-` is refused, as stdout carries the
    /// command's own output). `settings`: `archive.compress`, `archive.level`.
    pub async fn create(file: &str, settings: Vec<(String, String)>) -> Result<Backup> {
        if file == "-" || file.is_empty() {
            return Err(Error::invalid(
                "--backup needs a file name (stdout carries the command's own output)",
            ));
        }
        let spec = StoreSpec {
            backend: "archive",
            location: file.to_string(),
        };
        let opts = OpenOptions {
            create: true,
            sink: true,
            settings,
            ..Default::default()
        };
        let archive = spec.open(&opts).await.map_err(|e| e.context("--backup"))?;
        Ok(Backup {
            archive,
            file: file.to_string(),
            counts: IndexMap::new(),
        })
    }

    async fn add(&mut self, coll: &str, records: Vec<Value>) -> Result<()> {
        if !self.counts.contains_key(coll) {
            self.archive.prepare_collection(coll).await?;
            self.counts.insert(coll.to_string(), 0);
        }
        if records.is_empty() {
            return Ok(());
        }
        let n = records.len() as u64;
        let ids: Vec<String> = records
            .iter()
            .map(|r| r.record_id().unwrap_or("?").to_string())
            .collect();
        let out = self
            .archive
            .save_many(coll, records, SaveMode::Insert)
            .await?;
        for (id, r) in ids.iter().zip(out) {
            if let Err(e) = r {
                return Err(Error::refused(format!(
                    "--backup: record {coll}/{id} cannot be backed up ({}); nothing was changed",
                    e.message
                )));
            }
        }
        *self.counts.get_mut(coll).expect("added above") += n;
        Ok(())
    }

    /// Back up the stored records of `coll` with these ids (ids not stored are left out). A
    /// record that cannot be read cannot be backed up: an error, before anything changes.
    pub async fn records_by_id(
        &mut self,
        src: &dyn Store,
        coll: &str,
        ids: &[String],
    ) -> Result<()> {
        if !self.counts.contains_key(coll) {
            self.add(coll, Vec::new()).await?;
        }
        let unreadable = |id: &str, why: &str| {
            Error::refused(format!(
                "--backup: record {coll}/{id} cannot be read ({why}), so it cannot be backed up; nothing was changed"
            ))
        };
        if src.read_caps().filter_pushdown {
            // One indexed query per chunk of ids (the backend's primary key).
            for chunk in ids.chunks(CHUNK) {
                let mut inn = Map::new();
                inn.insert(
                    "$in".into(),
                    Value::Array(chunk.iter().map(|s| Value::Str(s.clone())).collect()),
                );
                let mut q = Map::new();
                q.insert(src.id_key().into(), Value::Object(inn));
                let filter = Filter::compile(&Value::Object(q), crate::query::Dialect::Mongo)
                    .map_err(|e| Error::invalid(format!("--backup: {e}")))?;
                let mut items = src.find(coll, FindSpec::matching(Arc::new(filter))).await?;
                let mut batch = Vec::with_capacity(chunk.len());
                while let Some(item) = items.next().await {
                    match item? {
                        Item::Record(r) => batch.push(r),
                        Item::Unreadable { id, reason } => return Err(unreadable(&id, &reason)),
                    }
                }
                self.add(coll, batch).await?;
            }
            return Ok(());
        }
        // A store read file by file (JSON): one read per id, a few at a time.
        for chunk in ids.chunks(CHUNK) {
            let got: Vec<(String, Result<GetResult>)> = futures::stream::iter(chunk.iter())
                .map(|id| async move { (id.clone(), src.get(coll, id).await) })
                .buffered(16)
                .collect()
                .await;
            let mut batch = Vec::with_capacity(chunk.len());
            for (id, r) in got {
                match r? {
                    GetResult::Found(v) => batch.push(v),
                    GetResult::Missing => {}
                    GetResult::Unreadable(why) => return Err(unreadable(&id, &why)),
                }
            }
            self.add(coll, batch).await?;
        }
        Ok(())
    }

    /// Back up every stored record of `coll` that `keep` picks (one scan).
    pub async fn records_matching(
        &mut self,
        src: &dyn Store,
        coll: &str,
        keep: fn(&Value) -> bool,
    ) -> Result<()> {
        if !self.counts.contains_key(coll) {
            self.add(coll, Vec::new()).await?;
        }
        let mut items = crate::store::scan_map(src, coll, true, move |item| match item {
            Item::Record(r) if keep(&r) => Some(Ok(r)),
            _ => None,
        })
        .await?;
        let mut batch = Vec::with_capacity(CHUNK);
        while let Some(r) = items.next().await {
            batch.push(r?);
            if batch.len() >= CHUNK {
                self.add(coll, std::mem::take(&mut batch)).await?;
            }
        }
        self.add(coll, batch).await
    }

    /// End the archive (manifest, fsync), read it back against its manifest, and rename it
    /// into place: after this returns, the backup is durable under its name.
    pub async fn finish(self, source: &str) -> Result<Written> {
        self.archive.seal(source).await?;
        self.archive.commit().await?;
        Ok(Written {
            file: self.file,
            counts: self.counts,
        })
    }
}
