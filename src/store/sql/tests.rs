//! Hand-written cases on a real in-memory SQLite (the generated differential runs are in
//! tests/sql_pushdown.rs).
use super::*;
use crate::query::{Dialect, Filter};

fn db(records: &[&str]) -> rusqlite::Connection {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    c.execute_batch("CREATE TABLE records (collection TEXT, id TEXT, data TEXT)")
        .unwrap();
    for r in records {
        let v = crate::json::parse_str(r).unwrap();
        let text = crate::json::to_python_compact(&v);
        c.execute(
            "INSERT INTO records VALUES ('c', ?1, ?2)",
            rusqlite::params![v.record_id().unwrap(), text],
        )
        .unwrap();
    }
    c
}

fn run(c: &rusqlite::Connection, q: &str) -> (Vec<usize>, Vec<usize>, bool) {
    let f = Arc::new(Filter::compile(&crate::json::parse_str(q).unwrap(), Dialect::Mongo).unwrap());
    let p = count_plan(Some(&f), &SQLITE, 1);
    let w = p.where_sql.clone().unwrap_or_else(|| "1".into());
    let sql = format!("SELECT data FROM records WHERE {w} ORDER BY rowid");
    let mut st = c.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let rows: Vec<String> = st
        .query_map(rusqlite::params_from_iter(p.params.iter()), |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut all = c
        .prepare("SELECT data FROM records ORDER BY rowid")
        .unwrap();
    let every: Vec<String> = all
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let sql_ix: Vec<usize> = every
        .iter()
        .enumerate()
        .filter(|(_, d)| rows.contains(d))
        .map(|(i, _)| i)
        .collect();
    let m: Vec<usize> = every
        .iter()
        .enumerate()
        .filter(|(_, d)| f.matches(&crate::json::parse_str(d).unwrap()).unwrap())
        .map(|(i, _)| i)
        .collect();
    (sql_ix, m, p.exact)
}

#[test]
fn array_traversal_and_negation_are_exact() {
    let c = db(&[
        r#"{"id": "a", "a": 5}"#,
        r#"{"id": "b", "a": [5, 6]}"#,
        r#"{"id": "c", "a": [[5]]}"#,
        r#"{"id": "d", "a": [{"b": 1}]}"#,
        r#"{"id": "e", "a": {"b": [1, 2]}}"#,
        r#"{"id": "f", "a": [1, [{"b": 1}]]}"#,
        r#"{"id": "g"}"#,
        r#"{"id": "h", "a": null}"#,
        r#"{"id": "i", "a": [{"0": 5}, 7]}"#,
        r#"{"id": "j", "a": NaN, "x": "Na\u00e9N"}"#,
        r#"{"id": "k", "a": 123456789012345678901234567890}"#,
        r#"{"id": "l", "a.b": 1, "q\"": {"$x": 2}}"#,
    ]);
    for q in [
        r#"{"a": 5}"#,
        r#"{"a.b": 1}"#,
        r#"{"a.0": 5}"#,
        r#"{"a.0.b": 1}"#,
        r#"{"a.1": 6}"#,
        r#"{"a": {"$ne": 5}}"#,
        r#"{"a": null}"#,
        r#"{"a": {"$ne": null}}"#,
        r#"{"a.b": null}"#,
        r#"{"a": {"$exists": false}}"#,
        r#"{"a": {"$gt": 5}}"#,
        r#"{"a": {"$gte": 1e29}}"#,
        r#"{"a": {"$type": "double"}}"#,
        r#"{"a": {"$size": 2}}"#,
        r#"{"a": {"$elemMatch": {"$gt": 5}}}"#,
        r#"{"a": {"$in": [6, null]}}"#,
        r#"{"a": {"$nin": [6, null]}}"#,
        r#"{"$nor": [{"a": 5}, {"a": {"$exists": false}}]}"#,
        r#"{"a.b": 1, "q\".$x": 2}"#,
        r#"{"id": {"$gt": "c"}}"#,
    ] {
        let (sql, m, exact) = run(&c, q);
        assert!(
            m.iter().all(|i| sql.contains(i)),
            "{q}: sql {sql:?} misses matches {m:?}"
        );
        if exact {
            assert_eq!(sql, m, "{q}: exact plan differs");
        }
    }
}

#[test]
fn exact_decimals() {
    assert_eq!(exact_decimal(0.5), "0.5");
    assert_eq!(exact_decimal(-2.0), "-2");
    assert_eq!(
        exact_decimal(0.1),
        "0.1000000000000000055511151231257827021181583404541015625"
    );
    assert_eq!(exact_decimal(1e20), "100000000000000000000");
    let tiny = exact_decimal(5e-324);
    assert!(
        tiny.starts_with("0.000")
            && tiny.ends_with("447265625")
            && tiny.contains("4940656458412465441765687928682213723650598")
    );
    assert_eq!(tiny.len(), 2 + 1074);
}

#[test]
fn field_names_never_reach_the_sql_text() {
    let q = r#"{"a'); DROP TABLE records; --": 1, "b\"c": {"$gt": 2}}"#;
    let f = Arc::new(Filter::compile(&crate::json::parse_str(q).unwrap(), Dialect::Mongo).unwrap());
    for d in [&SQLITE, &POSTGRES] {
        let p = count_plan(Some(&f), d, 1);
        let w = p.where_sql.unwrap();
        assert!(!w.contains("DROP"), "{w}");
        assert!(!w.contains("b\\\"c") && !w.contains("b\"c"), "{w}");
    }
}

/// `cargo test --lib store::sql::tests::print_sql -- --ignored --nocapture Q` prints the plan.
#[test]
#[ignore]
fn print_sql() {
    for q in [
        r#"{"entity": "City"}"#,
        r#"{"bidirectional": true}"#,
        r#"{"context.population": {"$gt": 1000}}"#,
    ] {
        let f =
            Arc::new(Filter::compile(&crate::json::parse_str(q).unwrap(), Dialect::Mongo).unwrap());
        for d in [&SQLITE, &POSTGRES] {
            let p = count_plan(Some(&f), d, 2);
            println!(
                "{} {q}: exact={} {:?}\n  {}",
                d.name,
                p.exact,
                p.params,
                p.where_sql.unwrap()
            );
        }
    }
}

#[test]
fn jvspatial_dialect_and_no_filter() {
    let q = crate::json::parse_str(r#"{"a": 1}"#).unwrap();
    let f = Arc::new(Filter::compile(&q, Dialect::Jvspatial).unwrap());
    let p = count_plan(Some(&f), &SQLITE, 1);
    assert!(p.where_sql.is_none() && !p.exact && p.params.is_empty());
    assert_eq!(p.residual.filter.dialect, Dialect::Jvspatial);
    let p = count_plan(None, &POSTGRES, 1);
    assert!(p.where_sql.is_none() && p.exact);
    // A sort by id with skip/limit on an exact filter is pushed down whole.
    let m = Arc::new(Filter::compile(&q, Dialect::Mongo).unwrap());
    let spec = FindSpec {
        filter: m,
        sort: crate::query::parse_sort("id:-1,a").unwrap(),
        skip: 2,
        limit: Some(3),
        projection: None,
        partition: None,
    };
    let p = plan(&spec, &POSTGRES, 4);
    assert!(p.exact);
    assert_eq!(p.order_by.as_deref(), Some("id COLLATE \"C\" DESC"));
    assert_eq!((p.limit, p.offset), (Some(3), Some(2)));
    assert!(p.residual.sort.is_empty() && p.residual.skip == 0 && p.residual.limit.is_none());
    assert!(p.where_sql.unwrap().contains("$4::"));
}

/// The exact number comparisons rest on SQLite reading Python's float repr back as the same
/// double: checked on random bit patterns.
#[test]
fn sqlite_reads_python_floats_exactly() {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    let mut st = c
        .prepare("SELECT json_extract(?1, '$.a') = ?2 AND json_type(?1, '$.a') = 'real'")
        .unwrap();
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let mut checked = 0;
    while checked < 20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let f = f64::from_bits(x);
        if !f.is_finite() {
            continue;
        }
        checked += 1;
        let mut m = crate::value::Map::new();
        m.insert("a".into(), crate::value::Value::Float(f));
        let text = crate::json::to_python_compact(&crate::value::Value::Object(m));
        let ok: bool = st
            .query_row(rusqlite::params![text, f], |r| r.get(0))
            .unwrap();
        assert!(ok, "SQLite reads {text} as another double than {f:e}");
    }
}

/// A partition joins the filter's condition on the `id` column, stays exact, and leaves the
/// residual (the backend computed it).
#[test]
fn partition_is_an_exact_condition_on_the_id_column() {
    let p = crate::partition::Partition::new(2, 4).unwrap();
    let q = crate::json::parse_str(r#"{"a": 1}"#).unwrap();
    let f = Arc::new(Filter::compile(&q, Dialect::Mongo).unwrap());
    let spec = FindSpec::matching(f).in_partition(Some(p));
    let plan_pg = plan(&spec, &POSTGRES, 1);
    let w = plan_pg.where_sql.unwrap();
    assert!(
        w.ends_with(&format!(") AND {}", p.postgres_condition("id"))),
        "{w}"
    );
    assert!(plan_pg.exact && plan_pg.residual.partition.is_none());
    let all = FindSpec::all(Filter::all(Dialect::Mongo)).in_partition(Some(p));
    let plan_lite = plan(&all, &SQLITE, 3);
    assert_eq!(plan_lite.where_sql.as_deref(), Some("jvdb_part(id, 4) = 2"));
    assert!(plan_lite.exact && plan_lite.params.is_empty());
}
