//! The streaming copy/migrate/verify engine shared by `copy`, `migrate` and `verify`.
//!
//! Records stream from the source in batches through a bounded channel to the writer, so
//! memory stays flat whatever the size of the store. Verification compares, per collection,
//! the record count and an order-independent content hash: the wrapping sum of the BLAKE3
//! hashes (first 128 bits) of each record's canonical bytes (jvspatial's own file encoding).

use crate::error::{Error, Result};
use crate::partition::Partition;
use crate::query::Filter;
use crate::store::{FindSpec, Item, SaveMode, Saved, Store};
use crate::value::Value;
use futures::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Count and order-independent hash of a set of records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Digest {
    pub count: u64,
    pub sum: u128,
}

impl Digest {
    pub fn add(&mut self, record: &Value) {
        self.add_hash(record_hash(record));
    }

    /// Add a record by its [`record_hash`] (computed elsewhere, e.g. in a reader thread).
    pub fn add_hash(&mut self, h: u128) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(h);
    }

    pub fn hex(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

/// The first 128 bits of the BLAKE3 hash of a record's canonical bytes.
pub fn record_hash(record: &Value) -> u128 {
    bytes_hash(&crate::json::to_python_indent2(record))
}

/// How records are compared between stores: the composition of the stores'
/// [`Store::stored_form`]s (`None` when every store gives records back as given).
pub type Norm = Option<Arc<dyn Fn(&Value) -> Value + Send + Sync>>;

/// The comparison form for records that pass through all of `stores`.
pub fn norm_of(stores: &[&dyn Store]) -> Norm {
    let fs: Vec<fn(&Value) -> Value> = stores.iter().filter_map(|s| s.stored_form()).collect();
    match fs.len() {
        0 => None,
        1 => {
            let f = fs[0];
            Some(Arc::new(move |v: &Value| f(v)))
        }
        _ => Some(Arc::new(move |v: &Value| {
            let mut out = fs[0](v);
            for f in &fs[1..] {
                out = f(&out);
            }
            out
        })),
    }
}

/// [`record_hash`] of a record in the comparison form `norm`.
pub fn record_hash_as(record: &Value, norm: &Norm) -> u128 {
    match norm {
        Some(f) => record_hash(&f(record)),
        None => record_hash(record),
    }
}

/// [`record_hash`] of a record whose canonical bytes are `bytes`.
pub fn bytes_hash(bytes: &[u8]) -> u128 {
    let h = blake3::hash(bytes);
    let mut first = [0u8; 16];
    first.copy_from_slice(&h.as_bytes()[..16]);
    u128::from_le_bytes(first)
}

/// What the writer gets of a record.
enum Payload {
    Value(Value),
    /// For a JSON directory target: the canonical bytes (already made for the hash), the id
    /// (or why it cannot name a file) and the id as shown in messages.
    Encoded(Result<String>, Vec<u8>, String),
    /// Nothing (a dry run writes nothing).
    None,
}

/// How records are handed to the writer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Carry {
    Value,
    Encoded,
    Nothing,
}

/// A source record made ready for the target: its payload, whether `--upgrade` changed it,
/// and its hash for the digest.
enum Prepared {
    Record(Payload, bool, u128),
    Unreadable(String, String),
}

/// The id of a record as shown in messages.
fn shown_id(r: &Value) -> String {
    match r.get("id") {
        Some(Value::WStr(b)) => crate::wtf8::to_string_escaped(b),
        _ => r.record_id().unwrap_or("?").to_string(),
    }
}

fn prepare(coll: &str, upgrade: bool, carry: Carry, norm: &Norm, item: Item) -> Prepared {
    match item {
        Item::Record(rec) => {
            let (rec, changed) = canonical(coll, rec, upgrade);
            let bytes = crate::json::to_python_indent2(&rec);
            // the hash of what the target will give back (its stored form)
            let h = match norm {
                Some(f) => record_hash(&f(&rec)),
                None => bytes_hash(&bytes),
            };
            let payload = match carry {
                Carry::Value => Payload::Value(rec),
                Carry::Encoded => Payload::Encoded(
                    crate::store::record_id(&rec).map(str::to_string),
                    bytes,
                    shown_id(&rec),
                ),
                Carry::Nothing => Payload::None,
            };
            Prepared::Record(payload, changed, h)
        }
        Item::Unreadable { id, reason } => Prepared::Unreadable(id, reason),
    }
}

/// The records of `coll` ready for the target. A JSON source parses, filters, canonicalises
/// and hashes in its reader threads, in directory order when there is no filter (order does
/// not matter to the target; memory then stays flat).
async fn prepared_stream(
    src: &dyn Store,
    coll: &str,
    opts: &TransferOptions,
    carry: Carry,
    norm: Norm,
    id_order: bool,
) -> Result<futures::stream::BoxStream<'static, Result<Prepared>>> {
    let (c, upgrade) = (coll.to_string(), opts.upgrade);
    // Filter, canonicalise and hash where the source reads (a JSON store's reader threads, in
    // directory order when there is no filter: order does not matter to the target, and
    // memory stays flat); a source that pushes filters down is asked with `find`.
    // With `--partition`, only the share of this process: computed by the source where it can
    // (a partitioned `find`), else kept in the map (see `scan_map_in`).
    let filter = opts.filter.clone().filter(|f| !f.is_empty());
    if filter.is_none() || src.read_caps().parallel_map {
        let ordered = filter.is_some() || id_order;
        let map = move |item: Item| -> Option<Result<Prepared>> {
            if let (Some(f), Item::Record(rec)) = (&filter, &item) {
                match f.matches(rec) {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(e) => return Some(Err(e.into())),
                }
            }
            Some(Ok(prepare(&c, upgrade, carry, &norm, item)))
        };
        return crate::store::scan_map_in(src, coll, ordered, opts.partition, map).await;
    }
    let all = || Arc::new(Filter::all(crate::query::Dialect::Mongo));
    let f = opts.filter.clone().unwrap_or_else(all);
    let items = src
        .find(coll, FindSpec::matching(f).in_partition(opts.partition))
        .await?;
    Ok(items
        .map(move |r| r.map(|i| prepare(&c, upgrade, carry, &norm, i)))
        .boxed())
}

/// Progress callbacks (the binary draws bars; tests and benches pass `NoProgress`).
pub trait Progress: Send + Sync {
    fn start(&self, collection: &str, total: Option<u64>);
    fn advance(&self, n: u64);
    fn finish(&self);
}

pub struct NoProgress;
impl Progress for NoProgress {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

#[derive(Clone, Debug)]
pub struct TransferOptions {
    /// Collections to move; `None` = every collection of the source.
    pub collections: Option<Vec<String>>,
    /// Only records matching this filter (copy --query).
    pub filter: Option<Arc<Filter>>,
    pub mode: SaveMode,
    pub batch_size: usize,
    /// Drop legacy node `edges` arrays on the way (records of collection `node`).
    pub upgrade: bool,
    /// Read and hash everything, write nothing.
    pub dry_run: bool,
    /// Batches written at the same time.
    pub jobs: usize,
    /// Let the target create jvspatial's indexes before writing (MongoDB).
    pub indexes: bool,
    /// Only the records whose id falls in this partition (`--partition K/N`); the target is
    /// then verified restricted to the same partition, since other partitions' processes may
    /// be writing the rest of it.
    pub partition: Option<Partition>,
}

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            collections: None,
            filter: None,
            mode: SaveMode::Replace,
            batch_size: 1000,
            upgrade: false,
            dry_run: false,
            jobs: 2,
            indexes: true,
            partition: None,
        }
    }
}

/// What happened to one collection.
#[derive(Clone, Debug, Default)]
pub struct CollectionResult {
    pub name: String,
    /// Readable records taken from the source (after the filter).
    pub read: u64,
    pub written: u64,
    pub skipped: u64,
    /// Records the target already held exactly (canonical form): not written again.
    pub unchanged: u64,
    /// Records that the target refused: (id, reason).
    pub failed: Vec<(String, String)>,
    /// Source records that could not be read: (id, reason).
    pub unreadable: Vec<(String, String)>,
    /// Digest of what the target should now hold for this collection.
    pub source_digest: Digest,
    /// Records changed on the way (`--upgrade`).
    pub upgraded: u64,
}

/// The canonical form of a record in the target.
pub fn canonical(collection: &str, mut record: Value, upgrade: bool) -> (Value, bool) {
    let mut changed = false;
    if upgrade
        && collection == "node"
        && let Some(m) = record.as_object_mut()
    {
        changed = m.shift_remove("edges").is_some();
    }
    (record, changed)
}

/// Names of the collections to move.
pub async fn plan(src: &dyn Store, opts: &TransferOptions) -> Result<Vec<String>> {
    match &opts.collections {
        Some(c) => {
            for name in c {
                crate::store::validate_component(name, "collection")?;
            }
            Ok(c.clone())
        }
        None => src.collections().await,
    }
}

/// Move the records of `collections` from `src` to `dst`.
pub async fn transfer(
    src: &dyn Store,
    dst: &dyn Store,
    collections: &[String],
    opts: &TransferOptions,
    progress: &dyn Progress,
    interrupted: &AtomicBool,
) -> Result<Vec<CollectionResult>> {
    let mut results = Vec::new();
    for coll in collections {
        // A partition's size is not known before it is read.
        let total = match opts.partition {
            None => src.count(coll, None).await.ok().map(|c| c.count),
            Some(_) => None,
        };
        progress.start(coll, total);
        let r = transfer_collection(src, dst, coll, opts, progress, interrupted).await;
        progress.finish();
        results.push(r?);
    }
    Ok(results)
}

async fn transfer_collection(
    src: &dyn Store,
    dst: &dyn Store,
    coll: &str,
    opts: &TransferOptions,
    progress: &dyn Progress,
    interrupted: &AtomicBool,
) -> Result<CollectionResult> {
    let mut res = CollectionResult {
        name: coll.to_string(),
        ..Default::default()
    };
    // A target that takes JsonDB file bytes gets the encodings the readers made for the hashes
    // (a tenth of the memory of values, and no second encoding); merge mode needs values.
    let caps = dst.write_caps();
    let carry = if opts.dry_run {
        Carry::Nothing
    } else if caps.file_bytes && opts.mode != SaveMode::Merge {
        Carry::Encoded
    } else {
        Carry::Value
    };
    // Source records are hashed in the form the target gives them back.
    let mut items = prepared_stream(src, coll, opts, carry, norm_of(&[dst]), caps.id_order).await?;
    if opts.indexes && !opts.dry_run {
        dst.prepare_collection(coll).await?;
    }
    let batch_size = opts.batch_size.max(1);
    let jobs = opts.jobs.max(1);
    // Bounded: at most `jobs` batches wait while `jobs` are being written.
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Payload>>(jobs);
    // Reader: parse, canonicalise, hash, batch.
    let reader = async {
        let mut batch = Vec::with_capacity(batch_size);
        let mut read = 0u64;
        let mut upgraded = 0u64;
        let mut digest = Digest::default();
        let mut unreadable = Vec::new();
        while let Some(item) = items.next().await {
            match item? {
                Prepared::Record(rec, changed, h) => {
                    upgraded += changed as u64;
                    read += 1;
                    digest.add_hash(h);
                    batch.push(rec);
                    if batch.len() >= batch_size {
                        if interrupted.load(Ordering::SeqCst) {
                            break;
                        }
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                        if tx.send(full).await.is_err() {
                            break;
                        }
                    }
                }
                Prepared::Unreadable(id, reason) => unreadable.push((id, reason)),
            }
        }
        unreadable.sort();
        if !batch.is_empty() && !interrupted.load(Ordering::SeqCst) {
            let _ = tx.send(batch).await;
        }
        drop(tx);
        Ok::<_, Error>((read, upgraded, digest, unreadable))
    };
    // Writers: up to `jobs` batches in flight (each store also parallelises inside a batch).
    let writer = async {
        let batches =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
        let mut written = 0u64;
        let mut skipped = 0u64;
        let mut unchanged = 0u64;
        let mut failed = Vec::new();
        // A database server target: insert, and replace only what already exists (see
        // save_insert_first). A JSON directory writes every file the same way either way.
        let insert_first = opts.mode == SaveMode::Replace && caps.insert_first;
        let outcomes = batches
            .map(|batch| async move {
                let n = batch.len() as u64;
                if opts.dry_run {
                    return Ok::<_, Error>((n, Vec::new()));
                }
                let mut ids: Vec<String> = Vec::with_capacity(batch.len());
                let mut values: Vec<Value> = Vec::new();
                let mut encoded: Vec<(Result<String>, Vec<u8>)> = Vec::new();
                for p in batch {
                    match p {
                        Payload::Value(v) => {
                            ids.push(shown_id(&v));
                            values.push(v);
                        }
                        Payload::Encoded(id, bytes, shown) => {
                            ids.push(shown);
                            encoded.push((id, bytes));
                        }
                        Payload::None => {}
                    }
                }
                let out = if !encoded.is_empty() {
                    dst.save_file_bytes(coll, encoded, opts.mode).await?
                } else if insert_first {
                    save_insert_first(dst, coll, values).await?
                } else {
                    dst.save_keeping_unchanged(coll, values, opts.mode).await?
                };
                Ok((n, ids.into_iter().zip(out).collect::<Vec<_>>()))
            })
            .buffer_unordered(jobs);
        let mut outcomes = std::pin::pin!(outcomes);
        while let Some(outcome) = outcomes.next().await {
            let (n, results) = outcome?;
            for (id, r) in results {
                match r {
                    Ok(Saved::Skipped) => skipped += 1,
                    Ok(Saved::Unchanged) => unchanged += 1,
                    Ok(_) => written += 1,
                    Err(e) => failed.push((id, e.message)),
                }
            }
            progress.advance(n);
        }
        Ok::<_, Error>((written, skipped, unchanged, failed))
    };
    let (r, w) = futures::join!(reader, writer);
    let (read, upgraded, digest, unreadable) = r?;
    let (written, skipped, unchanged, failed) = w?;
    if interrupted.load(Ordering::SeqCst) {
        return Err(Error::interrupted(format!(
            "interrupted during collection {coll} after {written} record(s); the batch in flight was finished. Rerun the same command to resume (records are replaced by id, so nothing is duplicated, and records already in the target unchanged are not rewritten)"
        )));
    }
    res.read = read;
    res.upgraded = upgraded;
    res.source_digest = digest;
    res.unreadable = unreadable;
    res.written = written;
    res.skipped = skipped;
    res.unchanged = unchanged;
    res.failed = failed;
    Ok(res)
}

/// `save_many(Replace)` done as an insert of the whole batch, then a replace of just the records
/// that already existed (refused with a conflict) and differ from what is stored. The target
/// ends up the same, with the same per-record outcomes (Created / Replaced, and Unchanged for a
/// record stored exactly so already), but a server does a plain insert for new records instead
/// of an upsert lookup per record (with the mongomock test server, an upsert scans the
/// collection: quadratic; a plain insert is not), and a rerun of a finished migration reads the
/// batch back instead of rewriting it.
async fn save_insert_first(
    dst: &dyn Store,
    coll: &str,
    batch: Vec<Value>,
) -> Result<Vec<Result<Saved>>> {
    let copy = batch.clone();
    let mut out = dst.save_many(coll, batch, SaveMode::Insert).await?;
    let mut retry: Vec<usize> = out
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r, Err(e) if e.kind == crate::error::ErrorKind::Conflict))
        .map(|(i, _)| i)
        .collect();
    if retry.is_empty() {
        return Ok(out);
    }
    // Keep the conflicting records that the target already holds in the same canonical form.
    let stored = stored_hashes(dst, coll, retry.iter().map(|&i| &copy[i])).await?;
    let norm = norm_of(&[dst]);
    retry.retain(|&i| {
        let same = crate::store::record_id(&copy[i])
            .ok()
            .and_then(|id| stored.get(id))
            .is_some_and(|h| *h == record_hash_as(&copy[i], &norm));
        if same {
            out[i] = Ok(Saved::Unchanged);
        }
        !same
    });
    if retry.is_empty() {
        return Ok(out);
    }
    let again: Vec<Value> = retry.iter().map(|&i| copy[i].clone()).collect();
    drop(copy);
    let replaced = dst.save_many(coll, again, SaveMode::Replace).await?;
    for (i, r) in retry.into_iter().zip(replaced) {
        out[i] = r;
    }
    Ok(out)
}

/// The [`record_hash`] of the stored records with the ids of `records` (one query by id; a
/// record that cannot be read is left out, so it is rewritten).
pub(crate) async fn stored_hashes<'a>(
    dst: &dyn Store,
    coll: &str,
    records: impl Iterator<Item = &'a Value>,
) -> Result<std::collections::HashMap<String, u128>> {
    let ids: Vec<Value> = records
        .filter_map(|r| crate::store::record_id(r).ok())
        .map(|id| Value::Str(id.to_string()))
        .collect();
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(found);
    }
    // The backend's primary key (MongoDB: `_id`), so the lookup uses its index.
    let key = dst.id_key();
    let norm = norm_of(&[dst]);
    let mut q = crate::value::Map::new();
    let mut inn = crate::value::Map::new();
    inn.insert("$in".into(), Value::Array(ids));
    q.insert(key.into(), Value::Object(inn));
    let filter = Filter::compile(&Value::Object(q), crate::query::Dialect::Mongo).map_err(|e| {
        Error::invalid(format!("collection {coll}: looking up stored records: {e}"))
    })?;
    let mut items = dst.find(coll, FindSpec::matching(Arc::new(filter))).await?;
    while let Some(item) = items.next().await {
        if let Item::Record(rec) = item?
            && let Ok(id) = crate::store::record_id(&rec)
        {
            found.insert(id.to_string(), record_hash_as(&rec, &norm));
        }
    }
    Ok(found)
}

/// Digest of one collection as stored (with the unreadable records listed).
pub async fn digest_collection(
    store: &dyn Store,
    coll: &str,
    norm: Norm,
) -> Result<(Digest, Vec<(String, String)>)> {
    digest_partition(store, coll, norm, None).await
}

/// [`digest_collection`] of the records of one partition (`None` = all).
pub async fn digest_partition(
    store: &dyn Store,
    coll: &str,
    norm: Norm,
    partition: Option<Partition>,
) -> Result<(Digest, Vec<(String, String)>)> {
    // A store that read its own encodings back (an archive it just sealed) knows the digest.
    if partition.is_none()
        && norm.is_none()
        && let Some(d) = store.checked_digest(coll).await?
    {
        return Ok((d, Vec::new()));
    }
    let mut d = Digest::default();
    let mut bad = Vec::new();
    // Parse and hash where the store reads (a JSON store's reader threads, directory order).
    let mut items = crate::store::scan_map_in(store, coll, false, partition, move |item| {
        Some(Ok(match prepare("", false, Carry::Nothing, &norm, item) {
            // only the hash is needed: free the record in the reader thread
            Prepared::Record(_, _, h) => Prepared::Record(Payload::None, false, h),
            bad => bad,
        }))
    })
    .await?;
    while let Some(item) = items.next().await {
        match item? {
            Prepared::Record(_, _, h) => d.add_hash(h),
            Prepared::Unreadable(id, reason) => bad.push((id, reason)),
        }
    }
    bad.sort();
    Ok((d, bad))
}

/// One collection compared in two stores.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub name: String,
    pub a: Digest,
    pub b: Digest,
    pub unreadable_a: usize,
    pub unreadable_b: usize,
}

impl Comparison {
    pub fn equal(&self) -> bool {
        self.a == self.b && self.unreadable_a == 0 && self.unreadable_b == 0
    }
}

/// Compare two stores collection by collection (`collections` empty = the union of both).
pub async fn compare_stores(
    a: &dyn Store,
    b: &dyn Store,
    collections: &[String],
) -> Result<Vec<Comparison>> {
    compare_partition(a, b, collections, None).await
}

/// [`compare_stores`] restricted to one partition of both stores (`None` = all).
pub async fn compare_partition(
    a: &dyn Store,
    b: &dyn Store,
    collections: &[String],
    partition: Option<Partition>,
) -> Result<Vec<Comparison>> {
    let names: Vec<String> = if collections.is_empty() {
        let mut n = a.collections().await?;
        // A store that folds names (PostgreSQL: `MyColl` is table `mycoll`) lists the other
        // store's collection under its folded name: the same collection, compared once.
        for name in b.collections().await? {
            if !n
                .iter()
                .any(|m| b.same_collection(m, &name) || a.same_collection(&name, m))
            {
                n.push(name);
            }
        }
        n.sort();
        n.dedup();
        n
    } else {
        collections.to_vec()
    };
    let mut out = Vec::new();
    for name in names {
        let norm = norm_of(&[a, b]);
        let (da, ba) = digest_partition(a, &name, norm.clone(), partition).await?;
        let (db, bb) = digest_partition(b, &name, norm, partition).await?;
        out.push(Comparison {
            name,
            a: da,
            b: db,
            unreadable_a: ba.len(),
            unreadable_b: bb.len(),
        });
    }
    Ok(out)
}

/// How one id differs between two stores (`verify --list`, rclone's `check --combined`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Only the first store (A, the source) holds the id.
    OnlyA,
    /// Only the second store (B, the target) holds the id.
    OnlyB,
    /// Both hold the id, with different contents (canonical form).
    Differs,
    /// The record cannot be read in A.
    UnreadableA,
    /// The record cannot be read in B.
    UnreadableB,
}

impl Change {
    /// The name in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Change::OnlyA => "only_a",
            Change::OnlyB => "only_b",
            Change::Differs => "differs",
            Change::UnreadableA => "unreadable_a",
            Change::UnreadableB => "unreadable_b",
        }
    }

    /// The sign in text output: `-` only in A, `+` only in B, `*` differs, `!` unreadable.
    pub fn sign(self) -> char {
        match self {
            Change::OnlyA => '-',
            Change::OnlyB => '+',
            Change::Differs => '*',
            Change::UnreadableA | Change::UnreadableB => '!',
        }
    }
}

/// One id that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub id: String,
    pub change: Change,
}

/// A record of a scan reduced to its id and hash (or its unreadable id).
enum IdHash {
    /// The id, the hash in the comparison form, and the hash in the store's own stored form
    /// (the same unless asked for).
    Record(String, u128, u128),
    Unreadable(String),
}

/// Every record of `coll` as (id, [`record_hash`] of its canonical form), parsed and hashed in
/// the reader threads of a JSON store, in directory order.
async fn id_hashes(
    store: &dyn Store,
    coll: &str,
    upgrade: bool,
    norm: Norm,
    own: Option<Norm>,
    partition: Option<Partition>,
) -> Result<futures::stream::BoxStream<'static, Result<IdHash>>> {
    let c = coll.to_string();
    let map = move |item: Item| -> Option<Result<IdHash>> {
        Some(Ok(match item {
            Item::Record(rec) => {
                let (rec, _) = canonical(&c, rec, upgrade);
                let h = record_hash_as(&rec, &norm);
                let h_own = own.as_ref().map_or(h, |o| record_hash_as(&rec, o));
                IdHash::Record(shown_id(&rec), h, h_own)
            }
            Item::Unreadable { id, .. } => IdHash::Unreadable(id),
        }))
    };
    crate::store::scan_map_in(store, coll, false, partition, map).await
}

/// The ids of collection `coll` that differ between `a` and `b`, sorted by id. One side's
/// hashes are kept in memory (an id and 16 bytes per record); the other side streams past.
/// With `upgrade_a`, A's records are compared in the form `migrate --upgrade` writes them.
pub async fn list_differences(
    a: &dyn Store,
    b: &dyn Store,
    coll: &str,
    upgrade_a: bool,
) -> Result<Vec<Difference>> {
    list_partition_differences(a, b, coll, upgrade_a, None).await
}

/// [`list_differences`] within one partition of both stores (`None` = all).
pub async fn list_partition_differences(
    a: &dyn Store,
    b: &dyn Store,
    coll: &str,
    upgrade_a: bool,
    partition: Option<Partition>,
) -> Result<Vec<Difference>> {
    Ok(differences(a, b, coll, upgrade_a, partition).await?.0)
}

/// [`list_partition_differences`], with the digests (in B's stored form) of the records only B
/// holds and of all of B's readable records, taken in the same scan.
async fn differences(
    a: &dyn Store,
    b: &dyn Store,
    coll: &str,
    upgrade_a: bool,
    partition: Option<Partition>,
) -> Result<(Vec<Difference>, Digest, Digest)> {
    let mut only_b = Digest::default();
    let mut all_b = Digest::default();
    let mut in_a: std::collections::HashMap<String, u128> = std::collections::HashMap::new();
    let mut out = Vec::new();
    let norm = norm_of(&[a, b]);
    let mut items = id_hashes(a, coll, upgrade_a, norm.clone(), None, partition).await?;
    while let Some(item) = items.next().await {
        match item? {
            IdHash::Record(id, h, _) => {
                // The same id twice in one store: the sum never equals a single record's hash.
                let e = in_a.entry(id).or_insert(0);
                *e = e.wrapping_add(h).wrapping_add(u128::from(*e != 0));
            }
            IdHash::Unreadable(id) => out.push(Difference {
                id,
                change: Change::UnreadableA,
            }),
        }
    }
    for d in &out {
        in_a.remove(&d.id);
    }
    // B's own records are also hashed in B's stored form, the form of its digests.
    let own = a.stored_form().map(|_| norm_of(&[b]));
    let mut items = id_hashes(b, coll, false, norm, own, partition).await?;
    while let Some(item) = items.next().await {
        match item? {
            IdHash::Record(id, h, h_own) => {
                all_b.add_hash(h_own);
                match in_a.remove(&id) {
                    None => {
                        only_b.add_hash(h_own);
                        out.push(Difference {
                            id,
                            change: Change::OnlyB,
                        })
                    }
                    Some(ha) if ha != h => out.push(Difference {
                        id,
                        change: Change::Differs,
                    }),
                    Some(_) => {}
                }
            }
            IdHash::Unreadable(id) => {
                in_a.remove(&id);
                out.push(Difference {
                    id,
                    change: Change::UnreadableB,
                })
            }
        }
    }
    out.extend(in_a.into_keys().map(|id| Difference {
        id,
        change: Change::OnlyA,
    }));
    out.sort_by(|x, y| (&x.id, x.change).cmp(&(&y.id, y.change)));
    Ok((out, only_b, all_b))
}

/// Why a transfer's verification of one collection failed: the ids that differ between the
/// source (as it is now) and the target, and whether the records only the target holds explain
/// the mismatch alone.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// Every differing id (source = A, target = B), sorted.
    pub differences: Vec<Difference>,
    /// The records only the target holds: not written by this transfer (another writer, or
    /// there before it).
    pub foreign: Digest,
    /// Without the foreign records, the target holds exactly what the transfer read (count
    /// and content hash equal the source digest taken while reading): every record read
    /// arrived as read.
    pub explained: bool,
}

/// After the target collection (within `partition`) did not hold exactly `read` (the digest of what the transfer
/// read from `src`): find the differing ids and take the records only the target holds out of
/// the target's digest (both from one scan of the target, so a writer still at work does not
/// skew them). When the rest equals what was read, the mismatch is another writer's records
/// beside this transfer's, not a fault of the transfer. Comparing with the digest of what was
/// read (not the source as it is now) keeps this exact when the source changes too.
pub async fn explain_mismatch(
    src: &dyn Store,
    dst: &dyn Store,
    coll: &str,
    upgrade: bool,
    partition: Option<Partition>,
    read: Digest,
) -> Result<Mismatch> {
    let (differences, foreign, target) = differences(src, dst, coll, upgrade, partition).await?;
    let rest = Digest {
        count: target.count.wrapping_sub(foreign.count),
        sum: target.sum.wrapping_sub(foreign.sum),
    };
    Ok(Mismatch {
        explained: foreign.count > 0 && rest == read,
        differences,
        foreign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norms_compose_and_default_to_exact_bytes() {
        let p = |t: &str| crate::json::parse_str(t).unwrap();
        let (x, y) = (p(r#"{"a": 1, "b": 2}"#), p(r#"{"b": 2, "a": 1}"#));
        // No stored form: key order counts.
        assert_ne!(record_hash_as(&x, &None), record_hash_as(&y, &None));
        let sorted: Norm = Some(Arc::new(|v: &Value| match v {
            Value::Object(m) => {
                let mut m = m.clone();
                m.sort_keys();
                Value::Object(m)
            }
            other => other.clone(),
        }));
        assert_eq!(record_hash_as(&x, &sorted), record_hash_as(&y, &sorted));
        let m = crate::store::memory::MemoryStore::new();
        assert!(norm_of(&[&m, &m]).is_none());
    }

    #[test]
    fn digest_is_order_independent() {
        let r1 = Value::Object([("id".to_string(), Value::from("a"))].into_iter().collect());
        let r2 = Value::Object([("id".to_string(), Value::from("b"))].into_iter().collect());
        let mut x = Digest::default();
        x.add(&r1);
        x.add(&r2);
        let mut y = Digest::default();
        y.add(&r2);
        y.add(&r1);
        assert_eq!(x, y);
        assert_eq!(x.count, 2);
    }
}
