//! The query compilers and matchers of both dialects (src/query/): the first line of the input
//! is a query, the rest a record (both JSON, read by jvdb's reader; a non-object query is
//! allowed and must be an error). Never a panic: a bad query is an `Err` from
//! `Filter::compile`, a jvspatial evaluation error an `Err` from `matches`. Also: compiling and
//! matching are deterministic; the mongo matcher never fails once compiled; in the mongo
//! dialect `{"$nor": [q]}` is the negation of `q`, and `{"$and": [q, q]}` / `{"$or": [q]}`
//! agree with `q`; the empty query matches every record in both dialects.
#![no_main]

mod common;

use common::show;
use jvdb::json;
use jvdb::query::{Dialect, Filter};
use jvdb::value::{Map, Value};
use libfuzzer_sys::fuzz_target;

fn wrap(op: &str, items: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert(op.to_string(), Value::Array(items));
    Value::Object(m)
}

fuzz_target!(|data: &[u8]| {
    let (q, d) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"{}"[..]),
    };
    let Ok(query) = json::parse_bytes(q) else {
        return;
    };
    let doc = json::parse_bytes(d).unwrap_or_else(|_| Value::Object(Map::new()));
    for dialect in [Dialect::Mongo, Dialect::Jvspatial] {
        let compiled = Filter::compile(&query, dialect);
        if query.as_object().is_none() {
            assert!(compiled.is_err(), "a non-object query compiled");
        }
        let again = Filter::compile(&query, dialect);
        assert_eq!(compiled.is_ok(), again.is_ok(), "compile not deterministic");
        let Ok(f) = compiled else { continue };
        assert!(same_raw(&f, &query));
        let r = f.matches(&doc);
        assert_eq!(r, f.matches(&doc), "match not deterministic");
        assert_eq!(r, again.unwrap().matches(&doc), "recompiled filter differs");
        assert!(
            Filter::all(dialect).matches(&doc) == Ok(true),
            "{{}} does not match {}",
            show(&doc)
        );
        if dialect == Dialect::Mongo {
            let m = r.unwrap_or_else(|e| panic!("the mongo matcher failed: {e}"));
            for (op, items, want) in [
                ("$nor", vec![query.clone()], !m),
                ("$and", vec![query.clone(), query.clone()], m),
                ("$or", vec![query.clone()], m),
            ] {
                // The wrapper adds one operator level: at the depth limit it is an error.
                if let Ok(w) = Filter::compile(&wrap(op, items), dialect) {
                    assert_eq!(
                        w.matches(&doc),
                        Ok(want),
                        "{op} disagrees: query {} record {}",
                        show(&query),
                        show(&doc)
                    );
                }
            }
        }
    }
});

fn same_raw(f: &Filter, q: &Value) -> bool {
    common::same(&f.raw, q)
}
