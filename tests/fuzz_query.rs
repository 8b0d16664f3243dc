//! Fuzzing the query parser, matcher and sort for both dialects (issue 5 §6): arbitrary
//! queries compile or return an error, never panic; compiled filters match arbitrary
//! documents without panicking; sort keys parse or fail cleanly; the mongo sort order is a
//! total order (a sort with it can never panic).
//! Long run: `PROPTEST_CASES=1000000 cargo test --release --test fuzz_query`.

mod fuzz_common;

use fuzz_common::*;
use jvdb::query::{Dialect, Filter, SortKey, compare, parse_sort, sort_records};
use jvdb::value::Value;
use proptest::prelude::*;
use std::cmp::Ordering;

fn sort_keys() -> impl Strategy<Value = Vec<SortKey>> {
    prop::collection::vec(
        (
            prop::sample::select(vec!["a", "b", "x", "a.b", "a.0", "id", "zz"]),
            any::<bool>(),
        )
            .prop_map(|(p, d)| SortKey {
                path: p.to_string(),
                descending: d,
            }),
        1..3,
    )
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn queries_compile_or_fail_and_match_without_panic(
        q in object(),
        docs in prop::collection::vec(object(), 0..4),
    ) {
        for dialect in [Dialect::Mongo, Dialect::Jvspatial] {
            if let Ok(f) = Filter::compile(&q, dialect) {
                for d in &docs {
                    let _ = f.matches(d);
                }
            }
        }
    }

    #[test]
    fn any_value_as_query_never_panics(q in value(), d in value()) {
        for dialect in [Dialect::Mongo, Dialect::Jvspatial] {
            if let Ok(f) = Filter::compile(&q, dialect) {
                let _ = f.matches(&d);
            }
        }
    }

    #[test]
    fn sort_strings_never_panic(s in any::<String>(), t in "[a-z.:,\\- 0-9]{0,12}") {
        let _ = parse_sort(&s);
        if let Ok(keys) = parse_sort(&t) {
            for k in keys {
                prop_assert!(!k.path.is_empty());
            }
        }
    }

    #[test]
    fn mongo_sort_order_is_total(
        a in object(), b in object(), c in object(), keys in sort_keys(),
    ) {
        let cmp = |x: &Value, y: &Value| compare(x, y, &keys, Dialect::Mongo).unwrap();
        prop_assert_eq!(cmp(&a, &a), Ordering::Equal);
        prop_assert_eq!(cmp(&a, &b), cmp(&b, &a).reverse());
        if cmp(&a, &b) != Ordering::Greater && cmp(&b, &c) != Ordering::Greater {
            prop_assert_ne!(cmp(&a, &c), Ordering::Greater, "not transitive");
        }
    }

    #[test]
    fn sorting_never_panics(mut docs in prop::collection::vec(object(), 0..16), keys in sort_keys()) {
        for dialect in [Dialect::Mongo, Dialect::Jvspatial] {
            let _ = sort_records(&mut docs, &keys, dialect);
        }
    }
}

/// Deep queries (up to the reader's 1000 levels) compile and match without overflowing the
/// stack, on the test thread's 2 MiB stack like the runtime's worker threads.
#[test]
fn deep_queries_are_bounded() {
    fn nest(open: &str, inner: &str, close: &str, n: usize) -> String {
        format!("{}{}{}", open.repeat(n), inner, close.repeat(n))
    }
    let doc =
        jvdb::json::parse_str(&format!("{{\"x\": {}}}", nest("{\"a\":", "1", "}", 998))).unwrap();
    let queries = [
        format!(
            "{{\"x\": {}}}",
            nest("{\"$not\":", "{\"$eq\": 1}", "}", 997)
        ),
        format!(
            "{{\"x\": {}}}",
            nest("{\"$elemMatch\":", "{\"$eq\": 1}", "}", 997)
        ),
        nest("{\"$and\": [", "{\"x\": 1}", "]}", 498),
        nest("{\"$and\": [", "{\"x\": 1}", "]}", 99),
        nest("{\"$or\": [", "{\"x\": 1}", "]}", 498),
        nest("{\"$nor\": [", "{\"x\": 1}", "]}", 498),
        format!("{{\"x\": {}}}", nest("{\"a\":", "1", "}", 998)),
        format!(
            "{{\"x\": {{\"$in\": [{}]}}}}",
            nest("{\"a\":", "1", "}", 997)
        ),
    ];
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let only: Option<usize> = std::env::var("JVDB_DEEP_ONLY")
                .ok()
                .and_then(|v| v.parse().ok());
            for (qi, q) in queries.iter().enumerate() {
                if only.is_some_and(|o| o != qi) {
                    continue;
                }
                let q = jvdb::json::parse_str(q).unwrap();
                for dialect in [Dialect::Mongo, Dialect::Jvspatial] {
                    if let Ok(f) = Filter::compile(&q, dialect) {
                        let _ = f.matches(&doc);
                    }
                }
            }
            // at the operator limit: compiles and runs
            for op in ["$not", "$elemMatch"] {
                let q = format!(
                    "{{\"x\": {}}}",
                    nest(&format!("{{\"{op}\":"), "{\"$eq\": 1}", "}", 99)
                );
                let q = jvdb::json::parse_str(&q).unwrap();
                let f = Filter::compile(&q, Dialect::Mongo).unwrap();
                let _ = f.matches(&doc);
            }
            let mut docs = vec![doc.clone(), doc.clone()];
            let keys = parse_sort("x:1").unwrap();
            let _ = sort_records(&mut docs, &keys, Dialect::Mongo);
            let mut merged = doc.clone();
            jvdb::store::deep_merge(&mut merged, doc.clone());
            assert_eq!(
                jvdb::json::to_python_indent2(&merged),
                jvdb::json::to_python_indent2(&doc)
            );
        })
        .unwrap()
        .join()
        .expect("deep query/merge overflowed a 2 MiB stack");
}
