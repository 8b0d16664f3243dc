//! MongoDB query semantics (DESIGN §4): a filter document is compiled once into a tree of
//! matchers; regular expressions are compiled once. Path traversal follows the server's
//! element iterator (`src/mongo/db/matcher/path.cpp`): dot paths descend objects, arrays of
//! documents are traversed implicitly, numeric segments index arrays (and also name fields of
//! documents inside arrays), a leaf array yields each element and then itself, a scalar met
//! before the end of a path yields "missing", and an array that cannot be traversed further
//! yields nothing.
use super::bson_order::{self, bracket, is_nan, is_number};
use super::{Matcher, QueryError, SortKey};
use crate::value::{Map, Value};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::cmp::Ordering;

/// A compiled MongoDB filter.
#[derive(Debug)]
pub struct MongoMatcher {
    root: Node,
}

impl MongoMatcher {
    /// The compiled tree (for translators such as the SQL pushdown, `store::sql`).
    pub(crate) fn root(&self) -> &Node {
        &self.root
    }
}

impl Matcher for MongoMatcher {
    fn matches(&self, doc: &Value) -> Result<bool, QueryError> {
        Ok(self.root.eval(doc))
    }
}

impl MongoMatcher {
    /// Plain boolean form (never fails once compiled).
    pub fn is_match(&self, doc: &Value) -> bool {
        self.root.eval(doc)
    }
}

/// Compile a MongoDB filter document.
pub fn compile(query: &Value) -> Result<MongoMatcher, QueryError> {
    let Some(obj) = query.as_object() else {
        return Err(err(format!(
            "a query must be a JSON object, got {}",
            query.type_name()
        )));
    };
    Ok(MongoMatcher {
        root: compile_doc(obj)?,
    })
}

fn err(msg: impl Into<String>) -> QueryError {
    QueryError(msg.into())
}

// ---------------------------------------------------------------------------------------------
// Paths

#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub(crate) name: String,
    /// The array offset this segment names when it is all ASCII digits (the server compares
    /// the segment with the element's field name, so "01" names no offset).
    pub(crate) index: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Path(pub(crate) Vec<Part>);

impl Path {
    fn parse(s: &str) -> Path {
        Path(
            s.split('.')
                .map(|p| Part {
                    name: p.to_string(),
                    index: if !p.is_empty()
                        && p.bytes().all(|b| b.is_ascii_digit())
                        && (p == "0" || !p.starts_with('0'))
                    {
                        p.parse().ok()
                    } else {
                        None
                    },
                })
                .collect(),
        )
    }
}

/// What to do with an array found at the end of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// Yield each element, then the array itself (ordinary predicates).
    Traverse,
    /// Yield the array only ($size, $elemMatch).
    Whole,
}

/// Look a field up in a document. The root of an `$elemMatch` object test may be an array,
/// which BSON sees as a document with fields "0", "1", …
fn lookup<'a>(container: &'a Value, part: &Part) -> Option<&'a Value> {
    match container {
        Value::Object(m) => m.get(&part.name),
        Value::Array(a) => match part.index {
            Some(i) if part.name == i.to_string() => a.get(i),
            _ => None,
        },
        _ => None,
    }
}

/// Call `f` on every element the path yields from document `doc` (`None` = missing);
/// stop and return true as soon as `f` does.
fn walk_doc(
    doc: &Value,
    parts: &[Part],
    leaf: Leaf,
    f: &mut dyn FnMut(Option<&Value>) -> bool,
) -> bool {
    let mut cur = doc;
    let mut i = 0;
    loop {
        let Some(part) = parts.get(i) else {
            return f(Some(cur));
        };
        let Some(next) = lookup(cur, part) else {
            return f(None);
        };
        i += 1;
        if i == parts.len() {
            return walk_leaf(next, leaf, f);
        }
        match next {
            Value::Object(_) => cur = next,
            Value::Array(a) => return walk_array(a, &parts[i..], leaf, f),
            _ => return f(None),
        }
    }
}

fn walk_leaf(v: &Value, leaf: Leaf, f: &mut dyn FnMut(Option<&Value>) -> bool) -> bool {
    match v {
        Value::Array(a) if leaf == Leaf::Traverse => a.iter().any(|e| f(Some(e))) || f(Some(v)),
        _ => f(Some(v)),
    }
}

/// An array met with `rest` (non-empty) still to resolve.
fn walk_array(
    arr: &[Value],
    rest: &[Part],
    leaf: Leaf,
    f: &mut dyn FnMut(Option<&Value>) -> bool,
) -> bool {
    let head = &rest[0];
    for (idx, e) in arr.iter().enumerate() {
        let offset_match = head.index == Some(idx);
        match e {
            Value::Object(_) => {
                if walk_doc(e, rest, leaf, f) {
                    return true;
                }
                if offset_match {
                    if rest.len() == 1 {
                        if f(Some(e)) {
                            return true;
                        }
                    } else if walk_doc(e, &rest[1..], leaf, f) {
                        return true;
                    }
                }
            }
            _ if offset_match => {
                if rest.len() == 1 {
                    // The path ends at an array offset: the element itself, not expanded.
                    if f(Some(e)) {
                        return true;
                    }
                } else if let Value::Array(inner) = e
                    && walk_array(inner, &rest[1..], leaf, f)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// The matcher tree

#[derive(Debug)]
pub(crate) enum Node {
    True,
    False,
    And(Vec<Node>),
    Or(Vec<Node>),
    Nor(Vec<Node>),
    Not(Box<Node>),
    Path { path: Path, pred: Pred, leaf: Leaf },
}

impl Node {
    fn eval(&self, doc: &Value) -> bool {
        match self {
            Node::True => true,
            Node::False => false,
            Node::And(v) => v.iter().all(|n| n.eval(doc)),
            Node::Or(v) => v.iter().any(|n| n.eval(doc)),
            Node::Nor(v) => !v.iter().any(|n| n.eval(doc)),
            Node::Not(n) => !n.eval(doc),
            Node::Path { path, pred, leaf } => {
                walk_doc(doc, &path.0, *leaf, &mut |e| pred.matches_single(e))
            }
        }
    }
}

/// A field operator, as a tree that can run on a path (any yielded element) or on one value
/// (inside a value `$elemMatch`).
#[derive(Debug)]
pub(crate) enum FieldOp {
    Pred(Pred),
    Not(Vec<FieldOp>),
    And(Vec<FieldOp>),
    False,
}

impl FieldOp {
    fn leaf_mode(&self) -> Leaf {
        match self {
            FieldOp::Pred(Pred::Size(_) | Pred::ElemMatchValue(_) | Pred::ElemMatchObject(_)) => {
                Leaf::Whole
            }
            _ => Leaf::Traverse,
        }
    }

    fn into_node(self, path: &Path) -> Node {
        let leaf = self.leaf_mode();
        match self {
            FieldOp::Pred(pred) => Node::Path {
                path: path.clone(),
                pred,
                leaf,
            },
            FieldOp::Not(ops) => Node::Not(Box::new(and_of(
                ops.into_iter().map(|o| o.into_node(path)).collect(),
            ))),
            FieldOp::And(ops) => and_of(ops.into_iter().map(|o| o.into_node(path)).collect()),
            FieldOp::False => Node::False,
        }
    }

    fn matches_single(&self, e: Option<&Value>) -> bool {
        match self {
            FieldOp::Pred(p) => p.matches_single(e),
            FieldOp::Not(ops) => !ops.iter().all(|o| o.matches_single(e)),
            FieldOp::And(ops) => ops.iter().all(|o| o.matches_single(e)),
            FieldOp::False => false,
        }
    }
}

fn and_of(mut nodes: Vec<Node>) -> Node {
    if nodes.len() == 1 {
        nodes.pop().unwrap_or(Node::True)
    } else {
        Node::And(nodes)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// A predicate on one element yielded by a path (`None` = missing).
#[derive(Debug)]
pub(crate) enum Pred {
    Eq(Value),
    Cmp(CmpOp, Value),
    In(Vec<Value>),
    Exists,
    Type(Vec<TypeCode>),
    Regex(Box<fancy_regex::Regex>),
    Size(usize),
    Mod(i64, i64),
    ElemMatchValue(Vec<FieldOp>),
    ElemMatchObject(Box<Node>),
}

fn eq_single(e: Option<&Value>, v: &Value) -> bool {
    match (e, v) {
        (None, Value::Null) => true,
        (None, _) => false,
        (Some(e), v) => bracket(e) == bracket(v) && bson_order::equal(e, v),
    }
}

impl Pred {
    fn matches_single(&self, e: Option<&Value>) -> bool {
        match self {
            Pred::Eq(v) => eq_single(e, v),
            Pred::In(vs) => vs.iter().any(|v| eq_single(e, v)),
            Pred::Cmp(op, v) => {
                if v.is_null() {
                    // $gte/$lte null behave as equality with null; $gt/$lt null match nothing.
                    return matches!(op, CmpOp::Gte | CmpOp::Lte)
                        && matches!(e, None | Some(Value::Null));
                }
                let Some(e) = e else { return false };
                if bracket(e) != bracket(v) {
                    return false;
                }
                if is_nan(e) || is_nan(v) {
                    return matches!(op, CmpOp::Gte | CmpOp::Lte) && is_nan(e) && is_nan(v);
                }
                let o = bson_order::compare(e, v);
                match op {
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Gte => o != Ordering::Less,
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Lte => o != Ordering::Greater,
                }
            }
            Pred::Exists => e.is_some(),
            Pred::Type(codes) => e.is_some_and(|v| codes.iter().any(|c| c.matches(v))),
            // A string with a lone surrogate is matched through its lossy text (U+FFFD).
            Pred::Regex(re) => e
                .and_then(Value::to_string_lossy)
                .is_some_and(|s| re.is_match(&*s).unwrap_or(false)),
            Pred::Size(n) => matches!(e, Some(Value::Array(a)) if a.len() == *n),
            Pred::Mod(d, r) => e.is_some_and(|v| mod_matches(v, *d, *r)),
            Pred::ElemMatchValue(ops) => match e {
                Some(Value::Array(a)) => a
                    .iter()
                    .any(|x| ops.iter().all(|o| o.matches_single(Some(x)))),
                _ => false,
            },
            Pred::ElemMatchObject(node) => match e {
                Some(Value::Array(a)) => a
                    .iter()
                    .any(|x| matches!(x, Value::Object(_) | Value::Array(_)) && node.eval(x)),
                _ => false,
            },
        }
    }
}

/// `$mod`: the value truncated toward zero, C-style remainder (sign of the dividend).
fn mod_matches(v: &Value, d: i64, r: i64) -> bool {
    match v {
        Value::Int(i) => i.checked_rem(d).unwrap_or(0) == r,
        Value::Float(f) => saturating_trunc(*f).checked_rem(d).unwrap_or(0) == r,
        Value::BigInt(b) => {
            // Not representable in BSON: exact truncated remainder.
            let m = &**b % BigInt::from(d);
            m.to_i64() == Some(r)
        }
        _ => false,
    }
}

/// The server's `safeNumberLong` for a double: NaN → 0, out of range → clamped.
fn saturating_trunc(f: f64) -> i64 {
    if f.is_nan() { 0 } else { f as i64 }
}

// ---------------------------------------------------------------------------------------------
// $type

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeCode {
    Double,
    String,
    Object,
    Array,
    Bool,
    Null,
    Int,
    Long,
    Number,
    /// A BSON type no JSON value has (binData, date, …).
    Other,
}

impl TypeCode {
    fn matches(self, v: &Value) -> bool {
        match self {
            TypeCode::Double => matches!(v, Value::Float(_)),
            TypeCode::String => v.is_string(),
            TypeCode::Object => matches!(v, Value::Object(_)),
            TypeCode::Array => matches!(v, Value::Array(_)),
            TypeCode::Bool => matches!(v, Value::Bool(_)),
            TypeCode::Null => v.is_null(),
            TypeCode::Int => matches!(v, Value::Int(i) if i32::try_from(*i).is_ok()),
            TypeCode::Long => matches!(v, Value::Int(i) if i32::try_from(*i).is_err()),
            TypeCode::Number => is_number(v),
            TypeCode::Other => false,
        }
    }

    fn from_alias(s: &str) -> Option<TypeCode> {
        Some(match s {
            "double" => TypeCode::Double,
            "string" => TypeCode::String,
            "object" => TypeCode::Object,
            "array" => TypeCode::Array,
            "bool" => TypeCode::Bool,
            "null" => TypeCode::Null,
            "int" => TypeCode::Int,
            "long" => TypeCode::Long,
            "number" => TypeCode::Number,
            "binData"
            | "undefined"
            | "objectId"
            | "date"
            | "regex"
            | "dbPointer"
            | "javascript"
            | "symbol"
            | "javascriptWithScope"
            | "timestamp"
            | "decimal"
            | "minKey"
            | "maxKey" => TypeCode::Other,
            _ => return None,
        })
    }

    fn from_code(c: i64) -> Option<TypeCode> {
        Some(match c {
            1 => TypeCode::Double,
            2 => TypeCode::String,
            3 => TypeCode::Object,
            4 => TypeCode::Array,
            8 => TypeCode::Bool,
            10 => TypeCode::Null,
            16 => TypeCode::Int,
            18 => TypeCode::Long,
            5..=7 | 9 | 11..=15 | 17 | 19 | -1 | 127 => TypeCode::Other,
            _ => return None,
        })
    }
}

fn parse_type_one(v: &Value) -> Result<TypeCode, QueryError> {
    match v {
        Value::Str(s) => {
            TypeCode::from_alias(s).ok_or_else(|| err(format!("Unknown type name alias: {s}")))
        }
        Value::WStr(b) => Err(err(format!(
            "Unknown type name alias: {}",
            crate::wtf8::to_string_escaped(b)
        ))),
        Value::Int(i) => {
            TypeCode::from_code(*i).ok_or_else(|| err(format!("Invalid numerical type code: {i}")))
        }
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => TypeCode::from_code(*f as i64)
            .ok_or_else(|| err(format!("Invalid numerical type code: {f}"))),
        Value::Float(f) => Err(err(format!("Invalid numerical type code: {f}"))),
        Value::BigInt(b) => Err(err(format!("Invalid numerical type code: {b}"))),
        _ => Err(err("type must be represented as a number or a string")),
    }
}

fn parse_type(v: &Value) -> Result<Vec<TypeCode>, QueryError> {
    match v {
        Value::Array(a) => {
            if a.is_empty() {
                return Err(err("$type must match at least one type"));
            }
            a.iter().map(parse_type_one).collect()
        }
        _ => Ok(vec![parse_type_one(v)?]),
    }
}

// ---------------------------------------------------------------------------------------------
// Compilation

/// True when an object is an operator document (its first key starts with `$`).
fn is_operator_doc(v: &Value) -> bool {
    v.as_object()
        .and_then(|m| m.keys().next())
        .is_some_and(|k| k.starts_with('$'))
}

fn compile_doc(obj: &Map) -> Result<Node, QueryError> {
    let mut nodes = Vec::with_capacity(obj.len());
    for (k, v) in obj {
        if let Some(op) = k.strip_prefix('$') {
            match op {
                "and" | "or" | "nor" => {
                    let arr = match v.as_array() {
                        Some(a) if !a.is_empty() => a,
                        _ => return Err(err("$and/$or/$nor must be a nonempty array")),
                    };
                    let mut subs = Vec::with_capacity(arr.len());
                    for q in arr {
                        let Some(m) = q.as_object() else {
                            return Err(err("$or/$and/$nor entries need to be full objects"));
                        };
                        subs.push(compile_doc(m)?);
                    }
                    nodes.push(match op {
                        "and" => Node::And(subs),
                        "or" => Node::Or(subs),
                        _ => Node::Nor(subs),
                    });
                }
                "comment" => {}
                "where" | "expr" | "text" | "jsonSchema" | "sampleRate" => {
                    return Err(err(format!(
                        "${op} is not supported by the mongo dialect of jvdb"
                    )));
                }
                _ => return Err(err(format!("unknown top level operator: ${op}"))),
            }
            continue;
        }
        let path = Path::parse(k);
        if is_operator_doc(v) {
            let ops = compile_field_ops(v.as_object().into_iter().flatten())?;
            nodes.extend(ops.into_iter().map(|o| o.into_node(&path)));
        } else {
            nodes.push(Node::Path {
                path,
                pred: Pred::Eq(v.clone()),
                leaf: Leaf::Traverse,
            });
        }
    }
    Ok(match nodes.len() {
        0 => Node::True,
        _ => and_of(nodes),
    })
}

fn compile_field_ops<'a>(
    ops: impl Iterator<Item = (&'a String, &'a Value)> + Clone,
) -> Result<Vec<FieldOp>, QueryError> {
    let mut out = Vec::new();
    // $regex and $options belong together, whatever their order.
    let mut regex: Option<&Value> = None;
    let mut options: Option<&Value> = None;
    for (k, v) in ops.clone() {
        match k.as_str() {
            "$regex" => regex = Some(v),
            "$options" => options = Some(v),
            _ => {}
        }
    }
    let mut regex_done = false;
    for (k, v) in ops {
        let op = match k.as_str() {
            "$eq" => FieldOp::Pred(Pred::Eq(v.clone())),
            "$ne" => FieldOp::Not(vec![FieldOp::Pred(Pred::Eq(v.clone()))]),
            "$gt" => FieldOp::Pred(Pred::Cmp(CmpOp::Gt, v.clone())),
            "$gte" => FieldOp::Pred(Pred::Cmp(CmpOp::Gte, v.clone())),
            "$lt" => FieldOp::Pred(Pred::Cmp(CmpOp::Lt, v.clone())),
            "$lte" => FieldOp::Pred(Pred::Cmp(CmpOp::Lte, v.clone())),
            "$in" => FieldOp::Pred(Pred::In(parse_in_list(v, "$in")?)),
            "$nin" => FieldOp::Not(vec![FieldOp::Pred(Pred::In(parse_in_list(v, "$nin")?))]),
            "$exists" => {
                if truthy(v) {
                    FieldOp::Pred(Pred::Exists)
                } else {
                    FieldOp::Not(vec![FieldOp::Pred(Pred::Exists)])
                }
            }
            "$type" => FieldOp::Pred(Pred::Type(parse_type(v)?)),
            "$regex" | "$options" => {
                if regex_done {
                    continue;
                }
                regex_done = true;
                let Some(pattern) = regex else {
                    return Err(err("$options needs a $regex"));
                };
                FieldOp::Pred(Pred::Regex(Box::new(compile_regex(pattern, options)?)))
            }
            "$size" => FieldOp::Pred(Pred::Size(parse_size(v)?)),
            "$mod" => {
                let (d, r) = parse_mod(v)?;
                FieldOp::Pred(Pred::Mod(d, r))
            }
            "$all" => parse_all(v)?,
            "$elemMatch" => FieldOp::Pred(parse_elem_match(v)?),
            "$not" => parse_not(v)?,
            other => return Err(err(format!("unknown operator: {other}"))),
        };
        out.push(op);
    }
    Ok(out)
}

/// BSON truthiness (`BSONElement::trueValue`).
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::BigInt(b) => !b.is_zero(),
        Value::Float(f) => *f != 0.0,
        _ => true,
    }
}

fn parse_in_list(v: &Value, op: &str) -> Result<Vec<Value>, QueryError> {
    let Some(arr) = v.as_array() else {
        return Err(err(format!("{op} needs an array")));
    };
    for e in arr {
        if is_operator_doc(e) {
            return Err(err(format!("cannot nest $ under {op}")));
        }
    }
    Ok(arr.clone())
}

fn parse_size(v: &Value) -> Result<usize, QueryError> {
    let n = match v {
        Value::Int(i) => *i,
        Value::Float(f) => {
            if f.fract() != 0.0 || !f.is_finite() {
                return Err(err("$size must be a whole number"));
            }
            if f.abs() > i32::MAX as f64 {
                return Err(err("$size must be representable as a 32-bit integer"));
            }
            *f as i64
        }
        Value::BigInt(_) => {
            return Err(err("$size must be representable as a 32-bit integer"));
        }
        _ => return Err(err("$size needs a number")),
    };
    if n < 0 {
        return Err(err("$size may not be negative"));
    }
    if n > i32::MAX as i64 {
        return Err(err("$size must be representable as a 32-bit integer"));
    }
    usize::try_from(n).map_err(|_| err("$size must be representable as a 32-bit integer"))
}

fn mod_operand(v: &Value, what: &str) -> Result<i64, QueryError> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.is_nan() || f.is_infinite() => Err(err(format!(
            "malformed mod, {what} value is invalid :: caused by :: Unable to coerce NaN/Inf to integral type"
        ))),
        Value::Float(f) if f.abs() >= 9.223_372_036_854_776e18 => Err(err(format!(
            "malformed mod, {what} value is invalid :: caused by :: Out of bounds coercing to integral value"
        ))),
        Value::Float(f) => Ok(f.trunc() as i64),
        Value::BigInt(_) => Err(err(format!(
            "malformed mod, {what} value is invalid :: caused by :: Out of bounds coercing to integral value"
        ))),
        _ => Err(err(format!("malformed mod, {what} not a number"))),
    }
}

fn parse_mod(v: &Value) -> Result<(i64, i64), QueryError> {
    let Some(arr) = v.as_array() else {
        return Err(err("malformed mod, needs to be an array"));
    };
    if arr.len() < 2 {
        return Err(err("malformed mod, not enough elements"));
    }
    if arr.len() > 2 {
        return Err(err("malformed mod, too many elements"));
    }
    let d = mod_operand(&arr[0], "divisor")?;
    let r = mod_operand(&arr[1], "remainder")?;
    if d == 0 {
        return Err(err("divisor cannot be 0"));
    }
    Ok((d, r))
}

fn parse_all(v: &Value) -> Result<FieldOp, QueryError> {
    let Some(arr) = v.as_array() else {
        return Err(err("$all needs an array"));
    };
    if arr.is_empty() {
        return Ok(FieldOp::False);
    }
    let is_elem_match = |e: &Value| {
        e.as_object()
            .and_then(|m| m.keys().next())
            .is_some_and(|k| k == "$elemMatch")
    };
    let first_em = is_elem_match(&arr[0]);
    let mut ops = Vec::with_capacity(arr.len());
    for e in arr {
        if is_elem_match(e) != first_em {
            return Err(err("$all/$elemMatch has to be consistent"));
        }
        if first_em {
            let m = e.as_object().into_iter().flatten();
            let mut sub = compile_field_ops(m)?;
            ops.append(&mut sub);
        } else {
            if is_operator_doc(e) {
                return Err(err("no $ expressions in $all"));
            }
            ops.push(FieldOp::Pred(Pred::Eq(e.clone())));
        }
    }
    // `{$all: [x, y]}` is `{$and: [{f: x}, {f: y}]}`: each item is its own path test.
    Ok(FieldOp::And(ops))
}

fn parse_elem_match(v: &Value) -> Result<Pred, QueryError> {
    let Some(m) = v.as_object() else {
        return Err(err("$elemMatch needs an Object"));
    };
    let first = m.keys().next();
    let value_form = first.is_some_and(|k| {
        k.starts_with('$')
            && !matches!(
                k.as_str(),
                "$and" | "$or" | "$nor" | "$where" | "$expr" | "$text" | "$comment"
            )
    });
    if value_form {
        Ok(Pred::ElemMatchValue(compile_field_ops(m.iter())?))
    } else {
        Ok(Pred::ElemMatchObject(Box::new(compile_doc(m)?)))
    }
}

fn parse_not(v: &Value) -> Result<FieldOp, QueryError> {
    let Some(m) = v.as_object() else {
        return Err(err("$not needs a regex or a document"));
    };
    if m.is_empty() {
        return Err(err("$not cannot be empty"));
    }
    Ok(FieldOp::Not(compile_field_ops(m.iter())?))
}

fn compile_regex(
    pattern: &Value,
    options: Option<&Value>,
) -> Result<fancy_regex::Regex, QueryError> {
    // A lone surrogate in the pattern or the options is taken as U+FFFD.
    let Some(p) = pattern.to_string_lossy() else {
        return Err(err("$regex has to be a string"));
    };
    let opts = match options {
        None => "".into(),
        Some(v) => match v.to_string_lossy() {
            Some(s) => s,
            None => return Err(err("$options has to be a string")),
        },
    };
    let mut flags = String::new();
    for c in opts.chars() {
        match c {
            'i' | 'm' | 's' | 'x' => {
                if !flags.contains(c) {
                    flags.push(c)
                }
            }
            'u' => {}
            _ => return Err(err(format!("invalid flag in regex options: {c}"))),
        }
    }
    if p.contains('\0') {
        return Err(err(
            "Regular expression cannot contain an embedded null byte",
        ));
    }
    let full = if flags.is_empty() {
        p.into_owned()
    } else {
        format!("(?{flags}){p}")
    };
    fancy_regex::Regex::new(&full).map_err(|e| {
        let msg = e.to_string();
        let line = msg.lines().next().unwrap_or("").trim();
        err(format!("Regular expression is invalid: {line}"))
    })
}

// ---------------------------------------------------------------------------------------------
// Sort

/// A sort key value: an empty array sorts below null/missing.
enum SortVal<'a> {
    EmptyArray,
    V(&'a Value),
}

const NULL: Value = Value::Null;

fn sort_cmp(a: &SortVal, b: &SortVal) -> Ordering {
    match (a, b) {
        (SortVal::EmptyArray, SortVal::EmptyArray) => Ordering::Equal,
        (SortVal::EmptyArray, _) => Ordering::Less,
        (_, SortVal::EmptyArray) => Ordering::Greater,
        (SortVal::V(x), SortVal::V(y)) => bson_order::compare(x, y),
    }
}

/// The extreme (min when ascending, max when descending) of the values the path yields.
fn sort_key<'a>(doc: &'a Value, path: &Path, descending: bool) -> SortVal<'a> {
    let mut best: Option<SortVal<'a>> = None;
    let consider = |cand: SortVal<'a>, best: &mut Option<SortVal<'a>>| {
        let better = match best {
            None => true,
            Some(b) => {
                let o = sort_cmp(&cand, b);
                if descending {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            *best = Some(cand);
        }
    };
    collect_sort(doc, &path.0, &mut |c| consider(c, &mut best));
    best.unwrap_or(SortVal::V(&NULL))
}

fn collect_sort<'a>(doc: &'a Value, parts: &[Part], f: &mut dyn FnMut(SortVal<'a>)) {
    let mut cur = doc;
    let mut i = 0;
    loop {
        let Some(part) = parts.get(i) else {
            return sort_leaf(cur, f);
        };
        let Some(next) = lookup(cur, part) else {
            return f(SortVal::V(&NULL));
        };
        i += 1;
        if i == parts.len() {
            return sort_leaf(next, f);
        }
        match next {
            Value::Object(_) => cur = next,
            Value::Array(a) => return sort_array(a, &parts[i..], f),
            _ => return f(SortVal::V(&NULL)),
        }
    }
}

fn sort_leaf<'a>(v: &'a Value, f: &mut dyn FnMut(SortVal<'a>)) {
    match v {
        Value::Array(a) if a.is_empty() => f(SortVal::EmptyArray),
        Value::Array(a) => a.iter().for_each(|e| f(SortVal::V(e))),
        _ => f(SortVal::V(v)),
    }
}

fn sort_array<'a>(arr: &'a [Value], rest: &[Part], f: &mut dyn FnMut(SortVal<'a>)) {
    let head = &rest[0];
    if let Some(i) = head.index
        && let Some(e) = arr.get(i)
    {
        // A positional segment selects the element.
        if rest.len() == 1 {
            return sort_leaf(e, f);
        }
        return match e {
            Value::Object(_) => collect_sort(e, &rest[1..], f),
            Value::Array(inner) => sort_array(inner, &rest[1..], f),
            _ => f(SortVal::V(&NULL)),
        };
    }
    let mut any = false;
    for e in arr {
        if let Value::Object(_) = e {
            any = true;
            collect_sort(e, rest, f);
        }
    }
    if !any {
        f(SortVal::V(&NULL));
    }
}

/// MongoDB's sort order over records (missing/null first ascending, type brackets, arrays by
/// min element ascending / max descending). Ties are `Equal`: the caller sorts stably.
pub fn compare_for_sort(a: &Value, b: &Value, keys: &[SortKey]) -> Ordering {
    for k in keys {
        let path = Path::parse(&k.path);
        let ka = sort_key(a, &path, k.descending);
        let kb = sort_key(b, &path, k.descending);
        let o = sort_cmp(&ka, &kb);
        let o = if k.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
