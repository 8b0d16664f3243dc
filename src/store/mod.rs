//! The `Store` trait, store specs, the registry of backends, and the resolution of the
//! working store from flags and `JVSPATIAL_*` variables.
//!
//! Adding a backend is one new file implementing [`Store`] plus one line in [`BACKENDS`].

pub mod archive;
pub mod json;
pub mod memory;
pub mod mongo;
pub mod postgres;
pub mod sql;
pub mod sqlite;

use crate::error::{Error, Result};
use crate::query::projection::Projection;
use crate::query::{Filter, SortKey};
use crate::value::Value;
use async_trait::async_trait;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use std::sync::Arc;

/// One item of a scan or find: a record, or a stored record that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Record(Value),
    /// A record that exists but cannot be read: its id (the file stem for JSON) and why.
    Unreadable {
        id: String,
        reason: String,
    },
}

pub type ItemStream = BoxStream<'static, Result<Item>>;

/// The result of `get`.
#[derive(Clone, Debug, PartialEq)]
pub enum GetResult {
    Found(Value),
    Missing,
    Unreadable(String),
}

/// How `save` treats a record whose id already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SaveMode {
    /// Replace the whole record (jvspatial's `save`).
    #[default]
    Replace,
    /// Fail with a conflict when the id exists.
    Insert,
    /// Deep-merge the new record into the stored one (objects merge, everything else replaces).
    Merge,
    /// Leave an existing record alone.
    SkipExisting,
}

impl SaveMode {
    pub fn name(self) -> &'static str {
        match self {
            SaveMode::Replace => "replace",
            SaveMode::Insert => "insert",
            SaveMode::Merge => "merge",
            SaveMode::SkipExisting => "skip-existing",
        }
    }
}

/// What `save` did with one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    Created,
    Replaced,
    Merged,
    Skipped,
    /// The target already held exactly this record (a resumed or repeated transfer): nothing
    /// was written.
    Unchanged,
}

/// A count, with the stored records that could not be read while counting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Count {
    pub count: u64,
    pub unreadable: Vec<(String, String)>,
}

/// What `find` should return.
#[derive(Clone, Debug)]
pub struct FindSpec {
    pub filter: Arc<Filter>,
    pub sort: Vec<SortKey>,
    pub skip: u64,
    pub limit: Option<u64>,
    pub projection: Option<Projection>,
    /// Only the records whose id falls in this partition (`--partition K/N`). Every backend
    /// honours it: one with [`ReadCaps::partition_pushdown`] computes it in its query, the
    /// others keep their share in-process before skip, limit and projection.
    pub partition: Option<crate::partition::Partition>,
}

impl FindSpec {
    /// Every record that matches `filter`, in the store's natural order.
    pub fn all(filter: Filter) -> FindSpec {
        FindSpec::matching(Arc::new(filter))
    }

    /// Like [`FindSpec::all`], for a filter that is already shared.
    pub fn matching(filter: Arc<Filter>) -> FindSpec {
        FindSpec {
            filter,
            sort: Vec::new(),
            skip: 0,
            limit: None,
            projection: None,
            partition: None,
        }
    }

    /// The same find, restricted to `partition`.
    pub fn in_partition(mut self, partition: Option<crate::partition::Partition>) -> FindSpec {
        self.partition = partition;
        self
    }
}

/// A jvspatial data store. Every method is per collection; a record is a JSON object with a
/// string `id`. Record-level failures are returned per record; a store-level failure (cannot
/// reach or use the store) is the outer `Err`.
#[async_trait]
pub trait Store: Send + Sync {
    /// The backend's registry name (`json`, `memory`, …).
    fn backend(&self) -> &'static str;

    /// The store, for messages, with any password redacted.
    fn describe(&self) -> String;

    /// Names of the collections, sorted.
    async fn collections(&self) -> Result<Vec<String>>;

    /// One record by id.
    async fn get(&self, collection: &str, id: &str) -> Result<GetResult>;

    /// Save records (each must be an object with a string `id`); one result per record, in
    /// input order. Duplicate ids in one batch are applied in input order (the last wins).
    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>>;

    /// Delete by id; `Ok(true)` when a record was deleted, `Ok(false)` when it did not exist.
    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>>;

    /// Every stored record of a collection in the backend's natural order (ascending id for
    /// the JSON store, as jvspatial's `find` without sort). A missing collection is empty.
    async fn scan(&self, collection: &str) -> Result<ItemStream>;

    /// Records matching `spec`. The default evaluates everything in-process over `scan`;
    /// backends with a query engine push the work down.
    async fn find(&self, collection: &str, spec: FindSpec) -> Result<ItemStream> {
        let items = self.scan(collection).await?;
        Ok(crate::find::find_in_stream(items, spec))
    }

    /// Count records matching `filter` (`None` = all stored records).
    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        let filter = match filter {
            Some(f) => f,
            None => Arc::new(Filter::all(crate::query::Dialect::Mongo)),
        };
        let items = self.find(collection, FindSpec::matching(filter)).await?;
        crate::find::count_stream(items).await
    }

    /// Called by transfers before writing into `collection` (unless `--no-indexes`): a
    /// backend creates what jvspatial would create for it (MongoDB: jvspatial's indexes).
    async fn prepare_collection(&self, _collection: &str) -> Result<()> {
        Ok(())
    }

    /// The field that a `find` by record ids should match: the one the backend indexes as its
    /// primary key (MongoDB keeps the id in `_id` as well). Matching it gives the same records
    /// as matching `id`.
    fn id_key(&self) -> &'static str {
        "id"
    }

    /// When this store gives a saved record back in another form than it was given, the
    /// function that makes that form from a record (PostgreSQL's JSONB orders keys by length,
    /// drops -0.0's sign and prints floats of magnitude >= 1e16 as integers). Comparisons
    /// between stores (verify, a transfer's verification and its unchanged check) compare
    /// records in this form, so a backend that does not keep key order compares values.
    /// `None` (the default): records come back exactly as given.
    fn stored_form(&self) -> Option<fn(&Value) -> Value> {
        None
    }

    /// Whether `name` can name a collection of this store (jvspatial's rule for it): the
    /// error a command would get, checked before anything else is said about the name.
    fn check_collection(&self, name: &str) -> Result<()> {
        validate_component(name, "collection")
    }

    /// Whether collection names `a` (as asked) and `b` (as listed by `collections`) name the
    /// same collection. PostgreSQL folds unquoted names to lower case, as it does for
    /// jvspatial, so `MyColl` is stored as `mycoll`.
    fn same_collection(&self, a: &str, b: &str) -> bool {
        a == b
    }

    /// Capability: the edges of `edge_collection` that may be incident to any of `node_ids`,
    /// found by the store's own indexed lookup instead of a scan of every edge (`delete
    /// --cascade`). A superset: the caller applies validate_graph's rule to each. `None` = not
    /// offered (the caller scans).
    async fn incident_edge_candidates(
        &self,
        _edge_collection: &str,
        _node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        Ok(None)
    }

    /// Capability: the edges of `edge_collection` whose top-level `source` or `target` is one
    /// of `node_ids`, looked up through the store's own indexes on those fields (jvspatial's
    /// edge indexes) in one batched query: what a graph walk asks once per level. A superset
    /// is allowed (the caller keeps the edges whose endpoint string equals an id); legacy
    /// endpoints under `context` are not looked at, as jvspatial's `Node.edges` does not
    /// look at them. `None` = not offered (the caller scans the edges).
    async fn edges_touching(
        &self,
        _edge_collection: &str,
        _node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        Ok(None)
    }

    /// What a transfer may ask of this store as a target (capabilities, not identity).
    fn write_caps(&self) -> WriteCaps {
        WriteCaps::default()
    }

    /// [`Store::save_many`] of records already encoded as jvspatial's JsonDB file bytes
    /// (`json.dumps(record, indent=2)`, which a transfer makes anyway for its hashes), for a
    /// store whose [`WriteCaps::file_bytes`] is set. Each record comes with its id (or why it
    /// has none). A record stored with exactly these bytes is [`Saved::Unchanged`].
    async fn save_file_bytes(
        &self,
        _collection: &str,
        _records: Vec<(Result<String>, Vec<u8>)>,
        _mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        Err(Error::invalid(format!(
            "{} does not take encoded records",
            self.describe()
        )))
    }

    /// [`Store::save_many`] that reports a record already stored exactly so as
    /// [`Saved::Unchanged`] and does not rewrite it (a rerun of a transfer writes only what
    /// differs). The default is `save_many`, for stores whose `save_many` already does so.
    async fn save_keeping_unchanged(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        self.save_many(collection, records, mode).await
    }

    /// What readers may ask of this store (capabilities, not identity).
    fn read_caps(&self) -> ReadCaps {
        ReadCaps::default()
    }

    /// Capability: a scan in any order with `map` applied where the store reads (a JSON
    /// store's reader threads), for work that does not need id order. `None` = not offered;
    /// use [`scan_map`], which falls back to [`Store::scan`].
    async fn scan_map_any(
        &self,
        _collection: &str,
        _ordered: bool,
        _map: Arc<AnyMap>,
    ) -> Result<Option<BoxStream<'static, Result<AnyItem>>>> {
        Ok(None)
    }

    /// Capability: like [`Store::scan_map_any`], but `map` also gets the name each record is
    /// stored under, for a store where that name is not taken from the record (a JSON store:
    /// the file stem, which jvspatial reads back as if it were the id). `None` = not offered
    /// (records are stored under their own id); use [`scan_map_named`].
    async fn scan_map_named_any(
        &self,
        _collection: &str,
        _ordered: bool,
        _map: Arc<NamedAnyMap>,
    ) -> Result<Option<BoxStream<'static, Result<AnyItem>>>> {
        Ok(None)
    }

    /// Capability: what this store refuses to hold, as a target (`migrate`'s pre-flight,
    /// `check --for`). `None` (the default): it holds every record jvdb can read.
    fn write_limits(&self) -> Option<WriteLimits> {
        None
    }

    /// Capability: what a collection takes on disk, for a store kept in files (`stats`).
    /// `None` = not offered (a database server, or a store in memory); a missing collection
    /// is all zeros.
    async fn disk_usage(&self, _collection: &str) -> Result<Option<DiskUsage>> {
        Ok(None)
    }

    /// Capability: find (or with `remove`, delete) the temp files of interrupted writes
    /// (`cleanup --tmp-files`). `None` = the store has none.
    async fn sweep_temp_files(&self, _remove: bool) -> Result<Option<Vec<String>>> {
        Ok(None)
    }

    /// Whether operations on this store can fail for a while and then succeed (a database
    /// server over a network: dropped connections, restarts, fail-overs). Such a store is
    /// opened behind the retry layer ([`crate::retry::RetryStore`]) when
    /// [`OpenOptions::retry`] is set; its backend marks those failures
    /// [`Error::transient`].
    fn transient_failures(&self) -> bool {
        false
    }

    /// Capability: the stored records of `collection` matching `spec` (a plain find: its
    /// filter and partition; no sort, skip, limit or projection), in ascending order of the
    /// store's primary key, starting after the record whose [`Store::resume_key`] is `after`
    /// — so a read cut short by a lost connection resumes where it stopped instead of from the
    /// start. `None` = not offered (or not for this filter: the caller then asks again with an
    /// empty filter and filters in-process).
    async fn scan_after(
        &self,
        _collection: &str,
        _spec: FindSpec,
        _after: Option<String>,
    ) -> Result<Option<ItemStream>> {
        Ok(None)
    }

    /// The key of an item of [`Store::scan_after`] to resume after (its primary key); `None`
    /// when the read cannot be resumed past it.
    fn resume_key(&self, item: &Item) -> Option<String> {
        match item {
            Item::Record(r) => r.record_id().map(str::to_string),
            Item::Unreadable { id, .. } => Some(id.clone()),
        }
    }

    /// Capability, for a store written as one stream (an archive): end it after the last
    /// write of a transfer (write what closes it, flush, fsync), naming the store it was read
    /// from (`source`, redacted). Returns whether what was written can now be read back to
    /// verify it (`false`: it went to stdout). Stores written record by record have nothing
    /// to end: `true`.
    async fn seal(&self, _source: &str) -> Result<bool> {
        Ok(true)
    }

    /// Capability: the count and content hash of `collection` (see
    /// [`crate::transfer::Digest`]) as the store itself read them back from where it keeps
    /// them, for records it encoded itself: an archive this process wrote and sealed (its
    /// entries, read back from disk and hashed byte for byte against its manifest). A
    /// verification then need not parse every record again. `None` = not offered (the caller
    /// reads the records).
    async fn checked_digest(&self, _collection: &str) -> Result<Option<crate::transfer::Digest>> {
        Ok(None)
    }

    /// Capability: publish what [`Store::seal`] ended, once it is verified (an archive's temp
    /// file is renamed to its name). A store dropped before its commit keeps nothing of the
    /// stream. Stores written record by record have nothing to publish.
    async fn commit(&self) -> Result<()> {
        Ok(())
    }
}

/// See [`Store::disk_usage`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskUsage {
    /// Regular files in the collection's directory (records, and any other file there).
    pub files: u64,
    /// Their sizes (`st_size`), summed.
    pub bytes: u64,
    /// The space the file system allocated for them (`st_blocks` × 512), summed.
    pub allocated_bytes: u64,
}

/// See [`Store::write_caps`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteCaps {
    /// Takes JsonDB file bytes through [`Store::save_file_bytes`].
    pub file_bytes: bool,
    /// An insert is much cheaper than a replace (a database server): a transfer's replace is
    /// done as an insert of the batch, then a replace of only the records that exist and
    /// differ (looked up by [`Store::id_key`]).
    pub insert_first: bool,
    /// Writes are much faster in ascending id order (a B-tree keyed by id, with a page cache
    /// that random inserts thrash: SQLite), so a transfer reads its source in id order
    /// rather than the source's cheapest order.
    pub id_order: bool,
}

/// A kind of value a target cannot store (see [`WriteLimits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueProblem {
    /// An integer beyond 64 bits (BSON has no wider integer).
    BigInt,
    /// NaN, Infinity or -Infinity (JSONB numbers are finite).
    NonFinite,
    /// `\u0000` in a string or a key.
    Nul,
    /// A string with a lone surrogate (not UTF-8).
    LoneSurrogate,
}

impl ValueProblem {
    /// The finding kind `check` reports it as.
    pub fn kind(self) -> &'static str {
        match self {
            ValueProblem::BigInt => "int_beyond_64_bits",
            ValueProblem::NonFinite => "nan_infinity",
            ValueProblem::Nul => "nul_character",
            ValueProblem::LoneSurrogate => "lone_surrogate",
        }
    }
}

/// Why one record cannot be written to a target: what, where (a dotted field path), and the
/// target's own message for it (the one a write would fail with).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unwritable {
    pub problem: ValueProblem,
    pub path: String,
    pub message: String,
}

/// What a target refuses to hold (see [`Store::write_limits`]): each backend gives its own
/// rules (the functions its writes use), so a pre-flight asks the target, never its name.
#[derive(Clone, Copy, Debug)]
pub struct WriteLimits {
    /// The target, for messages ("PostgreSQL", "MongoDB", "SQLite").
    pub target: &'static str,
    /// The first value of a record the target cannot store (`None`: it stores every value).
    pub value: Option<fn(&Value) -> Option<Unwritable>>,
    /// Whether a collection name can be a collection of the target.
    pub collection: fn(&str) -> Result<()>,
    /// jvspatial's unique index on the edge collection's `(source, target, entity)`: a second
    /// edge with the same three is refused.
    pub unique_edge_key: bool,
}

/// See [`Store::read_caps`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCaps {
    /// [`Store::scan_map_any`] runs the map on the store's own reader threads: filtering and
    /// hashing there beats a `find` (a JSON directory).
    pub parallel_map: bool,
    /// `find` and `count` push filters down to the store's query engine, so a filtered read
    /// should go through them rather than a scan.
    pub filter_pushdown: bool,
    /// `find` computes [`FindSpec::partition`] in the store's own query (PostgreSQL in its
    /// SQL, SQLite with a registered function), so a partitioned read goes through `find`
    /// and the other partitions' records are never sent. Without it, a partitioned read scans
    /// everything and keeps its share in-process (where a JSON store reads, or after a
    /// MongoDB cursor).
    pub partition_pushdown: bool,
}

/// A type-erased scan item (see [`Store::scan_map_any`]).
pub type AnyItem = Box<dyn std::any::Any + Send>;
/// A type-erased per-item map (see [`Store::scan_map_any`]).
pub type AnyMap = dyn Fn(Item) -> Option<Result<AnyItem>> + Send + Sync;

/// The items of a type-erased scan as the `T`s they were made as.
fn unbox<T: Send + 'static>(
    items: BoxStream<'static, Result<AnyItem>>,
) -> BoxStream<'static, Result<T>> {
    use futures::StreamExt;
    items
        .map(|r| {
            r.and_then(|b| {
                b.downcast::<T>().map(|t| *t).map_err(|_| {
                    Error::invalid("internal: a store's scan returned an item it was not given")
                })
            })
        })
        .boxed()
}

/// A type-erased per-item map that also gets the item's stored name (see
/// [`Store::scan_map_named_any`]).
pub type NamedAnyMap = dyn Fn(&str, Item) -> Option<Result<AnyItem>> + Send + Sync;

/// [`scan_map`] whose `map` also gets the name each item is stored under, when the store
/// offers [`Store::scan_map_named_any`] (`None` otherwise: records are stored under their id).
pub async fn scan_map_named<T: Send + 'static>(
    store: &dyn Store,
    collection: &str,
    ordered: bool,
    map: impl Fn(Option<&str>, Item) -> Option<Result<T>> + Send + Sync + 'static,
) -> Result<BoxStream<'static, Result<T>>> {
    let map = Arc::new(map);
    let m = map.clone();
    let any: Arc<NamedAnyMap> =
        Arc::new(move |name, item| m(Some(name), item).map(|r| r.map(|t| Box::new(t) as AnyItem)));
    if let Some(items) = store.scan_map_named_any(collection, ordered, any).await? {
        return Ok(unbox(items));
    }
    scan_map(store, collection, ordered, move |item| map(None, item)).await
}

/// Every record of `collection` through `map`, which may drop items (`None`). With a store that
/// offers [`Store::scan_map_any`], `map` runs where the store reads, in any order unless
/// `ordered`; otherwise over [`Store::scan`] (id order).
pub async fn scan_map<T: Send + 'static>(
    store: &dyn Store,
    collection: &str,
    ordered: bool,
    map: impl Fn(Item) -> Option<Result<T>> + Send + Sync + 'static,
) -> Result<BoxStream<'static, Result<T>>> {
    use futures::StreamExt;
    let map = Arc::new(map);
    let m = map.clone();
    let any: Arc<AnyMap> = Arc::new(move |item| m(item).map(|r| r.map(|t| Box::new(t) as AnyItem)));
    if let Some(items) = store.scan_map_any(collection, ordered, any).await? {
        return Ok(unbox(items));
    }
    Ok(store
        .scan(collection)
        .await?
        .filter_map(move |r| {
            let out = match r {
                Ok(item) => map(item),
                Err(e) => Some(Err(e)),
            };
            futures::future::ready(out)
        })
        .boxed())
}

/// [`scan_map`] of the records of one partition (`None` = all): a store with
/// [`ReadCaps::partition_pushdown`] is asked with a partitioned `find` (id order, so `ordered`
/// holds) and `map` runs over what it sends; any other store is scanned whole and the share is
/// kept inside `map` (a JSON store: in its reader threads), an unreadable record by its id.
pub async fn scan_map_in<T: Send + 'static>(
    store: &dyn Store,
    collection: &str,
    ordered: bool,
    partition: Option<crate::partition::Partition>,
    map: impl Fn(Item) -> Option<Result<T>> + Send + Sync + 'static,
) -> Result<BoxStream<'static, Result<T>>> {
    use futures::StreamExt;
    match partition {
        None => scan_map(store, collection, ordered, map).await,
        Some(p) if store.read_caps().partition_pushdown => {
            let all = Filter::all(crate::query::Dialect::Mongo);
            let spec = FindSpec::all(all).in_partition(Some(p));
            let items = store.find(collection, spec).await?;
            Ok(items
                .filter_map(move |r| {
                    futures::future::ready(match r {
                        Ok(item) => map(item),
                        Err(e) => Some(Err(e)),
                    })
                })
                .boxed())
        }
        Some(p) => {
            let keep = move |item: Item| if p.holds(&item) { map(item) } else { None };
            scan_map(store, collection, ordered, keep).await
        }
    }
}

/// How a store spec is opened.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Create the store (directory) when it does not exist. Reading never creates anything,
    /// and reading a JSON store whose directory does not exist is an error (exit 4).
    pub create: bool,
    /// Without `create`: take a missing JSON directory for an empty store instead of an error
    /// (the target of a dry-run transfer, which must not be created).
    pub missing_is_empty: bool,
    /// Backend settings given by flags, as `backend.key` = value (`mongodb.db` from
    /// `--mongo-db`). Each backend reads its own keys ([`OpenOptions::setting`]) and documents
    /// them; the generic core never interprets them.
    pub settings: Vec<(String, String)>,
    /// How long to wait for a server before giving up (exit 4). `None` = the backend default.
    pub connect_timeout: Option<std::time::Duration>,
    /// Retry transient failures of a store that has them ([`Store::transient_failures`]):
    /// the opened store is wrapped in [`crate::retry::RetryStore`]. `None` = no retries.
    pub retry: Option<Arc<crate::retry::RetryPolicy>>,
    /// Opened as the target of a transfer (dump, migrate, copy, a backup), which ends it with
    /// [`Store::seal`] and [`Store::commit`]. A store written as one stream refuses to be
    /// opened for writing otherwise (`save` into an archive would never be sealed).
    pub sink: bool,
}

impl OpenOptions {
    /// The value of setting `key` (`mongodb.db`), the last one given.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// How a backend opens a store.
pub type OpenFn = fn(&StoreSpec, &OpenOptions) -> BoxFuture<'static, Result<Arc<dyn Store>>>;

/// A registered backend.
pub struct Backend {
    /// Registry name, also the spec prefix (`json:`, `memory:`).
    pub name: &'static str,
    /// URI schemes (`mongodb`, `mongodb+srv`) that select this backend.
    pub schemes: &'static [&'static str],
    pub summary: &'static str,
    pub open: OpenFn,
    /// Where a store of this backend lives on this machine, from its spec location, when it is
    /// a local directory or file (used to refuse overlapping transfers and to tell a missing
    /// store from an unreadable one); `None` for servers and in-process stores.
    pub local: fn(&str) -> Option<LocalPath>,
    /// The spec is written `name:LOCATION` (`json:DIR`, `memory:`, `sqlite:FILE`), even when
    /// the backend also takes a `scheme://` form; otherwise it is a URI (`mongodb://…`).
    pub path_form: bool,
}

/// See [`Backend::local`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPath {
    /// The path as given in the spec (messages show it as given).
    pub path: std::path::PathBuf,
    /// A directory (the JSON store) rather than one file (SQLite).
    pub dir: bool,
}

/// A backend's [`Backend::local`] for stores that are not local files.
pub fn not_local(_: &str) -> Option<LocalPath> {
    None
}

/// Every backend, once.
pub static BACKENDS: &[&Backend] = &[
    &json::BACKEND,
    &memory::BACKEND,
    &mongo::BACKEND,
    &sqlite::BACKEND,
    &postgres::BACKEND,
    &archive::BACKEND,
];

/// Backends the design names that are not built yet (for clear errors).
const PLANNED: &[&str] = &["dynamodb"];

pub fn known_backends() -> String {
    BACKENDS
        .iter()
        .map(|b| format!("{}:", b.name))
        .collect::<Vec<_>>()
        .join(", ")
        + ", or a directory path"
}

/// The spec prefixes of the built backends: `json:, memory:, mongodb://, mongodb+srv://`.
pub fn known_schemes() -> String {
    BACKENDS
        .iter()
        .flat_map(|b| {
            if b.path_form || b.schemes.is_empty() {
                vec![format!("{}:", b.name)]
            } else {
                b.schemes.iter().map(|s| format!("{s}://")).collect()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A parsed store spec: which backend, and its location (directory, URI, …).
#[derive(Clone, PartialEq, Eq)]
pub struct StoreSpec {
    pub backend: &'static str,
    pub location: String,
}

impl std::fmt::Debug for StoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreSpec({}:{})", self.backend, redact(&self.location))
    }
}

impl std::fmt::Display for StoreSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.backend {
            "memory" => write!(f, "memory:"),
            // A URI location (`mongodb://…`, `sqlite:///…`) is shown as given.
            b if BACKENDS.iter().any(|x| {
                x.name == b
                    && x.schemes.iter().any(|s| {
                        self.location
                            .get(..s.len() + 3)
                            .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{s}://")))
                    })
            }) =>
            {
                f.write_str(&redact(&self.location))
            }
            b => write!(f, "{b}:{}", redact(&self.location)),
        }
    }
}

impl StoreSpec {
    /// Parse a spec string (DESIGN §2).
    pub fn parse(spec: &str) -> Result<StoreSpec> {
        if spec.trim().is_empty() {
            return Err(Error::invalid(format!(
                "empty store spec; use {}",
                known_backends()
            )));
        }
        if spec.contains('\0') {
            return Err(Error::invalid("invalid store spec: contains a NUL byte"));
        }
        // `scheme://…`
        if let Some((scheme, _)) = spec.split_once("://") {
            let scheme_l = scheme.to_ascii_lowercase();
            if let Some(b) = BACKENDS
                .iter()
                .find(|b| b.schemes.contains(&scheme_l.as_str()))
            {
                return Ok(StoreSpec {
                    backend: b.name,
                    location: spec.to_string(),
                });
            }
            if is_scheme(scheme) {
                return Err(unknown_backend(&scheme_l, spec));
            }
        }
        // `name:rest`
        if let Some((prefix, rest)) = spec.split_once(':')
            && is_scheme(prefix)
        {
            let p = prefix.to_ascii_lowercase();
            if let Some(b) = BACKENDS.iter().find(|b| b.name == p) {
                if b.name == "json" && rest.is_empty() {
                    return Err(Error::invalid(
                        "invalid store spec 'json:': it needs a directory, e.g. json:./jvdb",
                    ));
                }
                if b.name == "archive" && rest.is_empty() {
                    return Err(Error::invalid(
                        "invalid store spec 'archive:': it needs a file, e.g. archive:backup.tar.zst (or archive:- for stdin/stdout)",
                    ));
                }
                if b.name == "memory" && !rest.is_empty() {
                    return Err(Error::invalid(format!(
                        "invalid store spec '{}': memory: takes no location",
                        redact(spec)
                    )));
                }
                return Ok(StoreSpec {
                    backend: b.name,
                    location: rest.to_string(),
                });
            }
            // A spec that starts with `name:` names a scheme (DESIGN §2), so a typo such as
            // `sqlit:x.db` never becomes a directory of that name. A directory whose name has
            // a colon is written `./a:b` or `json:a:b`.
            return Err(unknown_backend(&p, spec));
        }
        Ok(StoreSpec {
            backend: "json",
            location: spec.to_string(),
        })
    }

    /// Where the store lives on this machine, when it is a local directory or file.
    pub fn local_path(&self) -> Option<LocalPath> {
        BACKENDS
            .iter()
            .find(|b| b.name == self.backend)
            .and_then(|b| (b.local)(&self.location))
    }

    pub async fn open(&self, opts: &OpenOptions) -> Result<Arc<dyn Store>> {
        let b = BACKENDS
            .iter()
            .find(|b| b.name == self.backend)
            .ok_or_else(|| unknown_backend(self.backend, &self.location))?;
        let store = (b.open)(self, opts).await?;
        Ok(match &opts.retry {
            Some(policy) if store.transient_failures() => {
                Arc::new(crate::retry::RetryStore::new(store, policy.clone()))
            }
            _ => store,
        })
    }
}

fn is_scheme(s: &str) -> bool {
    s.len() >= 2
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
}

fn unknown_backend(name: &str, spec: &str) -> Error {
    let planned = if PLANNED.contains(&name) {
        " (planned, not built yet)"
    } else {
        ""
    };
    Error::invalid(format!(
        "unknown store scheme '{name}:'{planned} in '{}'; known: {}; a directory whose name has a colon is written ./a:b or json:a:b",
        redact(spec),
        known_schemes()
    ))
}

/// Replace the password of `scheme://user:password@host` (and `password=` query options) with
/// `***`. Used for every message that shows a spec or URI.
pub fn redact(s: &str) -> String {
    let mut out = s.to_string();
    // Every `scheme://` in the text (a message may name two stores).
    let mut search = 0;
    while let Some(i) = out[search..].find("://") {
        let auth_start = search + i + 3;
        let rest = &out[auth_start..];
        // The authority ends at the first '/', '?', '#' or whitespace; when a malformed
        // password holds one of those, the userinfo still ends at the last '@' before the next
        // whitespace (over-redacting is fine, leaking is not).
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        let end = word.find(['/', '?', '#']).unwrap_or(word.len());
        let at = word[..end].rfind('@').or_else(|| word.rfind('@'));
        let mut next = auth_start;
        if let Some(at) = at {
            let userinfo = &word[..at];
            if let Some(colon) = userinfo.find(':') {
                let from = auth_start + colon + 1;
                let to = auth_start + at;
                out.replace_range(from..to, "***");
                next = from + 3;
            }
        }
        search = next;
    }
    // `password=…` / `pass=…` in query strings.
    for key in ["password=", "pass=", "pwd="] {
        let mut search = 0;
        while let Some(i) = out[search..].to_ascii_lowercase().find(key) {
            let from = search + i + key.len();
            let to = out[from..]
                .find(['&', ';', ' '])
                .map(|j| from + j)
                .unwrap_or(out.len());
            out.replace_range(from..to, "***");
            search = from + 3;
        }
    }
    out
}

/// jvspatial's default `JVSPATIAL_POSTGRES_DSN`.
pub const DEFAULT_POSTGRES_DSN: &str = "postgresql://postgres:postgres@localhost:5432/jvdb";

/// Why a store was chosen (for `jvdb info` and `-v`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub spec: StoreSpec,
    pub reason: String,
}

/// Resolve the working store, first hit wins: `--db`; `JVSPATIAL_DB`; jvspatial's own
/// variables (`JVSPATIAL_DB_TYPE` + `JVSPATIAL_DB_PATH`, the seed-era `JVSPATIAL_JSONDB_PATH`,
/// `JVSPATIAL_MONGODB_URI`); the default `./jvdb`. `env` reads a variable; like jvspatial's
/// `env()`, values are stripped and a blank value counts as unset.
pub fn resolve(db_flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Result<Resolved> {
    let var = |k: &str| {
        env(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let Some(db) = db_flag {
        return Ok(Resolved {
            spec: StoreSpec::parse(db)?,
            reason: "from --db".into(),
        });
    }
    if let Some(db) = var("JVSPATIAL_DB") {
        let spec = StoreSpec::parse(&db).map_err(|e| e.context("JVSPATIAL_DB"))?;
        return Ok(Resolved {
            spec,
            reason: "from JVSPATIAL_DB".into(),
        });
    }
    let db_type = var("JVSPATIAL_DB_TYPE");
    match db_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => {
            let why_type = if db_type.is_some() {
                "JVSPATIAL_DB_TYPE=json"
            } else {
                "default type json"
            };
            if let Some(p) = var("JVSPATIAL_DB_PATH") {
                return Ok(Resolved {
                    spec: StoreSpec {
                        backend: "json",
                        location: p,
                    },
                    reason: format!("{why_type}, path from JVSPATIAL_DB_PATH"),
                });
            }
            if let Some(p) = var("JVSPATIAL_JSONDB_PATH") {
                return Ok(Resolved {
                    spec: StoreSpec {
                        backend: "json",
                        location: p,
                    },
                    reason: format!(
                        "{why_type}, path from JVSPATIAL_JSONDB_PATH (seed-era variable; jvspatial 0.2.2 itself ignores it)"
                    ),
                });
            }
            Ok(Resolved {
                spec: StoreSpec {
                    backend: "json",
                    location: "./jvdb".into(),
                },
                reason: if db_type.is_some() {
                    "JVSPATIAL_DB_TYPE=json, default path ./jvdb".into()
                } else {
                    "default (no --db, JVSPATIAL_DB or JVSPATIAL_DB_TYPE): JSON store at ./jvdb"
                        .into()
                },
            })
        }
        Some("mongodb") => {
            let uri = var("JVSPATIAL_MONGODB_URI")
                .unwrap_or_else(|| "mongodb://localhost:27017".to_string());
            let why_uri = if var("JVSPATIAL_MONGODB_URI").is_some() {
                "URI from JVSPATIAL_MONGODB_URI"
            } else {
                "default URI mongodb://localhost:27017"
            };
            let spec = StoreSpec::parse(&uri).map_err(|e| e.context("JVSPATIAL_MONGODB_URI"))?;
            Ok(Resolved {
                spec,
                reason: format!("JVSPATIAL_DB_TYPE=mongodb, {why_uri}"),
            })
        }
        Some("sqlite") => {
            // jvspatial's resolve_db_paths: one variable for the JSON base and the SQLite file.
            let (path, why) = match var("JVSPATIAL_DB_PATH") {
                Some(p) => (p, "path from JVSPATIAL_DB_PATH"),
                None => (
                    "jvdb/sqlite/jvspatial.db".to_string(),
                    "default path jvdb/sqlite/jvspatial.db",
                ),
            };
            let spec = StoreSpec::parse(&format!("sqlite:{path}"))
                .map_err(|e| e.context("JVSPATIAL_DB_TYPE=sqlite"))?;
            Ok(Resolved {
                spec,
                reason: format!("JVSPATIAL_DB_TYPE=sqlite, {why}"),
            })
        }
        Some(t @ ("postgres" | "postgresql")) => {
            let (dsn, why) = match var("JVSPATIAL_POSTGRES_DSN") {
                Some(d) => (d, "DSN from JVSPATIAL_POSTGRES_DSN".to_string()),
                None => (
                    DEFAULT_POSTGRES_DSN.to_string(),
                    format!("default DSN {}", redact(DEFAULT_POSTGRES_DSN)),
                ),
            };
            let spec = StoreSpec::parse(&dsn).map_err(|e| e.context("JVSPATIAL_POSTGRES_DSN"))?;
            Ok(Resolved {
                spec,
                reason: format!("JVSPATIAL_DB_TYPE={t}, {why}"),
            })
        }
        Some(t) => {
            let jvspatial_type = ["dynamodb"].contains(&t);
            Err(Error::invalid(format!(
                "JVSPATIAL_DB_TYPE={t}: {}; the types are json, mongodb, sqlite, postgres, postgresql (this build), dynamodb (jvspatial)",
                if jvspatial_type {
                    "a jvspatial store type this build of jvdb cannot open yet"
                } else {
                    "not a store type"
                }
            )))
        }
    }
}

/// jvspatial's `_validate_path_component`: reject non-empty-string, `.`, `..`, `/`, `\`, NUL,
/// and absolute paths. `what` is "collection" or "record id".
pub fn validate_component(value: &str, what: &str) -> Result<()> {
    let bad = value.is_empty()
        || value == "."
        || value == ".."
        || value.contains('/')
        || value.contains('\\')
        || value.contains('\0');
    if bad {
        return Err(Error::invalid(format!(
            "invalid {what} {:?}: jvspatial rejects empty names, '.', '..', and names with '/', '\\' or NUL",
            value
        )));
    }
    Ok(())
}

/// The id of a record to save: it must be an object with a string `id`.
pub fn record_id(record: &Value) -> Result<&str> {
    match record {
        Value::Object(m) => match m.get("id") {
            Some(Value::Str(s)) => Ok(s),
            Some(Value::WStr(_)) => Err(Error::invalid(
                "record id contains a lone surrogate, so it cannot name a record",
            )),
            Some(other) => Err(Error::invalid(format!(
                "record 'id' must be a string, got {}",
                other.type_name()
            ))),
            None => Err(Error::invalid("record has no 'id' field")),
        },
        other => Err(Error::invalid(format!(
            "a record must be a JSON object, got {}",
            other.type_name()
        ))),
    }
}

/// Merge mode of a batch for a server backend: the stored records (`stored`: id → item, as
/// looked up) deep-merged with the batch (`valid`: input index, id, record) in input order.
/// Sets each record's result (`Merged`/`Created`, or refused when the stored record cannot be
/// read); the caller writes `state` and sets the results of writes that fail or change nothing.
pub struct MergePlan {
    /// The ids to write, in the order first seen in the batch.
    pub order: Vec<String>,
    /// The merged record of each id.
    pub state: std::collections::HashMap<String, Value>,
    /// The ids that were stored before the batch.
    pub existed: std::collections::HashSet<String>,
    /// The batch indices of each id, in input order.
    pub members: std::collections::HashMap<String, Vec<usize>>,
}

pub fn plan_merge(
    collection: &str,
    stored: impl IntoIterator<Item = (String, Item)>,
    valid: Vec<(usize, String, Value)>,
    results: &mut [Option<Result<Saved>>],
) -> MergePlan {
    let mut plan = MergePlan {
        order: Vec::new(),
        state: Default::default(),
        existed: Default::default(),
        members: Default::default(),
    };
    let mut refused: std::collections::HashMap<String, String> = Default::default();
    for (id, item) in stored {
        match item {
            Item::Record(v) => {
                plan.existed.insert(id.clone());
                plan.state.insert(id, v);
            }
            Item::Unreadable { reason, .. } => {
                refused.insert(id, reason);
            }
        }
    }
    for (idx, id, rec) in valid {
        if let Some(reason) = refused.get(&id) {
            results[idx] = Some(Err(Error::refused(format!(
                "collection {collection}: record {id:?} is stored but unreadable ({reason}); not merging into it"
            ))));
            continue;
        }
        match plan.state.get_mut(&id) {
            Some(cur) => {
                deep_merge(cur, rec);
                results[idx] = Some(Ok(Saved::Merged));
            }
            None => {
                plan.state.insert(id.clone(), rec);
                results[idx] = Some(Ok(Saved::Created));
            }
        }
        let m = plan.members.entry(id.clone()).or_default();
        if m.is_empty() {
            plan.order.push(id);
        }
        m.push(idx);
    }
    plan
}

/// Deep merge used by `SaveMode::Merge`: objects merge key by key (existing keys keep their
/// position, new keys are appended), every other value replaces.
pub fn deep_merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, p) => *b = p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(StoreSpec::parse("./data").unwrap().backend, "json");
        assert_eq!(StoreSpec::parse("json:./d").unwrap().location, "./d");
        assert_eq!(StoreSpec::parse("memory:").unwrap().backend, "memory");
        assert!(StoreSpec::parse("").is_err());
        assert!(StoreSpec::parse("json:").is_err());
        let p = StoreSpec::parse("sqlite:x.db").unwrap();
        assert_eq!((p.backend, p.location.as_str()), ("sqlite", "x.db"));
        assert_eq!(p.to_string(), "sqlite:x.db");
        let p = StoreSpec::parse("sqlite:///abs/x.db").unwrap();
        assert_eq!(p.backend, "sqlite");
        assert_eq!(p.to_string(), "sqlite:///abs/x.db");
        assert_eq!(
            StoreSpec::parse("sqlite::memory:").unwrap().location,
            ":memory:"
        );
        assert!(StoreSpec::parse("ftp://h/x").is_err());
        assert_eq!(
            StoreSpec::parse("sqlite:a://b").unwrap().to_string(),
            "sqlite:a://b"
        );
        // A `name:` prefix is a scheme; an unknown one is an error, never a directory name.
        let e = StoreSpec::parse("weird:dir").unwrap_err();
        assert!(e.message.contains("json:a:b"), "{}", e.message);
        assert!(StoreSpec::parse("sqlit:x.db").is_err());
        assert!(StoreSpec::parse("jvspatial:dynamodb?table=x").is_err());
        let p = StoreSpec::parse("./weird:dir").unwrap();
        assert_eq!((p.backend, p.location.as_str()), ("json", "./weird:dir"));
        let p = StoreSpec::parse("json:weird:dir").unwrap();
        assert_eq!((p.backend, p.location.as_str()), ("json", "weird:dir"));
        // One letter before the colon is not a scheme (length >= 2).
        assert_eq!(StoreSpec::parse("c:dir").unwrap().location, "c:dir");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("mongodb://u:s3cret@h:1/db?x=1"),
            "mongodb://u:***@h:1/db?x=1"
        );
        assert_eq!(
            redact("mongodb://h/db?password=abc&x=1"),
            "mongodb://h/db?password=***&x=1"
        );
        assert_eq!(redact("mongodb://u@h/db"), "mongodb://u@h/db");
        // Regression (reliability): every URI of a message is redacted, not only the first.
        assert_eq!(
            redact("from mongodb://a:p1@h/x to mongodb://b:p2@k/y"),
            "from mongodb://a:***@h/x to mongodb://b:***@k/y"
        );
        // Regression (reliability): an unencoded '/' or '?' in the password.
        assert_eq!(redact("mongodb://u:pa/ss@h/db"), "mongodb://u:***@h/db");
        assert_eq!(redact("'mongodb://u:p?w@h' x"), "'mongodb://u:***@h' x");
        assert_eq!(redact("'mongodb://u:p\'w@h/x'"), "'mongodb://u:***@h/x'");
    }

    #[test]
    fn resolution_order() {
        let env = |k: &str| match k {
            "JVSPATIAL_DB_PATH" => Some(" /p ".to_string()),
            "JVSPATIAL_JSONDB_PATH" => Some("/old".to_string()),
            _ => None,
        };
        let r = resolve(None, &env).unwrap();
        assert_eq!(r.spec.location, "/p");
        let r = resolve(Some("memory:"), &env).unwrap();
        assert_eq!(r.spec.backend, "memory");
        let none = |_: &str| None;
        assert_eq!(resolve(None, &none).unwrap().spec.location, "./jvdb");
    }

    /// jvspatial's resolution for its SQL backends: JVSPATIAL_DB_PATH is the SQLite file too
    /// (default jvdb/sqlite/jvspatial.db); JVSPATIAL_POSTGRES_DSN for postgres and its alias.
    #[test]
    fn resolution_of_sql_backends() {
        let sqlite_default = |k: &str| (k == "JVSPATIAL_DB_TYPE").then(|| "SQLite".to_string());
        let r = resolve(None, &sqlite_default).unwrap();
        assert_eq!(
            (r.spec.backend, r.spec.location.as_str()),
            ("sqlite", "jvdb/sqlite/jvspatial.db")
        );
        assert!(r.reason.contains("default path"), "{}", r.reason);
        let sqlite_path = |k: &str| match k {
            "JVSPATIAL_DB_TYPE" => Some("sqlite".to_string()),
            "JVSPATIAL_DB_PATH" => Some("/data/app.db".to_string()),
            _ => None,
        };
        let r = resolve(None, &sqlite_path).unwrap();
        assert_eq!(
            (r.spec.backend, r.spec.location.as_str()),
            ("sqlite", "/data/app.db")
        );
        for t in ["postgres", "postgresql"] {
            let pg = |k: &str| match k {
                "JVSPATIAL_DB_TYPE" => Some(t.to_string()),
                "JVSPATIAL_POSTGRES_DSN" => Some("postgresql://u:s3cret@db:5432/app".to_string()),
                _ => None,
            };
            let r = resolve(None, &pg).unwrap();
            assert_eq!(r.spec.backend, "postgresql");
            assert!(r.reason.contains("JVSPATIAL_POSTGRES_DSN"), "{}", r.reason);
            assert!(!format!("{} {}", r.spec, r.reason).contains("s3cret"));
            let pg_default = |k: &str| (k == "JVSPATIAL_DB_TYPE").then(|| t.to_string());
            let r = resolve(None, &pg_default).unwrap();
            assert_eq!(r.spec.location, DEFAULT_POSTGRES_DSN);
            assert!(!r.reason.contains(":postgres@"), "{}", r.reason);
        }
        let dynamo = |k: &str| (k == "JVSPATIAL_DB_TYPE").then(|| "dynamodb".to_string());
        assert!(resolve(None, &dynamo).is_err());
    }
}
