//! Unit tests of the jvspatial dialect, one group per operator, on the document of the spec's
//! §6 (every expectation below was checked against jvspatial 0.2.2's `QueryEngine.match`),
//! plus named regression tests for Python details.

use jvdb::Value;
use jvdb::json::parse_str;
use jvdb::query::jvspatial::{self, compare_for_sort, sort_order_py};
use jvdb::query::{Dialect, Filter, SortKey};
use std::cmp::Ordering;

const DOC: &str = r#"{"context":{"name":"Paris","pop":100,"b":true,"z":0,"n":null,"tags":["a","b"],"items":[{"k":1},{"k":2}],"d":{"x":1},"s":"abc","nested":{"a.b":5}}}"#;

fn v(s: &str) -> Value {
    parse_str(s).unwrap_or_else(|e| panic!("bad JSON in test {s}: {e}"))
}

/// Ok("T"/"F") or Err("Kind: message").
fn run(doc: &str, q: &str) -> Result<&'static str, String> {
    let m = jvspatial::compile(&v(q)).expect("compile");
    match m.match_py(&v(doc)) {
        Ok(true) => Ok("T"),
        Ok(false) => Ok("F"),
        Err(e) => Err(format!("{}: {}", e.kind, e.message)),
    }
}

fn t(q: &str) {
    assert_eq!(run(DOC, q), Ok("T"), "{q}");
}
fn f(q: &str) {
    assert_eq!(run(DOC, q), Ok("F"), "{q}");
}
fn err(q: &str, expect: &str) {
    assert_eq!(run(DOC, q), Err(expect.to_string()), "{q}");
}

#[test]
fn top_level() {
    t("{}");
    t(r#"{"$and": []}"#);
    f(r#"{"$or": []}"#);
    t(r#"{"$nor": []}"#);
    t(r#"{"$and": null}"#);
    t(r#"{"$or": [{"context.pop": 1}, {"context.pop": 100}]}"#);
    f(r#"{"$nor": [{"context.pop": 100}]}"#);
    t(r#"{"$not": {"context.pop": 1}}"#);
    t(r#"{"$hint": ["x"], "$select": 5}"#);
    err(
        r#"{"$where": "1"}"#,
        "QueryError: Query failed: unsupported top-level query operator: '$where'. Supported: \
         $and, $or, $nor, $not, $text. Field-level operators (e.g. $regex, $mod, $type, $size) \
         live inside a field condition dict.",
    );
    // Short-circuit: the unknown operator after a failing key is never reached.
    f(r#"{"context.pop": 1, "$where": "1"}"#);
    err(r#"{"$and": 5}"#, "TypeError: 'int' object is not iterable");
    err(
        r#"{"$and": ["x"]}"#,
        "AttributeError: 'str' object has no attribute 'items'",
    );
}

#[test]
fn field_paths() {
    t(r#"{"context.items.1.k": 2}"#);
    f(r#"{"context.items.k": 1}"#);
    f(r#"{"context.nested.a.b": 5}"#);
    t(r#"{"context.tags.+1": "b"}"#);
    t(r#"{"context.tags. 1": "b"}"#);
    t(r#"{"context.tags.01": "b"}"#);
    t(r#"{"context.tags.١": "b"}"#);
    f(r#"{"context.tags.-1": "b"}"#);
    t(r#"{"context.missing": null}"#);
    t(r#"{"context.n": null}"#);
    f(r#"{"": 1}"#);
}

#[test]
fn equality() {
    t(r#"{"context.b": 1}"#);
    t(r#"{"context.z": false}"#);
    t(r#"{"context.pop": 100.0}"#);
    t(r#"{"context.tags": ["a", "b"]}"#);
    f(r#"{"context.tags": "a"}"#);
    t(r#"{"context.items": {"$eq": [{"k": 1}, {"k": 2}]}}"#);
    err(
        r#"{"context.d": {"x": 1}}"#,
        "QueryError: Query failed: unsupported field-level query operator: 'x'. Supported: \
         $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex, $size, $elemMatch, $mod, \
         $all, $type, $not.",
    );
    f(r#"{"context.n": {"$ne": null}}"#);
    t(r#"{"context.missing": {"$ne": 5}}"#);
}

#[test]
fn comparisons() {
    t(r#"{"context.pop": {"$gt": 99, "$lt": 101}}"#);
    t(r#"{"context.pop": {"$gte": 100, "$lte": 100.0}}"#);
    f(r#"{"context.missing": {"$gt": 1}}"#);
    t(r#"{"context.b": {"$gt": 0.5}}"#);
    t(r#"{"context.tags": {"$gt": ["a"]}}"#);
    err(
        r#"{"context.s": {"$gt": 5}}"#,
        "TypeError: '>' not supported between instances of 'str' and 'int'",
    );
    err(
        r#"{"context.pop": {"$lte": null}}"#,
        "TypeError: '<=' not supported between instances of 'int' and 'NoneType'",
    );
    err(
        r#"{"context.d": {"$lt": {"x": 2}}}"#,
        "TypeError: '<' not supported between instances of 'dict' and 'dict'",
    );
}

#[test]
fn membership() {
    f(r#"{"context.tags": {"$in": ["a", "x"]}}"#);
    t(r#"{"context.name": {"$in": "Parisian"}}"#);
    f(r#"{"context.pop": {"$in": "Parisian"}}"#);
    t(r#"{"context.missing": {"$in": [null]}}"#);
    f(r#"{"context.pop": {"$in": 5}}"#);
    t(r#"{"context.missing": {"$nin": [1]}}"#);
    f(r#"{"context.pop": {"$nin": 5}}"#);
    t(r#"{"context.name": {"$in": {"Paris": 1}}}"#);
    t(r#"{"context.tags": {"$all": ["b", "a"]}}"#);
    t(r#"{"context.tags": {"$all": []}}"#);
    f(r#"{"context.name": {"$all": ["P"]}}"#);
    t(r#"{"context.tags": {"$all": "ab"}}"#);
}

#[test]
fn exists_type_size() {
    t(r#"{"context.pop": {"$exists": true}}"#);
    f(r#"{"context.n": {"$exists": true}}"#);
    t(r#"{"context.n": {"$exists": 0}}"#);
    t(r#"{"context.b": {"$type": "int"}}"#);
    f(r#"{"context.pop": {"$type": "double"}}"#);
    f(r#"{"context.pop": {"$type": "number"}}"#);
    t(r#"{"context.missing": {"$type": "null"}}"#);
    t(r#"{"context.s": {"$type": "STRING"}}"#);
    t(r#"{"context.s": {"$size": 3}}"#);
    t(r#"{"context.d": {"$size": "1"}}"#);
    t(r#"{"context.tags": {"$size": 2.9}}"#);
    f(r#"{"context.pop": {"$size": 3}}"#);
}

#[test]
fn regex_and_options() {
    t(r#"{"context.name": {"$regex": "^Par"}}"#);
    f(r#"{"context.name": {"$regex": "^par"}}"#);
    t(r#"{"context.name": {"$regex": "^par", "$options": "i"}}"#);
    f(r#"{"context.name": {"$regex": "^par", "$options": "im"}}"#);
    t(r#"{"context.name": {"$regex": {"pattern": "PARIS", "ignoreCase": 1}}}"#);
    f(r#"{"context.pop": {"$regex": "1"}}"#);
    f(r#"{"context.name": {"$regex": "("}}"#);
    t(r#"{"context.name": {"$options": "i"}}"#);
    t(r#"{"context.name": {"$regex": "is\\Z"}}"#);
}

#[test]
fn regex_timeout_is_false() {
    // Python's 5 ms timeout turns catastrophic backtracking into False.
    let doc = format!(r#"{{"s": "{}b"}}"#, "a".repeat(40));
    assert_eq!(run(&doc, r#"{"s": {"$regex": "^(a|a)*c$"}}"#), Ok("F"));
}

#[test]
fn elem_match_mod_not() {
    t(r#"{"context.items": {"$elemMatch": {"k": {"$gt": 1}}}}"#);
    t(r#"{"context.tags": {"$elemMatch": {"_": "b"}}}"#);
    t(r#"{"context.tags": {"$elemMatch": "a"}}"#);
    err(
        r#"{"context.tags": {"$elemMatch": {"$eq": "a"}}}"#,
        "QueryError: Query failed: unsupported top-level query operator: '$eq'. Supported: \
         $and, $or, $nor, $not, $text. Field-level operators (e.g. $regex, $mod, $type, $size) \
         live inside a field condition dict.",
    );
    t(r#"{"context.b": {"$mod": [2, 1]}}"#);
    t(r#"{"context.pop": {"$mod": [-3, -2]}}"#);
    f(r#"{"context.pop": {"$mod": [0, 0]}}"#);
    f(r#"{"context.pop": {"$mod": [3]}}"#);
    t(r#"{"context.pop": {"$mod": [2.5, 0.0]}}"#);
    t(r#"{"context.pop": {"$not": {"$gt": 100}}}"#);
    t(r#"{"context.pop": {"$not": 5}}"#);
}

#[test]
fn text_search() {
    t(r#"{"$text": {"$search": "PARIS abc"}}"#);
    f(r#"{"$text": {"$search": "  "}}"#);
    t(r#"{"$text": {"$search": "paris", "$fields": ["context.name"]}}"#);
    f(r#"{"$text": {"$search": "abc", "$fields": ["context.name"]}}"#);
    err(
        r#"{"$text": "paris"}"#,
        "QueryError: Query failed: $text needs {\"$search\": \"<words>\", \"$fields\": [<paths>]}",
    );
    err(
        r#"{"$text": {"$search": "x", "$fields": 5}}"#,
        "TypeError: 'int' object is not iterable",
    );
    err(
        r#"{"$text": {"$search": "x", "$fields": [5]}}"#,
        "TypeError: argument of type 'int' is not iterable",
    );
}

// ---- named regressions (Python details that are easy to get wrong) ----

/// json.loads shares one NaN object, so NaN equals NaN inside containers and in `in`, but
/// not under a bare `==`.
#[test]
fn regression_nan_identity_in_containers() {
    let doc = r#"{"n": NaN, "l": [NaN, 1]}"#;
    assert_eq!(run(doc, r#"{"n": NaN}"#), Ok("F"));
    assert_eq!(run(doc, r#"{"n": {"$in": [NaN]}}"#), Ok("T"));
    assert_eq!(run(doc, r#"{"l": [NaN, 1]}"#), Ok("T"));
    assert_eq!(run(doc, r#"{"l": {"$all": [NaN]}}"#), Ok("T"));
    assert_eq!(run(doc, r#"{"l": {"$lte": [NaN, 1]}}"#), Ok("T"));
}

/// `$mod` catches TypeError/ValueError/ZeroDivisionError but not OverflowError.
#[test]
fn regression_mod_overflow_escapes() {
    let big = format!("1{}", "0".repeat(400));
    assert_eq!(
        run(
            &format!(r#"{{"x": {big}}}"#),
            r#"{"x": {"$mod": [2.5, 0]}}"#
        ),
        Err("OverflowError: int too large to convert to float".into())
    );
    assert_eq!(
        run(&format!(r#"{{"x": {big}}}"#), r#"{"x": {"$mod": [3, 1]}}"#),
        Ok("T")
    );
}

/// Big ints compare exactly with floats, like Python.
#[test]
fn regression_bigint_float_exact() {
    let doc = r#"{"x": 18446744073709551617}"#;
    assert_eq!(
        run(doc, r#"{"x": {"$gt": 1.8446744073709552e19}}"#),
        Ok("T")
    );
    assert_eq!(run(doc, r#"{"x": 1.8446744073709552e19}"#), Ok("F"));
}

/// The operator in the QueryError is Python's repr (double quotes when it holds a quote).
#[test]
fn regression_repr_of_operator() {
    let got = run(DOC, r#"{"context.pop": {"it's": 1}}"#).unwrap_err();
    assert!(got.contains(r#"operator: "it's". Supported"#), "{got}");
}

#[test]
fn filter_integration() {
    let f = Filter::compile(&v(r#"{"context.s": {"$gt": 5}}"#), Dialect::Jvspatial).unwrap();
    let e = f.matches(&v(DOC)).unwrap_err();
    assert_eq!(
        e.0,
        "'>' not supported between instances of 'str' and 'int'"
    );
}

// ---- sort ----

fn key(p: &str, desc: bool) -> SortKey {
    SortKey {
        path: p.into(),
        descending: desc,
    }
}

#[test]
fn sort_missing_last_both_directions() {
    let recs: Vec<Value> = [
        r#"{"a": 2}"#,
        r#"{"b": 1}"#,
        r#"{"a": 1}"#,
        r#"{"a": null}"#,
    ]
    .iter()
    .map(|s| v(s))
    .collect();
    assert_eq!(
        sort_order_py(&recs, &[key("a", false)]).unwrap(),
        vec![2, 0, 1, 3]
    );
    assert_eq!(
        sort_order_py(&recs, &[key("a", true)]).unwrap(),
        vec![0, 2, 1, 3]
    );
    assert_eq!(
        compare_for_sort(&recs[1], &recs[0], &[key("a", true)]),
        Ok(Ordering::Greater)
    );
}

#[test]
fn sort_dotted_paths_through_dicts_only_and_errors() {
    let a = v(r#"{"c": {"d": 1}}"#);
    let b = v(r#"{"c": [{"d": 0}]}"#);
    assert_eq!(
        compare_for_sort(&a, &b, &[key("c.d", false)]),
        Ok(Ordering::Less)
    );
    let s = v(r#"{"x": "a"}"#);
    let i = v(r#"{"x": 1}"#);
    let e = compare_for_sort(&s, &i, &[key("x", false)]).unwrap_err();
    assert_eq!(
        e.0,
        "'<' not supported between instances of 'str' and 'int'"
    );
    // Equal dicts are never compared with `<` (tuple comparison checks == first).
    let d = v(r#"{"x": {"k": 1}}"#);
    assert_eq!(
        compare_for_sort(&d, &d.clone(), &[key("x", false)]),
        Ok(Ordering::Equal)
    );
}
