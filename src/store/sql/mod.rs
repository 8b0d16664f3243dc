//! The one query splitter of the SQL backends (SQLite and PostgreSQL): a compiled mongo-dialect
//! filter becomes a SQL condition over a row (`data` = the record's JSON, `id` = its id), plus
//! what the caller must still do in-process.
//!
//! # The contract
//!
//! * [`SqlPlan::where_sql`] is always a **necessary condition** of the match: every record the
//!   in-process matcher (`src/query/mongo.rs`) accepts satisfies it. It may accept more.
//! * [`SqlPlan::exact`] is true only where the translation is proven equal to the matcher; then
//!   `COUNT(*)` with `where_sql` is the count, and skip/limit/sort by `id` are pushed down too.
//! * Otherwise the rows are re-checked in-process: the caller runs
//!   [`crate::find::find_in_stream`] with [`SqlPlan::residual`] over the rows SQL returns, in
//!   the caller's natural order (its scan order) unless [`SqlPlan::order_by`] is given. So
//!   correctness never depends on the SQL being perfect; speed comes from selective conditions.
//!
//! Every node of the matcher tree is translated into a pair (`sup`, `sub`): `sub` ⊆ match ⊆
//! `sup`. `$not`/`$nor`/`$ne`/`$nin`/`$exists: false` swap them, so a negation stays a superset
//! when its operand has an exact (or at least sufficient) translation. Where nothing can be
//! said, `sup` is TRUE (the conjunct is dropped) and `sub` FALSE. Path traversal follows the
//! matcher exactly (arrays of documents, numeric segments as offsets or field names, a leaf
//! array yields its elements and itself, a scalar met before the end yields "missing", an
//! array that cannot be traversed yields nothing) with `EXISTS` over the array elements.
//!
//! SQL three-valued logic: atoms may evaluate to NULL where they mean false; AND/OR of such
//! atoms give TRUE exactly when the NULL-as-false reading does, and every NOT is written
//! `NOT COALESCE(x, FALSE)`, so NULL never flips a negation.
//!
//! Safety: field names never enter the SQL text unless they are plain identifiers
//! (`[A-Za-z_][A-Za-z0-9_]*`, which also keeps jvspatial's `json_extract(data, '$.entity')`
//! index expressions usable); any other name, and every operand, is a bound parameter.
//!
//! The dialect differences (path extraction, type tests, number comparison, placeholders, how
//! params are bound) live in [`sqlite`] and [`postgres`], one small table each.
//!
//! Only the mongo dialect is pushed down; `--dialect jvspatial` filters get no `where_sql`.
//!
//! # Translation table (per element the path yields; see `walk`)
//!
//! | operator | SQL | |
//! |---|---|---|
//! | `{f: s}`, `$eq`/`$in` of strings, `$gt`… strings | type test + text `=`/`<`… (`COLLATE "C"` on PostgreSQL) | exact |
//! | numbers (`=`, `$gt`…) | type test + number comparison | exact for i64 (not i64::MIN) / floats below 2^63 on SQLite; floats and ints up to 2^53 on PostgreSQL; else a non-strict superset |
//! | `true`/`false`, `$gt`… booleans | JSON type `true`/`false` | exact |
//! | `null`, `$exists`, `$type` | type tests (int/long: value range; double: `real` / a `.` in the JSONB number) | exact, except that SQLite reads NaN as null (`sub` excludes rows whose text holds `NaN`) |
//! | NaN operand | SQLite: null-typed in a row holding `NaN`; PostgreSQL: FALSE | superset / exact |
//! | object or array operand, a string with a lone surrogate, `$regex`, `$mod` | type test only | superset |
//! | `$size` | `json_array_length` / `jsonb_array_length` | exact |
//! | `$elemMatch` (value form, object form over document elements) | `EXISTS` over the elements | as its parts |
//! | `$ne`, `$nin`, `$not`, `$nor`, `$exists: false` | `NOT COALESCE(sub, FALSE)` | as the operand |
//! | `$and`, `$or`, `$all` | `AND`/`OR` | as the parts |
//! | top-level `id` with strings | the `id` column | exact |
//! | sort by `id` first | `ORDER BY id` (PostgreSQL: `COLLATE "C"`), then LIMIT/OFFSET when exact | exact |
//! | anything else (other sorts, projection) | left in `residual` | |

pub mod postgres;
pub mod sqlite;

use crate::query::mongo::{self, CmpOp, FieldOp, Leaf, Node, Part, Pred, TypeCode};
use crate::query::{Dialect, Filter};
use crate::store::FindSpec;
use crate::value::Value;
use std::sync::Arc;

/// A bound parameter, in placeholder order.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(i64),
    Float(f64),
    Text(String),
}

/// One SQL dialect: a name and its table of translations.
pub struct SqlDialect {
    pub name: &'static str,
    pub(crate) ops: &'static (dyn DialectOps + Sync),
}

impl std::fmt::Debug for SqlDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqlDialect({})", self.name)
    }
}

pub static SQLITE: SqlDialect = SqlDialect {
    name: "sqlite",
    ops: &sqlite::Sqlite,
};
pub static POSTGRES: SqlDialect = SqlDialect {
    name: "postgresql",
    ops: &postgres::Postgres,
};

impl SqlDialect {
    /// The placeholder for parameter number `n` (1-based) holding `p`.
    pub fn placeholder(&self, n: usize, p: &Param) -> String {
        self.ops.placeholder(n, p)
    }

    /// `ORDER BY` text for mongo's order of the (string) `id` column: code point order.
    pub fn id_order(&self, descending: bool) -> String {
        format!(
            "{}{}",
            self.ops.id_ordered(),
            if descending { " DESC" } else { "" }
        )
    }
}

/// What a backend runs for a find: see the module documentation for the contract.
#[derive(Debug)]
pub struct SqlPlan {
    /// Boolean SQL over the row (columns `data`, `id`); `None` = every row.
    pub where_sql: Option<String>,
    /// The parameters of `where_sql`, in placeholder order (from `first_placeholder`).
    pub params: Vec<Param>,
    /// `ORDER BY` text (without the keywords) when the requested sort is exactly it.
    pub order_by: Option<String>,
    /// `LIMIT`/`OFFSET` to push down: only when `where_sql` is exact and the order is pushed
    /// (or no sort was asked for: then in the caller's natural order).
    pub limit: Option<u64>,
    pub offset: Option<u64>,
    /// What the caller still runs in-process over the returned rows with
    /// [`crate::find::find_in_stream`].
    pub residual: FindSpec,
    /// `where_sql` is exactly the filter: `COUNT(*)` with it is the count.
    pub exact: bool,
}

impl SqlPlan {
    /// True when the plan narrows the rows at all.
    pub fn pushes_down(&self) -> bool {
        self.where_sql.is_some()
    }
}

/// The plan of a find.
pub fn plan(spec: &FindSpec, d: &SqlDialect, first_placeholder: usize) -> SqlPlan {
    let (mut where_sql, params, exact) = translate_filter(&spec.filter, d, first_placeholder);
    // A partition is an exact condition on the `id` column: it stays exact, and leaves the
    // residual.
    if let Some(p) = spec.partition {
        let cond = d.ops.partition_cond(p);
        where_sql = Some(match where_sql {
            Some(w) => format!("({w}) AND {cond}"),
            None => cond,
        });
    }
    let mongo_dialect = spec.filter.dialect == Dialect::Mongo;
    let order_by = match spec.sort.first() {
        Some(k) if mongo_dialect && k.path == "id" => Some(d.id_order(k.descending)),
        _ => None,
    };
    let order_done = spec.sort.is_empty() || order_by.is_some();
    let window = exact && order_done;
    let residual = FindSpec {
        filter: if exact {
            Arc::new(Filter::all(Dialect::Mongo))
        } else {
            spec.filter.clone()
        },
        sort: if order_by.is_some() {
            Vec::new()
        } else {
            spec.sort.clone()
        },
        skip: if window { 0 } else { spec.skip },
        limit: if window { None } else { spec.limit },
        projection: spec.projection.clone(),
        partition: None,
    };
    SqlPlan {
        where_sql,
        params,
        order_by,
        limit: if window { spec.limit } else { None },
        offset: if window && spec.skip > 0 {
            Some(spec.skip)
        } else {
            None
        },
        residual,
        exact,
    }
}

/// The plan of a count (`None` = every stored record). When `exact`, `COUNT(*)` over
/// `where_sql` is the answer; otherwise count the rows that pass `residual` in-process.
pub fn count_plan(
    filter: Option<&Arc<Filter>>,
    d: &SqlDialect,
    first_placeholder: usize,
) -> SqlPlan {
    match filter {
        Some(f) => plan(&FindSpec::matching(f.clone()), d, first_placeholder),
        None => plan(
            &FindSpec::all(Filter::all(Dialect::Mongo)),
            d,
            first_placeholder,
        ),
    }
}

/// `(where_sql, params, exact)` of a filter.
fn translate_filter(
    f: &Filter,
    d: &SqlDialect,
    first: usize,
) -> (Option<String>, Vec<Param>, bool) {
    if f.dialect != Dialect::Mongo {
        return (None, Vec::new(), false);
    }
    let Ok(m) = mongo::compile(&f.raw) else {
        return (None, Vec::new(), false);
    };
    let mut cx = Ctx::new(d);
    let c = node(&mut cx, m.root(), &Loc::data());
    let exact = c.is_exact();
    match c.sup {
        S::T => (None, Vec::new(), exact),
        S::F => (Some("1 = 0".into()), Vec::new(), exact),
        S::Q(sql) => {
            let (sql, params) = cx.finish(&sql, first);
            (Some(sql), params, exact)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Conditions

/// A SQL boolean with constant folding.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum S {
    T,
    F,
    Q(String),
}

impl S {
    pub(crate) fn q(s: impl Into<String>) -> S {
        S::Q(s.into())
    }
}

pub(crate) fn and(a: S, b: S) -> S {
    match (a, b) {
        (S::F, _) | (_, S::F) => S::F,
        (S::T, x) | (x, S::T) => x,
        (S::Q(a), S::Q(b)) => S::Q(format!("({a} AND {b})")),
    }
}

pub(crate) fn or(a: S, b: S) -> S {
    match (a, b) {
        (S::T, _) | (_, S::T) => S::T,
        (S::F, x) | (x, S::F) => x,
        (S::Q(a), S::Q(b)) => S::Q(format!("({a} OR {b})")),
    }
}

pub(crate) fn not(a: S) -> S {
    match a {
        S::T => S::F,
        S::F => S::T,
        S::Q(a) => S::Q(format!("(NOT COALESCE({a}, FALSE))")),
    }
}

/// `sub` ⊆ match ⊆ `sup`.
#[derive(Clone, Debug)]
pub(crate) struct Cond {
    pub(crate) sup: S,
    pub(crate) sub: S,
}

impl Cond {
    pub(crate) fn exact(s: S) -> Cond {
        Cond {
            sup: s.clone(),
            sub: s,
        }
    }
    /// Nothing known: every row may match, none is sure to.
    pub(crate) fn unknown() -> Cond {
        Cond {
            sup: S::T,
            sub: S::F,
        }
    }
    pub(crate) fn is_exact(&self) -> bool {
        self.sup == self.sub
    }
    fn and(self, o: Cond) -> Cond {
        Cond {
            sup: and(self.sup, o.sup),
            sub: and(self.sub, o.sub),
        }
    }
    fn or(self, o: Cond) -> Cond {
        Cond {
            sup: or(self.sup, o.sup),
            sub: or(self.sub, o.sub),
        }
    }
    fn not(self) -> Cond {
        Cond {
            sup: not(self.sub),
            sub: not(self.sup),
        }
    }
    /// `s AND self` for an exact guard `s`.
    fn guarded(self, s: &S) -> Cond {
        Cond::exact(s.clone()).and(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Locations and the dialect table

/// One segment of a JSON location.
#[derive(Clone, Debug)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Where a JSON value is: the row's `data`, or an array element bound by an `EXISTS` over
/// the elements (alias), followed by a path.
#[derive(Clone, Debug)]
pub(crate) struct Loc {
    /// The JSON column (`data`, or qualified) when `elem` is `None`.
    pub(crate) base: &'static str,
    pub(crate) elem: Option<String>,
    pub(crate) path: Vec<Seg>,
}

impl Loc {
    fn data() -> Loc {
        Loc::column("data")
    }
    fn column(base: &'static str) -> Loc {
        Loc {
            base,
            elem: None,
            path: Vec::new(),
        }
    }
    fn child(&self, s: Seg) -> Loc {
        let mut l = self.clone();
        l.path.push(s);
        l
    }
}

/// A JSON type as the matcher sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JType {
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,
}

pub(crate) const SCALARS: &[JType] = &[JType::Null, JType::Bool, JType::Number, JType::String];

/// A number comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumOp {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl NumOp {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            NumOp::Eq => "=",
            NumOp::Gt => ">",
            NumOp::Gte => ">=",
            NumOp::Lt => "<",
            NumOp::Lte => "<=",
        }
    }
    /// The non-strict version (for operands that are rounded on the way).
    pub(crate) fn loose(self) -> NumOp {
        match self {
            NumOp::Gt => NumOp::Gte,
            NumOp::Lt => NumOp::Lte,
            o => o,
        }
    }
}

/// The per-dialect table: how a location is read and tested.
pub(crate) trait DialectOps {
    fn placeholder(&self, n: usize, p: &Param) -> String;
    fn id_ordered(&self) -> &'static str;
    /// The `id` column is in partition `p` ([`crate::partition`]'s hash, computed in SQL).
    fn partition_cond(&self, p: crate::partition::Partition) -> String;
    /// `id` compared with a text parameter in code point order.
    fn id_cmp(&self, op: NumOp, p: &str) -> String;
    /// The value at `loc` has one of `types` (missing: false).
    fn type_in(&self, cx: &mut Ctx, loc: &Loc, types: &[JType]) -> S;
    /// The value at `loc` is missing.
    fn missing(&self, cx: &mut Ctx, loc: &Loc) -> S;
    /// A row that may hold a NaN that reads as JSON null (SQLite); FALSE where none can.
    fn nan_rows(&self, loc: &Loc) -> S;
    /// Can a stored string (or key) hold U+0000? (JSONB's cannot, nor can its parameters.)
    fn text_holds_nul(&self) -> bool;
    fn bool_is(&self, cx: &mut Ctx, loc: &Loc, b: bool) -> S;
    /// String at `loc` compared (code point order) with `s`; includes the type test.
    fn text_cmp(&self, cx: &mut Ctx, loc: &Loc, op: NumOp, s: &str) -> S;
    /// Number at `loc` compared with the (non-NaN) number `v`; includes the type test.
    fn num_cmp(&self, cx: &mut Ctx, loc: &Loc, op: NumOp, v: &Value) -> Cond;
    /// `$type` codes that need more than [`DialectOps::type_in`]: double, int, long.
    fn type_code(&self, cx: &mut Ctx, loc: &Loc, code: TypeCode) -> S;
    /// Array at `loc` of length `n` (includes the type test).
    fn array_len_is(&self, cx: &mut Ctx, loc: &Loc, n: usize) -> S;
    /// The text of the string at `loc` (meaningful only where it is a string).
    fn text_of(&self, cx: &mut Ctx, loc: &Loc) -> String;
    /// The FROM item iterating the elements of the array at `loc` as `alias` (empty when
    /// the value is no array).
    fn elements(&self, cx: &mut Ctx, loc: &Loc, alias: &str) -> String;
}

/// Translation state: parameters (referenced by markers until [`Ctx::finish`]) and aliases.
pub(crate) struct Ctx {
    d: &'static (dyn DialectOps + Sync),
    params: Vec<Param>,
    aliases: usize,
}

const MARK_OPEN: char = '\u{1}';
const MARK_CLOSE: char = '\u{2}';

impl Ctx {
    fn new(d: &SqlDialect) -> Ctx {
        Ctx {
            d: d.ops,
            params: Vec::new(),
            aliases: 0,
        }
    }

    /// A marker for parameter `p` (replaced by its placeholder in [`Ctx::finish`]).
    pub(crate) fn bind(&mut self, p: Param) -> String {
        // The same value (a path, an operand used by `sup` and `sub`) is bound once.
        let i = match self.params.iter().position(|q| same_param(q, &p)) {
            Some(i) => i,
            None => {
                self.params.push(p);
                self.params.len() - 1
            }
        };
        format!("{MARK_OPEN}{i}{MARK_CLOSE}")
    }

    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("_jv{}", self.aliases)
    }

    /// Replace the markers of the parameters `sql` uses by placeholders numbered from
    /// `first` in order of first use; unused parameters are dropped.
    fn finish(&self, sql: &str, first: usize) -> (String, Vec<Param>) {
        let mut out = String::with_capacity(sql.len());
        let mut order: Vec<usize> = Vec::new();
        let mut number: Vec<Option<usize>> = vec![None; self.params.len()];
        let mut rest = sql;
        while let Some(i) = rest.find(MARK_OPEN) {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let j = after.find(MARK_CLOSE).expect("closed marker");
            let idx: usize = after[..j].parse().expect("marker index");
            let n = *number[idx].get_or_insert_with(|| {
                order.push(idx);
                first + order.len() - 1
            });
            out.push_str(&self.d.placeholder(n, &self.params[idx]));
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        let params = order.into_iter().map(|i| self.params[i].clone()).collect();
        (out, params)
    }
}

fn same_param(a: &Param, b: &Param) -> bool {
    match (a, b) {
        (Param::Float(x), Param::Float(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Is `name` a plain identifier (safe to inline, and the form of jvspatial's index paths)?
pub(crate) fn plain_ident(name: &str) -> bool {
    let mut b = name.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

// ---------------------------------------------------------------------------------------------
// The translation of the matcher tree

fn node(cx: &mut Ctx, n: &Node, root: &Loc) -> Cond {
    match n {
        Node::True => Cond::exact(S::T),
        Node::False => Cond::exact(S::F),
        Node::And(v) => v
            .iter()
            .fold(Cond::exact(S::T), |acc, x| acc.and(node(cx, x, root))),
        Node::Or(v) => v
            .iter()
            .fold(Cond::exact(S::F), |acc, x| acc.or(node(cx, x, root))),
        Node::Nor(v) => v
            .iter()
            .fold(Cond::exact(S::F), |acc, x| acc.or(node(cx, x, root)))
            .not(),
        Node::Not(x) => node(cx, x, root).not(),
        Node::Path { path, pred, leaf } => {
            if root.elem.is_none()
                && root.path.is_empty()
                && path.0.len() == 1
                && path.0[0].name == "id"
                && let Some(c) = id_column(cx, pred)
            {
                return c;
            }
            // Bound the SQL: every numeric segment doubles the alternatives.
            if path.0.iter().filter(|p| p.index.is_some()).count() > 4 || path.0.len() > 32 {
                return Cond::unknown();
            }
            walk(cx, root, &path.0, pred, *leaf)
        }
    }
}

/// A predicate on the top-level `id`, which is always the record's string id: the `id`
/// column. `None` = use the general translation.
fn id_column(cx: &mut Ctx, pred: &Pred) -> Option<Cond> {
    let d = cx.d;
    let cmp = |cx: &mut Ctx, op: NumOp, v: &Value| -> Option<S> {
        match v {
            Value::Str(s) => Some(match text_op(d, op, s) {
                Some((op, s)) => {
                    let p = cx.bind(Param::Text(s));
                    S::q(d.id_cmp(op, &p))
                }
                None => S::F,
            }),
            Value::WStr(_) => None,
            // Another type bracket: a string never equals or compares with it.
            _ => Some(S::F),
        }
    };
    let s = match pred {
        Pred::Exists => S::T,
        Pred::Eq(v) => cmp(cx, NumOp::Eq, v)?,
        Pred::In(vs) => {
            let mut acc = S::F;
            for v in vs {
                acc = or(acc, cmp(cx, NumOp::Eq, v)?);
            }
            acc
        }
        Pred::Cmp(op, v) => cmp(cx, num_op(*op), v)?,
        Pred::Type(codes) => {
            if codes.contains(&TypeCode::String) {
                S::T
            } else {
                S::F
            }
        }
        _ => return None,
    };
    Some(Cond::exact(s))
}

/// A string comparison as the dialect can run it: where no stored string holds U+0000 (and
/// no parameter can), `s = p + "\0" + …` compares like `p` (`t < s` ⟺ `t <= p`,
/// `t > s` ⟺ `t > p`, never equal). `None` = FALSE.
fn text_op(d: &dyn DialectOps, op: NumOp, s: &str) -> Option<(NumOp, String)> {
    if d.text_holds_nul() {
        return Some((op, s.to_string()));
    }
    match s.find('\0') {
        None => Some((op, s.to_string())),
        Some(i) => {
            let p = s[..i].to_string();
            match op {
                NumOp::Eq => None,
                NumOp::Lt | NumOp::Lte => Some((NumOp::Lte, p)),
                NumOp::Gt | NumOp::Gte => Some((NumOp::Gt, p)),
            }
        }
    }
}

/// `text_cmp` through [`text_op`].
fn text_cmp(cx: &mut Ctx, loc: &Loc, op: NumOp, s: &str) -> S {
    let d = cx.d;
    match text_op(d, op, s) {
        Some((op, s)) => d.text_cmp(cx, loc, op, &s),
        None => S::F,
    }
}

fn num_op(op: CmpOp) -> NumOp {
    match op {
        CmpOp::Gt => NumOp::Gt,
        CmpOp::Gte => NumOp::Gte,
        CmpOp::Lt => NumOp::Lt,
        CmpOp::Lte => NumOp::Lte,
    }
}

/// Does the predicate hold for "missing"?
fn holds_for_missing(p: &Pred) -> bool {
    match p {
        Pred::Eq(v) => v.is_null(),
        Pred::In(vs) => vs.iter().any(Value::is_null),
        Pred::Cmp(CmpOp::Gte | CmpOp::Lte, v) => v.is_null(),
        _ => false,
    }
}

fn seg(p: &Part) -> Seg {
    Seg::Key(p.name.clone())
}

/// ∃ element yielded by `parts` from the object at `obj`: `pred` (the matcher's `walk_doc`).
fn walk(cx: &mut Ctx, obj: &Loc, parts: &[Part], pred: &Pred, leaf: Leaf) -> Cond {
    let d = cx.d;
    let v = obj.child(seg(&parts[0]));
    let miss_ok = holds_for_missing(pred);
    if parts.len() == 1 {
        let miss = if miss_ok {
            Cond::exact(d.missing(cx, &v))
        } else {
            Cond::exact(S::F)
        };
        let here = present(cx, pred, &v);
        let elems = if leaf == Leaf::Traverse {
            let is_arr = d.type_in(cx, &v, &[JType::Array]);
            exists(cx, &v, &mut |cx, e| present(cx, pred, e)).guarded(&is_arr)
        } else {
            Cond::exact(S::F)
        };
        return miss.or(here).or(elems);
    }
    let rest = &parts[1..];
    let miss = if miss_ok {
        let m = d.missing(cx, &v);
        let sc = d.type_in(cx, &v, SCALARS);
        Cond::exact(or(m, sc))
    } else {
        Cond::exact(S::F)
    };
    let is_obj = d.type_in(cx, &v, &[JType::Object]);
    let in_obj = walk(cx, &v, rest, pred, leaf).guarded(&is_obj);
    let is_arr = d.type_in(cx, &v, &[JType::Array]);
    let in_arr = walk_array(cx, &v, rest, pred, leaf).guarded(&is_arr);
    miss.or(in_obj).or(in_arr)
}

/// An array at `arr` met with `rest` still to resolve (the matcher's `walk_array`).
fn walk_array(cx: &mut Ctx, arr: &Loc, rest: &[Part], pred: &Pred, leaf: Leaf) -> Cond {
    let d = cx.d;
    let docs = exists(cx, arr, &mut |cx, e| {
        let is_obj = d.type_in(cx, e, &[JType::Object]);
        walk(cx, e, rest, pred, leaf).guarded(&is_obj)
    });
    let Some(k) = rest[0].index else {
        return docs;
    };
    let ek = arr.child(Seg::Index(k));
    let at_k = if rest.len() == 1 {
        // The path ends at an array offset: the element itself, not expanded.
        present(cx, pred, &ek)
    } else {
        let is_obj = d.type_in(cx, &ek, &[JType::Object]);
        let a = walk(cx, &ek, &rest[1..], pred, leaf).guarded(&is_obj);
        let is_arr = d.type_in(cx, &ek, &[JType::Array]);
        let b = walk_array(cx, &ek, &rest[1..], pred, leaf).guarded(&is_arr);
        a.or(b)
    };
    docs.or(at_k)
}

/// ∃ element of the array at `arr`: `f` (the caller guards that `arr` is an array).
fn exists(cx: &mut Ctx, arr: &Loc, f: &mut dyn FnMut(&mut Ctx, &Loc) -> Cond) -> Cond {
    let alias = cx.alias();
    let from = cx.d.elements(cx, arr, &alias);
    let e = Loc {
        base: arr.base,
        elem: Some(alias),
        path: Vec::new(),
    };
    let c = f(cx, &e);
    let wrap = |s: S| match s {
        S::F => S::F,
        S::T => S::Q(format!("EXISTS (SELECT 1 FROM {from})")),
        S::Q(w) => S::Q(format!("EXISTS (SELECT 1 FROM {from} WHERE {w})")),
    };
    Cond {
        sup: wrap(c.sup),
        sub: wrap(c.sub),
    }
}

/// The predicate on a value present at `loc` (the matcher's `matches_single(Some(e))`).
fn present(cx: &mut Ctx, pred: &Pred, loc: &Loc) -> Cond {
    let d = cx.d;
    match pred {
        Pred::Eq(v) => eq(cx, loc, v),
        Pred::In(vs) => vs
            .iter()
            .fold(Cond::exact(S::F), |acc, v| acc.or(eq(cx, loc, v))),
        Pred::Cmp(op, v) => cmp(cx, loc, *op, v),
        Pred::Exists => {
            let m = d.missing(cx, loc);
            Cond::exact(not(m))
        }
        Pred::Type(codes) => codes
            .iter()
            .fold(Cond::exact(S::F), |acc, c| acc.or(type_code(cx, loc, *c))),
        Pred::Regex(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::String]),
            sub: S::F,
        },
        Pred::Mod(..) => Cond {
            sup: d.type_in(cx, loc, &[JType::Number]),
            sub: S::F,
        },
        Pred::Size(n) => Cond::exact(d.array_len_is(cx, loc, *n)),
        Pred::ElemMatchValue(ops) => {
            let is_arr = d.type_in(cx, loc, &[JType::Array]);
            exists(cx, loc, &mut |cx, e| {
                ops.iter()
                    .fold(Cond::exact(S::T), |acc, o| acc.and(field_op(cx, o, e)))
            })
            .guarded(&is_arr)
        }
        Pred::ElemMatchObject(n) => {
            let is_arr = d.type_in(cx, loc, &[JType::Array]);
            exists(cx, loc, &mut |cx, e| {
                let is_obj = d.type_in(cx, e, &[JType::Object]);
                let in_obj = node(cx, n, e).guarded(&is_obj);
                // An array element is a document with fields "0", "1", …: not translated.
                let is_arr = d.type_in(cx, e, &[JType::Array]);
                let in_arr = Cond::unknown().guarded(&is_arr);
                in_obj.or(in_arr)
            })
            .guarded(&is_arr)
        }
    }
}

/// A field operator on one present value (inside a value `$elemMatch`).
fn field_op(cx: &mut Ctx, o: &FieldOp, e: &Loc) -> Cond {
    match o {
        FieldOp::Pred(p) => present(cx, p, e),
        FieldOp::Not(ops) => ops
            .iter()
            .fold(Cond::exact(S::T), |acc, o| acc.and(field_op(cx, o, e)))
            .not(),
        FieldOp::And(ops) => ops
            .iter()
            .fold(Cond::exact(S::T), |acc, o| acc.and(field_op(cx, o, e))),
        FieldOp::False => Cond::exact(S::F),
    }
}

/// The present value is JSON null (a NaN that reads as null excluded from `sub`).
fn is_null(cx: &mut Ctx, loc: &Loc) -> Cond {
    let d = cx.d;
    let t = d.type_in(cx, loc, &[JType::Null]);
    Cond {
        sup: t.clone(),
        sub: and(t, not(d.nan_rows(loc))),
    }
}

/// The present value is NaN (only where NaN reads as null).
fn is_nan(cx: &mut Ctx, loc: &Loc) -> Cond {
    let d = cx.d;
    let t = d.type_in(cx, loc, &[JType::Null]);
    Cond {
        sup: and(t, d.nan_rows(loc)),
        sub: S::F,
    }
}

fn eq(cx: &mut Ctx, loc: &Loc, v: &Value) -> Cond {
    let d = cx.d;
    match v {
        Value::Null => is_null(cx, loc),
        Value::Bool(b) => Cond::exact(d.bool_is(cx, loc, *b)),
        Value::Float(f) if f.is_nan() => is_nan(cx, loc),
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => d.num_cmp(cx, loc, NumOp::Eq, v),
        Value::Str(s) => Cond::exact(text_cmp(cx, loc, NumOp::Eq, s)),
        Value::WStr(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::String]),
            sub: S::F,
        },
        Value::Object(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::Object]),
            sub: S::F,
        },
        Value::Array(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::Array]),
            sub: S::F,
        },
    }
}

fn cmp(cx: &mut Ctx, loc: &Loc, op: CmpOp, v: &Value) -> Cond {
    let d = cx.d;
    let inclusive = matches!(op, CmpOp::Gte | CmpOp::Lte);
    match v {
        Value::Null if inclusive => is_null(cx, loc),
        Value::Null => Cond::exact(S::F),
        Value::Float(f) if f.is_nan() => {
            if inclusive {
                is_nan(cx, loc)
            } else {
                Cond::exact(S::F)
            }
        }
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => d.num_cmp(cx, loc, num_op(op), v),
        Value::Str(s) => Cond::exact(text_cmp(cx, loc, num_op(op), s)),
        Value::Bool(b) => {
            // false < true, booleans only.
            let (f_ok, t_ok) = match (op, b) {
                (CmpOp::Gt, false) => (false, true),
                (CmpOp::Gt, true) => (false, false),
                (CmpOp::Gte, false) => (true, true),
                (CmpOp::Gte, true) => (false, true),
                (CmpOp::Lt, false) => (false, false),
                (CmpOp::Lt, true) => (true, false),
                (CmpOp::Lte, false) => (true, false),
                (CmpOp::Lte, true) => (true, true),
            };
            let mut s = S::F;
            if f_ok {
                s = or(s, d.bool_is(cx, loc, false));
            }
            if t_ok {
                s = or(s, d.bool_is(cx, loc, true));
            }
            Cond::exact(s)
        }
        Value::WStr(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::String]),
            sub: S::F,
        },
        Value::Object(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::Object]),
            sub: S::F,
        },
        Value::Array(_) => Cond {
            sup: d.type_in(cx, loc, &[JType::Array]),
            sub: S::F,
        },
    }
}

fn type_code(cx: &mut Ctx, loc: &Loc, c: TypeCode) -> Cond {
    let d = cx.d;
    let simple = |t: JType| Some(t);
    let jt = match c {
        TypeCode::String => simple(JType::String),
        TypeCode::Object => simple(JType::Object),
        TypeCode::Array => simple(JType::Array),
        TypeCode::Bool => simple(JType::Bool),
        TypeCode::Null => return is_null(cx, loc),
        TypeCode::Other => return Cond::exact(S::F),
        TypeCode::Number => {
            let n = d.type_in(cx, loc, &[JType::Number]);
            let nan = is_nan(cx, loc);
            return Cond::exact(n).or(nan);
        }
        TypeCode::Double => {
            let n = d.type_code(cx, loc, TypeCode::Double);
            let nan = is_nan(cx, loc);
            return Cond::exact(n).or(nan);
        }
        TypeCode::Int | TypeCode::Long => None,
    };
    match jt {
        Some(t) => Cond::exact(d.type_in(cx, loc, &[t])),
        None => Cond::exact(d.type_code(cx, loc, c)),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// The exact decimal expansion of a finite double (every double is a finite decimal).
pub(crate) fn exact_decimal(f: f64) -> String {
    use num_bigint::BigInt;
    if f == 0.0 {
        return "0".into();
    }
    let bits = f.to_bits();
    let neg = bits >> 63 == 1;
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let man = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 {
        (man, -1074)
    } else {
        (man | (1u64 << 52), exp - 1075)
    };
    let mut s = if e >= 0 {
        (BigInt::from(m) << (e as usize)).to_string()
    } else {
        let k = (-e) as usize;
        let digits = (BigInt::from(m) * BigInt::from(5u32).pow(k as u32)).to_string();
        let digits = format!("{digits:0>width$}", width = k + 1);
        let (int, frac) = digits.split_at(digits.len() - k);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        }
    };
    if neg {
        s.insert(0, '-');
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Graph questions

/// A collection's rows: the table (already quoted by the caller, e.g. `records` or
/// `"public"."edge"`) and, for a shared table, the value of its `collection` column.
#[derive(Clone, Debug)]
pub struct TableRef {
    pub table: String,
    pub collection: Option<String>,
}

fn collection_filter(cx: &mut Ctx, t: &TableRef, alias: &str) -> String {
    match &t.collection {
        Some(c) => {
            let p = cx.bind(Param::Text(c.clone()));
            format!(" AND {alias}.collection = {p}")
        }
        None => String::new(),
    }
}

/// validate_graph's endpoint of an edge row `e`: the top-level field when the edge has
/// `source` or `target` at the top level, else the one in an object `context`.
fn endpoint_loc(which: &str) -> (Loc, Loc) {
    let top = Loc::column(EDGE).child(Seg::Key(which.into()));
    let ctx = Loc::column(EDGE)
        .child(Seg::Key("context".into()))
        .child(Seg::Key(which.into()));
    (top, ctx)
}

/// `(is a string equal to one of the node ids, certain-dangling, uncertain)` conditions of one
/// endpoint, over the edge row (unqualified `data`).
fn endpoint_conds(cx: &mut Ctx, which: &str, node_exists: &dyn Fn(&str) -> String) -> (S, S) {
    let d = cx.d;
    let (top, ctx) = endpoint_loc(which);
    let src = Loc::column(EDGE).child(Seg::Key("source".into()));
    let tgt = Loc::column(EDGE).child(Seg::Key("target".into()));
    let has_src = not(d.missing(cx, &src));
    let has_tgt = not(d.missing(cx, &tgt));
    let use_top = or(has_src, has_tgt);
    let c = Loc::column(EDGE).child(Seg::Key("context".into()));
    let ctx_obj = d.type_in(cx, &c, &[JType::Object]);
    let use_ctx = and(not(use_top.clone()), ctx_obj);
    let mut dangling = S::F;
    let mut uncertain = S::F;
    for (guard, loc) in [(use_top.clone(), top), (use_ctx.clone(), ctx)] {
        let missing = d.missing(cx, &loc);
        let null = d.type_in(cx, &loc, &[JType::Null]);
        let string = d.type_in(cx, &loc, &[JType::String]);
        let text = d_text(cx, &loc);
        let dangling_here = or(
            or(missing, and(null.clone(), not(d.nan_rows(&loc)))),
            and(string, S::Q(format!("NOT {}", node_exists(&text)))),
        );
        // A number, boolean, array or object: Python's str() of it may name a node.
        let other = d.type_in(
            cx,
            &loc,
            &[JType::Bool, JType::Number, JType::Object, JType::Array],
        );
        let uncertain_here = or(other, and(null, d.nan_rows(&loc)));
        dangling = or(dangling, and(guard.clone(), dangling_here));
        uncertain = or(uncertain, and(guard, uncertain_here));
    }
    // Neither top-level endpoints nor an object context: no endpoints, dangling.
    dangling = or(dangling, and(not(use_top), not(use_ctx)));
    (dangling, uncertain)
}

/// The text of a string at `loc` (callers test the type).
fn d_text(cx: &mut Ctx, loc: &Loc) -> String {
    cx.d.text_of(cx, loc)
}

/// The edge table's JSON column in the graph queries.
const EDGE: &str = "_jve.data";

/// Dangling edges by jvspatial's validate_graph rule (src/graph.rs): selects `id, data,
/// certain` of every edge row that is dangling (`certain` true) or whose endpoint is a
/// number, boolean, array or object (or a NaN, on SQLite), whose Python `str()` may or may
/// not name a node: those rows (`certain` false) the caller decides in-process with
/// [`crate::graph::edge_endpoints`] and [`crate::graph::py_str`]. Node ids are the `id`
/// column of the node rows (every stored node, readable or not, as src/graph.rs counts them).
pub fn dangling_edges(
    d: &SqlDialect,
    nodes: &TableRef,
    edges: &TableRef,
    first_placeholder: usize,
) -> (String, Vec<Param>) {
    let mut cx = Ctx::new(d);
    let nf = collection_filter(&mut cx, nodes, "_jvn");
    let ntable = nodes.table.clone();
    let exists = move |text: &str| {
        format!("EXISTS (SELECT 1 FROM {ntable} _jvn WHERE _jvn.id = {text}{nf})")
    };
    let (ds, us) = endpoint_conds(&mut cx, "source", &exists);
    let (dt, ut) = endpoint_conds(&mut cx, "target", &exists);
    let dangling = or(ds, dt);
    let uncertain = or(us, ut);
    let ef = collection_filter(&mut cx, edges, "_jve");
    let sql_of = |s: &S| match s {
        S::T => "TRUE".to_string(),
        S::F => "FALSE".to_string(),
        S::Q(q) => q.clone(),
    };
    let dang = sql_of(&dangling);
    let sql = format!(
        "SELECT _jve.id, _jve.data, COALESCE({dang}, FALSE) AS certain FROM {} _jve WHERE ({dang} OR {}){ef}",
        edges.table,
        sql_of(&uncertain)
    );
    // The endpoint expressions are unqualified `data`: inside the edge scan that is the
    // edge's column, and the node subquery names its columns through its alias.
    cx.finish(&sql, first_placeholder)
}

/// Could `s` be Python's `str()` of a JSON value that is no string (number, bool, list,
/// dict)? The incident-edge lookup then also returns such endpoints for an in-process check.
pub fn may_be_str_of_nonstring(s: &str) -> bool {
    matches!(s, "True" | "False" | "nan" | "inf" | "-inf")
        || s.starts_with([
            '[', '{', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
        ])
}

/// Edges incident to any of `node_ids` (src/graph.rs `incident_edges`: top-level endpoints,
/// else legacy `context` ones, compared by Python `str()`): selects `id, data, certain`;
/// `certain` rows have a string endpoint equal to a node id; the others (only when a node id
/// could be the `str()` of a non-string) have a non-string endpoint the caller checks
/// in-process.
pub fn incident_edges(
    d: &SqlDialect,
    edges: &TableRef,
    node_ids: &[&str],
    first_placeholder: usize,
) -> (String, Vec<Param>) {
    let mut cx = Ctx::new(d);
    let ops = cx.d;
    let mut certain = S::F;
    let mut uncertain = S::F;
    let wide = node_ids.iter().any(|s| may_be_str_of_nonstring(s));
    for which in ["source", "target"] {
        let (top, ctx) = endpoint_loc(which);
        let src = Loc::column(EDGE).child(Seg::Key("source".into()));
        let tgt = Loc::column(EDGE).child(Seg::Key("target".into()));
        let has_src = not(ops.missing(&mut cx, &src));
        let has_tgt = not(ops.missing(&mut cx, &tgt));
        let use_top = or(has_src, has_tgt);
        let c = Loc::column(EDGE).child(Seg::Key("context".into()));
        let ctx_obj = ops.type_in(&mut cx, &c, &[JType::Object]);
        let use_ctx = and(not(use_top.clone()), ctx_obj);
        for (guard, loc) in [(use_top, top), (use_ctx, ctx)] {
            let mut hit = S::F;
            for id in node_ids {
                hit = or(hit, text_cmp(&mut cx, &loc, NumOp::Eq, id));
            }
            certain = or(certain, and(guard.clone(), hit));
            if wide {
                let other = ops.type_in(
                    &mut cx,
                    &loc,
                    &[JType::Bool, JType::Number, JType::Object, JType::Array],
                );
                let nan = and(
                    ops.type_in(&mut cx, &loc, &[JType::Null]),
                    ops.nan_rows(&loc),
                );
                uncertain = or(uncertain, and(guard, or(other, nan)));
            }
        }
    }
    let sql_of = |s: &S| match s {
        S::T => "TRUE".to_string(),
        S::F => "FALSE".to_string(),
        S::Q(q) => q.clone(),
    };
    let ef = collection_filter(&mut cx, edges, "_jve");
    let c = sql_of(&certain);
    let sql = format!(
        "SELECT _jve.id, _jve.data, COALESCE({c}, FALSE) AS certain FROM {} _jve WHERE ({c} OR {}){ef}",
        edges.table,
        sql_of(&uncertain)
    );
    cx.finish(&sql, first_placeholder)
}

#[cfg(test)]
mod tests;
