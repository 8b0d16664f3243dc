//! Named cases for the `mongo` dialect, from the MongoDB manual (and, where the manual is
//! silent, from the server's own tests, e.g. jstests/core/null_query_semantics.js). They cover
//! every operator, and every shape the differential test cannot check because mongomock 4.3
//! departs from MongoDB there (tests/py/MONGOMOCK_GAPS.md lists those; each gap has a test here
//! named `gap_*`).

use jvdb::query::mongo::{compare_for_sort, compile};
use jvdb::query::{Matcher, SortKey};
use jvdb::value::{Map, Value};
use num_bigint::BigInt;

// ----- a minimal JSON reader for test literals (also NaN, Infinity, big integers) -----

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        if self.s[self.i..].starts_with(t.as_bytes()) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn value(&mut self) -> Value {
        self.ws();
        let c = self.s[self.i];
        let v = match c {
            b'{' => {
                self.i += 1;
                let mut m = Map::new();
                self.ws();
                if !self.eat("}") {
                    loop {
                        self.ws();
                        let Value::Str(k) = self.value() else {
                            panic!("key")
                        };
                        self.ws();
                        assert!(self.eat(":"), "colon at {}", self.i);
                        let v = self.value();
                        m.insert(k, v);
                        self.ws();
                        if self.eat("}") {
                            break;
                        }
                        assert!(self.eat(","), "comma at {}", self.i);
                    }
                }
                Value::Object(m)
            }
            b'[' => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if !self.eat("]") {
                    loop {
                        a.push(self.value());
                        self.ws();
                        if self.eat("]") {
                            break;
                        }
                        assert!(self.eat(","), "comma at {}", self.i);
                    }
                }
                Value::Array(a)
            }
            b'"' => {
                self.i += 1;
                let mut out = String::new();
                loop {
                    let c = self.s[self.i] as char;
                    self.i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let e = self.s[self.i] as char;
                            self.i += 1;
                            out.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                        }
                        c => out.push(c),
                    }
                }
                Value::Str(out)
            }
            _ if self.eat("true") => Value::Bool(true),
            _ if self.eat("false") => Value::Bool(false),
            _ if self.eat("null") => Value::Null,
            _ if self.eat("NaN") => Value::Float(f64::NAN),
            _ if self.eat("Infinity") => Value::Float(f64::INFINITY),
            _ if self.eat("-Infinity") => Value::Float(f64::NEG_INFINITY),
            _ => {
                let st = self.i;
                while self.i < self.s.len() && b"+-0123456789.eE".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[st..self.i]).expect("utf8");
                if t.contains(['.', 'e', 'E']) {
                    Value::Float(t.parse().expect("float"))
                } else {
                    Value::from_bigint(t.parse::<BigInt>().expect("int"))
                }
            }
        };
        self.ws();
        v
    }
}

fn j(s: &str) -> Value {
    P {
        s: s.as_bytes(),
        i: 0,
    }
    .value()
}

/// Does `query` match `doc`?
fn m(query: &str, doc: &str) -> bool {
    compile(&j(query))
        .unwrap_or_else(|e| panic!("{query} should compile: {}", e.0))
        .matches(&j(doc))
        .expect("mongo never fails at match time")
}

/// Indices of `docs` that `query` matches.
fn find(query: &str, docs: &[&str]) -> Vec<usize> {
    let q = compile(&j(query)).unwrap_or_else(|e| panic!("{query}: {}", e.0));
    docs.iter()
        .enumerate()
        .filter(|(_, d)| q.matches(&j(d)).expect("no match-time error"))
        .map(|(i, _)| i)
        .collect()
}

fn compile_err(query: &str) -> String {
    match compile(&j(query)) {
        Ok(_) => panic!("{query} should not compile"),
        Err(e) => {
            assert!(!e.0.contains('\n'), "one-line error: {:?}", e.0);
            e.0
        }
    }
}

fn sorted(docs: &[&str], spec: &[(&str, bool)]) -> Vec<usize> {
    let vals: Vec<Value> = docs.iter().map(|d| j(d)).collect();
    let keys: Vec<SortKey> = spec
        .iter()
        .map(|(p, d)| SortKey {
            path: p.to_string(),
            descending: *d,
        })
        .collect();
    let mut idx: Vec<usize> = (0..vals.len()).collect();
    idx.sort_by(|&a, &b| compare_for_sort(&vals[a], &vals[b], &keys));
    idx
}

// ===== comparison operators (manual: "Comparison Query Operators") =====

#[test]
fn eq_scalar_array_element_and_whole_array() {
    // inventory examples: tags ["blank","red"]
    assert!(m(
        r#"{"tags":{"$eq":"red"}}"#,
        r#"{"tags":["blank","red"]}"#
    ));
    assert!(m(
        r#"{"tags":{"$eq":["blank","red"]}}"#,
        r#"{"tags":["blank","red"]}"#
    ));
    assert!(!m(
        r#"{"tags":{"$eq":["red","blank"]}}"#,
        r#"{"tags":["blank","red"]}"#
    ));
    assert!(m(
        r#"{"tags":["blank","red"]}"#,
        r#"{"tags":[["blank","red"],"x"]}"#
    ));
    assert!(m(r#"{"qty":20}"#, r#"{"qty":20.0}"#));
}

#[test]
fn eq_embedded_document_is_exact_and_order_sensitive() {
    let d = r#"{"item":{"name":"ab","code":"123"}}"#;
    assert!(m(r#"{"item":{"name":"ab","code":"123"}}"#, d));
    assert!(!m(r#"{"item":{"code":"123","name":"ab"}}"#, d));
    assert!(!m(r#"{"item":{"name":"ab"}}"#, d));
    assert!(m(r#"{"item.name":"ab"}"#, d));
    assert!(m(r#"{"item":{"$eq":{"name":"ab","code":"123"}}}"#, d));
    // numbers inside compare numerically
    assert!(m(r#"{"d":{"x":1}}"#, r#"{"d":{"x":1.0}}"#));
}

#[test]
fn ne_and_nin_include_missing_and_exclude_arrays_containing() {
    let docs = [
        r#"{"qty":20}"#,
        r#"{"qty":[5,20]}"#,
        r#"{}"#,
        r#"{"qty":null}"#,
    ];
    assert_eq!(find(r#"{"qty":{"$ne":20}}"#, &docs), vec![2, 3]);
    assert_eq!(find(r#"{"qty":{"$nin":[5,15]}}"#, &docs), vec![0, 2, 3]);
    assert_eq!(find(r#"{"qty":{"$ne":null}}"#, &docs), vec![0, 1]);
}

#[test]
fn gt_gte_lt_lte_within_type_bracket() {
    let docs = [
        r#"{"x":5}"#,
        r#"{"x":"abc"}"#,
        r#"{"x":[1,10]}"#,
        r#"{"x":null}"#,
        r#"{}"#,
        r#"{"x":true}"#,
        r#"{"x":7.5}"#,
    ];
    assert_eq!(find(r#"{"x":{"$gt":5}}"#, &docs), vec![2, 6]);
    assert_eq!(find(r#"{"x":{"$gte":5}}"#, &docs), vec![0, 2, 6]);
    assert_eq!(find(r#"{"x":{"$lt":5}}"#, &docs), vec![2]);
    assert_eq!(find(r#"{"x":{"$lte":"b"}}"#, &docs), vec![1]);
    // arrays: any element, or the whole array within the array bracket
    assert!(m(r#"{"x":{"$gt":5,"$lt":2}}"#, r#"{"x":[1,10]}"#));
    assert!(m(r#"{"x":{"$gt":[1]}}"#, r#"{"x":[1,10]}"#));
    assert!(!m(r#"{"x":{"$gt":[1]}}"#, r#"{"x":5}"#));
    // bool is its own bracket
    assert!(m(r#"{"x":{"$gt":false}}"#, r#"{"x":true}"#));
    assert!(!m(r#"{"x":{"$gt":0}}"#, r#"{"x":true}"#));
}

#[test]
fn comparisons_with_null_operand() {
    let docs = [r#"{"x":null}"#, r#"{}"#, r#"{"x":1}"#, r#"{"x":[null,2]}"#];
    assert_eq!(find(r#"{"x":{"$gte":null}}"#, &docs), vec![0, 1, 3]);
    assert_eq!(find(r#"{"x":{"$lte":null}}"#, &docs), vec![0, 1, 3]);
    assert_eq!(find(r#"{"x":{"$gt":null}}"#, &docs), Vec::<usize>::new());
    assert_eq!(find(r#"{"x":{"$lt":null}}"#, &docs), Vec::<usize>::new());
}

#[test]
fn numbers_compare_across_int_double_and_bigint() {
    assert!(m(
        r#"{"x":{"$gt":9007199254740992.0}}"#,
        r#"{"x":9007199254740993}"#
    ));
    assert!(m(r#"{"x":100000000000000000000}"#, r#"{"x":1e20}"#));
    assert!(m(
        r#"{"x":{"$gt":9223372036854775807}}"#,
        r#"{"x":100000000000000000000}"#
    ));
    assert!(m(
        r#"{"x":{"$lt":-9223372036854775808}}"#,
        r#"{"x":-100000000000000000000}"#
    ));
    assert!(m(r#"{"x":{"$in":[3]}}"#, r#"{"x":3.0}"#));
}

#[test]
fn gap_nan_equals_nan_and_never_compares() {
    assert!(m(r#"{"x":NaN}"#, r#"{"x":NaN}"#));
    assert!(m(r#"{"x":{"$gte":NaN}}"#, r#"{"x":NaN}"#));
    assert!(!m(r#"{"x":{"$gt":NaN}}"#, r#"{"x":NaN}"#));
    assert!(!m(r#"{"x":{"$lt":0}}"#, r#"{"x":NaN}"#));
    assert!(!m(r#"{"x":{"$gt":0}}"#, r#"{"x":NaN}"#));
    assert!(!m(r#"{"x":{"$lt":NaN}}"#, r#"{"x":-Infinity}"#));
    assert!(m(r#"{"x":{"$ne":1}}"#, r#"{"x":NaN}"#));
}

#[test]
fn gap_bool_is_not_a_number() {
    // mongomock (Python) treats true == 1 and false == 0.
    assert!(!m(r#"{"x":1}"#, r#"{"x":true}"#));
    assert!(!m(r#"{"x":true}"#, r#"{"x":1}"#));
    assert!(!m(r#"{"x":{"$in":[0]}}"#, r#"{"x":false}"#));
    assert!(!m(r#"{"x":{"$elemMatch":{"$eq":0}}}"#, r#"{"x":[false]}"#));
}

#[test]
fn in_and_nin() {
    let docs = [
        r#"{"tags":["school","home"]}"#,
        r#"{"tags":"home"}"#,
        r#"{"tags":["x"]}"#,
        r#"{}"#,
    ];
    assert_eq!(find(r#"{"tags":{"$in":["home","y"]}}"#, &docs), vec![0, 1]);
    assert_eq!(find(r#"{"tags":{"$nin":["home"]}}"#, &docs), vec![2, 3]);
    assert_eq!(find(r#"{"tags":{"$in":[null]}}"#, &docs), vec![3]);
    assert_eq!(find(r#"{"tags":{"$in":[]}}"#, &docs), Vec::<usize>::new());
    assert_eq!(find(r#"{"tags":{"$nin":[]}}"#, &docs), vec![0, 1, 2, 3]);
    assert!(m(r#"{"tags":{"$in":[["x"]]}}"#, r#"{"tags":["x"]}"#));
    assert!(compile_err(r#"{"a":{"$in":5}}"#).contains("$in needs an array"));
    assert!(compile_err(r#"{"a":{"$nin":{}}}"#).contains("$nin needs an array"));
    assert!(compile_err(r#"{"a":{"$in":[{"$gt":1}]}}"#).contains("cannot nest $ under $in"));
}

// ===== element operators =====

#[test]
fn exists_counts_null_as_existing() {
    let docs = [r#"{"a":null}"#, r#"{}"#, r#"{"a":5}"#, r#"{"a":[]}"#];
    assert_eq!(find(r#"{"a":{"$exists":true}}"#, &docs), vec![0, 2, 3]);
    assert_eq!(find(r#"{"a":{"$exists":false}}"#, &docs), vec![1]);
    assert_eq!(find(r#"{"a":{"$exists":0}}"#, &docs), vec![1]);
    assert_eq!(find(r#"{"a":{"$exists":1}}"#, &docs), vec![0, 2, 3]);
}

#[test]
fn gap_exists_false_on_arrays_of_documents() {
    // {"a.b": {$exists: false}} is NOT(exists): one element with b is enough to fail.
    let docs = [
        r#"{"a":[{"b":1},{}]}"#,
        r#"{"a":[{},{}]}"#,
        r#"{"a":[1,2]}"#,
        r#"{"a":4}"#,
    ];
    assert_eq!(find(r#"{"a.b":{"$exists":false}}"#, &docs), vec![1, 2, 3]);
    assert_eq!(find(r#"{"a.b":{"$exists":true}}"#, &docs), vec![0]);
}

#[test]
fn type_aliases_codes_number_and_arrays() {
    let docs = [
        r#"{"z":1}"#,
        r#"{"z":2.5}"#,
        r#"{"z":"s"}"#,
        r#"{"z":[1,"s"]}"#,
        r#"{"z":null}"#,
        r#"{}"#,
        r#"{"z":{"a":1}}"#,
        r#"{"z":true}"#,
        r#"{"z":3000000000}"#,
        r#"{"z":[]}"#,
    ];
    assert_eq!(find(r#"{"z":{"$type":"string"}}"#, &docs), vec![2, 3]);
    assert_eq!(find(r#"{"z":{"$type":2}}"#, &docs), vec![2, 3]);
    assert_eq!(find(r#"{"z":{"$type":"number"}}"#, &docs), vec![0, 1, 3, 8]);
    assert_eq!(find(r#"{"z":{"$type":"array"}}"#, &docs), vec![3, 9]);
    assert_eq!(find(r#"{"z":{"$type":4}}"#, &docs), vec![3, 9]);
    assert_eq!(
        find(r#"{"z":{"$type":["bool","object"]}}"#, &docs),
        vec![6, 7]
    );
    assert_eq!(find(r#"{"z":{"$type":"double"}}"#, &docs), vec![1]);
    assert_eq!(find(r#"{"z":{"$type":1.0}}"#, &docs), vec![1]);
    assert_eq!(
        find(r#"{"z":{"$type":"date"}}"#, &docs),
        Vec::<usize>::new()
    );
    assert!(compile_err(r#"{"z":{"$type":"nope"}}"#).contains("Unknown type name alias: nope"));
    assert!(compile_err(r#"{"z":{"$type":100}}"#).contains("Invalid numerical type code: 100"));
    assert!(compile_err(r#"{"z":{"$type":[]}}"#).contains("at least one type"));
    assert!(compile_err(r#"{"z":{"$type":{}}}"#).contains("number or a string"));
}

#[test]
fn gap_type_null_int_long_and_codes() {
    let docs = [
        r#"{"z":null}"#,
        r#"{}"#,
        r#"{"z":5}"#,
        r#"{"z":2147483648}"#,
    ];
    assert_eq!(find(r#"{"z":{"$type":"null"}}"#, &docs), vec![0]);
    assert_eq!(find(r#"{"z":{"$type":10}}"#, &docs), vec![0]);
    assert_eq!(find(r#"{"z":{"$type":"int"}}"#, &docs), vec![2]);
    assert_eq!(find(r#"{"z":{"$type":16}}"#, &docs), vec![2]);
    assert_eq!(find(r#"{"z":{"$type":"long"}}"#, &docs), vec![3]);
    assert_eq!(find(r#"{"z":{"$type":18}}"#, &docs), vec![3]);
    assert_eq!(
        find(r#"{"z":{"$not":{"$type":["int","null"]}}}"#, &docs),
        vec![1, 3]
    );
    // a big integer (beyond BSON) is only a "number"
    assert!(m(
        r#"{"z":{"$type":"number"}}"#,
        r#"{"z":100000000000000000000}"#
    ));
    assert!(!m(
        r#"{"z":{"$type":"long"}}"#,
        r#"{"z":100000000000000000000}"#
    ));
}

// ===== evaluation operators =====

#[test]
fn regex_with_options() {
    let docs = [
        r#"{"sku":"abc123"}"#,
        r#"{"sku":"abc789"}"#,
        r#"{"sku":"xyz456"}"#,
        r#"{"sku":"xyz789"}"#,
        r#"{"sku":"Abc789"}"#,
        r#"{"sku":"abc789\nline"}"#,
        r#"{"sku":["zz","abc1"]}"#,
        r#"{"sku":5}"#,
    ];
    assert_eq!(find(r#"{"sku":{"$regex":"789$"}}"#, &docs), vec![1, 3, 4]);
    assert_eq!(
        find(r#"{"sku":{"$regex":"^ABC","$options":"i"}}"#, &docs),
        vec![0, 1, 4, 5, 6]
    );
    assert_eq!(
        find(r#"{"sku":{"$regex":"^line","$options":"m"}}"#, &docs),
        vec![5]
    );
    assert_eq!(
        find(r#"{"sku":{"$regex":"^line"}}"#, &docs),
        Vec::<usize>::new()
    );
    assert_eq!(
        find(r#"{"sku":{"$regex":"9.line","$options":"s"}}"#, &docs),
        vec![5]
    );
    assert_eq!(
        find(
            r#"{"sku":{"$regex":"a b c 1 # comment","$options":"x"}}"#,
            &docs
        ),
        vec![0, 6]
    );
    assert_eq!(
        find(r#"{"sku":{"$options":"i","$regex":"^XYZ"}}"#, &docs),
        vec![2, 3]
    );
    assert_eq!(
        find(r#"{"sku":{"$not":{"$regex":"^abc"}}}"#, &docs),
        vec![2, 3, 4, 7]
    );
}

#[test]
fn gap_regex_options_under_not_and_invalid_regex() {
    assert!(!m(
        r#"{"s":{"$not":{"$regex":"^a","$options":"i"}}}"#,
        r#"{"s":"Abc"}"#
    ));
    assert!(m(
        r#"{"s":{"$not":{"$regex":"^a","$options":"i"}}}"#,
        r#"{"s":"bcd"}"#
    ));
    let e = compile_err(r#"{"s":{"$regex":"("}}"#);
    assert!(e.starts_with("Regular expression is invalid"), "{e}");
    assert!(
        compile_err(r#"{"s":{"$regex":"a","$options":"q"}}"#)
            .contains("invalid flag in regex options: q")
    );
    assert!(compile_err(r#"{"s":{"$options":"i"}}"#).contains("$options needs a $regex"));
    assert!(compile_err(r#"{"s":{"$regex":5}}"#).contains("$regex has to be a string"));
}

#[test]
fn gap_mod_truncated_semantics_and_validation() {
    // manual: $mod examples, negative dividends, truncated operands
    let docs = [
        r#"{"qty":0}"#,
        r#"{"qty":5}"#,
        r#"{"qty":12}"#,
        r#"{"qty":-7}"#,
        r#"{"qty":5.9}"#,
        r#"{"qty":"5"}"#,
        r#"{"qty":[1,8]}"#,
    ];
    assert_eq!(find(r#"{"qty":{"$mod":[4,0]}}"#, &docs), vec![0, 2, 6]);
    assert_eq!(find(r#"{"qty":{"$mod":[3,-1]}}"#, &docs), vec![3]); // -7 % 3 == -1 (truncated)
    // operands truncate to [4,1]; 5.9 -> 5; the array matches through its element 1
    assert_eq!(find(r#"{"qty":{"$mod":[4.9,1.9]}}"#, &docs), vec![1, 4, 6]);
    assert_eq!(find(r#"{"qty":{"$mod":[-4,1]}}"#, &docs), vec![1, 4, 6]);
    // big integers (beyond BSON): exact truncated remainder; 10^20 % 7 == 2
    assert!(m(
        r#"{"q":{"$mod":[7,2]}}"#,
        r#"{"q":100000000000000000000}"#
    ));
    assert!(m(
        r#"{"q":{"$mod":[7,-2]}}"#,
        r#"{"q":-100000000000000000000}"#
    ));
    assert!(!m(
        r#"{"q":{"$mod":[7,5]}}"#,
        r#"{"q":-100000000000000000000}"#
    ));
    assert!(compile_err(r#"{"q":{"$mod":[0,1]}}"#).contains("divisor cannot be 0"));
    assert!(compile_err(r#"{"q":{"$mod":[4]}}"#).contains("not enough elements"));
    assert!(compile_err(r#"{"q":{"$mod":[4,1,2]}}"#).contains("too many elements"));
    assert!(compile_err(r#"{"q":{"$mod":4}}"#).contains("needs to be an array"));
    assert!(compile_err(r#"{"q":{"$mod":["a",1]}}"#).contains("divisor not a number"));
    assert!(compile_err(r#"{"q":{"$mod":[2,"a"]}}"#).contains("remainder not a number"));
    assert!(compile_err(r#"{"q":{"$mod":[NaN,1]}}"#).contains("divisor value is invalid"));
}

// ===== array operators =====

#[test]
fn all_and_gap_all_empty_and_elem_match() {
    let docs = [
        r#"{"tags":["appliance","school","book"]}"#,
        r#"{"tags":["school","book"]}"#,
        r#"{"tags":"school"}"#,
        r#"{"tags":[["school","book"]]}"#,
        r#"{"qty":[{"size":"S","num":10},{"size":"M","num":45}]}"#,
        r#"{"qty":[{"size":"M","num":100},{"size":"L","num":10}]}"#,
    ];
    assert_eq!(
        find(r#"{"tags":{"$all":["school","book"]}}"#, &docs),
        vec![0, 1]
    );
    assert_eq!(
        find(r#"{"tags":{"$all":["school"]}}"#, &docs),
        vec![0, 1, 2]
    );
    assert_eq!(
        find(r#"{"tags":{"$all":[["school","book"]]}}"#, &docs),
        vec![1, 3]
    );
    // $all: [] matches nothing (mongomock: everything)
    assert_eq!(find(r#"{"tags":{"$all":[]}}"#, &docs), Vec::<usize>::new());
    // manual: $all with $elemMatch (mongomock also matches non-arrays)
    assert_eq!(
        find(
            r#"{"qty":{"$all":[{"$elemMatch":{"size":"M","num":{"$gt":50}}},{"$elemMatch":{"num":10}}]}}"#,
            &docs
        ),
        vec![5]
    );
    assert!(!m(
        r#"{"a":{"$all":[{"$elemMatch":{"$gt":0}}]}}"#,
        r#"{"a":5}"#
    ));
    assert!(compile_err(r#"{"a":{"$all":[{"$elemMatch":{"b":1}},5]}}"#).contains("consistent"));
    assert!(compile_err(r#"{"a":{"$all":5}}"#).contains("$all needs an array"));
    assert!(compile_err(r#"{"a":{"$all":[{"$gt":1}]}}"#).contains("no $ expressions in $all"));
}

#[test]
fn size_counts_arrays_only() {
    let docs = [
        r#"{"a":[1,2]}"#,
        r#"{"a":"ab"}"#,
        r#"{"a":[[1,2]]}"#,
        r#"{"a":[]}"#,
        r#"{}"#,
    ];
    assert_eq!(find(r#"{"a":{"$size":2}}"#, &docs), vec![0]);
    assert_eq!(find(r#"{"a":{"$size":1}}"#, &docs), vec![2]);
    assert_eq!(find(r#"{"a":{"$size":0}}"#, &docs), vec![3]);
    assert_eq!(find(r#"{"a":{"$size":2.0}}"#, &docs), vec![0]);
    assert_eq!(
        find(r#"{"a":{"$not":{"$size":2}}}"#, &docs),
        vec![1, 2, 3, 4]
    );
}

#[test]
fn gap_size_operand_validation_and_scalars() {
    // mongomock accepts these and treats a scalar as a one-element array
    assert!(!m(r#"{"a":{"$size":1}}"#, r#"{"a":5}"#));
    assert!(compile_err(r#"{"a":{"$size":1.5}}"#).contains("whole number"));
    assert!(compile_err(r#"{"a":{"$size":-1}}"#).contains("negative"));
    assert!(compile_err(r#"{"a":{"$size":"x"}}"#).contains("$size needs a number"));
}

#[test]
fn elem_match_value_and_object_forms() {
    let docs = [
        r#"{"results":[82,85,88]}"#,
        r#"{"results":[75,88,89]}"#,
        r#"{"results":[{"product":"abc","score":10},{"product":"xyz","score":5}]}"#,
        r#"{"results":[{"product":"abc","score":8},{"product":"xyz","score":7}]}"#,
        r#"{"results":80}"#,
    ];
    assert_eq!(
        find(r#"{"results":{"$elemMatch":{"$gte":80,"$lt":85}}}"#, &docs),
        vec![0]
    );
    assert_eq!(
        find(
            r#"{"results":{"$elemMatch":{"product":"xyz","score":{"$gte":8}}}}"#,
            &docs
        ),
        Vec::<usize>::new()
    );
    assert_eq!(
        find(
            r#"{"results":{"$elemMatch":{"product":"abc","score":{"$gte":8}}}}"#,
            &docs
        ),
        vec![2, 3]
    );
    // without $elemMatch the conditions may hold on different elements
    assert_eq!(
        find(r#"{"results":{"$gte":80,"$lt":85}}"#, &docs),
        vec![0, 1, 4]
    );
    assert_eq!(
        find(
            r#"{"results":{"$elemMatch":{"$or":[{"score":5},{"score":7}]}}}"#,
            &docs
        ),
        vec![2, 3]
    );
    assert!(compile_err(r#"{"a":{"$elemMatch":5}}"#).contains("$elemMatch needs an Object"));
}

#[test]
fn gap_elem_match_object_on_nested_arrays_and_scalars() {
    // server: an array element that is itself an array is matched as a document ("0", "1", …)
    assert!(m(r#"{"a":{"$elemMatch":{"b":null}}}"#, r#"{"a":[[]]}"#));
    assert!(m(r#"{"a":{"$elemMatch":{"0":7}}}"#, r#"{"a":[[7]]}"#));
    // scalar elements never match the object form, even with negations
    assert!(!m(
        r#"{"a":{"$elemMatch":{"k":{"$nin":[1]}}}}"#,
        r#"{"a":["x"]}"#
    ));
    assert!(!m(
        r#"{"a":{"$elemMatch":{"k":{"$ne":1}}}}"#,
        r#"{"a":[5]}"#
    ));
}

// ===== logical operators =====

#[test]
fn and_or_nor_not() {
    let docs = [
        r#"{"price":1.99,"qty":20,"sale":true}"#,
        r#"{"price":1.99,"qty":5}"#,
        r#"{"price":5,"qty":5,"sale":false}"#,
        r#"{"qty":30}"#,
    ];
    assert_eq!(
        find(
            r#"{"$and":[{"price":{"$ne":1.99}},{"price":{"$exists":true}}]}"#,
            &docs
        ),
        vec![2]
    );
    assert_eq!(
        find(r#"{"$or":[{"qty":{"$lt":10}},{"price":5}]}"#, &docs),
        vec![1, 2]
    );
    assert_eq!(
        find(r#"{"$nor":[{"price":1.99},{"sale":true}]}"#, &docs),
        vec![2, 3]
    );
    assert_eq!(
        find(r#"{"price":{"$not":{"$gt":1.99}}}"#, &docs),
        vec![0, 1, 3]
    );
    assert!(compile_err(r#"{"$or":[]}"#).contains("$and/$or/$nor must be a nonempty array"));
    assert!(compile_err(r#"{"$and":{}}"#).contains("nonempty array"));
    assert!(compile_err(r#"{"$nor":[5]}"#).contains("entries need to be full objects"));
    assert!(compile_err(r#"{"a":{"$not":5}}"#).contains("$not needs a regex or a document"));
    assert!(compile_err(r#"{"a":{"$not":{}}}"#).contains("$not cannot be empty"));
    assert!(compile_err(r#"{"a":{"$not":{"b":1}}}"#).contains("unknown operator: b"));
}

#[test]
fn gap_not_on_paths_that_yield_nothing() {
    // a dotted path through an array without documents yields no value: $not is true
    assert!(m(r#"{"a.b":{"$not":{"$regex":"x"}}}"#, r#"{"a":[3]}"#));
    assert!(m(r#"{"a.b":{"$not":{"$eq":1}}}"#, r#"{"a":[]}"#));
    assert!(m(r#"{"a.b.c":{"$not":{"$eq":1}}}"#, r#"{"a":null}"#));
}

#[test]
fn unknown_and_unsupported_operators_are_errors() {
    assert!(compile_err(r#"{"a":{"$foo":1}}"#).contains("unknown operator: $foo"));
    assert!(compile_err(r#"{"$foo":1}"#).contains("unknown top level operator: $foo"));
    assert!(compile_err(r#"{"$where":"1"}"#).contains("$where"));
    assert!(compile_err(r#"{"$text":{"$search":"x"}}"#).contains("$text"));
    assert!(compile_err(r#"{"$expr":{}}"#).contains("$expr"));
    assert!(compile_err(r#"{"a":{"$gt":1,"b":2}}"#).contains("unknown operator: b"));
    assert!(m(r#"{"$comment":"why","a":1}"#, r#"{"a":1}"#));
    // a literal sub-document whose later keys start with $ is equality
    assert!(m(r#"{"a":{"b":1,"$c":2}}"#, r#"{"a":{"b":1,"$c":2}}"#));
}

// ===== paths, arrays, null =====

#[test]
fn dot_paths_traverse_arrays_of_documents() {
    let d = r#"{"items":[{"k":1,"v":[5,6]},{"k":2},3,[{"k":9}]]}"#;
    assert!(m(r#"{"items.k":1}"#, d));
    assert!(m(r#"{"items.k":2}"#, d));
    assert!(!m(r#"{"items.k":9}"#, d)); // nested arrays are not traversed by name
    assert!(m(r#"{"items.v":6}"#, d));
    assert!(m(r#"{"items.v":[5,6]}"#, d));
    assert!(m(r#"{"items.1.k":2}"#, d));
    assert!(m(r#"{"items.0.v.1":6}"#, d));
    assert!(m(r#"{"items.3.k":9}"#, d)); // an offset into a nested array continues inside it
    assert!(m(r#"{"items.2":3}"#, d));
    assert!(!m(r#"{"items.01.k":2}"#, d));
    assert!(!m(r#"{"items.7":3}"#, d));
}

#[test]
fn gap_numeric_path_ending_at_nested_array_is_not_expanded() {
    // mongomock expands it; the server yields the element itself
    assert!(!m(r#"{"a.0":1}"#, r#"{"a":[[1,2]]}"#));
    assert!(m(r#"{"a.0":[1,2]}"#, r#"{"a":[[1,2]]}"#));
    assert!(m(r#"{"a.0":{"$size":2}}"#, r#"{"a":[[1,2]]}"#));
    // a numeric segment also names a field of documents inside the array
    assert!(m(r#"{"a.0":5}"#, r#"{"a":[{"0":5}]}"#));
}

#[test]
fn gap_null_and_missing_on_dotted_paths() {
    // jstests/core/null_query_semantics.js, "a.b" $eq null
    let docs = [
        r#"{"a":{}}"#,
        r#"{"a":null}"#,
        r#"{"a":4}"#,
        r#"{"a":{"b":"hi"}}"#,
        r#"{"a":{"b":null}}"#,
        r#"{}"#,
        r#"{"a":[[]]}"#,
        r#"{"a":[]}"#,
        r#"{"a":[{"b":null},{"b":null},{}]}"#,
        r#"{"a":[{"b":1},{"b":3},{"b":"string"}]}"#,
        r#"{"a":[{"b":3},{}]}"#,
        r#"{"a":[null,null]}"#,
        r#"{"a":[1,"string",4]}"#,
    ];
    assert_eq!(find(r#"{"a.b":null}"#, &docs), vec![0, 1, 2, 4, 5, 8, 10]);
    assert_eq!(
        find(r#"{"a.b":{"$ne":null}}"#, &docs),
        vec![3, 6, 7, 9, 11, 12]
    );
    assert_eq!(
        find(r#"{"a.b":{"$in":[null,75]}}"#, &docs),
        vec![0, 1, 2, 4, 5, 8, 10]
    );
    assert_eq!(
        find(r#"{"a.b":{"$gte":null}}"#, &docs),
        vec![0, 1, 2, 4, 5, 8, 10]
    );
    // "a" $eq null
    assert_eq!(find(r#"{"a":null}"#, &docs), vec![1, 5, 11]);
    assert_eq!(
        find(r#"{"a":{"$elemMatch":{"$eq":null}}}"#, &docs),
        vec![11]
    );
    assert_eq!(
        find(r#"{"a":{"$elemMatch":{"b":{"$eq":null}}}}"#, &docs),
        vec![6, 8, 10]
    );
}

#[test]
fn gap_empty_document_equality() {
    assert!(!m(r#"{"a":{}}"#, r#"{}"#));
    assert!(m(r#"{"a":{}}"#, r#"{"a":{}}"#));
    assert!(m(r#"{"a":{}}"#, r#"{"a":[{}]}"#));
}

#[test]
fn gap_several_operators_apply_to_any_element_each() {
    // each operator is tested on its own (use $elemMatch to require one element)
    let d = r#"{"o":[{"x":-3},{"x":"s"},{"x":10}]}"#;
    assert!(m(r#"{"o.x":{"$gt":-3,"$lte":2.5}}"#, d));
    assert!(m(r#"{"o.x":{"$nin":["ab"],"$lte":2.5}}"#, d));
    assert!(m(r#"{"o.x":{"$exists":true,"$ne":5}}"#, d));
}

#[test]
fn gap_comparison_of_mixed_type_arrays() {
    // BSON order inside arrays: null < numbers < strings < objects < arrays < bool
    assert!(m(r#"{"m":{"$lt":["a",-7]}}"#, r#"{"m":[[2,""],null]}"#));
    assert!(m(r#"{"m":{"$lte":[3.0]}}"#, r#"{"m":[[null,"a"],-7]}"#));
    assert!(m(r#"{"m":{"$eq":["x y"]}}"#, r#"{"m":[["x y"],3]}"#));
    assert!(m(r#"{"m":{"$eq":[]}}"#, r#"{"m":[[],null]}"#));
}

// ===== sort =====

#[test]
fn sort_brackets_null_first_and_ties_stable() {
    let docs = [
        r#"{"v":true}"#,
        r#"{"v":[1,5]}"#,
        r#"{"v":"a"}"#,
        r#"{}"#,
        r#"{"v":{"x":1}}"#,
        r#"{"v":2}"#,
        r#"{"v":null}"#,
        r#"{"v":[]}"#,
        r#"{"v":[[0]]}"#,
    ];
    // ascending: [] < null == missing < numbers (min of [1,5] is 1) < strings < objects < arrays < bool
    assert_eq!(
        sorted(&docs, &[("v", false)]),
        vec![7, 3, 6, 1, 5, 2, 4, 8, 0]
    );
    // descending: max of [1,5] is 5
    assert_eq!(
        sorted(&docs, &[("v", true)]),
        vec![0, 8, 4, 2, 1, 5, 3, 6, 7]
    );
}

#[test]
fn gap_sort_arrays_by_min_and_max() {
    // mongomock sorts an array by its first element
    let docs = [r#"{"a":[5,1]}"#, r#"{"a":[2,3]}"#, r#"{"a":4}"#];
    assert_eq!(sorted(&docs, &[("a", false)]), vec![0, 1, 2]);
    assert_eq!(sorted(&docs, &[("a", true)]), vec![0, 2, 1]);
    let docs = [
        r#"{"a":[{"b":7},{"b":1}]}"#,
        r#"{"a":{"b":3}}"#,
        r#"{"a":[{"c":1}]}"#,
    ];
    assert_eq!(sorted(&docs, &[("a.b", false)]), vec![2, 0, 1]);
    assert_eq!(sorted(&docs, &[("a.b", true)]), vec![0, 1, 2]);
}

#[test]
fn gap_sort_nan_is_the_smallest_number() {
    let docs = [
        r#"{"a":1}"#,
        r#"{"a":NaN}"#,
        r#"{"a":-Infinity}"#,
        r#"{"a":null}"#,
    ];
    assert_eq!(sorted(&docs, &[("a", false)]), vec![3, 1, 2, 0]);
}

#[test]
fn sort_multiple_keys_and_numbers_across_types() {
    let docs = [
        r#"{"a":2,"b":"x"}"#,
        r#"{"a":2.0,"b":"a"}"#,
        r#"{"a":100000000000000000000,"b":"a"}"#,
        r#"{"a":1.5}"#,
    ];
    assert_eq!(
        sorted(&docs, &[("a", false), ("b", false)]),
        vec![3, 1, 0, 2]
    );
    assert_eq!(sorted(&docs, &[("a", true), ("b", true)]), vec![2, 0, 1, 3]);
}
