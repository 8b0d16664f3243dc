//! `sqlite:FILE` — jvspatial 0.2.2's `SQLiteDB` (`db/sqlite.py`) on disk, byte for byte.
//!
//! * One table, created with jvspatial's own DDL text (so `sqlite_master.sql` is the same):
//!   `records(collection TEXT, id TEXT, data TEXT, PRIMARY KEY (collection, id))` plus
//!   `idx_records_collection`. `data` is exactly `json.dumps(record)` (compact, `", "` and
//!   `": "`, ASCII escapes, Python float repr, `NaN`/`Infinity` as bare tokens).
//! * Connections: busy timeout 5 s (jvspatial's `timeout=5.0`), `synchronous=NORMAL`,
//!   `foreign_keys=ON`. What jvspatial does on connect that changes the file (`journal_mode=WAL`,
//!   `CREATE TABLE IF NOT EXISTS`, dropping a legacy non-partial unique `session_id` index) is done
//!   only when jvdb writes: a read-only command never writes to the store, and reading a
//!   database jvspatial has not initialised (no `records` table) reads it as empty.
//! * Writes: one `BEGIN IMMEDIATE` transaction per batch with prepared statements, never
//!   `INSERT OR REPLACE` (with jvspatial's unique `(collection, source, target, entity)` edge
//!   index that silently deletes another edge). Replace/merge is an upsert on the primary key
//!   (`ON CONFLICT(collection, id) DO UPDATE`), so a record that collides on a unique index
//!   fails by id, naming the index and the record it collides with; the rest of the batch is
//!   saved. A store-level failure (locked past the busy timeout, read-only, I/O, disk full)
//!   rolls the whole batch back: no half-written batch.
//! * `prepare_collection` creates the indexes `GraphContext.ensure_indexes` creates for the
//!   built-in `Node`/`Edge` classes (the same names, expressions, `UNIQUE`, and the
//!   `__sort_<sha8>` companions, in jvspatial's statement text).
//! * Reads stream in id order (the primary key), in chunks, from a blocking thread.
//!
//! Specs: `sqlite:FILE` (relative to the working directory, or absolute),
//! `sqlite:///abs/path` (URI form: three slashes, the path is `/abs/path`), `sqlite::memory:`
//! (an in-process database, empty at start and gone at exit, like `memory:`: useful to try a
//! migration into SQLite, unique-index conflicts included, without writing a file).
//! `sqlite://x.db` (two slashes) is refused as ambiguous.
//!
//! Known trap (not ours to fix, said here so it is not a surprise): rows holding `NaN` or
//! `±Infinity` are stored exactly as jvspatial's `json.dumps` writes them, and the bundled
//! SQLite (JSON5, 3.42+) indexes them; a jvspatial whose Python links an older SQLite (Debian
//! 12's 3.40) cannot evaluate `json_extract` on them, so there it cannot save such records at all
//! once its indexes exist, nor update or delete ones jvdb wrote ("malformed JSON"). Reading them
//! (`get`, `find`) works on both.

use super::{
    Backend, Count, FindSpec, GetResult, Item, ItemStream, OpenOptions, SaveMode, Saved, Store,
    StoreSpec, deep_merge, record_id, validate_component,
};
use crate::error::{Error, ErrorKind, Result, io_reason};
use crate::query::Filter;
use crate::value::Value;
use async_trait::async_trait;
use futures::FutureExt;
use futures::StreamExt;
use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params_from_iter};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub static BACKEND: Backend = Backend {
    name: "sqlite",
    schemes: &["sqlite"],
    summary: "SQLite file in jvspatial's SQLiteDB layout (sqlite:FILE, sqlite:///abs/path, sqlite::memory:)",
    open: |spec: &StoreSpec, o: &OpenOptions| {
        let location = spec.location.clone();
        let opts = o.clone();
        async move {
            let s = tokio::task::spawn_blocking(move || SqliteStore::open(&location, &opts))
                .await
                .map_err(join_err)??;
            Ok(Arc::new(s) as Arc<dyn Store>)
        }
        .boxed()
    },
    local: |location: &str| match parse_location(location) {
        Ok(Location::File(path)) => Some(super::LocalPath { path, dir: false }),
        _ => None,
    },
    path_form: true,
};

/// What jvspatial's SQLiteDB cannot hold: every value goes (`json.dumps` writes NaN and
/// escapes lone surrogates), collections follow jvspatial's path rule, and edges have the
/// unique `(source, target, entity)` index.
pub fn write_limits() -> super::WriteLimits {
    super::WriteLimits {
        target: "SQLite",
        value: None,
        collection: check_collection_name,
        unique_edge_key: true,
    }
}

/// The collection rule of jvspatial's SQLiteDB (its path component rule).
pub fn check_collection_name(name: &str) -> Result<()> {
    validate_component(name, "collection")
}

/// jvspatial's `SQLiteDB(timeout=5.0)`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Node ids per incident-edge lookup (each is a term of the query).
const INCIDENT_CHUNK: usize = 200;

/// Rows per chunk of a scan (one query and one lock each).
const CHUNK: usize = 512;
/// Chunks buffered between the reader thread and the consumer.
const CHANNEL: usize = 4;

/// jvspatial's `CREATE TABLE` statement, text included (SQLite keeps it in `sqlite_master`).
pub const CREATE_TABLE: &str = "
                CREATE TABLE IF NOT EXISTS records (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    data TEXT NOT NULL,
                    PRIMARY KEY (collection, id)
                )
                ";

/// jvspatial's collection index, text included.
pub const CREATE_COLLECTION_INDEX: &str = "
                CREATE INDEX IF NOT EXISTS idx_records_collection
                ON records (collection)
                ";

/// The indexes `GraphContext.ensure_indexes` creates on SQLite for jvspatial's built-in classes
/// (`Node.get_indexes`, `Edge.get_indexes`): (fields, unique), in creation order. Other
/// collections (object, walkers) get none; per-class annotated `context.*` indexes need the
/// Python classes and are not created.
pub fn jvspatial_indexes(collection: &str) -> &'static [(&'static [&'static str], bool)] {
    match collection {
        "node" => &[(&["entity"], false)],
        "edge" => &[
            (&["source", "target", "entity"], true),
            (&["target", "entity"], false),
            (&["entity", "source"], false),
            (&["entity", "target"], false),
        ],
        _ => &[],
    }
}

fn json_extract(field: &str) -> String {
    if field == "id" {
        "id".into()
    } else {
        format!("json_extract(data, '$.{field}')")
    }
}

/// The two statements `SQLiteDB.create_index(collection, fields, unique)` runs (ascending
/// fields, no partial filter): (name, SQL) of the `__sort_<sha8>` companion, then of the index.
pub fn index_statements(collection: &str, fields: &[&str], unique: bool) -> [(String, String); 2] {
    use sha2::Digest;
    let index_name = if fields.len() == 1 {
        format!("idx_{collection}_{}", fields[0].replace('.', "_"))
    } else {
        let names: Vec<String> = fields.iter().map(|f| f.replace('.', "_")).collect();
        format!("idx_{collection}_{}", names.join("_"))
    };
    // translate_sort(_keyset_sort_fields(fields)): every field ascending, NULLs last, then id.
    let mut keyset: Vec<&str> = fields.to_vec();
    if !keyset.contains(&"id") {
        keyset.push("id");
    }
    let ordering: Vec<String> = keyset
        .iter()
        .map(|f| {
            let c = json_extract(f);
            if *f == "id" {
                format!("{c} ASC")
            } else {
                format!("({c} IS NULL), {c} ASC")
            }
        })
        .collect();
    let ordering = ordering.join(", ");
    let digest = sha2::Sha256::digest(ordering.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let companion = format!("{index_name}__sort_{}", &hex[..8]);
    let companion_sql =
        format!("CREATE INDEX IF NOT EXISTS {companion} ON records (collection, {ordering})");
    let columns: Vec<String> = fields
        .iter()
        .map(|f| format!("{} ASC", json_extract(f)))
        .collect();
    let unique_clause = if unique { "UNIQUE" } else { "" };
    let index_sql = format!(
        "\n            CREATE {unique_clause} INDEX IF NOT EXISTS {index_name}\n            ON records (collection, {})\n            ",
        columns.join(", ")
    );
    [(companion, companion_sql), (index_name, index_sql)]
}

fn join_err(e: tokio::task::JoinError) -> Error {
    Error::unavailable(format!("sqlite store: internal task failed: {e}"))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the database lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Memory,
}

/// The location of a `sqlite:` spec (`location` as [`StoreSpec::parse`] leaves it: the text
/// after `sqlite:`, or the whole `sqlite://…` URI).
pub fn parse_location(location: &str) -> Result<Location> {
    let bad = |why: &str| {
        Error::invalid(format!(
            "invalid store spec 'sqlite:{location}': {why}; write sqlite:FILE (relative or absolute), sqlite:///abs/path or sqlite::memory:"
        ))
    };
    let uri = location
        .get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case("sqlite://"));
    let path = if uri {
        let rest = &location[9..];
        if !rest.starts_with('/') {
            return Err(Error::invalid(format!(
                "invalid store spec '{location}': a sqlite URI takes an absolute path after three slashes (sqlite:///abs/path); a relative path is written sqlite:FILE"
            )));
        }
        rest
    } else {
        location
    };
    if path == ":memory:" {
        return Ok(Location::Memory);
    }
    if path.is_empty() {
        return Err(bad("it needs a database file"));
    }
    if path.contains('\0') {
        return Err(bad("the path contains a NUL byte"));
    }
    Ok(Location::File(PathBuf::from(path)))
}

/// A SQLite store in jvspatial's layout.
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// The store in messages: `sqlite:` and the path as given.
    shown: String,
    location: Location,
    /// `None` while a missing file is read as empty (`missing_is_empty`); created on the
    /// first write.
    conn: Mutex<State>,
}

struct State {
    conn: Option<Connection>,
    /// jvspatial's connect-time setup (WAL, table, legacy index repair) done on this
    /// connection.
    initialised: bool,
}

/// A SQLite error as a store error on `shown` (`what` = the operation).
fn sql_err(shown: &str, what: &str, e: &rusqlite::Error) -> Error {
    let (code, msg) = match e {
        rusqlite::Error::SqliteFailure(f, m) => {
            (Some(f.code), m.clone().unwrap_or_else(|| f.to_string()))
        }
        other => (None, other.to_string()),
    };
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(": {what}")
    };
    let kind_msg = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "database is locked by another connection (waited {} s){what}",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::ReadOnly) => {
            format!("read-only database (file, directory or mount not writable){what}: {msg}")
        }
        Some(ErrorCode::NotADatabase) => "not a SQLite database file".to_string(),
        Some(ErrorCode::DatabaseCorrupt) => {
            format!("the database file is corrupt ({msg}){what}")
        }
        Some(ErrorCode::CannotOpen) => format!("cannot open the database file{what}: {msg}"),
        Some(ErrorCode::PermissionDenied) => format!("permission denied{what}: {msg}"),
        Some(ErrorCode::DiskFull) => format!("disk full{what}: {msg}"),
        Some(ErrorCode::SystemIoFailure) => format!("I/O error{what}: {msg}"),
        _ => format!("{}{what}", msg),
    };
    Error::unavailable(format!("{shown}: {kind_msg}"))
}

/// Failures of one statement that concern the record, not the store.
fn is_record_error(e: &rusqlite::Error) -> bool {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => matches!(
            f.code,
            ErrorCode::ConstraintViolation | ErrorCode::TooBig | ErrorCode::Unknown
        ),
        rusqlite::Error::ToSqlConversionFailure(_) | rusqlite::Error::NulError(_) => true,
        _ => false,
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == ErrorCode::ConstraintViolation
            && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

fn error_text(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, m) => m.clone().unwrap_or_else(|| f.to_string()),
        other => other.to_string(),
    }
}

fn a_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::Int(_) | Value::BigInt(_) => "an integer",
        Value::Object(_) => "an object",
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Float(_) => "a float",
        Value::Str(_) | Value::WStr(_) => "a string",
    }
}

/// Decode a stored `data` cell: `Ok` record, or why it cannot be read.
fn decode(data: ValueRef<'_>) -> std::result::Result<Value, String> {
    let bytes = match data {
        ValueRef::Text(b) | ValueRef::Blob(b) => b,
        ValueRef::Null => return Err("data is NULL".into()),
        ValueRef::Integer(_) => return Err("data is an integer, not JSON text".into()),
        ValueRef::Real(_) => return Err("data is a real number, not JSON text".into()),
    };
    if bytes.is_empty() {
        return Err("data is empty".into());
    }
    match crate::json::parse_bytes(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(other) => Err(format!("top level is {}, not an object", a_type(&other))),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

fn id_text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Null => String::new(),
    }
}

fn item_of(id: String, data: ValueRef<'_>) -> Item {
    match decode(data) {
        Ok(v) => Item::Record(v),
        Err(reason) => Item::Unreadable { id, reason },
    }
}

/// `json.dumps(record)` as jvspatial stores it.
pub fn encode(record: &Value) -> String {
    crate::json::to_python_compact(record)
}

fn has_records_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM sqlite_master WHERE type='table' AND name='records'")?
        .exists([])
}

/// jvspatial's `_is_non_partial_session_id_unique_index`.
fn is_non_partial_session_id_unique_index(sql: &str) -> bool {
    let lower = sql.to_lowercase();
    lower.contains("unique")
        && !lower.contains("where")
        && lower.contains("json_extract(data, '$.context.session_id')")
}

/// A narrowing of `find` done in SQL: a condition on the `records` row (with `?` placeholders,
/// bound in order) that every matching record satisfies. The rows it returns are then filtered,
/// sorted and paged in-process with the whole [`FindSpec`], so it only has to be a superset.
///
/// This is the seam for the shared SQL pushdown (`src/store/sql/`): [`pushdown`] is the one
/// function that decides it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Narrowing {
    pub sql: String,
    pub params: Vec<rusqlite::types::Value>,
    pub exact: bool,
}

/// The SQL narrowing of a find: the shared splitter's condition ([`crate::store::sql::plan`])
/// with its parameters, numbered from [`FIRST_PLAN_PARAM`] (`?1` is the collection, `?2` the
/// keyset position of a chunked read). `exact` = the condition is the filter.
pub fn pushdown(filter: &Arc<Filter>) -> Option<Narrowing> {
    pushdown_spec(&FindSpec::matching(filter.clone()))
}

/// [`pushdown`] of a whole find: its filter and its partition (`jvdb_part(id, N) = K`).
fn pushdown_spec(spec: &FindSpec) -> Option<Narrowing> {
    let plan = crate::store::sql::plan(spec, &crate::store::sql::SQLITE, FIRST_PLAN_PARAM);
    let sql = plan.where_sql?;
    Some(Narrowing {
        sql,
        params: plan.params.into_iter().map(sql_param).collect(),
        exact: plan.exact,
    })
}

/// SQLite's JSON functions met a `data` value that is not JSON.
fn malformed_json(e: &Error) -> bool {
    e.message.contains("malformed JSON")
}

/// The first placeholder number of a plan's parameters (see [`pushdown`]).
const FIRST_PLAN_PARAM: usize = 3;

/// Node ids per `edges_touching` query (SQLite binds at most 32,766 parameters).
const TOUCH_CHUNK: usize = 5_000;

fn sql_param(p: crate::store::sql::Param) -> rusqlite::types::Value {
    use crate::store::sql::Param;
    match p {
        Param::Int(i) => rusqlite::types::Value::Integer(i),
        Param::Float(f) => rusqlite::types::Value::Real(f),
        Param::Text(t) => rusqlite::types::Value::Text(t),
    }
}

impl SqliteStore {
    /// Open `location` (a `sqlite:` spec's location).
    pub fn open(location: &str, opts: &OpenOptions) -> Result<SqliteStore> {
        let loc = parse_location(location)?;
        let uri = location
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("sqlite://"));
        let shown = if uri {
            location.to_string()
        } else {
            format!("sqlite:{location}")
        };
        let state = match &loc {
            Location::Memory => {
                let conn = Connection::open_in_memory().map_err(|e| sql_err(&shown, "open", &e))?;
                let mut st = State {
                    conn: Some(conn),
                    initialised: false,
                };
                configure(&shown, st.conn.as_ref().expect("set"))?;
                initialise(&shown, &mut st)?;
                st
            }
            Location::File(path) => open_file(&shown, path, opts)?,
        };
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                shown,
                location: loc,
                conn: Mutex::new(state),
            }),
        })
    }

    /// An in-process database (`sqlite::memory:`).
    pub fn memory() -> SqliteStore {
        SqliteStore::open(":memory:", &OpenOptions::default()).expect("in-memory SQLite")
    }

    /// The database file (`None` for `:memory:`).
    pub fn path(&self) -> Option<&Path> {
        match &self.inner.location {
            Location::File(p) => Some(p),
            Location::Memory => None,
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(join_err)?
    }

    /// Stream `(id, data)` rows of `collection` in id order, narrowed by `narrowing`, in
    /// chunks from a blocking thread.
    async fn stream_rows(
        &self,
        collection: &str,
        narrowing: Option<Narrowing>,
    ) -> Result<ItemStream> {
        validate_component(collection, "collection")?;
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<Item>>>(CHANNEL);
        let inner = self.inner.clone();
        let coll = collection.to_string();
        tokio::task::spawn_blocking(move || {
            let mut after: Option<String> = None;
            let mut narrowing = narrowing;
            loop {
                let chunk = inner.read_chunk(&coll, after.as_deref(), narrowing.as_ref());
                let (items, last, full) = match chunk {
                    Ok(c) => c,
                    // A row whose `data` is not JSON makes SQLite's JSON functions fail the
                    // whole query: read on without the condition (the caller re-checks every
                    // row in-process), so that row comes out as unreadable, by id.
                    Err(e) if narrowing.is_some() && malformed_json(&e) => {
                        narrowing = None;
                        continue;
                    }
                    Err(e) => {
                        let _ = tx.blocking_send(Err(e));
                        return;
                    }
                };
                if !items.is_empty() && tx.blocking_send(Ok(items)).is_err() {
                    return; // the consumer went away
                }
                if !full {
                    return;
                }
                after = last;
            }
        });
        let chunks =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
        Ok(chunks
            .flat_map(|c| match c {
                Ok(items) => futures::stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()),
                Err(e) => futures::stream::iter(vec![Err(e)]),
            })
            .boxed())
    }
}

/// Per-connection settings (they change nothing in the file).
fn configure(shown: &str, conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| sql_err(shown, "open", &e))?;
    // cache_size is per connection (nothing in the file changes): jvspatial's ten json_extract
    // indexes on `records` thrash SQLite's default 2 MiB page cache during a bulk write (a 10k
    // city migrate: 6.0 s with the default, 4.0 s with 32 MiB, and a third of the system time).
    conn.execute_batch(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;",
    )
    .map_err(|e| sql_err(shown, "open", &e))?;
    conn.set_prepared_statement_cache_capacity(64);
    register_partition_function(conn).map_err(|e| sql_err(shown, "open", &e))?;
    // Closing the last connection checkpoints the WAL into the database file: a read-only
    // command must not do that to a file another process left a WAL for (turned back on by
    // `initialise`, before the first write).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
        .map_err(|e| sql_err(shown, "open", &e))?;
    Ok(())
}

/// `jvdb_part(id, n)`: the partition (1-based) of `id` among `n`, the hash of
/// [`crate::partition`] (SQLite has no MD5), for a partitioned find's condition. Text is hashed
/// as its bytes (UTF-8, or a lone surrogate's generalized UTF-8 as jvdb writes it), a blob as
/// its bytes; NULL or a non-positive `n` gives NULL.
fn register_partition_function(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    conn.create_scalar_function(
        crate::partition::SQLITE_FUNCTION,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let n = match ctx.get_raw(1) {
                ValueRef::Integer(n) if n >= 1 => u32::try_from(n).unwrap_or(u32::MAX),
                _ => return Ok(None),
            };
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(b) | ValueRef::Blob(b) => {
                    Some(i64::from(crate::partition::partition_of(b, n)))
                }
                _ => None,
            })
        },
    )
}

fn open_flags(create: bool) -> OpenFlags {
    let mut f = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        f |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    f
}

fn open_file(shown: &str, path: &Path, opts: &OpenOptions) -> Result<State> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::unavailable(format!(
                "{shown}: is a directory, not a SQLite database file"
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if opts.create {
                let mut st = create_file(shown, path)?;
                initialise(shown, &mut st)?;
                return Ok(st);
            }
            if opts.missing_is_empty {
                return Ok(State {
                    conn: None,
                    initialised: false,
                });
            }
            return Err(Error::unavailable(format!(
                "{shown}: no such database file"
            )));
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
            return Err(Error::unavailable(format!(
                "{shown}: a parent of it is not a directory"
            )));
        }
        Err(e) => return Err(Error::io(shown, &e)),
    }
    let conn = Connection::open_with_flags(path, open_flags(false))
        .map_err(|e| sql_err(shown, "open", &e))?;
    configure(shown, &conn)?;
    // Read the schema now, so a file that is not a database (or is corrupt) is one clear error
    // at open, not a failure in the middle of a command.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| sql_err(shown, "reading the schema", &e))?;
    let mut st = State {
        conn: Some(conn),
        initialised: false,
    };
    if opts.create {
        initialise(shown, &mut st)?;
    }
    Ok(st)
}

/// Create the database file (and its parent directories, as jvspatial does).
fn create_file(shown: &str, path: &Path) -> Result<State> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::unavailable(format!(
                "{shown}: cannot create the directory {}: {}",
                parent.display(),
                io_reason(&e)
            ))
        })?;
    }
    let conn = Connection::open_with_flags(path, open_flags(true))
        .map_err(|e| sql_err(shown, "create", &e))?;
    configure(shown, &conn)?;
    Ok(State {
        conn: Some(conn),
        initialised: false,
    })
}

/// jvspatial's connect-time setup, done before the first write: WAL, the table and its
/// collection index, and the drop of legacy non-partial unique `session_id` indexes.
fn initialise(shown: &str, st: &mut State) -> Result<()> {
    if st.initialised {
        return Ok(());
    }
    let conn = st.conn.as_ref().expect("connection");
    let err = |what: &str, e: &rusqlite::Error| sql_err(shown, what, e);
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)
        .map_err(|e| err("open", &e))?;
    conn.query_row("PRAGMA journal_mode=WAL;", [], |_| Ok(()))
        .map_err(|e| err("setting journal_mode=WAL", &e))?;
    conn.execute(CREATE_TABLE, [])
        .map_err(|e| err("creating table records", &e))?;
    conn.execute(CREATE_COLLECTION_INDEX, [])
        .map_err(|e| err("creating index idx_records_collection", &e))?;
    let legacy: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
            .map_err(|e| err("reading the schema", &e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| err("reading the schema", &e))?;
        let mut v = Vec::new();
        for row in rows {
            let (name, sql) = row.map_err(|e| err("reading the schema", &e))?;
            if is_non_partial_session_id_unique_index(&sql) && name.starts_with("idx_") {
                v.push(name);
            }
        }
        v
    };
    for name in legacy {
        conn.execute(&format!("DROP INDEX IF EXISTS \"{name}\""), [])
            .map_err(|e| err(&format!("dropping legacy index {name}"), &e))?;
    }
    st.initialised = true;
    Ok(())
}

impl Inner {
    /// The connection, ready to write (the file created when it was missing).
    fn writable(&self) -> Result<MutexGuard<'_, State>> {
        let mut st = lock(&self.conn);
        if st.conn.is_none() {
            let Location::File(path) = &self.location else {
                unreachable!("memory databases always have a connection")
            };
            *st = create_file(&self.shown, path)?;
        }
        initialise(&self.shown, &mut st)?;
        Ok(st)
    }

    fn err(&self, what: &str, e: &rusqlite::Error) -> Error {
        sql_err(&self.shown, what, e)
    }

    /// One chunk of rows after `after`: (items, last id, whether the chunk was full).
    fn read_chunk(
        &self,
        collection: &str,
        after: Option<&str>,
        narrowing: Option<&Narrowing>,
    ) -> Result<(Vec<Item>, Option<String>, bool)> {
        let st = lock(&self.conn);
        let Some(conn) = st.conn.as_ref() else {
            return Ok((Vec::new(), None, false));
        };
        let what = format!("collection {collection}: read");
        if !has_records_table(conn).map_err(|e| self.err(&what, &e))? {
            return Ok((Vec::new(), None, false));
        }
        // ?1 collection, ?2 keyset position, ?3… the plan's parameters, then the chunk size.
        let mut sql = String::from("SELECT id, data FROM records WHERE collection = ?1");
        let mut params: Vec<rusqlite::types::Value> = vec![
            collection.to_string().into(),
            after.map_or(rusqlite::types::Value::Null, |a| a.to_string().into()),
        ];
        if after.is_some() {
            sql.push_str(" AND id > ?2");
        }
        if let Some(n) = narrowing {
            sql.push_str(&format!(" AND ({})", n.sql));
            params.extend(n.params.iter().cloned());
        }
        sql.push_str(&format!(" ORDER BY id LIMIT ?{}", params.len() + 1));
        params.push((CHUNK as i64).into());
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(&what, &e))?;
        let mut rows = stmt
            .query(params_from_iter(params))
            .map_err(|e| self.err(&what, &e))?;
        let mut items = Vec::with_capacity(CHUNK);
        let mut last = None;
        while let Some(row) = rows.next().map_err(|e| self.err(&what, &e))? {
            let id_ref = row.get_ref(0).map_err(|e| self.err(&what, &e))?;
            let id = id_text(id_ref);
            let data = row.get_ref(1).map_err(|e| self.err(&what, &e))?;
            items.push(item_of(id.clone(), data));
            last = Some(id);
        }
        let full = items.len() == CHUNK;
        Ok((items, last, full))
    }

    fn get_sync(&self, collection: &str, id: &str) -> Result<GetResult> {
        let st = lock(&self.conn);
        let Some(conn) = st.conn.as_ref() else {
            return Ok(GetResult::Missing);
        };
        let what = format!("collection {collection}: get {id:?}");
        if !has_records_table(conn).map_err(|e| self.err(&what, &e))? {
            return Ok(GetResult::Missing);
        }
        let mut stmt = conn
            .prepare_cached("SELECT data FROM records WHERE collection = ? AND id = ?")
            .map_err(|e| self.err(&what, &e))?;
        let mut rows = stmt
            .query((collection, id))
            .map_err(|e| self.err(&what, &e))?;
        match rows.next().map_err(|e| self.err(&what, &e))? {
            None => Ok(GetResult::Missing),
            Some(row) => {
                let data = row.get_ref(0).map_err(|e| self.err(&what, &e))?;
                Ok(match decode(data) {
                    Ok(v) => GetResult::Found(v),
                    Err(r) => GetResult::Unreadable(r),
                })
            }
        }
    }

    fn count_sync(&self, collection: &str) -> Result<u64> {
        let st = lock(&self.conn);
        let Some(conn) = st.conn.as_ref() else {
            return Ok(0);
        };
        let what = format!("collection {collection}: count");
        if !has_records_table(conn).map_err(|e| self.err(&what, &e))? {
            return Ok(0);
        }
        conn.prepare_cached("SELECT COUNT(*) FROM records WHERE collection = ?")
            .and_then(|mut s| s.query_row([collection], |r| r.get::<_, i64>(0)))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(&what, &e))
    }

    /// The `(id, data, …)` rows of a query as items (an empty store or table: none).
    fn query_items_sync(
        &self,
        collection: &str,
        sql: &str,
        params: Vec<rusqlite::types::Value>,
    ) -> Result<Vec<Item>> {
        let st = lock(&self.conn);
        let Some(conn) = st.conn.as_ref() else {
            return Ok(Vec::new());
        };
        let what = format!("collection {collection}: read");
        if !has_records_table(conn).map_err(|e| self.err(&what, &e))? {
            return Ok(Vec::new());
        }
        let mut stmt = conn.prepare(sql).map_err(|e| self.err(&what, &e))?;
        let mut rows = stmt
            .query(params_from_iter(params))
            .map_err(|e| self.err(&what, &e))?;
        let mut items = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(&what, &e))? {
            let id = id_text(row.get_ref(0).map_err(|e| self.err(&what, &e))?);
            let data = row.get_ref(1).map_err(|e| self.err(&what, &e))?;
            items.push(item_of(id, data));
        }
        Ok(items)
    }

    /// `COUNT(*)` of the rows of `collection` that satisfy an exact narrowing.
    fn count_where_sync(&self, collection: &str, n: &Narrowing) -> Result<u64> {
        let st = lock(&self.conn);
        let Some(conn) = st.conn.as_ref() else {
            return Ok(0);
        };
        let what = format!("collection {collection}: count");
        if !has_records_table(conn).map_err(|e| self.err(&what, &e))? {
            return Ok(0);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM records WHERE collection = ?1 AND ({})",
            n.sql
        );
        // ?2 (the keyset position of a chunked read) is unused here, but the plan's
        // parameters are numbered after it.
        let mut params: Vec<rusqlite::types::Value> = vec![collection.to_string().into()];
        if !n.params.is_empty() {
            params.push(rusqlite::types::Value::Null);
            params.extend(n.params.iter().cloned());
        }
        conn.prepare_cached(&sql)
            .and_then(|mut s| s.query_row(params_from_iter(params), |r| r.get::<_, i64>(0)))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(&what, &e))
    }

    fn collections_sync(&self) -> Result<Vec<String>> {
        let st = lock(&self.conn);
        let Some(conn) = st.conn.as_ref() else {
            return Ok(Vec::new());
        };
        let what = "list collections";
        if !has_records_table(conn).map_err(|e| self.err(what, &e))? {
            return Ok(Vec::new());
        }
        let mut stmt = conn
            .prepare_cached("SELECT DISTINCT collection FROM records ORDER BY collection")
            .map_err(|e| self.err(what, &e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(what, &e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(what, &e))? {
            out.push(id_text(row.get_ref(0).map_err(|e| self.err(what, &e))?));
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Run `f` in one `BEGIN IMMEDIATE` transaction; a store-level error rolls it back.
    fn in_transaction<T>(&self, what: &str, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let st = self.writable()?;
        let conn = st.conn.as_ref().expect("writable connection");
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(what, &e))?;
        match f(conn) {
            Ok(v) => match conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(self.err(&format!("{what}: commit"), &e))
                }
            },
            Err(e) => {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                Err(e)
            }
        }
    }

    /// A statement failure for one record: `Ok(record error)` when it concerns the record,
    /// `Err(store error)` when the store cannot be used (the batch is rolled back).
    fn record_failure(
        &self,
        conn: &Connection,
        collection: &str,
        id: &str,
        data: &str,
        e: &rusqlite::Error,
    ) -> Result<Error> {
        if !is_record_error(e) || conn.is_autocommit() {
            return Err(self.err(&format!("collection {collection}: record {id:?}"), e));
        }
        if is_unique_violation(e) {
            return Ok(unique_conflict(conn, collection, id, data, e));
        }
        let kind = if matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
        {
            ErrorKind::Conflict
        } else {
            ErrorKind::Invalid
        };
        Ok(Error::new(
            kind,
            format!(
                "collection {collection}: record {id:?}: SQLite rejected it: {}",
                error_text(e)
            ),
        ))
    }

    fn save_sync(
        &self,
        collection: &str,
        valid: Vec<(usize, String, Value)>,
        mode: SaveMode,
        results: &mut [Option<Result<Saved>>],
    ) -> Result<()> {
        let what = format!("collection {collection}: save");
        self.in_transaction(&what, |conn| {
            let err = |e: &rusqlite::Error| self.err(&what, e);
            let mut select = conn
                .prepare_cached("SELECT data FROM records WHERE collection = ? AND id = ?")
                .map_err(|e| err(&e))?;
            let mut insert = conn
                .prepare_cached("INSERT INTO records (collection, id, data) VALUES (?, ?, ?)")
                .map_err(|e| err(&e))?;
            let mut upsert = conn
                .prepare_cached(
                    "INSERT INTO records (collection, id, data) VALUES (?, ?, ?) \
                     ON CONFLICT(collection, id) DO UPDATE SET data = excluded.data",
                )
                .map_err(|e| err(&e))?;
            for (index, id, record) in valid {
                let r = match mode {
                    SaveMode::Insert => {
                        let data = encode(&record);
                        match insert.execute((collection, &id, &data)) {
                            Ok(_) => Ok(Saved::Created),
                            Err(e) => {
                                let exists = select
                                    .exists((collection, &id))
                                    .map_err(|e| err(&e))?;
                                if exists && is_unique_violation(&e) {
                                    Err(Error::conflict(format!(
                                        "collection {collection}: record {id:?} already exists (insert mode)"
                                    )))
                                } else {
                                    Err(self.record_failure(conn, collection, &id, &data, &e)?)
                                }
                            }
                        }
                    }
                    SaveMode::SkipExisting => {
                        if select.exists((collection, &id)).map_err(|e| err(&e))? {
                            Ok(Saved::Skipped)
                        } else {
                            let data = encode(&record);
                            match insert.execute((collection, &id, &data)) {
                                Ok(_) => Ok(Saved::Created),
                                Err(e) => {
                                    Err(self.record_failure(conn, collection, &id, &data, &e)?)
                                }
                            }
                        }
                    }
                    SaveMode::Replace | SaveMode::Merge => {
                        let stored: Option<std::result::Result<Value, String>> = select
                            .query_row((collection, &id), |r| Ok(decode(r.get_ref(0)?)))
                            .optional()
                            .map_err(|e| err(&e))?;
                        let (record, outcome) = match (mode, stored) {
                            (_, None) => (Ok(record), Saved::Created),
                            (SaveMode::Replace, Some(_)) => (Ok(record), Saved::Replaced),
                            (_, Some(Ok(mut existing))) => {
                                deep_merge(&mut existing, record);
                                (Ok(existing), Saved::Merged)
                            }
                            (_, Some(Err(reason))) => (
                                Err(Error::refused(format!(
                                    "collection {collection}: record {id:?} is stored but unreadable ({reason}); not merging into it"
                                ))),
                                Saved::Merged,
                            ),
                        };
                        match record {
                            Err(e) => Err(e),
                            Ok(record) => {
                                let data = encode(&record);
                                match upsert.execute((collection, &id, &data)) {
                                    Ok(_) => Ok(outcome),
                                    Err(e) => Err(self
                                        .record_failure(conn, collection, &id, &data, &e)?),
                                }
                            }
                        }
                    }
                };
                results[index] = Some(r);
            }
            Ok(())
        })
    }

    fn delete_sync(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        let what = format!("collection {collection}: delete");
        let checked: Vec<Result<String>> = ids
            .into_iter()
            .map(|id| {
                validate_component(&id, "record id")
                    .map_err(|e| e.context(format!("collection {collection}")))?;
                Ok(id)
            })
            .collect();
        if checked.iter().all(|r| r.is_err()) {
            return Ok(checked.into_iter().map(|r| r.map(|_| false)).collect());
        }
        {
            // Nothing to delete from a database without the table (or a missing file): do not
            // create it.
            let st = lock(&self.conn);
            match st.conn.as_ref() {
                None => return Ok(checked.into_iter().map(|r| r.map(|_| false)).collect()),
                Some(conn) => {
                    if !has_records_table(conn).map_err(|e| self.err(&what, &e))? {
                        return Ok(checked.into_iter().map(|r| r.map(|_| false)).collect());
                    }
                }
            }
        }
        self.in_transaction(&what, |conn| {
            let mut del = conn
                .prepare_cached("DELETE FROM records WHERE collection = ? AND id = ?")
                .map_err(|e| self.err(&what, &e))?;
            let mut out = Vec::with_capacity(checked.len());
            for r in checked {
                out.push(match r {
                    Err(e) => Err(e),
                    Ok(id) => {
                        let n = del
                            .execute((collection, &id))
                            .map_err(|e| self.err(&what, &e))?;
                        Ok(n > 0)
                    }
                });
            }
            Ok(out)
        })
    }

    fn prepare_sync(&self, collection: &str) -> Result<Vec<String>> {
        let specs = jvspatial_indexes(collection);
        let mut made = Vec::new();
        let st = self.writable()?;
        let conn = st.conn.as_ref().expect("writable connection");
        for (fields, unique) in specs {
            for (name, sql) in index_statements(collection, fields, *unique) {
                conn.execute(&sql, []).map_err(|e| {
                    let mut err =
                        self.err(&format!("collection {collection}: create index {name}"), &e);
                    if is_unique_violation(&e) {
                        err.kind = ErrorKind::Conflict;
                        err.message
                            .push_str(" (stored records already collide on it)");
                    }
                    err
                })?;
                made.push(name);
            }
        }
        Ok(made)
    }
}

/// The conflict for a record that a unique index refused: names the index and, when it can be
/// found, the stored record it collides with.
fn unique_conflict(
    conn: &Connection,
    collection: &str,
    id: &str,
    data: &str,
    e: &rusqlite::Error,
) -> Error {
    let text = error_text(e);
    let index = text
        .split_once("index '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(name, _)| name.to_string());
    let Some(index) = index else {
        return Error::conflict(format!(
            "collection {collection}: record {id:?} rejected by a unique constraint ({text})"
        ));
    };
    match colliding_record(conn, &index, collection, id, data) {
        Some((other, fields)) => Error::conflict(format!(
            "collection {collection}: record {id:?} rejected by unique index {index}: stored record {other:?} has the same {}; nothing was replaced",
            fields.join(", ")
        )),
        None => Error::conflict(format!(
            "collection {collection}: record {id:?} rejected by unique index {index}; nothing was replaced"
        )),
    }
}

/// Split the column list of `CREATE ... INDEX name ON records (a, b) [WHERE ...]` at its
/// top-level commas; returns the expressions (without ASC/DESC) and the WHERE clause.
fn index_parts(sql: &str) -> Option<(Vec<String>, Option<String>)> {
    let on = sql.find(" ON ").or_else(|| sql.find("\nON "))?;
    let open = on + sql[on..].find('(')?;
    let bytes = sql.as_bytes();
    let (mut depth, mut quote, mut start) = (0i32, false, open + 1);
    let mut cols = Vec::new();
    let mut close = None;
    for (k, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'\'' => quote = !quote,
            b'(' if !quote => depth += 1,
            b')' if !quote => {
                depth -= 1;
                if depth == 0 {
                    cols.push(sql[start..k].to_string());
                    close = Some(k);
                    break;
                }
            }
            b',' if !quote && depth == 1 => {
                cols.push(sql[start..k].to_string());
                start = k + 1;
            }
            _ => {}
        }
    }
    let close = close?;
    let cols = cols
        .into_iter()
        .map(|c| {
            let c = c.trim();
            let c = c
                .strip_suffix(" ASC")
                .or_else(|| c.strip_suffix(" DESC"))
                .unwrap_or(c);
            c.trim().to_string()
        })
        .collect();
    let rest = sql[close + 1..].trim();
    let where_clause = rest
        .get(..5)
        .filter(|w| w.eq_ignore_ascii_case("WHERE"))
        .map(|_| rest[5..].trim().to_string());
    Some((cols, where_clause))
}

/// The stored record another one collides with on unique index `index`, and the fields it
/// shares (the index's expressions, `json_extract(data, '$.f')` shown as `f`).
fn colliding_record(
    conn: &Connection,
    index: &str,
    collection: &str,
    id: &str,
    data: &str,
) -> Option<(String, Vec<String>)> {
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type='index' AND name=?",
            [index],
            |r| r.get(0),
        )
        .ok()?;
    let (cols, where_clause) = index_parts(&sql)?;
    let keys: Vec<String> = (0..cols.len()).map(|k| format!("k{k}")).collect();
    let lookup = format!(
        "WITH n({}) AS (SELECT {} FROM (SELECT ?1 AS collection, ?2 AS id, ?3 AS data)) \
         SELECT records.id FROM records, n WHERE records.id IS NOT ?2 AND {}{} LIMIT 1",
        keys.join(", "),
        cols.join(", "),
        cols.iter()
            .zip(&keys)
            .map(|(c, k)| format!("({c}) = n.{k}"))
            .collect::<Vec<_>>()
            .join(" AND "),
        where_clause
            .map(|w| format!(" AND ({w})"))
            .unwrap_or_default()
    );
    let other: String = conn
        .query_row(&lookup, (collection, id, data), |r| r.get(0))
        .ok()?;
    let fields = cols
        .iter()
        .filter(|c| c.as_str() != "collection")
        .map(|c| {
            c.strip_prefix("json_extract(data, '$.")
                .and_then(|x| x.strip_suffix("')"))
                .unwrap_or(c)
                .to_string()
        })
        .collect();
    Some((other, fields))
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn describe(&self) -> String {
        self.inner.shown.clone()
    }

    /// A transfer inserts, then looks up and compares only the records that already exist, so
    /// a rerun rewrites nothing that is stored exactly so ([`Saved::Unchanged`]).
    fn read_caps(&self) -> super::ReadCaps {
        super::ReadCaps {
            parallel_map: false,
            filter_pushdown: true,
            // `jvdb_part(id, N)`, registered on every connection.
            partition_pushdown: true,
        }
    }

    fn write_caps(&self) -> super::WriteCaps {
        super::WriteCaps {
            file_bytes: false,
            insert_first: true,
            id_order: true,
        }
    }

    fn write_limits(&self) -> Option<super::WriteLimits> {
        Some(write_limits())
    }

    async fn collections(&self) -> Result<Vec<String>> {
        self.blocking(|inner| inner.collections_sync()).await
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        validate_component(collection, "collection")?;
        validate_component(id, "record id")
            .map_err(|e| e.context(format!("collection {collection}")))?;
        let (c, i) = (collection.to_string(), id.to_string());
        self.blocking(move |inner| inner.get_sync(&c, &i)).await
    }

    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        validate_component(collection, "collection")?;
        let n = records.len();
        let mut results: Vec<Option<Result<Saved>>> = (0..n).map(|_| None).collect();
        let mut valid = Vec::with_capacity(n);
        for (index, record) in records.into_iter().enumerate() {
            let id = record_id(&record).and_then(|id| {
                validate_component(id, "record id")?;
                Ok(id.to_string())
            });
            match id {
                Ok(id) => valid.push((index, id, record)),
                Err(e) => {
                    results[index] = Some(Err(
                        e.context(format!("collection {collection}: record {index}"))
                    ))
                }
            }
        }
        if !valid.is_empty() {
            let c = collection.to_string();
            results = self
                .blocking(move |inner| {
                    inner.save_sync(&c, valid, mode, &mut results)?;
                    Ok(results)
                })
                .await?;
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::unavailable("record was not written"))))
            .collect())
    }

    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        validate_component(collection, "collection")?;
        let c = collection.to_string();
        self.blocking(move |inner| inner.delete_sync(&c, ids)).await
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        self.stream_rows(collection, None).await
    }

    async fn find(&self, collection: &str, spec: FindSpec) -> Result<ItemStream> {
        validate_component(collection, "collection")?;
        if spec.limit == Some(0) {
            return Ok(futures::stream::empty().boxed());
        }
        let narrowing = if spec.filter.is_empty() && spec.partition.is_none() {
            None
        } else {
            pushdown_spec(&spec)
        };
        // Rows come in id order (the primary key), the natural order. Every row is checked
        // again in-process (with the sort, skip and limit): the condition only narrows, and a
        // read may have to go on without it (see `stream_rows`).
        let rows = self.stream_rows(collection, narrowing).await?;
        Ok(crate::find::find_in_stream(rows, spec))
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        match filter {
            Some(f) if !f.is_empty() => {
                if let Some(n) = pushdown(&f).filter(|n| n.exact) {
                    // The condition is the filter: the database counts.
                    validate_component(collection, "collection")?;
                    let c = collection.to_string();
                    match self
                        .blocking(move |inner| inner.count_where_sync(&c, &n))
                        .await
                    {
                        Ok(n) => {
                            return Ok(Count {
                                count: n,
                                unreadable: Vec::new(),
                            });
                        }
                        // A row that is not JSON: count by reading (it is reported).
                        Err(e) if malformed_json(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
                let items = self.find(collection, FindSpec::matching(f)).await?;
                crate::find::count_stream(items).await
            }
            _ => {
                validate_component(collection, "collection")?;
                let c = collection.to_string();
                let n = self.blocking(move |inner| inner.count_sync(&c)).await?;
                Ok(Count {
                    count: n,
                    unreadable: Vec::new(),
                })
            }
        }
    }

    async fn incident_edge_candidates(
        &self,
        edge_collection: &str,
        node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        validate_component(edge_collection, "collection")?;
        let mut out = Vec::new();
        for chunk in node_ids.chunks(INCIDENT_CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let table = crate::store::sql::TableRef {
                table: "records".into(),
                collection: Some(edge_collection.to_string()),
            };
            let (sql, params) =
                crate::store::sql::incident_edges(&crate::store::sql::SQLITE, &table, &ids, 1);
            let params: Vec<rusqlite::types::Value> = params.into_iter().map(sql_param).collect();
            let c = edge_collection.to_string();
            let items = self
                .blocking(move |inner| inner.query_items_sync(&c, &sql, params))
                .await?;
            out.extend(items);
        }
        Ok(Some(out))
    }

    async fn edges_touching(
        &self,
        edge_collection: &str,
        node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        validate_component(edge_collection, "collection")?;
        let mut out = Vec::new();
        for chunk in node_ids.chunks(TOUCH_CHUNK) {
            // The expressions of jvspatial's edge indexes (`idx_edge_source_target_entity`,
            // `idx_edge_target_entity`: `collection, json_extract(data, '$.source')`, …), one
            // arm of a UNION per index: SQLite's planner, without statistics, would answer an
            // OR of the two from the `collection` prefix of another index (every edge). ?1 is
            // the collection; the ids are bound once and used by both arms.
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("?{}", i + 2)).collect();
            let list = list.join(", ");
            let sql = format!(
                "SELECT id, data FROM records WHERE collection = ?1 AND json_extract(data, '$.source') IN ({list}) UNION SELECT id, data FROM records WHERE collection = ?1 AND json_extract(data, '$.target') IN ({list})"
            );
            let mut params = vec![rusqlite::types::Value::Text(edge_collection.to_string())];
            params.extend(
                chunk
                    .iter()
                    .map(|s| rusqlite::types::Value::Text(s.clone())),
            );
            let c = edge_collection.to_string();
            let items = self
                .blocking(move |inner| inner.query_items_sync(&c, &sql, params))
                .await?;
            out.extend(items);
        }
        Ok(Some(out))
    }

    async fn prepare_collection(&self, collection: &str) -> Result<()> {
        validate_component(collection, "collection")?;
        let c = collection.to_string();
        self.blocking(move |inner| inner.prepare_sync(&c))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(
            parse_location("x.db").unwrap(),
            Location::File("x.db".into())
        );
        assert_eq!(
            parse_location("sqlite:///abs/x.db").unwrap(),
            Location::File("/abs/x.db".into())
        );
        assert_eq!(parse_location(":memory:").unwrap(), Location::Memory);
        assert_eq!(
            parse_location("sqlite:///:memory:").unwrap(),
            Location::File("/:memory:".into())
        );
        assert_eq!(
            parse_location("SQLite:///abs/x.db").unwrap(),
            Location::File("/abs/x.db".into())
        );
        for bad in ["", "sqlite://x.db", "sqlite://", "Sqlite://x"] {
            let e = parse_location(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Invalid, "{bad}");
        }
    }

    #[test]
    fn index_names_and_text_match_jvspatial() {
        // Taken from a database built by jvspatial 0.2.2 (tests/sqlite.rs compares them all
        // against the real library).
        let [(c, csql), (n, nsql)] = index_statements("node", &["entity"], false);
        assert_eq!(c, "idx_node_entity__sort_4be0ae32");
        assert_eq!(
            csql,
            "CREATE INDEX IF NOT EXISTS idx_node_entity__sort_4be0ae32 ON records (collection, (json_extract(data, '$.entity') IS NULL), json_extract(data, '$.entity') ASC, id ASC)"
        );
        assert_eq!(n, "idx_node_entity");
        assert!(nsql.contains("CREATE  INDEX IF NOT EXISTS idx_node_entity\n"));
        let [(c, _), (n, nsql)] = index_statements("edge", &["source", "target", "entity"], true);
        assert_eq!(c, "idx_edge_source_target_entity__sort_a8d7803e");
        assert_eq!(n, "idx_edge_source_target_entity");
        assert!(nsql.contains("CREATE UNIQUE INDEX"));
    }

    #[test]
    fn index_sql_is_split() {
        let (cols, w) = index_parts(
            "CREATE UNIQUE INDEX i\n ON records (collection, json_extract(data, '$.a,b') ASC, id DESC) WHERE json_extract(data, '$.x') = 'y'",
        )
        .unwrap();
        assert_eq!(
            cols,
            vec!["collection", "json_extract(data, '$.a,b')", "id"]
        );
        assert_eq!(w.as_deref(), Some("json_extract(data, '$.x') = 'y'"));
    }

    #[test]
    fn pushdown_of_ids() {
        let f = |q: &str| {
            Arc::new(
                Filter::compile(
                    &crate::json::parse_str(q).unwrap(),
                    crate::query::Dialect::Mongo,
                )
                .unwrap(),
            )
        };
        let n = pushdown(&f(r#"{"id": {"$in": ["a", "b"]}}"#)).unwrap();
        assert!(n.exact && n.sql.contains("id"), "{}", n.sql);
        assert!(n.sql.contains("?3"), "{}", n.sql);
        assert!(pushdown(&f(r#"{"entity": "City"}"#)).is_some());
        assert!(pushdown(&f("{}")).is_none());
    }
}
