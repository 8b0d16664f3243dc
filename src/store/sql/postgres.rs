//! PostgreSQL's table for the shared splitter: `data jsonb`, `->` steps (keys that are not
//! plain identifiers bound as parameters), `jsonb_typeof`, `jsonb_array_elements`, `$N`
//! placeholders with explicit casts, `COLLATE "C"` for code point order.
//!
//! Numbers: JSONB keeps each number as an exact decimal and prints it without an exponent, so
//! a record read back (`data::text`, parsed) holds a float exactly when the text has a `.`.
//! Such values are compared as `float8` (the value the reader gets), the others as exact
//! `numeric` against the operand's exact decimal expansion. JSONB cannot hold NaN or
//! ±Infinity, so no stored value is NaN.
use super::{Cond, Ctx, DialectOps, JType, Loc, NumOp, Param, S, Seg};
use crate::query::mongo::TypeCode;
use crate::value::Value;
use num_traits::ToPrimitive;

pub(crate) struct Postgres;

/// Run once per session before the pushed-down queries: the translated conditions are large
/// expressions with `EXISTS` over `jsonb_array_elements`, whose estimated cost passes
/// `jit_above_cost`, and JIT-compiling them costs seconds per query (measured on PostgreSQL
/// 15: 2.0 s with JIT against 7 ms without, on 122 rows).
pub const SESSION_SETUP: &str = "SET jit = off";

impl Postgres {
    fn expr(cx: &mut Ctx, loc: &Loc) -> String {
        let mut x = match &loc.elem {
            Some(a) => format!("{a}.v"),
            None => loc.base.to_string(),
        };
        if loc.path.is_empty() {
            return x;
        }
        // No JSONB key holds U+0000 (nor can a parameter): such a field is always missing.
        if loc
            .path
            .iter()
            .any(|s| matches!(s, Seg::Key(k) if k.contains('\0')))
        {
            return "(NULL::jsonb)".into();
        }
        for s in &loc.path {
            match s {
                Seg::Index(i) => x.push_str(&format!(" -> {i}")),
                Seg::Key(k) if super::plain_ident(k) => x.push_str(&format!(" -> '{k}'")),
                Seg::Key(k) => {
                    let p = cx.bind(Param::Text(k.clone()));
                    x.push_str(&format!(" -> {p}"));
                }
            }
        }
        format!("({x})")
    }
}

fn name(t: JType) -> &'static str {
    match t {
        JType::Null => "null",
        JType::Bool => "boolean",
        JType::Number => "number",
        JType::String => "string",
        JType::Object => "object",
        JType::Array => "array",
    }
}

const TWO_53: u64 = 1 << 53;

impl DialectOps for Postgres {
    fn placeholder(&self, n: usize, p: &Param) -> String {
        match p {
            Param::Int(_) => format!("${n}::int8"),
            Param::Float(_) => format!("${n}::float8"),
            Param::Text(_) => format!("${n}::text"),
        }
    }

    fn partition_cond(&self, p: crate::partition::Partition) -> String {
        p.postgres_condition("id")
    }

    fn id_ordered(&self) -> &'static str {
        "id COLLATE \"C\""
    }

    fn id_cmp(&self, op: NumOp, p: &str) -> String {
        match op {
            NumOp::Eq => format!("id = {p}"),
            _ => format!("id COLLATE \"C\" {} {p}", op.sql()),
        }
    }

    fn type_in(&self, cx: &mut Ctx, loc: &Loc, types: &[JType]) -> S {
        let x = Self::expr(cx, loc);
        if types.len() == 1 {
            S::q(format!("jsonb_typeof({x}) = '{}'", name(types[0])))
        } else {
            let all: Vec<String> = types.iter().map(|t| format!("'{}'", name(*t))).collect();
            S::q(format!("jsonb_typeof({x}) IN ({})", all.join(", ")))
        }
    }

    fn missing(&self, cx: &mut Ctx, loc: &Loc) -> S {
        if loc.elem.is_some() && loc.path.is_empty() {
            return S::F;
        }
        S::q(format!("{} IS NULL", Self::expr(cx, loc)))
    }

    fn nan_rows(&self, _loc: &Loc) -> S {
        S::F
    }

    fn text_holds_nul(&self) -> bool {
        false
    }

    fn bool_is(&self, cx: &mut Ctx, loc: &Loc, b: bool) -> S {
        S::q(format!("{} = '{b}'::jsonb", Self::expr(cx, loc)))
    }

    fn text_cmp(&self, cx: &mut Ctx, loc: &Loc, op: NumOp, s: &str) -> S {
        let x = Self::expr(cx, loc);
        let p = cx.bind(Param::Text(s.to_string()));
        let cmp = match op {
            NumOp::Eq => format!("({x} #>> '{{}}') = {p}"),
            _ => format!("({x} #>> '{{}}') COLLATE \"C\" {} {p}", op.sql()),
        };
        S::q(format!("(jsonb_typeof({x}) = 'string' AND {cmp})"))
    }

    fn num_cmp(&self, cx: &mut Ctx, loc: &Loc, op: NumOp, v: &Value) -> Cond {
        let x = Self::expr(cx, loc);
        let (dec, float, float_exact) = match v {
            Value::Int(i) => (i.to_string(), *i as f64, i.unsigned_abs() <= TWO_53),
            Value::BigInt(b) => (b.to_string(), b.to_f64().unwrap_or(f64::NAN), false),
            Value::Float(f) if f.is_nan() => return Cond::unknown(),
            Value::Float(f) if f.is_infinite() => (
                if *f > 0.0 { "Infinity" } else { "-Infinity" }.to_string(),
                *f,
                true,
            ),
            Value::Float(f) => (super::exact_decimal(*f), *f, true),
            _ => return Cond::unknown(),
        };
        if float.is_nan() {
            return Cond::unknown();
        }
        let pd = cx.bind(Param::Text(dec));
        let pf = cx.bind(Param::Float(float));
        let build = |fop: NumOp| {
            S::q(format!(
                "(CASE WHEN jsonb_typeof({x}) = 'number' THEN (CASE WHEN strpos(({x})::text, '.') > 0 THEN ({x})::float8 {} {pf} ELSE ({x})::numeric {} {pd}::numeric END) ELSE FALSE END)",
                fop.sql(),
                op.sql()
            ))
        };
        if float_exact {
            Cond::exact(build(op))
        } else {
            // The operand is rounded to float8 for the values read back as floats.
            Cond {
                sup: build(op.loose()),
                sub: S::F,
            }
        }
    }

    fn type_code(&self, cx: &mut Ctx, loc: &Loc, code: TypeCode) -> S {
        let x = Self::expr(cx, loc);
        let int = format!("jsonb_typeof({x}) = 'number' AND strpos(({x})::text, '.') = 0");
        match code {
            TypeCode::Double => S::q(format!(
                "(jsonb_typeof({x}) = 'number' AND strpos(({x})::text, '.') > 0)"
            )),
            TypeCode::Int => S::q(format!(
                "(CASE WHEN {int} THEN ({x})::numeric BETWEEN -2147483648 AND 2147483647 ELSE FALSE END)"
            )),
            TypeCode::Long => S::q(format!(
                "(CASE WHEN {int} THEN ({x})::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 AND NOT ({x})::numeric BETWEEN -2147483648 AND 2147483647 ELSE FALSE END)"
            )),
            _ => S::F,
        }
    }

    fn array_len_is(&self, cx: &mut Ctx, loc: &Loc, n: usize) -> S {
        let x = Self::expr(cx, loc);
        S::q(format!(
            "(CASE WHEN jsonb_typeof({x}) = 'array' THEN jsonb_array_length({x}) = {n} ELSE FALSE END)"
        ))
    }

    fn text_of(&self, cx: &mut Ctx, loc: &Loc) -> String {
        format!("({} #>> '{{}}')", Self::expr(cx, loc))
    }

    fn elements(&self, cx: &mut Ctx, loc: &Loc, alias: &str) -> String {
        let x = Self::expr(cx, loc);
        format!(
            "jsonb_array_elements(CASE WHEN jsonb_typeof({x}) = 'array' THEN {x} ELSE '[]'::jsonb END) AS {alias}(v)"
        )
    }
}

impl Param {
    /// The parameter as tokio-postgres binds it (the placeholders carry explicit casts:
    /// `int8`, `float8`, `text`).
    pub fn as_pg(&self) -> &(dyn tokio_postgres::types::ToSql + Sync) {
        match self {
            Param::Int(i) => i,
            Param::Float(f) => f,
            Param::Text(s) => s,
        }
    }
}

/// The parameters of a plan as tokio-postgres takes them.
pub fn pg_params(params: &[Param]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params.iter().map(Param::as_pg).collect()
}
