//! `mongodb://…` / `mongodb+srv://…` — a MongoDB database laid out exactly as jvspatial 0.2.2's
//! MongoDB backend lays it out (spec §4, §10.15):
//!
//! * one MongoDB collection per jvspatial collection (`node`, `edge`, …);
//! * each document is the jvspatial record plus `_id` = the string `id`, `_id` stored first (where
//!   the server puts it); saves are replace-by-id with upsert;
//! * on read, `_id` is dropped when it equals the string `id`, so the storage detail never leaks
//!   into output or into a JSON store; a differing `_id` is kept;
//! * types: integers as Int32 when they fit, else Int64 (as pymongo stores them); floats
//!   (NaN, ±Infinity, -0.0 included) as doubles; strings, booleans, null, arrays, and objects in
//!   key order. An integer beyond 64 bits fails that record, naming its id and field. A stored
//!   document holding a BSON type jvdb cannot represent faithfully (ObjectId, DateTime,
//!   Decimal128, …) is reported as unreadable, naming the field and type; nothing is converted.
//!
//! Queries in the mongo dialect run on the server (filter, sort, skip, limit, projection). The
//! server sort gets `_id: 1` appended as the last key, so ties come out in id order, which is
//! what the in-process engine gives (a stable sort over the id-ordered scan). The jvspatial
//! dialect is evaluated in-process over `scan`.
//!
//! `count` without a filter uses `count_documents({})`, not `estimated_document_count` (what
//! jvspatial uses): the estimate comes from collection metadata and may be off (after an
//! unclean shutdown, on sharded clusters), and counts are used to verify transfers.
//!
//! Writes go through raw `update` / `insert` / `delete` commands with many statements and
//! `ordered: false` (`Client::bulk_write` needs MongoDB 8.0), chunked so that no id repeats in
//! one command (so repeated ids are applied in input order and every statement's result is
//! known) and each command stays well under 16 MB.
use super::{
    Backend, Count, FindSpec, GetResult, Item, ItemStream, OpenOptions, SaveMode, Saved, Store,
    StoreSpec, record_id, redact, validate_component,
};
use crate::error::{Error, ErrorKind, Result};
use crate::query::{Dialect, Filter};
use crate::value::{Map, Value};
use async_trait::async_trait;
use futures::{FutureExt, StreamExt, TryStreamExt};
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Database};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

pub static BACKEND: Backend = Backend {
    name: "mongodb",
    schemes: &["mongodb", "mongodb+srv"],
    summary: "MongoDB database in jvspatial's layout (mongodb://host/db, mongodb+srv://…)",
    open: |spec: &StoreSpec, o: &OpenOptions| {
        let uri = spec.location.clone();
        let o = o.clone();
        async move { Ok(Arc::new(MongoStore::open(&uri, &o).await?) as Arc<dyn Store>) }.boxed()
    },
    local: crate::store::not_local,
    path_form: false,
};

/// The floor of the driver's connect/heartbeat timeout.
const MIN_HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(30);

/// Default time to wait for a server when `--connect-timeout` is not given.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Most statements in one write command.
const MAX_STATEMENTS: usize = 1000;
/// Most document bytes in one write command (the server's limit is 16 MiB per command).
const MAX_COMMAND_BYTES: usize = 12 * 1024 * 1024;
/// Ids per `$in` lookup.
const LOOKUP_CHUNK: usize = 1000;

/// Error codes that mean the server cannot be used right now (exit 4), not that the request
/// was wrong.
const UNAVAILABLE_CODES: &[i32] = &[
    6, 7, 13, 18, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
];

/// What every message about this store needs: the redacted URI and the secret to scrub.
#[derive(Clone, Debug)]
struct Ctx {
    describe: String,
    secrets: Vec<String>,
}

impl Ctx {
    /// Remove the password from a message (redacted URI forms and the literal secret).
    fn scrub(&self, msg: &str) -> String {
        let mut out = redact(msg);
        for s in &self.secrets {
            if !s.is_empty() {
                out = out.replace(s.as_str(), "***");
            }
        }
        out.replace(['\n', '\r'], " ")
    }

    /// A driver error, classified: connection/IO → unavailable; a rejected command → invalid.
    fn err(&self, what: &str, e: &mongodb::error::Error) -> Error {
        let (kind, text) = classify(e);
        Error::new(
            kind,
            self.scrub(&format!("{}: {what}: {text}", self.describe)),
        )
        .with_transient(is_transient(e))
    }

    /// Like `err`, for queries: a server-rejected query says so.
    fn query_err(&self, e: &mongodb::error::Error) -> Error {
        let (kind, text) = classify(e);
        let msg = if kind == ErrorKind::Invalid {
            format!("invalid query: MongoDB rejected it: {text}")
        } else {
            format!("{}: find: {text}", self.describe)
        };
        Error::new(kind, self.scrub(&msg)).with_transient(is_transient(e))
    }
}

/// Server codes that mean "try again": the server is shutting down, stepping down, not the
/// primary (yet), or the network between failed.
const TRANSIENT_CODES: &[i32] = &[
    6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 134,
];

/// Whether a driver error may pass on a retry: a network error, no reachable server (yet), a
/// cleared pool, a server restarting or stepping down, or an error the server labels
/// retryable. Authentication failures and rejected commands are not.
fn is_transient(e: &mongodb::error::Error) -> bool {
    use mongodb::error::ErrorKind as K;
    if e.contains_label("RetryableWriteError") || e.contains_label("TransientTransactionError") {
        return true;
    }
    match &*e.kind {
        K::Io(_) | K::ConnectionPoolCleared { .. } | K::ServerSelection { .. } => true,
        K::Command(c) => TRANSIENT_CODES.contains(&c.code),
        K::Authentication { .. } | K::InvalidArgument { .. } => false,
        _ => false,
    }
}

fn classify(e: &mongodb::error::Error) -> (ErrorKind, String) {
    use mongodb::error::ErrorKind as K;
    match &*e.kind {
        K::Command(c) => (
            if UNAVAILABLE_CODES.contains(&c.code) {
                ErrorKind::Unavailable
            } else {
                ErrorKind::Invalid
            },
            format!("{} (code {} {})", c.message, c.code, c.code_name),
        ),
        K::InvalidArgument { message, .. } => (ErrorKind::Invalid, message.clone()),
        K::ServerSelection { message, .. } => {
            // the driver's topology dump is long: keep the first server's error when it has one
            let short = message
                .split_once("Error: Kind: ")
                .map(|(_, rest)| rest.split(", labels").next().unwrap_or(rest).trim())
                .map(|r| r.split(" (os error").next().unwrap_or(r).to_string());
            (
                ErrorKind::Unavailable,
                format!(
                    "no reachable server: {}",
                    short.unwrap_or_else(|| message.clone())
                ),
            )
        }
        K::Authentication { message, .. } => (
            ErrorKind::Unavailable,
            format!("authentication failed: {message}"),
        ),
        K::Io(io) => (ErrorKind::Unavailable, crate::error::io_reason(io)),
        _ => (ErrorKind::Unavailable, e.to_string()),
    }
}

/// jvspatial's collection rules plus MongoDB's: no leading '.', no '$', not `system.*`
/// (NUL and empty names are already refused by jvspatial's rules).
fn check_collection(name: &str) -> Result<()> {
    validate_component(name, "collection")?;
    if name.starts_with('.') || name.contains('$') || name.starts_with("system.") {
        return Err(Error::invalid(format!(
            "invalid collection {name:?} for MongoDB: names must not start with '.', contain '$', or start with 'system.'"
        )));
    }
    Ok(())
}

/// The password of `scheme://user:password@host…`, raw and percent-decoded.
pub(crate) fn uri_secrets(uri: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(start) = uri.find("://") {
        let rest = &uri[start + 3..];
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        // A malformed password may hold '/', '?' or '#' (unencoded): then the userinfo still
        // ends at the last '@' of the URI, and the driver's error may quote any piece of it.
        let word = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
        let userinfo = match authority.rfind('@') {
            Some(at) => Some(&authority[..at]),
            None => word.rfind('@').map(|at| &word[..at]),
        };
        if let Some((_, pw)) = userinfo.and_then(|u| u.split_once(':'))
            && !pw.is_empty()
        {
            out.push(pw.to_string());
            let decoded = percent_decode(pw);
            if decoded != pw {
                out.push(decoded);
            }
            for piece in pw.split(['/', '?', '#']) {
                if piece.len() >= 3 && piece != pw {
                    out.push(piece.to_string());
                }
            }
        }
    }
    // `password=` style options
    for part in uri.split(['?', '&', ';']) {
        if let Some((k, v)) = part.split_once('=') {
            let k = k.to_ascii_lowercase();
            if (k == "password" || k == "pass" || k == "pwd") && !v.is_empty() {
                out.push(v.to_string());
            }
        }
    }
    // longest first, so a secret that contains another is replaced whole
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// The driver's options for `uri`, or the error jvdb reports for it (password scrubbed). Reads
/// no network for `mongodb://` (a `mongodb+srv://` URI is looked up in DNS).
pub async fn client_options(uri: &str) -> Result<ClientOptions> {
    let shown = redact(uri);
    let pre = Ctx {
        describe: shown.clone(),
        secrets: uri_secrets(uri),
    };
    if let Some(what) = driver_panics_on_userinfo(uri) {
        return Err(Error::invalid(pre.scrub(&format!(
            "invalid MongoDB URI {shown}: {what} cannot contain unescaped %"
        ))));
    }
    ClientOptions::parse(uri).await.map_err(|e| {
        let (kind, text) = classify(&e);
        let kind = match &*e.kind {
            mongodb::error::ErrorKind::InvalidArgument { .. } => ErrorKind::Invalid,
            _ => kind,
        };
        Error::new(
            kind,
            pre.scrub(&format!("invalid MongoDB URI {shown}: {text}")),
        )
    })
}

/// The part of the userinfo ("username" or "password") on which the driver's URI parser would
/// panic instead of failing (mongodb 3.9.1 `validate_and_parse_userinfo` slices `part[0..2]`
/// after each '%', inside a multi-byte character when one follows: `mongodb://u:%€@h`; the
/// panic message would also print the rest of the password). It mirrors the driver's checks in
/// its order, so every URI the driver rejects cleanly still gets the driver's own error.
fn driver_panics_on_userinfo(uri: &str) -> Option<&'static str> {
    let (scheme, after) = uri.split_once("://")?;
    if scheme != "mongodb" && scheme != "mongodb+srv" {
        return None;
    }
    let pre_options = after.split_once('?').map_or(after, |(l, _)| l);
    let (userinfo, _) = pre_options.rsplit_once('@')?;
    let (user, pass) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    let fields = [
        (Some(user).filter(|u| !u.is_empty()), "username"),
        (pass, "password"),
    ];
    for (field, what) in fields {
        let Some(field) = field else { continue };
        if field.contains([':', '/', '?', '#', '[', ']', '@']) {
            return None; // the driver: "… must be URL encoded"
        }
        for part in field.split('%').skip(1) {
            if part.len() < 2 {
                return None; // the driver: "… cannot contain unescaped %"
            }
            if !part.is_char_boundary(2) {
                return Some(what);
            }
            if !part.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%'
            && k + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[k + 1]), hex(b[k + 2]))
        {
            out.push(h * 16 + l);
            k += 3;
            continue;
        }
        out.push(b[k]);
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn env_pool(k: &str) -> Result<Option<u32>> {
    match env_var(k) {
        None => Ok(None),
        Some(v) => v
            .parse::<u32>()
            .map(Some)
            .map_err(|_| Error::invalid(format!("{k}={v:?}: expected a non-negative integer"))),
    }
}

/// A MongoDB database in jvspatial's layout.
pub struct MongoStore {
    client: Client,
    db: Database,
    db_name: String,
    ctx: Arc<Ctx>,
}

impl std::fmt::Debug for MongoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MongoStore({})", self.ctx.describe)
    }
}

impl MongoStore {
    /// Connect to `uri` and check that the server answers (within the connect timeout).
    pub async fn open(uri: &str, opts: &OpenOptions) -> Result<MongoStore> {
        let secrets = uri_secrets(uri);
        let shown = redact(uri);
        let mut options = client_options(uri).await?;
        let db_name = options
            .default_database
            .clone()
            .filter(|d| !d.is_empty())
            .or_else(|| {
                opts.setting("mongodb.db")
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
            })
            .or_else(|| env_var("JVSPATIAL_MONGODB_DB_NAME"))
            .unwrap_or_else(|| "jvdb".to_string());
        if db_name.contains(['/', '\\', '.', ' ', '"', '$', '\0']) || db_name.len() > 63 {
            return Err(Error::invalid(format!(
                "invalid MongoDB database name {db_name:?}: it may not contain / \\ . space \" $ or NUL, and has at most 63 bytes"
            )));
        }
        let timeout = match opts.connect_timeout {
            Some(t) => Some(t),
            None if options.connect_timeout.is_some()
                || options.server_selection_timeout.is_some() =>
            {
                None
            }
            None => Some(DEFAULT_CONNECT_TIMEOUT),
        };
        if let Some(t) = timeout {
            // How long to wait for a reachable server: an unreachable one fails after `t`.
            options.server_selection_timeout = Some(t);
            // The driver also uses connectTimeoutMS as the deadline of every heartbeat; a
            // server busy with a large batch must not be declared lost after a few seconds
            // (that interrupts the writes in flight), so it gets a floor.
            options.connect_timeout = Some(t.max(MIN_HEARTBEAT_TIMEOUT));
        }
        if let Some(n) = env_pool("JVSPATIAL_MONGODB_MAX_POOL_SIZE")? {
            options.max_pool_size = Some(n);
        }
        if let Some(n) = env_pool("JVSPATIAL_MONGODB_MIN_POOL_SIZE")? {
            options.min_pool_size = Some(n);
        }
        if options.max_idle_time.is_none() {
            options.max_idle_time = Some(Duration::from_secs(60));
        }
        if options.app_name.is_none() {
            options.app_name = Some("jvdb".to_string());
        }
        let ctx = Arc::new(Ctx {
            describe: format!("{shown} (database {db_name})"),
            secrets,
        });
        let client = Client::with_options(options).map_err(|e| ctx.err("connect", &e))?;
        let db = client.database(&db_name);
        let waited = timeout
            .map(|t| format!(" within {}s", t.as_secs_f64()))
            .unwrap_or_default();
        db.run_command(doc! {"ping": 1}).await.map_err(|e| {
            let (kind, text) = classify(&e);
            let kind = if kind == ErrorKind::Invalid {
                ErrorKind::Unavailable
            } else {
                kind
            };
            Error::new(
                kind,
                ctx.scrub(&format!(
                    "cannot reach MongoDB at {}{waited}: {text}",
                    ctx.describe
                )),
            )
        })?;
        Ok(MongoStore {
            client,
            db,
            db_name,
            ctx,
        })
    }

    /// The database name in use.
    pub fn database_name(&self) -> &str {
        &self.db_name
    }

    /// The driver client (tests, tools).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Create the indexes jvspatial 0.2.2 creates for its base classes (`Node.get_indexes`,
    /// `Edge.get_indexes`; MongoDB options `background: true`): on `node`, `idx_node_entity`
    /// (`entity`); on `edge`, unique `idx_source_target_entity_unique` (`source, target,
    /// entity`), `idx_target_entity`, `idx_entity_source`, `idx_entity_target`. Other
    /// collections get none. Per-class annotated `context.<field>` indexes need the Python
    /// classes and are not created. Like jvspatial, an index with the same name but other
    /// options (error 85/86) is dropped and recreated.
    pub async fn ensure_jvspatial_indexes(&self, collection: &str) -> Result<Vec<String>> {
        check_collection(collection)?;
        let specs: Vec<(&str, Document, bool)> = match collection {
            "node" => vec![("idx_node_entity", doc! {"entity": 1}, false)],
            "edge" => vec![
                (
                    "idx_source_target_entity_unique",
                    doc! {"source": 1, "target": 1, "entity": 1},
                    true,
                ),
                ("idx_target_entity", doc! {"target": 1, "entity": 1}, false),
                ("idx_entity_source", doc! {"entity": 1, "source": 1}, false),
                ("idx_entity_target", doc! {"entity": 1, "target": 1}, false),
            ],
            _ => Vec::new(),
        };
        let mut made = Vec::new();
        for (name, key, unique) in specs {
            let mut index = doc! {"key": key, "name": name};
            if unique {
                index.insert("unique", true);
            }
            index.insert("background", true);
            let cmd = doc! {"createIndexes": collection, "indexes": [index.clone()]};
            match self.db.run_command(cmd.clone()).await {
                Ok(_) => {}
                Err(e) if matches!(command_code(&e), Some(85 | 86)) => {
                    self.db
                        .run_command(doc! {"dropIndexes": collection, "index": name})
                        .await
                        .map_err(|e| self.ctx.err(&format!("drop index {name}"), &e))?;
                    self.db
                        .run_command(cmd)
                        .await
                        .map_err(|e| self.index_err(collection, name, &e))?;
                }
                Err(e) => return Err(self.index_err(collection, name, &e)),
            }
            made.push(name.to_string());
        }
        Ok(made)
    }

    fn index_err(&self, collection: &str, name: &str, e: &mongodb::error::Error) -> Error {
        let mut err = self
            .ctx
            .err(&format!("collection {collection}: create index {name}"), e);
        if command_code(e) == Some(11000) {
            err.kind = ErrorKind::Conflict;
        }
        err
    }

    /// Fetch the stored documents of `ids` (any order) as id → item.
    async fn lookup(&self, collection: &str, ids: &[String]) -> Result<HashMap<String, Item>> {
        let coll = self.db.collection::<Document>(collection);
        let mut out = HashMap::new();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            let list: Vec<Bson> = chunk.iter().map(|s| Bson::String(s.clone())).collect();
            let mut cur = coll
                .find(doc! {"_id": {"$in": list}})
                .await
                .map_err(|e| self.ctx.err(&format!("collection {collection}: read"), &e))?;
            while let Some(d) = cur.next().await {
                let d =
                    d.map_err(|e| self.ctx.err(&format!("collection {collection}: read"), &e))?;
                if let Some(Bson::String(id)) = d.get("_id") {
                    let id = id.clone();
                    out.insert(id, doc_to_item(d));
                }
            }
        }
        Ok(out)
    }

    /// Run one write command; a command-level failure is `Err` (store-level when the server
    /// cannot be used, per statement otherwise).
    async fn write_command(&self, cmd: Document) -> std::result::Result<WriteOutcome, Error> {
        let what = cmd.keys().next().cloned().unwrap_or_default();
        let resp = self
            .db
            .run_command(cmd)
            .await
            .map_err(|e| self.ctx.err(&what, &e))?;
        let mut out = WriteOutcome::default();
        if let Ok(ups) = resp.get_array("upserted") {
            for u in ups {
                if let Bson::Document(u) = u
                    && let Some(i) = u.get("index").and_then(bson_index)
                {
                    out.upserted.insert(i);
                }
            }
        }
        if let Ok(errs) = resp.get_array("writeErrors") {
            for w in errs {
                if let Bson::Document(w) = w
                    && let Some(i) = w.get("index").and_then(bson_index)
                {
                    out.errors.insert(i, w.clone());
                }
            }
        }
        if let Ok(wce) = resp.get_document("writeConcernError") {
            let msg = wce.get_str("errmsg").unwrap_or("write concern error");
            return Err(Error::unavailable(self.ctx.scrub(&format!(
                "{}: {what}: write concern not satisfied: {msg}",
                self.ctx.describe
            ))));
        }
        Ok(out)
    }

    /// The per-record error for a write error document.
    fn write_error(&self, collection: &str, id: &str, mode: SaveMode, w: &Document) -> Error {
        let code = w.get("code").and_then(bson_index).unwrap_or(0) as i32;
        let msg = w.get_str("errmsg").unwrap_or("write error");
        if code == 11000 || code == 11001 {
            match dup_index(w) {
                Some(ix) if ix == "_id_" => Error::conflict(format!(
                    "collection {collection}: record {id:?} already exists ({} mode)",
                    mode.name()
                )),
                other => {
                    let ix = other.unwrap_or_else(|| "a unique index".to_string());
                    let key = msg
                        .find("dup key:")
                        .map(|k| format!(" ({})", &msg[k..]))
                        .unwrap_or_default();
                    Error::conflict(self.ctx.scrub(&format!(
                        "collection {collection}: record {id:?} rejected by unique index {ix}{key}"
                    )))
                }
            }
        } else {
            let kind = if UNAVAILABLE_CODES.contains(&code) {
                ErrorKind::Unavailable
            } else {
                ErrorKind::Invalid
            };
            Error::new(
                kind,
                self.ctx.scrub(&format!(
                    "collection {collection}: record {id:?}: MongoDB rejected it: {msg} (code {code})"
                )),
            )
        }
    }

    /// Write `entries` (input index, id, document) with `mode` (Replace → upserting updates;
    /// Insert/SkipExisting → inserts). Returns one result per entry, keyed by input index.
    async fn write(
        &self,
        collection: &str,
        entries: Vec<(usize, String, Document, usize)>,
        mode: SaveMode,
        results: &mut [Option<Result<Saved>>],
    ) -> Result<()> {
        for chunk in chunk_unique(entries) {
            let upsert = matches!(mode, SaveMode::Replace | SaveMode::Merge);
            let statements: Vec<Bson> = chunk
                .iter()
                .map(|(_, id, d, _)| {
                    if upsert {
                        Bson::Document(
                            doc! {"q": {"_id": id.as_str()}, "u": d.clone(), "upsert": true},
                        )
                    } else {
                        Bson::Document(d.clone())
                    }
                })
                .collect();
            let cmd = if upsert {
                doc! {"update": collection, "updates": statements, "ordered": false}
            } else {
                doc! {"insert": collection, "documents": statements, "ordered": false}
            };
            let outcome = match self.write_command(cmd).await {
                Ok(o) => o,
                Err(e) if e.kind == ErrorKind::Unavailable => return Err(e),
                Err(e) => {
                    for (idx, id, _, _) in &chunk {
                        results[*idx] = Some(Err(Error::new(
                            e.kind,
                            format!("record {id:?}: {}", e.message),
                        )));
                    }
                    continue;
                }
            };
            for (k, (idx, id, _, _)) in chunk.iter().enumerate() {
                let r = match outcome.errors.get(&k) {
                    Some(w) => {
                        let code = w.get("code").and_then(bson_index).unwrap_or(0);
                        if mode == SaveMode::SkipExisting
                            && code == 11000
                            && dup_index(w).is_none_or(|ix| ix == "_id_")
                        {
                            Ok(Saved::Skipped)
                        } else {
                            Err(self.write_error(collection, id, mode, w))
                        }
                    }
                    None => Ok(match mode {
                        SaveMode::Replace | SaveMode::Merge => {
                            if outcome.upserted.contains(&k) {
                                Saved::Created
                            } else {
                                Saved::Replaced
                            }
                        }
                        _ => Saved::Created,
                    }),
                };
                results[*idx] = Some(r);
            }
        }
        Ok(())
    }

    async fn merge(
        &self,
        collection: &str,
        valid: Vec<(usize, String, Value)>,
        results: &mut [Option<Result<Saved>>],
    ) -> Result<()> {
        let mut ids: Vec<String> = valid.iter().map(|(_, id, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        let stored = self.lookup(collection, &ids).await?;
        let crate::store::MergePlan { state, members, .. } =
            crate::store::plan_merge(collection, stored, valid, results);
        // each id is written at the position of its last record in the batch
        let last: HashMap<String, usize> = members
            .iter()
            .filter_map(|(id, idxs)| idxs.last().map(|i| (id.clone(), *i)))
            .collect();
        let mut entries = Vec::new();
        let mut order: Vec<(&String, &usize)> = last.iter().collect();
        order.sort_by_key(|(_, i)| **i);
        for (id, idx) in order {
            let Some(v) = state.get(id) else { continue };
            match record_to_doc(v, id) {
                Ok((d, n)) => entries.push((*idx, id.clone(), d, n)),
                Err(m) => {
                    let e = Error::invalid(format!("collection {collection}: record {id:?}: {m}"));
                    for i in members.get(id).into_iter().flatten() {
                        results[*i] = Some(Err(e.clone()));
                    }
                }
            }
        }
        let mut written: Vec<Option<Result<Saved>>> = vec![None; results.len()];
        self.write(collection, entries, SaveMode::Merge, &mut written)
            .await?;
        // a failed final write fails every record of that id
        for (id, idxs) in &members {
            if let Some(Some(Err(e))) = last.get(id).map(|i| &written[*i]) {
                for i in idxs {
                    results[*i] = Some(Err(e.clone()));
                }
            }
        }
        Ok(())
    }
}

#[derive(Default, Debug)]
struct WriteOutcome {
    upserted: HashSet<usize>,
    errors: HashMap<usize, Document>,
}

fn bson_index(b: &Bson) -> Option<usize> {
    match b {
        Bson::Int32(i) => usize::try_from(*i).ok(),
        Bson::Int64(i) => usize::try_from(*i).ok(),
        Bson::Double(f) if *f >= 0.0 && f.fract() == 0.0 => Some(*f as usize),
        _ => None,
    }
}

fn command_code(e: &mongodb::error::Error) -> Option<i32> {
    match &*e.kind {
        mongodb::error::ErrorKind::Command(c) => Some(c.code),
        _ => None,
    }
}

/// The name of the unique index a duplicate-key write error is about, when it says.
fn dup_index(w: &Document) -> Option<String> {
    if let Ok(msg) = w.get_str("errmsg")
        && let Some(k) = msg.find("index: ")
    {
        let rest = &msg[k + 7..];
        let name: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        if !name.is_empty() {
            return Some(name);
        }
    }
    if let Ok(kp) = w.get_document("keyPattern") {
        let keys: Vec<&String> = kp.keys().collect();
        if keys.len() == 1 && keys[0] == "_id" {
            return Some("_id_".to_string());
        }
        let parts: Vec<String> = kp.iter().map(|(k, v)| format!("{k}_{v}")).collect();
        return Some(parts.join("_"));
    }
    None
}

/// Split entries into commands: no id twice in one command, at most MAX_STATEMENTS and about
/// MAX_COMMAND_BYTES each.
fn chunk_unique(
    entries: Vec<(usize, String, Document, usize)>,
) -> Vec<Vec<(usize, String, Document, usize)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(usize, String, Document, usize)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut bytes = 0usize;
    for e in entries {
        if !cur.is_empty()
            && (seen.contains(&e.1)
                || cur.len() >= MAX_STATEMENTS
                || bytes + e.3 > MAX_COMMAND_BYTES)
        {
            out.push(std::mem::take(&mut cur));
            seen.clear();
            bytes = 0;
        }
        seen.insert(e.1.clone());
        bytes += e.3;
        cur.push(e);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Value ⇄ BSON

/// A value that cannot cross: where (path segments, innermost last), what, and why.
struct Unrep {
    path: Vec<String>,
    what: String,
    why: &'static str,
    /// The kind, for a value that cannot be written (`None` for one that cannot be read).
    problem: Option<crate::store::ValueProblem>,
}

impl Unrep {
    fn at(mut self, seg: String) -> Unrep {
        self.path.push(seg);
        self
    }
    fn path(&self) -> String {
        let mut p: Vec<&str> = self.path.iter().map(String::as_str).collect();
        p.reverse();
        p.join(".")
    }
    /// "integer N at a.b does not fit in 64 bits; MongoDB cannot store it"
    fn write_message(&self) -> String {
        let p = self.path();
        if p.is_empty() {
            format!("{}{}; MongoDB cannot store it", self.what, self.why)
        } else {
            format!("{} at {p}{}; MongoDB cannot store it", self.what, self.why)
        }
    }
}

/// The first value of a record BSON cannot hold, by the conversion every write uses
/// ([`value_to_bson`]'s rule), as a pre-flight answer.
pub fn unwritable(v: &Value) -> Option<crate::store::Unwritable> {
    let u = to_bson(v).err()?;
    Some(crate::store::Unwritable {
        problem: u.problem?,
        path: u.path(),
        message: u.write_message(),
    })
}

/// jvspatial's collection rules plus MongoDB's (see [`check_collection`]).
pub fn check_collection_name(name: &str) -> Result<()> {
    check_collection(name)
}

/// What jvspatial's MongoDB backend cannot hold: BSON's values, MongoDB's collection names,
/// and the unique `(source, target, entity)` edge index jvspatial creates.
pub fn write_limits() -> crate::store::WriteLimits {
    crate::store::WriteLimits {
        target: "MongoDB",
        value: Some(unwritable),
        collection: check_collection_name,
        unique_edge_key: true,
    }
}

/// A value as BSON: Int → Int32 when it fits, else Int64 (as pymongo); BigInt fails.
pub fn value_to_bson(v: &Value) -> std::result::Result<Bson, String> {
    to_bson(v).map_err(|u| u.write_message())
}

fn to_bson(v: &Value) -> std::result::Result<Bson, Unrep> {
    Ok(match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Int(i) => match i32::try_from(*i) {
            Ok(x) => Bson::Int32(x),
            Err(_) => Bson::Int64(*i),
        },
        Value::BigInt(b) => {
            return Err(Unrep {
                path: Vec::new(),
                what: format!("integer {b}"),
                why: " does not fit in 64 bits",
                problem: Some(crate::store::ValueProblem::BigInt),
            });
        }
        Value::Float(f) => Bson::Double(*f),
        Value::Str(s) => Bson::String(s.clone()),
        // BSON strings are UTF-8: "string with a lone surrogate at a.b; MongoDB cannot store it".
        Value::WStr(_) => {
            return Err(Unrep {
                path: Vec::new(),
                what: "string with a lone surrogate".into(),
                why: "",
                problem: Some(crate::store::ValueProblem::LoneSurrogate),
            });
        }
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (k, x) in a.iter().enumerate() {
                out.push(to_bson(x).map_err(|u| u.at(k.to_string()))?);
            }
            Bson::Array(out)
        }
        Value::Object(m) => Bson::Document(map_to_doc(m)?),
    })
}

fn map_to_doc(m: &Map) -> std::result::Result<Document, Unrep> {
    let mut d = Document::new();
    for (k, x) in m {
        if k.contains('\0') {
            return Err(Unrep {
                path: Vec::new(),
                what: format!("key {k:?}"),
                why: " contains a NUL character",
                problem: Some(crate::store::ValueProblem::Nul),
            });
        }
        d.insert(k.clone(), to_bson(x).map_err(|u| u.at(k.clone()))?);
    }
    Ok(d)
}

/// The stored document for a record: `_id` = id first, then the record's fields in order.
/// Returns the document and its encoded size. The error text names the field.
fn record_to_doc(rec: &Value, id: &str) -> std::result::Result<(Document, usize), String> {
    let Some(m) = rec.as_object() else {
        return Err("a record must be an object".into());
    };
    let mut d = Document::new();
    d.insert("_id", id);
    for (k, x) in m {
        if k == "_id" {
            if x.as_str() == Some(id) {
                continue;
            }
            return Err(format!(
                "has an _id field ({}) that differs from its id; MongoDB stores _id = id",
                crate::json::to_line(x)
            ));
        }
        if k.contains('\0') {
            return Err(format!(
                "key {k:?} contains a NUL character; MongoDB cannot store it"
            ));
        }
        let b = to_bson(x).map_err(|u| u.at(k.clone()).write_message())?;
        d.insert(k.clone(), b);
    }
    let size = d
        .to_vec()
        .map_err(|e| format!("cannot be encoded as BSON: {e}"))?
        .len();
    Ok((d, size))
}

/// A BSON value back as a Value; other BSON types are unrepresentable.
fn from_bson(b: Bson) -> std::result::Result<Value, Unrep> {
    Ok(match b {
        Bson::Null => Value::Null,
        Bson::Boolean(x) => Value::Bool(x),
        Bson::Int32(i) => Value::Int(i as i64),
        Bson::Int64(i) => Value::Int(i),
        Bson::Double(f) => Value::Float(f),
        Bson::String(s) => Value::Str(s),
        Bson::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (k, x) in a.into_iter().enumerate() {
                out.push(from_bson(x).map_err(|u| u.at(k.to_string()))?);
            }
            Value::Array(out)
        }
        Bson::Document(d) => Value::Object(doc_to_map(d)?),
        other => {
            return Err(Unrep {
                path: Vec::new(),
                what: format!("a BSON {:?}", other.element_type()),
                why: "",
                problem: None,
            });
        }
    })
}

fn doc_to_map(d: Document) -> std::result::Result<Map, Unrep> {
    let mut m = Map::with_capacity(d.len());
    for (k, x) in d {
        let v = from_bson(x).map_err(|u| u.at(k.clone()))?;
        m.insert(k, v);
    }
    Ok(m)
}

/// A stored document as a scan item: `_id` dropped when it equals the string `id`.
fn doc_to_item(mut d: Document) -> Item {
    let id = match (d.get("id"), d.get("_id")) {
        (Some(Bson::String(s)), _) => s.clone(),
        (_, Some(Bson::String(s))) => s.clone(),
        (_, Some(other)) => other.to_string(),
        (_, None) => String::new(),
    };
    if let (Some(Bson::String(a)), Some(Bson::String(b))) = (d.get("_id"), d.get("id"))
        && a == b
    {
        d.remove("_id");
    }
    match doc_to_map(d) {
        Ok(m) => Item::Record(Value::Object(m)),
        Err(u) => Item::Unreadable {
            id,
            reason: format!(
                "field {} holds {}, which jvdb cannot represent faithfully",
                u.path(),
                u.what
            ),
        },
    }
}

/// A query document as BSON (BigInt operands cannot be sent).
fn query_to_doc(q: &Value) -> Result<Document> {
    match q {
        Value::Object(m) => map_to_doc(m).map_err(|u| {
            let note = if u.what.starts_with("string") {
                "BSON strings are UTF-8"
            } else {
                "BSON integers have at most 64 bits"
            };
            Error::invalid(format!(
                "invalid query: {} at {} cannot be sent to MongoDB ({note})",
                u.what,
                u.path()
            ))
        }),
        other => Err(Error::invalid(format!(
            "invalid query: a query must be a JSON object, got {}",
            other.type_name()
        ))),
    }
}

/// A `--fields` projection as a MongoDB find projection. `id` follows the projection's
/// `keep_id`; `_id` is excluded unless listed, so the storage detail never shows (also when
/// `-id` removes the `id` it would be compared with).
fn projection_doc(p: &crate::query::projection::Projection) -> Document {
    let mut d = Document::new();
    if p.exclude {
        for path in &p.paths {
            d.insert(path.clone(), 0);
        }
        if !p.keep_id {
            d.insert("_id", 0);
        }
    } else {
        for path in &p.paths {
            if path != "id" {
                d.insert(path.clone(), 1);
            }
        }
        if p.keep_id {
            d.insert("id", 1);
        }
        if !p.paths.iter().any(|x| x == "_id") {
            d.insert("_id", 0);
        }
    }
    d
}

/// Node ids per `edges_touching` query (two `$in` lists of this many strings stay far
/// below the 16 MiB command limit).
const TOUCH_CHUNK: usize = 10_000;

fn stream_docs(cursor: mongodb::Cursor<Document>, ctx: Arc<Ctx>, query: bool) -> ItemStream {
    cursor
        .map(move |r| match r {
            Ok(d) => Ok(doc_to_item(d)),
            Err(e) => Err(if query {
                ctx.query_err(&e)
            } else {
                ctx.err("read", &e)
            }),
        })
        .boxed()
}

#[async_trait]
impl Store for MongoStore {
    fn write_limits(&self) -> Option<crate::store::WriteLimits> {
        Some(write_limits())
    }

    fn id_key(&self) -> &'static str {
        "_id"
    }

    fn write_caps(&self) -> crate::store::WriteCaps {
        crate::store::WriteCaps {
            file_bytes: false,
            insert_first: true,
            id_order: false,
        }
    }

    fn read_caps(&self) -> crate::store::ReadCaps {
        crate::store::ReadCaps {
            parallel_map: false,
            filter_pushdown: true,
            // MongoDB's query language has no MD5: the share is kept after the cursor.
            partition_pushdown: false,
        }
    }

    fn backend(&self) -> &'static str {
        "mongodb"
    }

    fn describe(&self) -> String {
        self.ctx.describe.clone()
    }

    async fn collections(&self) -> Result<Vec<String>> {
        let mut names = self
            .db
            .list_collection_names()
            .await
            .map_err(|e| self.ctx.err("list collections", &e))?;
        names.retain(|n| !n.starts_with("system."));
        names.sort();
        Ok(names)
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        check_collection(collection)?;
        validate_component(id, "record id")
            .map_err(|e| e.context(format!("collection {collection}")))?;
        let d = self
            .db
            .collection::<Document>(collection)
            .find_one(doc! {"_id": id})
            .await
            .map_err(|e| self.ctx.err(&format!("collection {collection}: get"), &e))?;
        Ok(match d.map(doc_to_item) {
            None => GetResult::Missing,
            Some(Item::Record(v)) => GetResult::Found(v),
            Some(Item::Unreadable { reason, .. }) => GetResult::Unreadable(reason),
        })
    }

    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        check_collection(collection)?;
        let n = records.len();
        let mut results: Vec<Option<Result<Saved>>> = vec![None; n];
        let mut valid: Vec<(usize, String, Value)> = Vec::with_capacity(n);
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
        if mode == SaveMode::Merge {
            if !valid.is_empty() {
                self.merge(collection, valid, &mut results).await?;
            }
        } else {
            let mut entries = Vec::with_capacity(valid.len());
            for (index, id, rec) in valid {
                match record_to_doc(&rec, &id) {
                    Ok((d, size)) => entries.push((index, id, d, size)),
                    Err(m) => {
                        results[index] = Some(Err(Error::invalid(format!(
                            "collection {collection}: record {id:?}: {m}"
                        ))))
                    }
                }
            }
            if !entries.is_empty() {
                self.write(collection, entries, mode, &mut results).await?;
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::unavailable("record not written (internal)"))))
            .collect())
    }

    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        check_collection(collection)?;
        let mut results: Vec<Option<Result<bool>>> = vec![None; ids.len()];
        let mut wanted: Vec<String> = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            if let Err(e) = validate_component(id, "record id") {
                results[k] = Some(Err(e.context(format!("collection {collection}"))));
            } else {
                wanted.push(id.clone());
            }
        }
        wanted.sort();
        wanted.dedup();
        let coll = self.db.collection::<Document>(collection);
        let mut existing: HashSet<String> = HashSet::new();
        for chunk in wanted.chunks(LOOKUP_CHUNK) {
            let list: Vec<Bson> = chunk.iter().map(|s| Bson::String(s.clone())).collect();
            let mut cur = coll
                .find(doc! {"_id": {"$in": list.clone()}})
                .projection(doc! {"_id": 1})
                .await
                .map_err(|e| {
                    self.ctx
                        .err(&format!("collection {collection}: delete"), &e)
                })?;
            let mut found = Vec::new();
            while let Some(d) = cur.try_next().await.map_err(|e| {
                self.ctx
                    .err(&format!("collection {collection}: delete"), &e)
            })? {
                if let Some(Bson::String(id)) = d.get("_id") {
                    found.push(Bson::String(id.clone()));
                    existing.insert(id.clone());
                }
            }
            if !found.is_empty() {
                self.db
                    .run_command(doc! {
                        "delete": collection,
                        "deletes": [{"q": {"_id": {"$in": found}}, "limit": 0}],
                        "ordered": false,
                    })
                    .await
                    .map_err(|e| {
                        self.ctx
                            .err(&format!("collection {collection}: delete"), &e)
                    })?;
            }
        }
        Ok(results
            .into_iter()
            .zip(ids)
            .map(|(r, id)| match r {
                Some(r) => r,
                // the first occurrence of an id reports the deletion
                None => Ok(existing.remove(&id)),
            })
            .collect())
    }

    fn transient_failures(&self) -> bool {
        true
    }

    /// In `_id` order after `after` (the `$gt` uses the `_id` index); a filter in the mongo
    /// dialect runs on the server, others are not offered; a partition is kept here (no MD5 in
    /// MongoDB's query language).
    async fn scan_after(
        &self,
        collection: &str,
        spec: FindSpec,
        after: Option<String>,
    ) -> Result<Option<ItemStream>> {
        check_collection(collection)?;
        let query = if spec.filter.is_empty() {
            Document::new()
        } else if spec.filter.dialect == Dialect::Mongo {
            query_to_doc(&spec.filter.raw)?
        } else {
            return Ok(None);
        };
        let filtered = !query.is_empty();
        let query = match after {
            None => query,
            Some(a) if query.is_empty() => doc! {"_id": {"$gt": a}},
            Some(a) => doc! {"$and": [query, {"_id": {"$gt": a}}]},
        };
        let cursor = self
            .db
            .collection::<Document>(collection)
            .find(query)
            .sort(doc! {"_id": 1})
            .await
            .map_err(|e| self.ctx.query_err(&e))?;
        let items = stream_docs(cursor, self.ctx.clone(), filtered);
        Ok(Some(match spec.partition {
            Some(p) => items
                .filter(move |r| futures::future::ready(r.as_ref().map_or(true, |i| p.holds(i))))
                .boxed(),
            None => items,
        }))
    }

    /// The `_id` (kept in a record only when it differs from `id`), else the `id`; a
    /// non-string `_id` cannot be resumed after.
    fn resume_key(&self, item: &Item) -> Option<String> {
        match item {
            Item::Record(r) => match r.get("_id") {
                Some(Value::Str(s)) => Some(s.clone()),
                Some(_) => None,
                None => r.record_id().map(str::to_string),
            },
            Item::Unreadable { id, .. } => Some(id.clone()),
        }
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        check_collection(collection)?;
        let cursor = self
            .db
            .collection::<Document>(collection)
            .find(doc! {})
            .sort(doc! {"_id": 1})
            .await
            .map_err(|e| self.ctx.err(&format!("collection {collection}: scan"), &e))?;
        Ok(stream_docs(cursor, self.ctx.clone(), false))
    }

    async fn find(&self, collection: &str, spec: FindSpec) -> Result<ItemStream> {
        check_collection(collection)?;
        if spec.filter.dialect != Dialect::Mongo {
            let items = self.scan(collection).await?;
            return Ok(crate::find::find_in_stream(items, spec));
        }
        if spec.limit == Some(0) {
            return Ok(futures::stream::empty().boxed());
        }
        if let Some(p) = spec.partition {
            // No MD5 in MongoDB's query language: the server filters and sorts; the share,
            // then skip, limit and projection, are kept here.
            let server = FindSpec {
                filter: spec.filter.clone(),
                sort: spec.sort.clone(),
                skip: 0,
                limit: None,
                projection: None,
                partition: None,
            };
            let items = self.find(collection, server).await?;
            let rest = FindSpec {
                filter: Arc::new(Filter::all(Dialect::Mongo)),
                sort: Vec::new(),
                skip: spec.skip,
                limit: spec.limit,
                projection: spec.projection,
                partition: Some(p),
            };
            return Ok(crate::find::find_prefiltered(items, rest));
        }
        let filter = query_to_doc(&spec.filter.raw)?;
        let mut sort = Document::new();
        for k in &spec.sort {
            sort.insert(k.path.clone(), if k.descending { -1 } else { 1 });
        }
        if !sort.contains_key("_id") {
            sort.insert("_id", 1);
        }
        let coll = self.db.collection::<Document>(collection);
        let mut action = coll.find(filter).sort(sort).skip(spec.skip);
        if let Some(l) = spec.limit
            && let Ok(l) = i64::try_from(l)
        {
            action = action.limit(l);
        }
        if let Some(p) = &spec.projection {
            action = action.projection(projection_doc(p));
        }
        let cursor = action.await.map_err(|e| self.ctx.query_err(&e))?;
        Ok(stream_docs(cursor, self.ctx.clone(), true))
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        check_collection(collection)?;
        let query = match &filter {
            None => Document::new(),
            Some(f) if f.dialect == Dialect::Mongo => query_to_doc(&f.raw)?,
            Some(f) => {
                let spec = FindSpec::matching(f.clone());
                let items = self.find(collection, spec).await?;
                return crate::find::count_stream(items).await;
            }
        };
        let n = self
            .db
            .collection::<Document>(collection)
            .count_documents(query)
            .await
            .map_err(|e| self.ctx.query_err(&e))?;
        Ok(Count {
            count: n,
            unreadable: Vec::new(),
        })
    }

    async fn edges_touching(
        &self,
        edge_collection: &str,
        node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        check_collection(edge_collection)?;
        // jvspatial's edge indexes lead with `source` (idx_source_target_entity_unique) and
        // with `target` (idx_target_entity): the server answers each arm of the `$or` from
        // one of them. One `find` per chunk of ids; large batches keep getMores few.
        let coll = self.db.collection::<Document>(edge_collection);
        let what = format!("collection {edge_collection}: read");
        let mut out = Vec::new();
        for chunk in node_ids.chunks(TOUCH_CHUNK) {
            let list: Vec<Bson> = chunk.iter().map(|s| Bson::String(s.clone())).collect();
            let filter =
                doc! {"$or": [{"source": {"$in": list.clone()}}, {"target": {"$in": list}}]};
            let mut cur = coll
                .find(filter)
                .batch_size(10_000)
                .await
                .map_err(|e| self.ctx.err(&what, &e))?;
            while let Some(d) = cur.next().await {
                let d = d.map_err(|e| self.ctx.err(&what, &e))?;
                out.push(doc_to_item(d));
            }
        }
        Ok(Some(out))
    }

    async fn prepare_collection(&self, collection: &str) -> Result<()> {
        self.ensure_jvspatial_indexes(collection).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.insert((*k).to_string(), v.clone());
        }
        Value::Object(m)
    }

    /// Regression (reliability): an unencoded '?' or '/' in the password made the driver
    /// quote it ("invalid server address user:PW") while no secret had been found to scrub.
    #[test]
    fn secrets_of_malformed_uris() {
        let s = uri_secrets("mongodb://user:Zq7SeCrEt?@127.0.0.1:1");
        assert!(s.contains(&"Zq7SeCrEt".to_string()), "{s:?}");
        let s = uri_secrets("mongodb://user:Zq7/SeCrEt@127.0.0.1:1/x");
        assert!(s.contains(&"Zq7/SeCrEt".to_string()) && s.contains(&"SeCrEt".to_string()));
        assert_eq!(uri_secrets("mongodb://u:pw@h/x"), vec!["pw".to_string()]);
    }

    #[test]
    fn ints_map_like_pymongo() {
        assert_eq!(value_to_bson(&Value::Int(0)).ok(), Some(Bson::Int32(0)));
        assert_eq!(
            value_to_bson(&Value::Int(i32::MAX as i64)).ok(),
            Some(Bson::Int32(i32::MAX))
        );
        assert_eq!(
            value_to_bson(&Value::Int(i32::MIN as i64 - 1)).ok(),
            Some(Bson::Int64(i32::MIN as i64 - 1))
        );
    }

    #[test]
    fn record_layout_and_bigint_error() {
        let big = Value::from_bigint("18446744073709551617".parse().unwrap_or_default());
        let rec = obj(&[
            ("id", Value::from("n.A.1")),
            ("context", obj(&[("pop", big)])),
        ]);
        let e = record_to_doc(&rec, "n.A.1").err().unwrap_or_default();
        assert_eq!(
            e,
            "integer 18446744073709551617 at context.pop does not fit in 64 bits; MongoDB cannot store it"
        );
        let mut lone = Vec::new();
        crate::wtf8::push_code_point(&mut lone, 0xD800);
        let rec = obj(&[
            ("id", Value::from("n.A.2")),
            (
                "context",
                obj(&[("tags", Value::Array(vec![Value::from_wtf8(lone)]))]),
            ),
        ]);
        let e = record_to_doc(&rec, "n.A.2").err().unwrap_or_default();
        assert_eq!(
            e,
            "string with a lone surrogate at context.tags.0; MongoDB cannot store it"
        );
        let rec = obj(&[("z", Value::Int(1)), ("id", Value::from("a"))]);
        let (d, size) = record_to_doc(&rec, "a").unwrap_or_default();
        assert_eq!(d.keys().collect::<Vec<_>>(), vec!["_id", "z", "id"]);
        assert!(size > 0);
        match doc_to_item(d) {
            Item::Record(v) => assert_eq!(v, rec),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unreadable_types_are_named() {
        let d =
            doc! {"_id": "a", "id": "a", "ctx": {"when": mongodb::bson::DateTime::from_millis(0)}};
        match doc_to_item(d) {
            Item::Unreadable { id, reason } => {
                assert_eq!(id, "a");
                assert!(
                    reason.contains("ctx.when") && reason.contains("DateTime"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        // a differing _id is kept
        match doc_to_item(doc! {"_id": "x", "id": "y"}) {
            Item::Record(v) => assert_eq!(v.get("_id"), Some(&Value::from("x"))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn secrets_are_found_and_scrubbed() {
        let s = uri_secrets("mongodb://u:p%40ss@h/db?authSource=admin");
        assert_eq!(s, vec!["p%40ss".to_string(), "p@ss".to_string()]);
        let ctx = Ctx {
            describe: String::new(),
            secrets: s,
        };
        assert_eq!(ctx.scrub("x p@ss y\nz"), "x *** y z");
    }

    #[test]
    fn chunks_never_repeat_an_id() {
        let e = |i: usize, id: &str| (i, id.to_string(), Document::new(), 10);
        let c = chunk_unique(vec![e(0, "a"), e(1, "b"), e(2, "a"), e(3, "c")]);
        let ids: Vec<Vec<&str>> = c
            .iter()
            .map(|ch| ch.iter().map(|x| x.1.as_str()).collect())
            .collect();
        assert_eq!(ids, vec![vec!["a", "b"], vec!["a", "c"]]);
    }
}
