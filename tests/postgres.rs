//! The PostgreSQL backend against a real PostgreSQL server (`JVDB_TEST_POSTGRES_DSN`, or a
//! private cluster started by tests/common/pg_server.rs). Every test uses its own schema.
//!
//! Covered: the store contract (tests/common/contract_suite.rs), the stored layout and DDL
//! (equal to jvspatial's own, checked against jvspatial 0.2.2 through asyncpg), the traps of
//! JSONB (NaN / Infinity / \u0000 fail by id and field; key order, -0.0 and big floats come
//! back as jvspatial reads them), jvspatial's unique edge index, bad input through the binary,
//! and interop both ways with jvspatial's own PostgresDB.

mod common;
#[path = "common/contract_suite.rs"]
mod contract_suite;

use common::pg_server::{dsn, fresh_schema, psql, spec_for};
use common::*;
use contract_suite::*;
use jvdb::error::ErrorKind;
use jvdb::store::postgres::PgStore;
use jvdb::store::{GetResult, Item, OpenOptions, SaveMode, Saved, Store};
use jvdb::value::Value;
use std::process::Command;

async fn open_schema(schema: &str) -> PgStore {
    let spec = spec_for(schema);
    PgStore::open(&spec, &OpenOptions::default())
        .await
        .unwrap_or_else(|e| panic!("open {schema}: {e}"))
}

async fn fresh() -> (PgStore, String) {
    let schema = fresh_schema();
    (open_schema(&schema).await, schema)
}

// ---------------------------------------------------------------------------------------------
// The contract

macro_rules! contract_pg {
    ($($t:ident),* $(,)?) => {
        mod contract {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $t() {
                    let (s, _) = super::fresh().await;
                    super::$t(&s).await;
                }
            )*
        }
    };
}

// Two scenarios have PostgreSQL variants below instead:
// * t_value_fidelity saves NaN, ±Infinity and \u0000, which JSONB cannot hold:
//   `value_fidelity` (the same values minus those, plus their per-record failures);
// * t_accepted_names uses collection names jvspatial's PostgresDB rejects: `accepted_names`.
contract_pg!(
    t_replace_and_get,
    t_insert_conflict,
    t_skip_existing,
    t_merge,
    t_duplicates_in_batch,
    t_bad_records,
    t_invalid_names,
    t_delete,
    t_scan_order,
    t_scan_drop_early,
    t_find,
    t_count_and_collections,
    t_inner_id_kept,
    t_edges_touching,
);

#[tokio::test]
async fn accepted_names() {
    let (st, _) = fresh().await;
    for name in ACCEPTED {
        let e = st
            .save_many(name, vec![rec("a", &[])], SaveMode::Replace)
            .await
            .expect_err("PostgresDB rejects the name");
        assert_eq!(e.kind, ErrorKind::Invalid, "{name:?}");
        assert!(
            e.message.contains("[A-Za-z_][A-Za-z0-9_]{0,62}"),
            "{}",
            e.message
        );
    }
    let long = "c".repeat(63);
    let ok = ["node", "_x", "a1", long.as_str()];
    for name in ok {
        let r = st
            .save_many(name, vec![rec(name, &[("n", s_(name))])], SaveMode::Replace)
            .await
            .unwrap();
        assert_eq!(r[0], Ok(Saved::Created), "{name}");
    }
    let too_long = "c".repeat(64);
    assert!(st.get(&too_long, "a").await.is_err());
    let mut want: Vec<String> = ok.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(st.collections().await.unwrap(), want);
    // ids are free-form text (ACCEPTED ids all work)
    let recs: Vec<Value> = ACCEPTED.iter().map(|id| rec(id, &[])).collect();
    let r = st.save_many("ids", recs, SaveMode::Replace).await.unwrap();
    assert!(r.iter().all(|x| *x == Ok(Saved::Created)), "{r:?}");
    let mut want: Vec<String> = ACCEPTED.iter().map(|x| x.to_string()).collect();
    want.sort();
    assert_eq!(scan_ids(&st, "ids").await, want);
}

/// The awkward record minus what JSONB cannot hold.
fn storable(id: &str) -> Value {
    let mut v = awkward(id);
    let m = v.as_object_mut().unwrap();
    for k in ["nan", "inf", "ninf"] {
        m.shift_remove(k);
    }
    m.get_mut("nested")
        .and_then(|n| n.as_object_mut())
        .unwrap()
        .insert("ctl".into(), s("\u{1}\u{1f}\u{7f}"));
    v
}

#[tokio::test]
async fn value_fidelity() {
    let (st, _) = fresh().await;
    let good = storable("x1");
    let mut nan = storable("bad_nan");
    nan.as_object_mut().unwrap().insert(
        "deep".into(),
        obj(&[("xs", arr(vec![i(1), Value::Float(f64::NAN)]))]),
    );
    let mut inf = storable("bad_inf");
    inf.as_object_mut()
        .unwrap()
        .insert("inf".into(), Value::Float(f64::NEG_INFINITY));
    let mut nul = storable("bad_nul");
    nul.as_object_mut()
        .unwrap()
        .insert("s".into(), s("a\u{0}b"));
    let mut nulkey = storable("bad_nulkey");
    nulkey
        .as_object_mut()
        .unwrap()
        .insert("k\u{0}".into(), i(1));
    let r = st
        .save_many(
            "v",
            vec![good.clone(), nan, inf, nul, nulkey],
            SaveMode::Replace,
        )
        .await
        .unwrap();
    assert_eq!(r[0], Ok(Saved::Created));
    let msgs: Vec<String> = r[1..]
        .iter()
        .map(|x| {
            let e = x.clone().expect_err("unstorable");
            assert_eq!(e.kind, ErrorKind::Invalid);
            e.message
        })
        .collect();
    assert!(
        msgs[0].contains("\"bad_nan\"") && msgs[0].contains("field deep.xs.1 holds NaN"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains("\"bad_inf\"") && msgs[1].contains("field inf holds -Infinity"),
        "{}",
        msgs[1]
    );
    assert!(
        msgs[2].contains("\"bad_nul\"") && msgs[2].contains("field s holds a string with \\u0000"),
        "{}",
        msgs[2]
    );
    assert!(
        msgs[3].contains("\"bad_nulkey\"") && msgs[3].contains("a key with \\u0000"),
        "{}",
        msgs[3]
    );
    assert_eq!(scan_ids(&st, "v").await, vec!["x1"]);
    let got = found(&st, "v", "x1").await;
    assert_stored(&st, &got, &good);
    // what changed on the way, exactly: -0.0 lost its sign, 1e16 and 1.79e308 are integers
    assert_eq!(got.get("negzero"), Some(&Value::Float(0.0)));
    let floats = got.get("floats").and_then(|f| f.as_array()).unwrap();
    assert_eq!(floats[0], Value::Int(10_000_000_000_000_000));
    assert_eq!(floats[1], Value::Float(1e-7));
    assert_eq!(floats[2], Value::Float(100.0));
    assert_eq!(floats[3], Value::Float(5e-324));
    assert!(matches!(floats[5], Value::BigInt(_)));
    // a rerun of the same records writes nothing
    let r = st
        .save_many("v", vec![good.clone()], SaveMode::Replace)
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(Saved::Unchanged)]);
    let r = st
        .save_many("v", vec![good.clone()], SaveMode::Merge)
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(Saved::Unchanged)]);
    let r = st
        .save_many(
            "v",
            vec![rec("x1", &[("added", big("-99999999999999999999"))])],
            SaveMode::Merge,
        )
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(Saved::Merged)]);
    let mut want = good.clone();
    want.as_object_mut()
        .unwrap()
        .insert("added".into(), big("-99999999999999999999"));
    assert_stored(&st, &found(&st, "v", "x1").await, &want);
}

// ---------------------------------------------------------------------------------------------
// Layout

#[tokio::test]
async fn rows_hold_jvspatials_columns() {
    let (st, schema) = fresh().await;
    let recs = vec![
        rec("a", &[("entity", s("City")), ("tenant_id", i(7))]),
        rec("b", &[("entity", i(0)), ("tenant_id", Value::Bool(true))]),
        rec("c", &[("entity", arr(vec![s("x")]))]),
        rec("d", &[]),
    ];
    st.save_many("node", recs, SaveMode::Replace).await.unwrap();
    let rows = psql(&format!(
        "SELECT id, entity, coalesce(tenant_id, '<null>'), _v, data::text FROM {schema}.node ORDER BY id"
    ));
    assert_eq!(
        rows,
        "a|City|7|1|{\"id\": \"a\", \"entity\": \"City\", \"tenant_id\": 7}\n\
         b||True|1|{\"id\": \"b\", \"entity\": 0, \"tenant_id\": true}\n\
         c|['x']|<null>|1|{\"id\": \"c\", \"entity\": [\"x\"]}\n\
         d||<null>|1|{\"id\": \"d\"}\n"
    );
    // reading never creates a table
    let _ = st.get("ghost", "x").await.unwrap();
    let _ = st.count("ghost", None).await.unwrap();
    let n = psql(&format!(
        "SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}' AND tablename = 'ghost'"
    ));
    assert_eq!(n.trim(), "0");
    // a table without jvspatial's layout is not a collection
    psql(&format!("CREATE TABLE {schema}.other (x int)"));
    assert_eq!(st.collections().await.unwrap(), vec!["node"]);
}

#[tokio::test]
async fn gin_index_off_skips_the_gin_index() {
    let schema = fresh_schema();
    let spec = format!("{}&gin_index=off", spec_for(&schema));
    let st = PgStore::open(&spec, &OpenOptions::default()).await.unwrap();
    st.save_many("c", vec![rec("a", &[])], SaveMode::Replace)
        .await
        .unwrap();
    let ix = psql(&format!(
        "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{schema}'"
    ));
    assert_eq!(ix.trim(), "c_entity_idx,c_pkey,c_tenant_idx");
}

#[tokio::test]
async fn unique_edge_index_collisions_fail_by_id_naming_the_other() {
    let (st, _) = fresh().await;
    st.prepare_collection("edge").await.unwrap();
    let e = |id: &str, src: &str| {
        rec(
            id,
            &[
                ("entity", s("Edge")),
                ("source", s(src)),
                ("target", s("n.B")),
            ],
        )
    };
    let r = st
        .save_many(
            "edge",
            vec![e("e1", "n.A"), e("e0", "n.Z")],
            SaveMode::Replace,
        )
        .await
        .unwrap();
    assert_eq!(r, vec![Ok(Saved::Created), Ok(Saved::Created)]);
    // a batch with one colliding record: the others land, the collision names e1
    let r = st
        .save_many(
            "edge",
            vec![e("e2", "n.A"), e("e3", "n.C"), e("e4", "n.D")],
            SaveMode::Replace,
        )
        .await
        .unwrap();
    let err = r[0].clone().expect_err("collides");
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert!(
        err.message.contains("\"e2\"")
            && err.message.contains("collides with record \"e1\"")
            && err.message.contains("edge_source_target_entity_uniq"),
        "{}",
        err.message
    );
    assert_eq!(r[1], Ok(Saved::Created));
    assert_eq!(r[2], Ok(Saved::Created));
    assert_eq!(scan_ids(&st, "edge").await, vec!["e0", "e1", "e3", "e4"]);
    // insert mode the same
    let r = st
        .save_many(
            "edge",
            vec![e("e5", "n.Z"), e("e6", "n.E")],
            SaveMode::Insert,
        )
        .await
        .unwrap();
    assert!(
        r[0].clone()
            .expect_err("collides")
            .message
            .contains("\"e0\"")
    );
    assert_eq!(r[1], Ok(Saved::Created));
}

// ---------------------------------------------------------------------------------------------
// Bad input through the binary

fn jvdb(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jvdb"))
        .args(args)
        .env_remove("JVSPATIAL_DB")
        .output()
        .expect("run jvdb");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The DSN's password.
fn password() -> String {
    let d = dsn();
    let rest = d.split_once("://").unwrap().1;
    let userinfo = rest.rsplit_once('@').unwrap().0;
    userinfo.split_once(':').unwrap().1.to_string()
}

fn with_password(pw: &str) -> String {
    dsn().replace(&format!(":{}@", password()), &format!(":{pw}@"))
}

#[track_caller]
fn assert_bad(spec: &str, code: i32, needle: &str, secret: &str) {
    let t = std::time::Instant::now();
    let (c, _, err) = jvdb(&["--db", spec, "count", "node"]);
    assert_eq!(c, code, "{spec}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} in {err}");
    assert!(!err.contains(secret), "password in stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(20),
        "{spec} took {:?}",
        t.elapsed()
    );
}

#[test]
fn bad_input_gets_one_line_and_its_exit_code() {
    let secret = "Zq7sEcReT";
    let port = dsn()
        .rsplit_once(':')
        .unwrap()
        .1
        .split('/')
        .next()
        .unwrap()
        .to_string();
    // nothing listens on port 1
    assert_bad(
        &format!("postgresql://postgres:{secret}@127.0.0.1:1/jvdb"),
        4,
        "cannot connect to PostgreSQL",
        secret,
    );
    // a port that is not a number
    let (c, _, err) = jvdb(&[
        "--db",
        &format!("postgresql://postgres:{secret}@127.0.0.1:99999x/jvdb"),
        "count",
        "node",
    ]);
    assert!(c == 2 || c == 4, "{err}");
    assert!(!err.contains(secret), "{err}");
    // wrong password
    assert_bad(
        &with_password(secret),
        4,
        "password authentication failed",
        secret,
    );
    // missing database
    let nodb = dsn().replace(&format!("{port}/jvdb"), &format!("{port}/nodb_here"));
    assert_bad(&nodb, 4, "does not exist", &password());
    // missing schema
    assert_bad(
        &format!("{}?schema=no_such_schema", dsn()),
        4,
        "schema \"no_such_schema\" does not exist",
        &password(),
    );
    // sslmode=require against a server without TLS
    assert_bad(&format!("{}?sslmode=require", dsn()), 4, "TLS", &password());
    // a schema name jvspatial rejects
    assert_bad(
        &format!("{}?schema=a-b", dsn()),
        2,
        "invalid schema",
        &password(),
    );
    // a collection name PostgreSQL/jvspatial rejects
    let schema = fresh_schema();
    let (c, _, err) = jvdb(&["--db", &spec_for(&schema), "count", "bad-name"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("[A-Za-z_][A-Za-z0-9_]{0,62}"), "{err}");
    assert!(!err.contains(&password()), "{err}");
    // one line: no "does not exist" warning before the error
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // PostgreSQL folds unquoted names, as for jvspatial: MyColl is table mycoll, found, and
    // no "does not exist" warning is given for it.
    let spec = spec_for(&schema);
    let (c, _, err) = jvdb(&["--db", &spec, "save", "MyColl", "--data", r#"{"id": "a"}"#]);
    assert_eq!(c, 0, "{err}");
    let (c, out, err) = jvdb(&["--db", &spec, "count", "MyColl"]);
    assert_eq!((c, out.trim(), err.as_str()), (0, "1", ""), "{err}");
    // unreachable host within the connect timeout
    let t = std::time::Instant::now();
    let (c, _, err) = jvdb(&[
        "--connect-timeout",
        "1",
        "--db",
        &format!("postgresql://postgres:{secret}@10.255.255.1:5432/jvdb"),
        "count",
        "node",
    ]);
    assert_eq!(c, 4, "{err}");
    assert!(!err.contains(secret), "{err}");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn describe_redacts_the_password() {
    let (st, _) = fresh().await;
    assert!(!st.describe().contains(&password()));
    assert!(st.describe().contains("***"));
    let _ = GetResult::Missing;
    let _ = Item::Unreadable {
        id: String::new(),
        reason: String::new(),
    };
}

// ---------------------------------------------------------------------------------------------
// Interop with jvspatial 0.2.2's own PostgresDB (asyncpg)

/// Run tests/py/pg_interop.py; its stdout as a value.
fn py(cmd: &str, schema: &str) -> Value {
    let out = Command::new(python())
        .arg(py_script("pg_interop.py"))
        .args([cmd, &dsn(), schema])
        .output()
        .expect("run pg_interop.py");
    assert!(
        out.status.success(),
        "pg_interop.py {cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    jvdb::json::parse_bytes(&out.stdout).expect("pg_interop.py prints JSON")
}

/// Every collection of `st` as jvdb reads it: collection → records in id order.
async fn read_all(st: &dyn Store) -> Value {
    let mut m = jvdb::value::Map::new();
    for c in st.collections().await.unwrap() {
        let recs: Vec<Value> = items(st.scan(&c).await.unwrap())
            .await
            .into_iter()
            .map(|it| match it {
                Item::Record(v) => v,
                other => panic!("{c}: {other:?}"),
            })
            .collect();
        m.insert(c, arr(recs));
    }
    Value::Object(m)
}

#[track_caller]
fn assert_same_stores(jv: &Value, ours: &Value) {
    let (a, b) = (jv.as_object().unwrap(), ours.as_object().unwrap());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (c, recs) in a {
        let (x, y) = (recs.as_array().unwrap(), b[c].as_array().unwrap());
        assert_eq!(x.len(), y.len(), "{c}: counts");
        for (p, q) in x.iter().zip(y) {
            assert!(same(p, q), "{c}: jvspatial reads\n{p:?}\njvdb reads\n{q:?}");
        }
    }
}

fn sample() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store")
}

#[track_caller]
fn ok(args: &[&str]) -> String {
    let (c, out, err) = jvdb(args);
    assert_eq!(c, 0, "jvdb {args:?}: {err}");
    out
}

/// jvspatial builds a graph through its API (with ensure_indexes) in schema A; jvdb reads every
/// record exactly as jvspatial reads it (keys in JSONB order, numbers as numeric prints them);
/// jvdb migrates A into schema B, and B's tables, columns, constraints and indexes are
/// jvspatial's, definition for definition; a rerun writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jvspatial_graph_reads_equal_and_migrates_with_equal_ddl() {
    let a = fresh_schema();
    let built = py("build", &a);
    let sa = open_schema(&a).await;
    assert_same_stores(&built, &read_all(&sa).await);
    // the value kinds came through as jvspatial reads them
    let alpha = found(&sa, "node", "n.City.000000000000000000000001").await;
    let ctx = alpha.get("context").unwrap();
    assert_eq!(ctx.get("big"), Some(&big("18446744073709551617")));
    assert_eq!(ctx.get("ratio"), Some(&Value::Int(10_000_000_000_000_000)));

    let b = fresh_schema();
    let out = jvdb(&["migrate", "--from", &spec_for(&a), "--to", &spec_for(&b)]);
    assert_eq!(out.0, 0, "{}", out.2);
    assert!(out.2.contains("verified"), "{}", out.2);
    let (da, db) = (py("ddl", &a), py("ddl", &b));
    for part in ["columns", "constraints", "indexes"] {
        assert!(
            same(da.get(part).unwrap(), db.get(part).unwrap()),
            "{part} differ:\njvspatial {:?}\njvdb      {:?}",
            da.get(part),
            db.get(part)
        );
    }
    assert!(
        json_has(&da, "edge_source_target_entity_uniq_sort_d0c746d4"),
        "jvspatial made its sort companions"
    );
    assert_same_stores(&built, &py("dump", &b));
    let out = jvdb(&["migrate", "--from", &spec_for(&a), "--to", &spec_for(&b)]);
    assert_eq!(out.0, 0, "{}", out.2);
    assert!(out.2.contains("written 0, unchanged"), "{}", out.2);
    ok(&["verify", &spec_for(&a), &spec_for(&b)]);
    // and out to a JSON store: the same records jvspatial reads
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("j");
    ok(&[
        "migrate",
        "--from",
        &spec_for(&b),
        "--to",
        dir.to_str().unwrap(),
    ]);
    ok(&["verify", &spec_for(&a), dir.to_str().unwrap()]);
}

fn json_has(v: &Value, needle: &str) -> bool {
    jvdb::json::to_line(v).contains(needle)
}

/// jvdb writes (migrate from the sample JSON store, save in every mode, copy, cleanup) and
/// jvspatial's PostgresDB reads back exactly what jvdb reads, equal to the source as JSONB
/// stores it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jvdb_writes_jvspatial_reads_back_equal() {
    let schema = fresh_schema();
    let spec = spec_for(&schema);
    let src = sample();
    let src = src.to_str().unwrap();
    ok(&["migrate", "--from", src, "--to", &spec]);
    let st = open_schema(&schema).await;
    let js = jvdb::store::StoreSpec::parse(src)
        .unwrap()
        .open(&OpenOptions::default())
        .await
        .unwrap();
    let source = read_all(js.as_ref()).await;
    let want: Value = {
        let mut m = jvdb::value::Map::new();
        for (c, recs) in source.as_object().unwrap() {
            let recs: Vec<Value> = recs
                .as_array()
                .unwrap()
                .iter()
                .map(jvdb::store::postgres::stored_form)
                .collect();
            m.insert(c.clone(), arr(recs));
        }
        Value::Object(m)
    };
    assert_same_stores(&want, &py("dump", &schema));
    assert_same_stores(&py("dump", &schema), &read_all(&st).await);

    // save in every mode
    let id = "n.City.000000000000000000000001";
    ok(&[
        "--db",
        &spec,
        "save",
        "node",
        "--data",
        &format!(
            r#"{{"id": "{id}", "entity": "City", "context": {{"name": "Replaced", "zz": -0.0}}}}"#
        ),
    ]);
    ok(&[
        "--db",
        &spec,
        "save",
        "node",
        "--mode",
        "merge",
        "--data",
        &format!(r#"{{"id": "{id}", "context": {{"added": [1, 2.5, 1e20]}}}}"#),
    ]);
    ok(&[
        "--db",
        &spec,
        "save",
        "node",
        "--mode",
        "insert",
        "--data",
        r#"{"id": "n.City.new1", "entity": "City", "context": {"v": 1}}"#,
    ]);
    let (c, _, err) = jvdb(&[
        "--db",
        &spec,
        "save",
        "node",
        "--mode",
        "insert",
        "--data",
        r#"{"id": "n.City.new1", "entity": "City", "context": {"v": 2}}"#,
    ]);
    assert_eq!(c, 5, "{err}");
    ok(&[
        "--db",
        &spec,
        "save",
        "node",
        "--mode",
        "skip-existing",
        "--data",
        r#"[{"id": "n.City.new1", "context": {"v": 3}}, {"id": "n.City.new2", "entity": "City", "tenant_id": 42}]"#,
    ]);
    let jv = py("dump", &schema);
    assert_same_stores(&jv, &read_all(&st).await);
    let got = found(&st, "node", id).await;
    let want = jvdb::json::parse_str(&format!(
        r#"{{"id": "{id}", "entity": "City", "context": {{"zz": 0.0, "name": "Replaced", "added": [1, 2.5, 100000000000000000000]}}}}"#
    ))
    .unwrap();
    assert_same(&got, &want);
    assert_eq!(
        found(&st, "node", "n.City.new1").await.get("context"),
        Some(&obj(&[("v", i(1))]))
    );
    assert_eq!(
        psql(&format!(
            "SELECT tenant_id FROM {schema}.node WHERE id = 'n.City.new2'"
        ))
        .trim(),
        "42"
    );

    // copy into another schema, then cleanup there: jvspatial reads what jvdb reads
    let other = fresh_schema();
    ok(&[
        "copy",
        "-c",
        "node",
        "-c",
        "edge",
        "--from",
        &spec,
        "--to",
        &spec_for(&other),
    ]);
    let before = items(open_schema(&other).await.scan("edge").await.unwrap())
        .await
        .len();
    ok(&["--db", &spec_for(&other), "cleanup", "--yes"]);
    let so = open_schema(&other).await;
    let after = read_all(&so).await;
    assert_eq!(
        after.get("edge").unwrap().as_array().unwrap().len(),
        before - 3
    );
    assert_same_stores(&py("dump", &other), &after);
}

/// Records JSONB cannot hold fail by id and field (exit 1), the others land; jvspatial's own
/// bulk_save refuses the same records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonb_traps_fail_by_id_and_field() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("src");
    std::fs::create_dir_all(dir.join("node")).unwrap();
    let files = [
        (
            "ok",
            r#"{"id": "ok", "entity": "City", "context": {"x": 1}}"#,
        ),
        (
            "nan",
            r#"{"id": "nan", "entity": "City", "context": {"x": NaN}}"#,
        ),
        (
            "inf",
            r#"{"id": "inf", "entity": "City", "context": {"xs": [1, -Infinity]}}"#,
        ),
        (
            "nul",
            r#"{"id": "nul", "entity": "City", "context": {"s": "a\u0000b"}}"#,
        ),
        (
            "sur",
            r#"{"id": "sur", "entity": "City", "context": {"s": "a\ud800b"}}"#,
        ),
    ];
    for (id, text) in files {
        std::fs::write(dir.join(format!("node/{id}.json")), text).unwrap();
    }
    let schema = fresh_schema();
    let (c, _, err) = jvdb(&[
        "migrate",
        "--from",
        dir.to_str().unwrap(),
        "--to",
        &spec_for(&schema),
    ]);
    assert_eq!(c, 1, "{err}");
    for (id, field) in [
        ("nan", "context.x holds NaN"),
        ("inf", "context.xs.1 holds -Infinity"),
        ("nul", "context.s holds a string with \\u0000"),
        ("sur", "context.s holds a string with a lone surrogate"),
    ] {
        assert!(
            err.contains(&format!("\"{id}\"")) && err.contains(field),
            "{id}: {err}"
        );
    }
    let st = open_schema(&schema).await;
    assert_eq!(scan_ids(&st, "node").await, vec!["ok"]);
    let jv = py("traps", &fresh_schema());
    assert_eq!(
        jvdb::json::to_line(&jv),
        r#"{"saved":1,"failed":["inf","nan","nul"]}"#
    );
}

/// PostgreSQL folds unquoted names, as for jvspatial: a JSON collection `MyColl` is the table
/// `mycoll`. migrate verifies, and `verify` compares the two names as one collection.
#[test]
fn folded_collection_names_verify_as_one() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("MyColl");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("a.json"),
        "{\n  \"id\": \"a\",\n  \"entity\": \"X\"\n}",
    )
    .unwrap();
    let src = t.path().display().to_string();
    let spec = spec_for(&fresh_schema());
    let (c, _, err) = jvdb(&["migrate", "--from", &src, "--to", &spec]);
    assert_eq!(c, 0, "{err}");
    assert!(err.contains("verified"), "{err}");
    let (c, out, err) = jvdb(&["verify", &src, &spec]);
    assert_eq!(c, 0, "{out}{err}");
    assert_eq!(out.lines().count(), 2, "header and one collection: {out}");
}

/// A chunk the server rejects (one edge collides on the unique edge index among 200) is halved
/// until the colliding record is alone: it fails by id, every other record lands.
#[test]
fn one_collision_in_a_large_batch_fails_alone() {
    let t = tempfile::tempdir().unwrap();
    let (nodes, edges) = (t.path().join("node"), t.path().join("edge"));
    std::fs::create_dir_all(&nodes).unwrap();
    std::fs::create_dir_all(&edges).unwrap();
    for i in 0..201 {
        std::fs::write(
            nodes.join(format!("n.N.{i:03}.json")),
            format!("{{\n  \"id\": \"n.N.{i:03}\",\n  \"entity\": \"N\",\n  \"context\": {{}}\n}}"),
        )
        .unwrap();
    }
    for i in 0..200 {
        // e.E.150 has the same endpoints and entity as e.E.050
        let j = if i == 150 { 50 } else { i };
        std::fs::write(
            edges.join(format!("e.E.{i:03}.json")),
            format!(
                "{{\n  \"id\": \"e.E.{i:03}\",\n  \"entity\": \"E\",\n  \"source\": \"n.N.{j:03}\",\n  \"target\": \"n.N.{:03}\",\n  \"context\": {{}}\n}}",
                j + 1
            ),
        )
        .unwrap();
    }
    let src = t.path().display().to_string();
    let spec = spec_for(&fresh_schema());
    let (c, _, err) = jvdb(&["migrate", "--from", &src, "--to", &spec]);
    assert_eq!(c, 1, "{err}");
    // whichever of the two reached the server second fails, naming the other
    let (a, b) = if err.contains("not written edge/e.E.150") {
        ("e.E.150", "e.E.050")
    } else {
        ("e.E.050", "e.E.150")
    };
    assert!(err.contains(&format!("not written edge/{a}")), "{err}");
    assert_eq!(err.matches("not written edge/").count(), 1, "{err}");
    assert!(
        err.contains(&format!("\"{b}\"")),
        "names the other edge: {err}"
    );
    assert!(err.contains("read 200, written 199"), "{err}");
    let (c, out, err) = jvdb(&["--db", &spec, "count", "edge"]);
    assert_eq!((c, out.trim()), (0, "199"), "{err}");
}
