//! Differential test of the shared SQL splitter (`jvdb::store::sql`) against the in-process
//! mongo matcher, on a real SQLite (rusqlite, in memory, jvspatial's `records` table with
//! `data` = `json.dumps` text) and a real PostgreSQL (jvspatial's per-collection table with
//! `data jsonb`; tests/common/pg_server.rs).
//!
//! For every generated query: the rows SQL selects contain every record the matcher accepts,
//! and equal them when the plan is `exact`; `plan` + its residual through `find_in_stream`
//! gives exactly the in-process `find` (same records, same order) for random sort/skip/limit.
//! Also the graph queries (dangling edges, incident edges) against src/graph.rs.
//!
//! Knobs: JVDB_SQL_DIFF_SEED, JVDB_SQL_DIFF_QUERIES (default 4000).

mod common;

use futures::StreamExt;
use jvdb::query::{Dialect, Filter, SortKey};
use jvdb::store::sql::{self, Param, SqlDialect, TableRef};
use jvdb::store::{FindSpec, Item, SaveMode, Store};
use jvdb::value::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn big(s: &str) -> Value {
    Value::from_bigint(s.parse().unwrap())
}

const KEYS: &[&str] = &[
    "a", "b", "c", "0", "1", "a.b", "q\"", "sp ace", "$x", "é", "'",
];

fn scalar(r: &mut Rng) -> Value {
    match r.below(34) {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::Bool(false),
        3 => Value::Int(0),
        4 => Value::Int(1),
        5 => Value::Int(5),
        6 => Value::Int(-3),
        7 => Value::Int(i64::MAX),
        8 => Value::Int(i64::MIN),
        9 => Value::Int(9007199254740993),
        10 => big("18446744073709551617"),
        11 => big("-18446744073709551616"),
        12 => Value::Float(5.0),
        13 => Value::Float(-0.0),
        14 => Value::Float(2.5),
        15 => Value::Float(0.1),
        16 => Value::Float(1e300),
        17 => Value::Float(f64::NAN),
        18 => Value::Float(f64::INFINITY),
        19 => Value::Float(f64::NEG_INFINITY),
        20 => Value::Float(9007199254740992.0),
        21 => Value::Float(1.8446744073709552e19),
        22 => Value::Str(String::new()),
        23 => Value::Str("a".into()),
        24 => Value::Str("B".into()),
        25 => Value::Str("ab".into()),
        26 => Value::Str("é".into()),
        27 => Value::Str("😀".into()),
        28 => Value::Str("\u{0}x".into()),
        29 => Value::from_wtf8(vec![0xED, 0xA0, 0x80, b'z']),
        30 => Value::Str("[1]".into()),
        31 => Value::Str("NaN".into()),
        32 => Value::Int(2147483648),
        _ => Value::Float(1e-7),
    }
}

fn value(r: &mut Rng, depth: usize) -> Value {
    if depth >= 3 {
        return scalar(r);
    }
    match r.below(10) {
        0..=4 => scalar(r),
        5..=6 => Value::Array((0..r.below(4)).map(|_| value(r, depth + 1)).collect()),
        _ => object(r, depth + 1),
    }
}

fn object(r: &mut Rng, depth: usize) -> Value {
    let mut m = Map::new();
    for _ in 0..r.below(4) {
        let k = if r.chance(70) {
            r.pick(&KEYS[..3]).to_string()
        } else {
            r.pick(KEYS).to_string()
        };
        let v = value(r, depth);
        m.insert(k, v);
    }
    Value::Object(m)
}

fn record(r: &mut Rng, i: usize) -> Value {
    let mut m = Map::new();
    m.insert(
        "id".into(),
        Value::Str(format!("r{:03}{}", i, ["", "é", "Z", "a"][i % 4])),
    );
    if let Value::Object(o) = object(r, 0) {
        for (k, v) in o {
            m.insert(k, v);
        }
    }
    if r.chance(60) {
        let v = value(r, 1);
        m.insert("a".into(), v);
    }
    Value::Object(m)
}

const PATHS: &[&str] = &[
    "a", "a", "b", "c", "a.b", "a.c", "a.0", "a.1", "a.0.b", "a.b.c", "a.0.0", "a.1.b", "b.a",
    "q\"", "sp ace", "a.$x", "é", "a.a.b", "0", "id", "zz", "c.0.a", "'",
];

fn operand(r: &mut Rng) -> Value {
    if r.chance(12) { value(r, 2) } else { scalar(r) }
}

fn field_ops(r: &mut Rng, depth: usize) -> Value {
    let mut m = Map::new();
    for _ in 0..1 + r.below(2) {
        let (k, v): (&str, Value) = match r.below(18) {
            0 => ("$eq", operand(r)),
            1 => ("$ne", operand(r)),
            2 => ("$gt", operand(r)),
            3 => ("$gte", operand(r)),
            4 => ("$lt", operand(r)),
            5 => ("$lte", operand(r)),
            6 => (
                "$in",
                Value::Array((0..r.below(4)).map(|_| operand(r)).collect()),
            ),
            7 => (
                "$nin",
                Value::Array((0..r.below(4)).map(|_| operand(r)).collect()),
            ),
            8 => ("$exists", Value::Bool(r.chance(50))),
            9 => (
                "$type",
                Value::Str(
                    r.pick(&[
                        "double", "string", "object", "array", "bool", "null", "int", "long",
                        "number", "date",
                    ])
                    .to_string(),
                ),
            ),
            10 => ("$size", Value::Int(r.below(3) as i64)),
            11 if depth < 2 => ("$not", field_ops(r, depth + 1)),
            12 if depth < 2 => ("$elemMatch", field_ops(r, depth + 1)),
            13 if depth < 2 => ("$elemMatch", query(r, depth + 1)),
            14 => ("$regex", Value::Str(r.pick(&["^a", "b", "é$"]).to_string())),
            15 => ("$mod", Value::Array(vec![Value::Int(2), Value::Int(1)])),
            16 => (
                "$all",
                Value::Array((0..1 + r.below(2)).map(|_| scalar(r)).collect()),
            ),
            _ => ("$eq", operand(r)),
        };
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

fn query(r: &mut Rng, depth: usize) -> Value {
    let mut m = Map::new();
    for _ in 0..1 + r.below(2) {
        if depth < 2 && r.chance(18) {
            let op = *r.pick(&["$and", "$or", "$nor"]);
            let subs = (0..1 + r.below(3)).map(|_| query(r, depth + 1)).collect();
            m.insert(op.to_string(), Value::Array(subs));
        } else {
            let p = r.pick(PATHS).to_string();
            let v = if r.chance(35) {
                let o = operand(r);
                // An object operand starting with `$` is an operator document.
                if matches!(&o, Value::Object(m) if m.keys().next().is_some_and(|k| k.starts_with('$')))
                {
                    Value::Int(1)
                } else {
                    o
                }
            } else {
                field_ops(r, depth)
            };
            m.insert(p, v);
        }
    }
    Value::Object(m)
}

fn sort_keys(r: &mut Rng) -> Vec<SortKey> {
    if r.chance(30) {
        return Vec::new();
    }
    (0..1 + r.below(2))
        .map(|_| SortKey {
            path: r.pick(&["id", "id", "a", "b", "a.b", "c"]).to_string(),
            descending: r.chance(50),
        })
        .collect()
}

fn text(v: &Value) -> String {
    jvdb::json::to_python_compact(v)
}

fn stream(records: Vec<Value>) -> jvdb::store::ItemStream {
    futures::stream::iter(records.into_iter().map(|v| Ok(Item::Record(v)))).boxed()
}

fn collect(s: jvdb::store::ItemStream) -> Vec<String> {
    futures::executor::block_on(s.collect::<Vec<_>>())
        .into_iter()
        .map(|i| match i.unwrap() {
            Item::Record(v) => text(&v),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

/// A database under test: runs a plan and returns the `data` texts of the rows.
trait Db {
    fn dialect(&self) -> &'static SqlDialect;
    /// The first placeholder number the plan may use.
    fn first(&self) -> usize;
    /// Rows with `where_sql`, ordered by `order` (or the natural order: ascending id, code
    /// point order), with limit/offset.
    fn select(&mut self, p: &sql::SqlPlan) -> Vec<String>;
    fn raw(&mut self, sql: &str, params: &[Param]) -> Vec<(String, String, bool)>;
}

struct Lite(rusqlite::Connection);

impl Db for Lite {
    fn dialect(&self) -> &'static SqlDialect {
        &sql::SQLITE
    }
    fn first(&self) -> usize {
        2
    }
    fn select(&mut self, p: &sql::SqlPlan) -> Vec<String> {
        let mut q = format!(
            "SELECT data FROM records WHERE collection = ?1{}",
            p.where_sql
                .as_ref()
                .map(|w| format!(" AND ({w})"))
                .unwrap_or_default()
        );
        q.push_str(&format!(
            " ORDER BY {}",
            p.order_by.clone().unwrap_or_else(|| "id".into())
        ));
        if p.limit.is_some() || p.offset.is_some() {
            q.push_str(&format!(
                " LIMIT {} OFFSET {}",
                p.limit.map(|l| l as i64).unwrap_or(-1),
                p.offset.unwrap_or(0)
            ));
        }
        let mut params: Vec<&dyn rusqlite::ToSql> = vec![&"c"];
        for x in &p.params {
            params.push(x);
        }
        let mut st = self.0.prepare(&q).unwrap_or_else(|e| panic!("{q}: {e}"));
        st.query_map(params.as_slice(), |r| r.get::<_, String>(0))
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{q}: {e}")))
            .collect()
    }
    fn raw(&mut self, q: &str, params: &[Param]) -> Vec<(String, String, bool)> {
        let mut st = self.0.prepare(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0))
        })
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .map(|r| r.unwrap())
        .collect()
    }
}

fn lite(records: &[Value], edges: &[Value]) -> Lite {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    c.execute_batch(
        "CREATE TABLE records (collection TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (collection, id))",
    )
    .unwrap();
    for (coll, rs) in [("c", records), ("edge", edges)] {
        for r in rs {
            c.execute(
                "INSERT INTO records (collection, id, data) VALUES (?1, ?2, ?3)",
                rusqlite::params![coll, r.record_id().unwrap(), text(r)],
            )
            .unwrap();
        }
    }
    Lite(c)
}

struct Pg {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    schema: String,
}

impl Pg {
    fn connect() -> Pg {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dsn = common::pg_server::dsn();
        let schema = common::pg_server::fresh_schema();
        let client = rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&dsn, tokio_postgres::NoTls)
                .await
                .expect("connect to the test PostgreSQL");
            tokio::spawn(conn);
            client
                .batch_execute(sql::postgres::SESSION_SETUP)
                .await
                .unwrap();
            client
        });
        Pg { rt, client, schema }
    }

    /// jvspatial's table for `coll`; returns the records as stored (read back from
    /// `data::text`), skipping those JSONB cannot hold.
    fn load(&mut self, coll: &str, records: &[Value]) -> Vec<Value> {
        let s = self.schema.clone();
        self.rt.block_on(async {
            self.client
                .batch_execute(&format!(
                    "CREATE TABLE {s}.{coll} (id TEXT PRIMARY KEY, entity TEXT, tenant_id TEXT, data JSONB NOT NULL)"
                ))
                .await
                .unwrap();
            for r in records {
                let t = text(r);
                let _ = self
                    .client
                    .execute(
                        &format!("INSERT INTO {s}.{coll} (id, entity, data) VALUES ($1, '', $2::text::jsonb)"),
                        &[&r.record_id().unwrap(), &t],
                    )
                    .await;
            }
            let rows = self
                .client
                .query(&format!("SELECT data::text FROM {s}.{coll} ORDER BY id COLLATE \"C\""), &[])
                .await
                .unwrap();
            rows.iter()
                .map(|r| jvdb::json::parse_str(&r.get::<_, String>(0)).unwrap())
                .collect()
        })
    }
}

impl Db for Pg {
    fn dialect(&self) -> &'static SqlDialect {
        &sql::POSTGRES
    }
    fn first(&self) -> usize {
        1
    }
    fn select(&mut self, p: &sql::SqlPlan) -> Vec<String> {
        let mut q = format!(
            "SELECT data::text FROM {}.c{}",
            self.schema,
            p.where_sql
                .as_ref()
                .map(|w| format!(" WHERE {w}"))
                .unwrap_or_default()
        );
        q.push_str(&format!(
            " ORDER BY {}",
            p.order_by
                .clone()
                .unwrap_or_else(|| "id COLLATE \"C\"".into())
        ));
        if let Some(l) = p.limit {
            q.push_str(&format!(" LIMIT {l}"));
        }
        if let Some(o) = p.offset {
            q.push_str(&format!(" OFFSET {o}"));
        }
        let params = sql::postgres::pg_params(&p.params);
        let rows = self
            .rt
            .block_on(self.client.query(&q, &params))
            .unwrap_or_else(|e| panic!("{q}: {e:?}"));
        rows.iter()
            .map(|r| text(&jvdb::json::parse_str(&r.get::<_, String>(0)).unwrap()))
            .collect()
    }
    fn raw(&mut self, q: &str, params: &[Param]) -> Vec<(String, String, bool)> {
        let q = q.replace(
            "SELECT _jve.id, _jve.data,",
            "SELECT _jve.id, _jve.data::text,",
        );
        let params = sql::postgres::pg_params(params);
        let rows = self
            .rt
            .block_on(self.client.query(&q, &params))
            .unwrap_or_else(|e| panic!("{q}: {e:?}"));
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    }
}

#[derive(Default)]
struct Stats {
    queries: usize,
    pushed: usize,
    exact: usize,
    /// Queries whose SQL returned fewer rows than the table holds.
    narrowing: usize,
    finds: usize,
}

/// The differential run over `records` (as the database holds them) and generated queries.
fn differential(db: &mut dyn Db, records: &[Value], seed: u64, n: usize) -> Stats {
    let d = db.dialect();
    let mut r = Rng(seed);
    let mut st = Stats::default();
    let mut natural: Vec<Value> = records.to_vec();
    natural.sort_by(|a, b| a.record_id().unwrap().cmp(b.record_id().unwrap()));
    let all: Vec<String> = natural.iter().map(text).collect();
    let mut failures = Vec::new();
    while st.queries < n {
        let q = query(&mut r, 0);
        let Ok(f) = Filter::compile(&q, Dialect::Mongo) else {
            continue;
        };
        let f = Arc::new(f);
        st.queries += 1;
        let cp = sql::count_plan(Some(&f), d, db.first());
        if cp.where_sql.is_some() {
            st.pushed += 1;
        }
        if cp.exact {
            st.exact += 1;
        }
        let selected: BTreeSet<String> = db.select(&cp).into_iter().collect();
        if selected.len() < all.len() {
            st.narrowing += 1;
        }
        let matched: Vec<&String> = natural
            .iter()
            .zip(&all)
            .filter(|(v, _)| f.matches(v).unwrap())
            .map(|(_, t)| t)
            .collect();
        let missing: Vec<&&String> = matched.iter().filter(|t| !selected.contains(**t)).collect();
        if !missing.is_empty() {
            failures.push(format!(
                "{}: not a superset, misses {:?}\n  sql: {:?}",
                text(&q),
                missing,
                cp.where_sql
            ));
        } else if cp.exact && selected.len() != matched.len() {
            let extra: Vec<&String> = selected.iter().filter(|t| !matched.contains(t)).collect();
            failures.push(format!(
                "{}: marked exact, selects more: {:?}\n  sql: {:?}",
                text(&q),
                extra,
                cp.where_sql
            ));
        }
        // find = plan + residual, for a random sort/skip/limit.
        if r.chance(40) {
            st.finds += 1;
            let spec = FindSpec {
                filter: f.clone(),
                sort: sort_keys(&mut r),
                skip: if r.chance(50) { r.below(4) as u64 } else { 0 },
                limit: if r.chance(60) {
                    Some(r.below(5) as u64)
                } else {
                    None
                },
                projection: None,
                partition: None,
            };
            let expect = collect(jvdb::find::find_in_stream(
                stream(natural.clone()),
                FindSpec {
                    filter: spec.filter.clone(),
                    sort: spec.sort.clone(),
                    skip: spec.skip,
                    limit: spec.limit,
                    projection: None,
                    partition: None,
                },
            ));
            let p = sql::plan(&spec, d, db.first());
            let rows: Vec<Value> = db
                .select(&p)
                .iter()
                .map(|t| jvdb::json::parse_str(t).unwrap())
                .collect();
            let got = collect(jvdb::find::find_in_stream(stream(rows), p.residual));
            if got != expect {
                failures.push(format!(
                    "{} sort {:?} skip {} limit {:?}: find differs\n  got {got:?}\n  expected {expect:?}\n  sql {:?} order {:?} limit {:?} offset {:?}",
                    text(&q),
                    spec.sort,
                    spec.skip,
                    spec.limit,
                    p.where_sql,
                    p.order_by,
                    p.limit,
                    p.offset
                ));
            }
        }
    }
    eprintln!(
        "{}: {} queries, {} pushed down a condition ({:.1}%), {} narrowed the rows ({:.1}%), {} exact ({:.1}%), {} finds with sort/skip/limit, {} failures",
        d.name,
        st.queries,
        st.pushed,
        100.0 * st.pushed as f64 / st.queries as f64,
        st.narrowing,
        100.0 * st.narrowing as f64 / st.queries as f64,
        st.exact,
        100.0 * st.exact as f64 / st.queries as f64,
        st.finds,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    st
}

fn seed() -> u64 {
    std::env::var("JVDB_SQL_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x05ee_d5a1)
}

fn n_queries() -> usize {
    std::env::var("JVDB_SQL_DIFF_QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000)
}

fn corpus(seed: u64) -> Vec<Value> {
    let mut r = Rng(seed ^ 0xC0FFEE);
    let mut v: Vec<Value> = (0..150).map(|i| record(&mut r, i)).collect();
    // Named awkward shapes.
    for (i, t) in [
        r#"{"a": [5, 6]}"#,
        r#"{"a": [[5]]}"#,
        r#"{"a": [{"b": 1}, {"b": [2, 3]}]}"#,
        r#"{"a": {"b": {"c": null}}}"#,
        r#"{"a": [1, [{"b": 1}]]}"#,
        r#"{"a": [{"0": 5}, 7]}"#,
        r#"{"a": NaN}"#,
        r#"{"a": [NaN, null]}"#,
        r#"{"a": 123456789012345678901234567890}"#,
        r#"{"a": -0.0, "b": 1e308}"#,
        r#"{"a.b": 1, "q\"": {"$x": 2}, "sp ace": "é"}"#,
        r#"{"a": []}"#,
        r#"{"a": {}}"#,
        r#"{"a": "\u0000"}"#,
        r#"{"a": "\ud800"}"#,
    ]
    .iter()
    .enumerate()
    {
        let mut m = jvdb::json::parse_str(t).unwrap();
        m.as_object_mut()
            .unwrap()
            .insert("id".into(), Value::Str(format!("n{i:02}")));
        v.push(m);
    }
    v
}

#[test]
fn sqlite_pushdown_agrees_with_the_matcher() {
    let records = corpus(seed());
    let mut db = lite(&records, &[]);
    let st = differential(&mut db, &records, seed(), n_queries());
    assert!(st.pushed * 2 > st.queries, "too little pushed down");
}

#[test]
fn postgres_pushdown_agrees_with_the_matcher() {
    let records = corpus(seed());
    let mut db = Pg::connect();
    let stored = db.load("c", &records);
    eprintln!(
        "postgresql holds {} of {} records (the others carry NaN, Infinity, \\u0000 or a lone surrogate)",
        stored.len(),
        records.len()
    );
    assert!(stored.len() * 3 > records.len() && stored.len() < records.len());
    let st = differential(&mut db, &stored, seed(), n_queries());
    assert!(st.pushed * 2 > st.queries, "too little pushed down");
}

// ----- graph questions -----

fn graph_corpus() -> (Vec<Value>, Vec<Value>) {
    let p = |t: &str| jvdb::json::parse_str(t).unwrap();
    let nodes = vec![
        p(r#"{"id": "root", "entity": "Root"}"#),
        p(r#"{"id": "n1", "entity": "City"}"#),
        p(r#"{"id": "n2", "entity": "City"}"#),
        p(r#"{"id": "5", "entity": "City"}"#),
        p(r#"{"id": "True", "entity": "City"}"#),
        p(r#"{"id": "[1, 2]", "entity": "City"}"#),
        p(r#"{"id": "é\"x", "entity": "City"}"#),
    ];
    let edges = vec![
        p(r#"{"id": "e01", "source": "n1", "target": "n2"}"#),
        p(r#"{"id": "e02", "source": "n1", "target": "gone"}"#),
        p(r#"{"id": "e03", "source": "n1"}"#),
        p(r#"{"id": "e04", "source": null, "target": "n2"}"#),
        p(r#"{"id": "e05", "source": 5, "target": "n1"}"#),
        p(r#"{"id": "e06", "source": 5.0, "target": "n1"}"#),
        p(r#"{"id": "e07", "source": true, "target": "root"}"#),
        p(r#"{"id": "e08", "source": [1, 2], "target": "root"}"#),
        p(r#"{"id": "e09", "context": {"source": "n1", "target": "n2"}}"#),
        p(r#"{"id": "e10", "context": {"source": "n1", "target": "nope"}}"#),
        p(r#"{"id": "e11", "context": "n1"}"#),
        p(r#"{"id": "e12"}"#),
        p(r#"{"id": "e13", "target": "n2", "context": {"source": "n1"}}"#),
        p(r#"{"id": "e14", "source": "é\"x", "target": "root"}"#),
        p(r#"{"id": "e15", "source": {"a": 1}, "target": "root"}"#),
        p(r#"{"id": "e16", "source": "N1", "target": "n2"}"#),
        p(r#"{"id": "e17", "source": 6, "target": "n2"}"#),
        p(r#"{"id": "e18", "context": {"source": 5, "target": "True"}}"#),
    ];
    (nodes, edges)
}

fn endpoint_hits(data: &str, ids: &BTreeSet<String>) -> (bool, bool) {
    let e = jvdb::json::parse_str(data).unwrap();
    let (s, t, _) = jvdb::graph::edge_endpoints(&e);
    let named = |v: Option<&Value>| {
        v.is_some_and(|v| {
            std::str::from_utf8(&jvdb::graph::py_str_key(v)).is_ok_and(|s| ids.contains(s))
        })
    };
    (named(s), named(t))
}

fn graph_check(db: &mut dyn Db, nodes_t: TableRef, edges_t: TableRef) {
    let d = db.dialect();
    let (nodes, edges) = graph_corpus();
    let store = jvdb::store::memory::MemoryStore::new();
    futures::executor::block_on(async {
        store
            .save_many("node", nodes.clone(), SaveMode::Replace)
            .await
            .unwrap();
        store
            .save_many("edge", edges.clone(), SaveMode::Replace)
            .await
            .unwrap();
    });
    let rep = futures::executor::block_on(jvdb::graph::analyze(&store, "node", "edge")).unwrap();
    assert!(!rep.dangling.is_empty());
    let ids: BTreeSet<String> = nodes
        .iter()
        .map(|n| n.record_id().unwrap().to_string())
        .collect();
    let (q, params) = sql::dangling_edges(d, &nodes_t, &edges_t, 1);
    let mut got: Vec<String> = Vec::new();
    let mut uncertain = 0;
    for (id, data, certain) in db.raw(&q, &params) {
        if certain {
            got.push(id);
        } else {
            uncertain += 1;
            let (s, t) = endpoint_hits(&data, &ids);
            if !(s && t) {
                got.push(id);
            }
        }
    }
    got.sort();
    assert_eq!(got, rep.dangling, "{}: dangling edges", d.name);
    eprintln!(
        "{}: dangling {:?} ({uncertain} rows checked in-process)",
        d.name, got
    );
    for probe in [
        vec!["n1"],
        vec!["root", "n2"],
        vec!["5"],
        vec!["True"],
        vec!["[1, 2]"],
        vec!["é\"x"],
        vec!["none"],
    ] {
        let set: std::collections::HashSet<&str> = probe.iter().copied().collect();
        let mut unreadable = Vec::new();
        let expect = futures::executor::block_on(jvdb::graph::incident_edges(
            &store,
            "edge",
            &set,
            &mut unreadable,
        ))
        .unwrap();
        let want: BTreeSet<String> = probe.iter().map(|s| s.to_string()).collect();
        let (q, params) = sql::incident_edges(d, &edges_t, &probe, 1);
        let mut got: Vec<String> = Vec::new();
        for (id, data, certain) in db.raw(&q, &params) {
            let (s, t) = endpoint_hits(&data, &want);
            assert!(!certain || s || t, "{id} marked certain for {probe:?}");
            if s || t {
                got.push(id);
            }
        }
        got.sort();
        assert_eq!(got, expect, "{}: incident edges of {probe:?}", d.name);
    }
}

#[test]
fn sqlite_graph_queries_agree_with_graph_rs() {
    let (nodes, edges) = graph_corpus();
    let c = rusqlite::Connection::open_in_memory().unwrap();
    c.execute_batch("CREATE TABLE records (collection TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (collection, id))").unwrap();
    for (coll, rs) in [("node", &nodes), ("edge", &edges)] {
        for r in rs {
            c.execute(
                "INSERT INTO records (collection, id, data) VALUES (?1, ?2, ?3)",
                rusqlite::params![coll, r.record_id().unwrap(), text(r)],
            )
            .unwrap();
        }
    }
    let t = |c: &str| TableRef {
        table: "records".into(),
        collection: Some(c.into()),
    };
    graph_check(&mut Lite(c), t("node"), t("edge"));
}

#[test]
fn postgres_graph_queries_agree_with_graph_rs() {
    let (nodes, edges) = graph_corpus();
    let mut db = Pg::connect();
    assert_eq!(db.load("node", &nodes).len(), nodes.len());
    assert_eq!(db.load("edge", &edges).len(), edges.len());
    let s = db.schema.clone();
    let t = |c: &str| TableRef {
        table: format!("{s}.{c}"),
        collection: None,
    };
    graph_check(&mut db, t("node"), t("edge"));
}

/// The PostgreSQL float tier rests on `numeric -> float8` of Python's repr giving back the
/// same double: checked on random bit patterns.
#[test]
fn postgres_reads_python_floats_exactly() {
    let db = Pg::connect();
    let mut x: u64 = 0x0fed_cba9_8765_4321;
    let mut texts = Vec::new();
    let mut floats = Vec::new();
    while floats.len() < 5000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let f = f64::from_bits(x);
        if f.is_finite() {
            let mut m = Map::new();
            m.insert("a".into(), Value::Float(f));
            texts.push(text(&Value::Object(m)));
            floats.push(f);
        }
    }
    let bad: i64 = db.rt.block_on(async {
        db.client
            .query_one(
                "SELECT count(*) FROM unnest($1::text[], $2::float8[]) AS t(j, f) WHERE (j::jsonb -> 'a')::float8 <> f",
                &[&texts, &floats],
            )
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(bad, 0, "PostgreSQL reads some float reprs as other doubles");
}
