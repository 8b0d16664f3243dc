//! `postgresql://…` / `postgres://…` — a PostgreSQL schema laid out exactly as jvspatial 0.2.2's
//! `PostgresDB` lays it out (db/postgres.py):
//!
//! * one table per collection, `<schema>.<collection>` unquoted (so PostgreSQL folds both names
//!   to lower case, as it does for jvspatial), with jvspatial's DDL: `id TEXT PRIMARY KEY,
//!   entity TEXT NOT NULL, tenant_id TEXT, data JSONB NOT NULL, _v INTEGER NOT NULL DEFAULT 1,
//!   created_at / updated_at TIMESTAMPTZ`, its base indexes (`<col>_data_gin` unless
//!   `gin_index=off`, `<col>_entity_idx`, `<col>_tenant_idx`) created under its advisory lock
//!   (`pg_advisory_xact_lock(hashtext(schema), hashtext(collection))`) on the first write;
//!   reading never creates a table;
//! * `entity` / `tenant_id` columns computed as `_split_payload` does; `data` is the record;
//! * collection names must match jvspatial's `[A-Za-z_][A-Za-z0-9_]{0,62}` (exit 2 otherwise);
//!   the schema must exist (jvspatial does not create schemas; exit 4 otherwise);
//! * `prepare_collection` (migrate/copy unless `--no-indexes`) adds the indexes
//!   `GraphContext.ensure_indexes` creates for the built-in `Node` / `Edge` classes, with their
//!   `…_sort_<sha8>` companions, including the unique `edge_source_target_entity_uniq`.
//!
//! Spec parameters of jvdb (stripped before the rest goes to the driver; libpq parameters such
//! as `sslmode` stay): `schema` (default `public`), `gin_index=full|off` (default
//! `JVSPATIAL_PG_GIN_INDEX`, else `full`), `min_pool_size` / `max_pool_size` /
//! `command_timeout` (defaults `JVSPATIAL_POSTGRES_MIN_POOL_SIZE` / `_MAX_POOL_SIZE` /
//! `_COMMAND_TIMEOUT`, else 2 / 10 / 60 s; the timeout is the server's `statement_timeout`).
//!
//! Writes: `COPY … FROM STDIN (FORMAT binary)` into a session temp table, then one
//! `INSERT … SELECT … ON CONFLICT (id) DO UPDATE SET entity, tenant_id, data, updated_at`
//! (jvspatial's upsert) that skips rows whose stored JSONB text is already the same
//! ([`Saved::Unchanged`]: a rerun writes nothing). A batch the server rejects as a whole (a
//! unique-index collision, a value `numeric` cannot hold) is retried record by record, so the
//! good records land and each bad one fails by id; a record colliding on a unique index names
//! the record it collides with. Records holding NaN, ±Infinity, `\u0000` or a lone surrogate
//! fail by id and field before anything is sent (JSONB cannot hold them).
//!
//! Reads take the JSONB text and parse it like `json.loads` (what asyncpg gives jvspatial), so
//! keys come back in JSONB's order and numbers as `numeric` prints them: [`Store::stored_form`]
//! says how, and comparisons between stores go through it.
mod codec;
mod conn;
mod ddl;

use super::{
    Backend, Count, FindSpec, GetResult, Item, ItemStream, OpenOptions, SaveMode, Saved, Store,
    StoreSpec, record_id, validate_component,
};
use crate::error::{Error, ErrorKind, Result};
use crate::query::Filter;
use crate::value::Value;
use async_trait::async_trait;
use codec::{CopyBuf, RawJson};
use conn::Ctx;
use futures::{FutureExt, SinkExt, StreamExt};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub use codec::stored_form;
/// The spec's settings (what `PgStore::open` reads before it connects); public for the fuzz
/// target `spec`.
pub use conn::{Settings, settings};
pub use ddl::{index_name, is_safe_ident};

pub static BACKEND: Backend = Backend {
    name: "postgresql",
    schemes: &["postgresql", "postgres"],
    summary: "PostgreSQL schema in jvspatial's PostgresDB layout (postgresql://user:pw@host/db?schema=NAME)",
    open: |spec: &StoreSpec, o: &OpenOptions| {
        let uri = spec.location.clone();
        let o = o.clone();
        async move { Ok(Arc::new(PgStore::open(&uri, &o).await?) as Arc<dyn Store>) }.boxed()
    },
    local: super::not_local,
    path_form: false,
};

/// Node ids per incident-edge lookup (each is a term of the query).
const INCIDENT_CHUNK: usize = 200;

/// A rejected chunk is halved down to this many rows, which are then written one by one.
const BISECT_MIN: usize = 16;

/// A bound parameter of a pushed-down query.
/// Node ids per `edges_touching` query.
const TOUCH_CHUNK: usize = 10_000;

type PgParam = Box<dyn tokio_postgres::types::ToSql + Sync + Send>;

fn pg_param(p: crate::store::sql::Param) -> PgParam {
    use crate::store::sql::Param;
    match p {
        Param::Int(i) => Box::new(i),
        Param::Float(f) => Box::new(f),
        Param::Text(t) => Box::new(t),
    }
}

/// Rows per COPY + merge transaction (and the bytes bound of one).
const CHUNK_ROWS: usize = 5000;
const CHUNK_BYTES: usize = 16 * 1024 * 1024;
/// Statements in flight on one connection in the record-by-record path.
const PIPELINE: usize = 32;

/// A PostgreSQL schema in jvspatial's layout.
pub struct PgStore {
    pool: deadpool_postgres::Pool,
    settings: Settings,
    ctx: Arc<Ctx>,
    /// Collections whose table this process has bootstrapped.
    ready: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgStore({})", self.ctx.describe)
    }
}

/// One row to write.
struct Row {
    id: String,
    entity: String,
    tenant: Option<String>,
    data: Vec<u8>,
}

/// What the write did with one id.
#[derive(Clone, Debug)]
enum Out {
    Inserted,
    Updated,
    /// Not written: the id existed (insert / skip-existing) or held the same record (replace).
    Untouched,
    Failed(Error),
}

/// How an existing id is treated by a write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnConflict {
    Update,
    Nothing,
}

impl PgStore {
    /// Connect and check that the schema exists (within the connect timeout).
    pub async fn open(spec: &str, opts: &OpenOptions) -> Result<PgStore> {
        let settings = conn::settings(spec)?;
        ddl::check_schema(&settings.schema)?;
        let ctx = Arc::new(Ctx {
            describe: settings.shown.clone(),
            secrets: settings.secrets.clone(),
        });
        let timeout = opts
            .connect_timeout
            .unwrap_or(conn::DEFAULT_CONNECT_TIMEOUT);
        let pool = conn::pool(&settings, &ctx, timeout)?;
        let client = match tokio::time::timeout(timeout, pool.get()).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(conn::pool_err(&ctx, e)),
            Err(_) => {
                return Err(Error::unavailable(ctx.scrub(&format!(
                    "cannot reach PostgreSQL at {} within {}s: timed out",
                    ctx.describe,
                    timeout.as_secs_f64()
                ))));
            }
        };
        let folded = ddl::folded(&settings.schema);
        let row = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), current_database()",
                &[&folded],
            )
            .await
            .map_err(|e| ctx.err("check schema", &e))?;
        let exists: bool = row.get(0);
        let db: String = row.get(1);
        if !exists {
            return Err(Error::unavailable(ctx.scrub(&format!(
                "{}: schema {folded:?} does not exist in database {db:?} (jvspatial does not create schemas: CREATE SCHEMA {folded})",
                ctx.describe
            ))));
        }
        drop(client);
        // jvspatial's pool keeps `min_size` connections open: open them now (best effort).
        let warm = settings.min_pool.min(settings.max_pool);
        if warm > 1 {
            let held = futures::future::join_all((0..warm).map(|_| pool.get())).await;
            drop(held);
        }
        Ok(PgStore {
            pool,
            settings,
            ctx,
            ready: Mutex::new(HashSet::new()),
        })
    }

    /// `schema.collection` as jvspatial writes it in SQL.
    fn table(&self, col: &str) -> String {
        format!("{}.{col}", self.settings.schema)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool
            .get()
            .await
            .map_err(|e| conn::pool_err(&self.ctx, e))
    }

    /// Create the table and base indexes of `col` if missing (jvspatial's bootstrap).
    async fn ensure(&self, col: &str) -> Result<()> {
        if self.ready.lock().map(|r| r.contains(col)).unwrap_or(false) {
            return Ok(());
        }
        let mut client = self.client().await?;
        let what = format!("collection {col}: create table");
        let tx = client
            .transaction()
            .await
            .map_err(|e| self.ctx.err(&what, &e))?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))",
            &[&self.settings.schema, &col],
        )
        .await
        .map_err(|e| self.ctx.err(&what, &e))?;
        tx.batch_execute(&ddl::bootstrap_sql(
            &self.settings.schema,
            col,
            self.settings.gin_full,
        ))
        .await
        .map_err(|e| self.ctx.err(&what, &e))?;
        tx.commit().await.map_err(|e| self.ctx.err(&what, &e))?;
        if let Ok(mut r) = self.ready.lock() {
            r.insert(col.to_string());
        }
        Ok(())
    }

    /// The indexes `ensure_indexes` creates for the built-in classes on `col` (see
    /// [`ddl::jvspatial_indexes`]), the way `PostgresDB.create_index` creates them.
    pub async fn ensure_jvspatial_indexes(&self, col: &str) -> Result<Vec<String>> {
        ddl::check_collection(col)?;
        self.ensure(col).await?;
        let schema = &self.settings.schema;
        let table = self.table(col);
        let mut made = Vec::new();
        for ix in ddl::jvspatial_indexes(schema, col) {
            let what = format!("collection {col}: create index {}", ix.name);
            let err = |e: &tokio_postgres::Error| {
                let mut err = self.ctx.err(&what, e);
                if conn::code(e) == Some("23505") {
                    err.kind = ErrorKind::Conflict;
                    err.message = self.ctx.scrub(&format!(
                        "{}: stored records break it: {}",
                        what,
                        conn::classify(e).1
                    ));
                }
                err
            };
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(|e| err(&e))?;
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))",
                &[schema, &format!("index:{}", ix.name)],
            )
            .await
            .map_err(|e| err(&e))?;
            tx.batch_execute(&format!(
                "CREATE INDEX IF NOT EXISTS {} ON {table} ({})",
                ix.sort_name, ix.sort_keys
            ))
            .await
            .map_err(|e| err(&e))?;
            let existing: Option<String> = tx
                .query_opt(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2",
                    &[schema, &ix.name],
                )
                .await
                .map_err(|e| err(&e))?
                .map(|r| r.get(0));
            let mut stale = existing.as_deref().is_some_and(ddl::is_stale);
            if existing.is_some() && !stale {
                let stored: Option<Vec<i16>> = tx
                    .query_opt(
                        "SELECT i.indoption::int2[] FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                        &[schema, &ix.name],
                    )
                    .await
                    .map_err(|e| err(&e))?
                    .and_then(|r| r.get(0));
                if stored.is_some_and(|o| o.iter().any(|x| *x != 0)) {
                    stale = true;
                }
            }
            let unique = if ix.unique { "UNIQUE " } else { "" };
            if stale {
                let temp = ddl::index_name(&ix.name, "rebuild");
                tx.batch_execute(&format!(
                    "DROP INDEX IF EXISTS {schema}.{temp}; CREATE {unique}INDEX {temp} {body}; \
                     DROP INDEX {schema}.{name}; ALTER INDEX {schema}.{temp} RENAME TO {name}",
                    body = ix.body,
                    name = ix.name
                ))
                .await
                .map_err(|e| err(&e))?;
            } else {
                tx.batch_execute(&format!(
                    "CREATE {unique}INDEX IF NOT EXISTS {} {}",
                    ix.name, ix.body
                ))
                .await
                .map_err(|e| err(&e))?;
            }
            tx.commit().await.map_err(|e| err(&e))?;
            made.push(ix.name);
        }
        Ok(made)
    }

    /// The SELECT of a find, through the shared SQL splitter ([`crate::store::sql::plan`]):
    /// the pushed-down condition, order, limit and offset, and what the caller must still
    /// do in-process over the rows ([`crate::store::sql::SqlPlan::residual`]: the whole
    /// filter again unless the condition is exact). Rows come in id order unless the plan
    /// orders them.
    fn select_for(&self, col: &str, spec: &FindSpec) -> (String, Vec<PgParam>, FindSpec) {
        let plan = crate::store::sql::plan(spec, &crate::store::sql::POSTGRES, 1);
        let mut sql = format!("SELECT id, data FROM {}", self.table(col));
        if let Some(w) = &plan.where_sql {
            sql.push_str(&format!(" WHERE {w}"));
        }
        let order = plan
            .order_by
            .clone()
            .unwrap_or_else(|| "id COLLATE \"C\"".to_string());
        sql.push_str(&format!(" ORDER BY {order}"));
        if let Some(l) = plan.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        if let Some(o) = plan.offset {
            sql.push_str(&format!(" OFFSET {o}"));
        }
        let params = plan.params.into_iter().map(pg_param).collect();
        (sql, params, plan.residual)
    }

    /// Stream the rows of `sql` (`id, data`) as items; a missing table is empty.
    async fn stream(&self, col: &str, sql: String, params: Vec<PgParam>) -> Result<ItemStream> {
        let client = self.client().await?;
        let what = format!("collection {col}: read");
        let rows = client.query_raw(&sql, params).await;
        let rows = match rows {
            Ok(r) => r,
            Err(e) if conn::code(&e) == Some("42P01") => {
                return Ok(futures::stream::empty().boxed());
            }
            Err(e) => return Err(self.ctx.err(&what, &e)),
        };
        let ctx = self.ctx.clone();
        let state = (client, Box::pin(rows), ctx, what);
        Ok(
            futures::stream::unfold(state, |(client, mut rows, ctx, what)| async move {
                let next = rows.next().await?;
                let item = match next {
                    Ok(row) => row_item(&row),
                    Err(e) => Err(ctx.err(&what, &e)),
                };
                Some((item, (client, rows, ctx, what)))
            })
            .boxed(),
        )
    }

    /// The stored records of `ids` (id → item); missing ids are absent.
    async fn lookup(&self, col: &str, ids: &[String]) -> Result<HashMap<String, Item>> {
        let sql = format!(
            "SELECT id, data FROM {} WHERE id = ANY($1)",
            self.table(col)
        );
        let mut out = HashMap::new();
        let client = self.client().await?;
        for chunk in ids.chunks(CHUNK_ROWS) {
            let rows = match client.query(&sql, &[&chunk]).await {
                Ok(r) => r,
                Err(e) if conn::code(&e) == Some("42P01") => return Ok(out),
                Err(e) => return Err(self.ctx.err(&format!("collection {col}: read"), &e)),
            };
            for row in rows {
                let id: String = row.get(0);
                let item = row_item(&row)?;
                out.insert(id, item);
            }
        }
        Ok(out)
    }

    /// Write rows (unique ids) in COPY + merge transactions; a transaction the server rejects
    /// is redone record by record.
    async fn write_rows(
        &self,
        col: &str,
        rows: Vec<Row>,
        on_conflict: OnConflict,
    ) -> Result<HashMap<String, Out>> {
        let mut out = HashMap::with_capacity(rows.len());
        let mut chunk: Vec<Row> = Vec::new();
        let mut bytes = 0usize;
        let mut rows = rows.into_iter().peekable();
        while let Some(r) = rows.next() {
            bytes += r.data.len() + r.id.len() + r.entity.len() + 32;
            chunk.push(r);
            if chunk.len() >= CHUNK_ROWS || bytes >= CHUNK_BYTES || rows.peek().is_none() {
                let part = std::mem::take(&mut chunk);
                bytes = 0;
                match self.copy_merge(col, &part, on_conflict).await {
                    Ok(done) => out.extend(done),
                    Err(e) if e.kind == ErrorKind::Unavailable => return Err(e),
                    Err(_) => out.extend(self.bisect(col, part, on_conflict).await?),
                }
            }
        }
        Ok(out)
    }

    /// A chunk the server rejected: each half again as one COPY + merge transaction, down to
    /// [`BISECT_MIN`] rows, which are written record by record. One colliding edge in a chunk
    /// of 5,000 costs a few dozen transactions instead of 5,000 durable commits.
    fn bisect<'a>(
        &'a self,
        col: &'a str,
        mut rows: Vec<Row>,
        on_conflict: OnConflict,
    ) -> futures::future::BoxFuture<'a, Result<HashMap<String, Out>>> {
        async move {
            if rows.len() <= BISECT_MIN {
                return self.one_by_one(col, rows, on_conflict).await;
            }
            let right = rows.split_off(rows.len() / 2);
            let mut out = HashMap::new();
            for half in [rows, right] {
                match self.copy_merge(col, &half, on_conflict).await {
                    Ok(done) => out.extend(done),
                    Err(e) if e.kind == ErrorKind::Unavailable => return Err(e),
                    Err(_) => out.extend(self.bisect(col, half, on_conflict).await?),
                }
            }
            Ok(out)
        }
        .boxed()
    }

    /// The merge statement from the temp table.
    fn merge_sql(&self, col: &str, on_conflict: OnConflict) -> String {
        let t = self.table(col);
        match on_conflict {
            OnConflict::Update => format!(
                "INSERT INTO {t} AS t (id, entity, tenant_id, data, updated_at) \
                 SELECT id, entity, tenant_id, data, NOW() FROM _jvdb_bulk \
                 ON CONFLICT (id) DO UPDATE SET entity = EXCLUDED.entity, tenant_id = EXCLUDED.tenant_id, \
                 data = EXCLUDED.data, updated_at = NOW() \
                 WHERE t.data::text IS DISTINCT FROM EXCLUDED.data::text \
                 OR t.entity IS DISTINCT FROM EXCLUDED.entity OR t.tenant_id IS DISTINCT FROM EXCLUDED.tenant_id \
                 RETURNING id, (xmax = 0)"
            ),
            OnConflict::Nothing => format!(
                "INSERT INTO {t} (id, entity, tenant_id, data, updated_at) \
                 SELECT id, entity, tenant_id, data, NOW() FROM _jvdb_bulk \
                 ON CONFLICT (id) DO NOTHING RETURNING id, true"
            ),
        }
    }

    /// One COPY + merge transaction. `Err` with kind Unavailable: the server cannot be used;
    /// any other `Err`: the server rejected the batch (redo record by record).
    async fn copy_merge(
        &self,
        col: &str,
        rows: &[Row],
        on_conflict: OnConflict,
    ) -> Result<HashMap<String, Out>> {
        let mut buf = CopyBuf::new();
        for r in rows {
            buf.row(&r.id, &r.entity, r.tenant.as_deref(), &r.data);
        }
        let buf = bytes::Bytes::from(buf.finish());
        let what = format!("collection {col}: write");
        let err = |e: &tokio_postgres::Error| {
            let mut err = self.ctx.err(&what, e);
            // a rejected statement (not a lost connection) is redone record by record
            if e.as_db_error().is_some() && !is_server_trouble(e) {
                err.kind = ErrorKind::Invalid;
            }
            err
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| err(&e))?;
        tx.batch_execute(
            "CREATE TEMP TABLE IF NOT EXISTS _jvdb_bulk (id TEXT, entity TEXT, tenant_id TEXT, data JSONB) ON COMMIT DELETE ROWS",
        )
        .await
        .map_err(|e| err(&e))?;
        let sink = tx
            .copy_in("COPY _jvdb_bulk (id, entity, tenant_id, data) FROM STDIN (FORMAT binary)")
            .await
            .map_err(|e| err(&e))?;
        let mut sink = std::pin::pin!(sink);
        sink.send(buf).await.map_err(|e| err(&e))?;
        sink.as_mut().finish().await.map_err(|e| err(&e))?;
        let stmt = tx
            .prepare_cached(&self.merge_sql(col, on_conflict))
            .await
            .map_err(|e| err(&e))?;
        let done = tx.query(&stmt, &[]).await.map_err(|e| err(&e))?;
        tx.commit().await.map_err(|e| err(&e))?;
        let mut out: HashMap<String, Out> = rows
            .iter()
            .map(|r| (r.id.clone(), Out::Untouched))
            .collect();
        for row in done {
            let id: String = row.get(0);
            let inserted: bool = row.get(1);
            out.insert(
                id,
                if inserted {
                    Out::Inserted
                } else {
                    Out::Updated
                },
            );
        }
        Ok(out)
    }

    /// The record-by-record path (each its own statement, pipelined on one connection).
    async fn one_by_one(
        &self,
        col: &str,
        rows: Vec<Row>,
        on_conflict: OnConflict,
    ) -> Result<HashMap<String, Out>> {
        let t = self.table(col);
        let sql = match on_conflict {
            OnConflict::Update => format!(
                "INSERT INTO {t} AS t (id, entity, tenant_id, data, updated_at) \
                 VALUES ($1, $2, $3, $4::text::jsonb, NOW()) \
                 ON CONFLICT (id) DO UPDATE SET entity = EXCLUDED.entity, tenant_id = EXCLUDED.tenant_id, \
                 data = EXCLUDED.data, updated_at = NOW() \
                 WHERE t.data::text IS DISTINCT FROM EXCLUDED.data::text \
                 OR t.entity IS DISTINCT FROM EXCLUDED.entity OR t.tenant_id IS DISTINCT FROM EXCLUDED.tenant_id \
                 RETURNING (xmax = 0)"
            ),
            OnConflict::Nothing => format!(
                "INSERT INTO {t} (id, entity, tenant_id, data, updated_at) \
                 VALUES ($1, $2, $3, $4::text::jsonb, NOW()) ON CONFLICT (id) DO NOTHING RETURNING true"
            ),
        };
        let client = self.client().await?;
        let what = format!("collection {col}: write");
        let stmt = client
            .prepare_cached(&sql)
            .await
            .map_err(|e| self.ctx.err(&what, &e))?;
        type Res = (
            usize,
            std::result::Result<Option<bool>, tokio_postgres::Error>,
        );
        let mut futs: Vec<futures::future::BoxFuture<'_, Res>> = Vec::with_capacity(rows.len());
        for (k, r) in rows.iter().enumerate() {
            let (client, stmt) = (&client, stmt.clone());
            let data = String::from_utf8_lossy(&r.data).into_owned();
            let (id, entity, tenant) = (r.id.clone(), r.entity.clone(), r.tenant.clone());
            futs.push(
                async move {
                    let res = client
                        .query_opt(&stmt, &[&id, &entity, &tenant, &data])
                        .await
                        .map(|row| row.map(|x| x.get::<_, bool>(0)));
                    (k, res)
                }
                .boxed(),
            );
        }
        let results: Vec<Res> = futures::stream::iter(futs)
            .buffered(PIPELINE)
            .collect()
            .await;
        let mut out = HashMap::with_capacity(rows.len());
        for (k, res) in results {
            let r = &rows[k];
            let o = match res {
                Ok(Some(true)) => Out::Inserted,
                Ok(Some(false)) => Out::Updated,
                Ok(None) => Out::Untouched,
                Err(e) if e.as_db_error().is_none() || is_server_trouble(&e) => {
                    return Err(self.ctx.err(&what, &e));
                }
                Err(e) => Out::Failed(self.record_error(&client, col, r, &e).await),
            };
            out.insert(r.id.clone(), o);
        }
        Ok(out)
    }

    /// The error of one record the server rejected; a unique-index collision names the record
    /// it collides with.
    async fn record_error(
        &self,
        client: &deadpool_postgres::Object,
        col: &str,
        r: &Row,
        e: &tokio_postgres::Error,
    ) -> Error {
        let (_, text) = conn::classify(e);
        let db = e.as_db_error();
        if conn::code(e) == Some("23505")
            && let Some(ix) = db.and_then(|d| d.constraint())
        {
            let other = self.colliding_id(client, col, ix, r).await;
            let with = match other {
                Some(o) => format!("collides with record {o:?}"),
                None => "collides with another record".to_string(),
            };
            return Error::conflict(self.ctx.scrub(&format!(
                "collection {col}: record {:?} {with} on unique index {ix} ({text}); not written",
                r.id
            )));
        }
        Error::invalid(self.ctx.scrub(&format!(
            "collection {col}: record {:?}: PostgreSQL rejected it: {text}",
            r.id
        )))
    }

    /// The id of the stored record that has the same key as `r` in unique index `ix`.
    async fn colliding_id(
        &self,
        client: &deadpool_postgres::Object,
        col: &str,
        ix: &str,
        r: &Row,
    ) -> Option<String> {
        let exprs: Vec<String> = client
            .query(
                "SELECT pg_get_indexdef(c.oid, k, true) FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid, \
                 generate_series(1, i.indnkeyatts) k WHERE n.nspname = $1 AND c.relname = $2 ORDER BY k",
                &[&ddl::folded(&self.settings.schema), &ix],
            )
            .await
            .ok()?
            .iter()
            .map(|row| row.get(0))
            .collect();
        if exprs.is_empty() {
            return None;
        }
        let keys = exprs.join(", ");
        let sql = format!(
            "SELECT id FROM {} WHERE ({keys}) = (SELECT {keys} FROM (SELECT $1::text AS id, $2::text AS entity, \
             $3::text AS tenant_id, $4::text::jsonb AS data) AS n) AND id <> $1 ORDER BY id LIMIT 1",
            self.table(col)
        );
        let data = String::from_utf8_lossy(&r.data);
        client
            .query_opt(&sql, &[&r.id, &r.entity, &r.tenant, &data.as_ref()])
            .await
            .ok()?
            .map(|row| row.get(0))
    }

    /// Merge mode: read the stored records, deep-merge in input order, write the results.
    async fn merge(
        &self,
        col: &str,
        valid: Vec<(usize, String, Value)>,
        results: &mut [Option<Result<Saved>>],
    ) -> Result<()> {
        let mut ids: Vec<String> = valid.iter().map(|(_, id, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        let stored = self.lookup(col, &ids).await?;
        let crate::store::MergePlan {
            order,
            state,
            existed,
            members,
        } = crate::store::plan_merge(col, stored, valid, results);
        let rows: Vec<Row> = order
            .iter()
            .filter_map(|id| state.get(id).map(|v| to_row(id, v)))
            .collect();
        let outs = self.write_rows(col, rows, OnConflict::Update).await?;
        for (id, idxs) in &members {
            match outs.get(id) {
                Some(Out::Failed(e)) => {
                    for i in idxs {
                        results[*i] = Some(Err(e.clone()));
                    }
                }
                Some(Out::Untouched) if existed.contains(id) => {
                    for i in idxs {
                        results[*i] = Some(Ok(Saved::Unchanged));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A server-side condition that makes the store unusable rather than the batch wrong.
fn is_server_trouble(e: &tokio_postgres::Error) -> bool {
    matches!(
        conn::code(e).map(|c| &c[..2]),
        Some("08" | "53" | "57" | "58" | "XX" | "28" | "3D" | "3F" | "40" | "55")
    ) || conn::code(e) == Some("42P01")
        || conn::code(e) == Some("42501")
}

/// A row `(id, data)` as an item.
fn row_item(row: &tokio_postgres::Row) -> Result<Item> {
    let id: String = row
        .try_get(0)
        .map_err(|e| Error::unavailable(format!("read id: {e}")))?;
    let data: RawJson = row
        .try_get(1)
        .map_err(|e| Error::unavailable(format!("record {id:?}: read data: {e}")))?;
    Ok(match crate::json::parse_bytes(data.0) {
        Ok(v) if v.as_object().is_some() => Item::Record(v),
        Ok(v) => Item::Unreadable {
            id,
            reason: format!("data is a JSON {}, not an object", v.type_name()),
        },
        Err(e) => Item::Unreadable {
            id,
            reason: format!("data is not readable JSON: {}", e.message),
        },
    })
}

/// The row of a record that passed [`codec::check`].
fn to_row(id: &str, v: &Value) -> Row {
    let (entity, tenant) = v.as_object().map(codec::entity_tenant).unwrap_or_default();
    let mut data = Vec::with_capacity(256);
    codec::data_text(v, &mut data);
    Row {
        id: id.to_string(),
        entity,
        tenant,
        data,
    }
}

/// What jvspatial's PostgresDB cannot hold: JSONB's values ([`codec::check`]), its table
/// names ([`ddl::check_collection`]), and the unique `(source, target, entity)` edge index.
pub fn write_limits() -> crate::store::WriteLimits {
    crate::store::WriteLimits {
        target: "PostgreSQL",
        value: Some(codec::unwritable),
        collection: ddl::check_collection,
        unique_edge_key: true,
    }
}

#[async_trait]
impl Store for PgStore {
    fn check_collection(&self, name: &str) -> Result<()> {
        ddl::check_collection(name)
    }

    fn write_limits(&self) -> Option<crate::store::WriteLimits> {
        Some(write_limits())
    }

    fn same_collection(&self, a: &str, b: &str) -> bool {
        a.to_ascii_lowercase() == b
    }

    fn read_caps(&self) -> crate::store::ReadCaps {
        crate::store::ReadCaps {
            parallel_map: false,
            filter_pushdown: true,
            // The md5 of the id column, in the WHERE clause.
            partition_pushdown: true,
        }
    }

    fn backend(&self) -> &'static str {
        "postgresql"
    }

    fn describe(&self) -> String {
        self.ctx.describe.clone()
    }

    fn stored_form(&self) -> Option<fn(&Value) -> Value> {
        Some(codec::stored_form)
    }

    async fn collections(&self) -> Result<Vec<String>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') \
                 AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id' AND a.atttypid = 'text'::regtype AND NOT a.attisdropped) \
                 AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'entity' AND a.atttypid = 'text'::regtype AND NOT a.attisdropped) \
                 AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'data' AND a.atttypid = 'jsonb'::regtype AND NOT a.attisdropped) \
                 ORDER BY c.relname COLLATE \"C\"",
                &[&ddl::folded(&self.settings.schema)],
            )
            .await
            .map_err(|e| self.ctx.err("list collections", &e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        ddl::check_collection(collection)?;
        validate_component(id, "record id")
            .map_err(|e| e.context(format!("collection {collection}")))?;
        let client = self.client().await?;
        let sql = format!(
            "SELECT id, data FROM {} WHERE id = $1",
            self.table(collection)
        );
        let row = match client.query_opt(&sql, &[&id]).await {
            Ok(r) => r,
            Err(e) if conn::code(&e) == Some("42P01") => return Ok(GetResult::Missing),
            Err(e) => return Err(self.ctx.err(&format!("collection {collection}: get"), &e)),
        };
        Ok(match row.map(|r| row_item(&r)).transpose()? {
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
        ddl::check_collection(collection)?;
        let n = records.len();
        let mut results: Vec<Option<Result<Saved>>> = vec![None; n];
        let mut valid: Vec<(usize, String, Value)> = Vec::with_capacity(n);
        for (index, record) in records.into_iter().enumerate() {
            let id = record_id(&record).and_then(|id| {
                validate_component(id, "record id")?;
                Ok(id.to_string())
            });
            match id {
                Ok(id) => match codec::check(&record) {
                    Ok(()) => valid.push((index, id, record)),
                    Err(u) => {
                        results[index] = Some(Err(Error::invalid(format!(
                            "collection {collection}: record {id:?}: {}",
                            u.message()
                        ))))
                    }
                },
                Err(e) => {
                    results[index] = Some(Err(
                        e.context(format!("collection {collection}: record {index}"))
                    ))
                }
            }
        }
        if !valid.is_empty() {
            self.ensure(collection).await?;
            if mode == SaveMode::Merge {
                self.merge(collection, valid, &mut results).await?;
            } else {
                // one row per id: the last for replace, the first for insert / skip-existing
                let mut members: HashMap<String, Vec<usize>> = HashMap::new();
                let mut chosen: HashMap<String, usize> = HashMap::new();
                let mut order: Vec<String> = Vec::new();
                for (k, (idx, id, _)) in valid.iter().enumerate() {
                    let m = members.entry(id.clone()).or_default();
                    if m.is_empty() {
                        order.push(id.clone());
                        chosen.insert(id.clone(), k);
                    } else if mode == SaveMode::Replace {
                        chosen.insert(id.clone(), k);
                    }
                    m.push(*idx);
                }
                let rows: Vec<Row> = order
                    .iter()
                    .map(|id| {
                        let (_, _, v) = &valid[chosen[id]];
                        to_row(id, v)
                    })
                    .collect();
                drop(valid);
                let on_conflict = if mode == SaveMode::Replace {
                    OnConflict::Update
                } else {
                    OnConflict::Nothing
                };
                let outs = self.write_rows(collection, rows, on_conflict).await?;
                for id in &order {
                    let idxs = &members[id];
                    let out = outs
                        .get(id)
                        .cloned()
                        .unwrap_or(Out::Failed(Error::unavailable(format!(
                            "collection {collection}: record {id:?}: not written (internal)"
                        ))));
                    let exists = || {
                        Error::conflict(format!(
                            "collection {collection}: record {id:?} already exists ({} mode)",
                            mode.name()
                        ))
                    };
                    for (k, idx) in idxs.iter().enumerate() {
                        let r = match (&out, mode) {
                            (Out::Failed(e), _) => Err(e.clone()),
                            (Out::Inserted, SaveMode::Replace) if k == 0 => Ok(Saved::Created),
                            (Out::Inserted | Out::Updated, SaveMode::Replace) => {
                                Ok(Saved::Replaced)
                            }
                            (Out::Untouched, SaveMode::Replace) => Ok(Saved::Unchanged),
                            (Out::Inserted, _) if k == 0 => Ok(Saved::Created),
                            (_, SaveMode::Insert) => Err(exists()),
                            _ => Ok(Saved::Skipped),
                        };
                        results[*idx] = Some(r);
                    }
                }
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::unavailable("record not written (internal)"))))
            .collect())
    }

    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        ddl::check_collection(collection)?;
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
        let mut deleted: HashSet<String> = HashSet::new();
        if !wanted.is_empty() {
            let client = self.client().await?;
            let sql = format!(
                "DELETE FROM {} WHERE id = ANY($1) RETURNING id",
                self.table(collection)
            );
            for chunk in wanted.chunks(CHUNK_ROWS) {
                match client.query(&sql, &[&chunk]).await {
                    Ok(rows) => deleted.extend(rows.iter().map(|r| r.get::<_, String>(0))),
                    Err(e) if conn::code(&e) == Some("42P01") => break,
                    Err(e) => {
                        return Err(self
                            .ctx
                            .err(&format!("collection {collection}: delete"), &e));
                    }
                }
            }
        }
        Ok(results
            .into_iter()
            .zip(ids)
            .map(|(r, id)| match r {
                Some(r) => r,
                // the first occurrence of an id reports the deletion
                None => Ok(deleted.remove(&id)),
            })
            .collect())
    }

    fn transient_failures(&self) -> bool {
        true
    }

    /// In `id COLLATE "C"` order after `after`, with the filter and partition pushed down as a
    /// find would (the residual applied in-process).
    async fn scan_after(
        &self,
        collection: &str,
        spec: FindSpec,
        after: Option<String>,
    ) -> Result<Option<ItemStream>> {
        ddl::check_collection(collection)?;
        let plan = crate::store::sql::plan(&spec, &crate::store::sql::POSTGRES, 1);
        let mut conds = Vec::new();
        if let Some(w) = &plan.where_sql {
            conds.push(format!("({w})"));
        }
        let mut params: Vec<PgParam> = plan.params.into_iter().map(pg_param).collect();
        if let Some(a) = after {
            params.push(Box::new(a));
            conds.push(format!("id COLLATE \"C\" > ${}", params.len()));
        }
        let mut sql = format!("SELECT id, data FROM {}", self.table(collection));
        if !conds.is_empty() {
            sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
        }
        sql.push_str(" ORDER BY id COLLATE \"C\"");
        let items = self.stream(collection, sql, params).await?;
        Ok(Some(crate::find::find_in_stream(items, plan.residual)))
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        ddl::check_collection(collection)?;
        let sql = format!(
            "SELECT id, data FROM {} ORDER BY id COLLATE \"C\"",
            self.table(collection)
        );
        self.stream(collection, sql, Vec::new()).await
    }

    async fn find(&self, collection: &str, spec: FindSpec) -> Result<ItemStream> {
        ddl::check_collection(collection)?;
        if spec.limit == Some(0) {
            return Ok(futures::stream::empty().boxed());
        }
        let (sql, params, residual) = self.select_for(collection, &spec);
        let items = self.stream(collection, sql, params).await?;
        Ok(crate::find::find_in_stream(items, residual))
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        ddl::check_collection(collection)?;
        match filter {
            Some(f) if !f.is_empty() => {
                let plan = crate::store::sql::count_plan(Some(&f), &crate::store::sql::POSTGRES, 1);
                if !plan.exact {
                    let items = self.find(collection, FindSpec::matching(f)).await?;
                    return crate::find::count_stream(items).await;
                }
                // The condition is the filter: the server counts.
                let client = self.client().await?;
                let sql = format!(
                    "SELECT COUNT(*) FROM {} WHERE {}",
                    self.table(collection),
                    plan.where_sql.as_deref().unwrap_or("TRUE")
                );
                let params: Vec<PgParam> = plan.params.into_iter().map(pg_param).collect();
                let n: i64 = match client.query_raw(&sql, params).await {
                    Ok(rows) => {
                        let mut rows = Box::pin(rows);
                        match rows.next().await {
                            Some(Ok(r)) => r.get(0),
                            Some(Err(e)) => {
                                return Err(self
                                    .ctx
                                    .err(&format!("collection {collection}: count"), &e));
                            }
                            None => 0,
                        }
                    }
                    Err(e) if conn::code(&e) == Some("42P01") => 0,
                    Err(e) => {
                        return Err(self.ctx.err(&format!("collection {collection}: count"), &e));
                    }
                };
                Ok(Count {
                    count: n.max(0) as u64,
                    unreadable: Vec::new(),
                })
            }
            _ => {
                let client = self.client().await?;
                let sql = format!("SELECT COUNT(*) FROM {}", self.table(collection));
                let n: i64 = match client.query_one(&sql, &[]).await {
                    Ok(r) => r.get(0),
                    Err(e) if conn::code(&e) == Some("42P01") => 0,
                    Err(e) => {
                        return Err(self.ctx.err(&format!("collection {collection}: count"), &e));
                    }
                };
                Ok(Count {
                    count: n as u64,
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
        ddl::check_collection(edge_collection)?;
        let mut out = Vec::new();
        for chunk in node_ids.chunks(INCIDENT_CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let table = crate::store::sql::TableRef {
                table: self.table(edge_collection),
                collection: None,
            };
            let (sql, params) =
                crate::store::sql::incident_edges(&crate::store::sql::POSTGRES, &table, &ids, 1);
            let params: Vec<PgParam> = params.into_iter().map(pg_param).collect();
            let mut items = self.stream(edge_collection, sql, params).await?;
            while let Some(item) = items.next().await {
                out.push(item?);
            }
        }
        Ok(Some(out))
    }

    async fn edges_touching(
        &self,
        edge_collection: &str,
        node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        ddl::check_collection(edge_collection)?;
        // The same expressions as jvspatial's edge indexes (`edge_source_target_entity_uniq`
        // leads with `data #>> '{source}'`, `edge_target_entity_idx` with `… '{target}'`), so
        // the planner answers both arms from them (a BitmapOr), whatever the batch size.
        let sql = format!(
            "SELECT id, data FROM {} WHERE (data #>> '{{source}}') = ANY($1) OR (data #>> '{{target}}') = ANY($1)",
            self.table(edge_collection)
        );
        // Prepared once per connection: a walk's later levels cost one round trip each.
        let client = self.client().await?;
        let what = format!("collection {edge_collection}: read");
        let stmt = match client.prepare_cached(&sql).await {
            Ok(s) => s,
            Err(e) if conn::code(&e) == Some("42P01") => return Ok(Some(Vec::new())),
            Err(e) => return Err(self.ctx.err(&what, &e)),
        };
        let mut out = Vec::new();
        for chunk in node_ids.chunks(TOUCH_CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let rows = client
                .query(&stmt, &[&ids])
                .await
                .map_err(|e| self.ctx.err(&what, &e))?;
            for row in &rows {
                out.push(row_item(row)?);
            }
        }
        Ok(Some(out))
    }

    async fn prepare_collection(&self, collection: &str) -> Result<()> {
        self.ensure_jvspatial_indexes(collection).await.map(|_| ())
    }
}
