//! `jvdb verify A B` (and `jvdb diff A B`): compare two stores by counts and content hash,
//! per collection; with `--list`, name every id that differs.
use super::Ctx;
use crate::cli::{VerifyArgs, VerifyFormat};
use jvdb::error::exit;
use jvdb::json;
use jvdb::transfer::{self, Change, Comparison, Difference};
use jvdb::value::{Map, Value};
use std::io::Write;

/// The report of one collection as a JSON object.
fn comparison_json(c: &Comparison, diffs: Option<&[Difference]>) -> Map {
    let mut e = Map::new();
    e.insert("collection".into(), Value::Str(c.name.clone()));
    e.insert("count_a".into(), Value::Int(c.a.count as i64));
    e.insert("count_b".into(), Value::Int(c.b.count as i64));
    e.insert("hash_a".into(), Value::Str(c.a.hex()));
    e.insert("hash_b".into(), Value::Str(c.b.hex()));
    e.insert("unreadable_a".into(), Value::Int(c.unreadable_a as i64));
    e.insert("unreadable_b".into(), Value::Int(c.unreadable_b as i64));
    e.insert("equal".into(), Value::Bool(c.equal()));
    if let Some(d) = diffs {
        let list = d
            .iter()
            .map(|d| Value::Object(diff_json(None, d)))
            .collect();
        e.insert("differences".into(), Value::Array(list));
    }
    e
}

fn diff_json(collection: Option<&str>, d: &Difference) -> Map {
    let mut e = Map::new();
    if let Some(c) = collection {
        e.insert("collection".into(), Value::Str(c.to_string()));
    }
    e.insert("id".into(), Value::Str(d.id.clone()));
    e.insert("change".into(), Value::Str(d.change.name().into()));
    e
}

pub async fn run(ctx: &Ctx, args: VerifyArgs) -> anyhow::Result<i32> {
    let a = ctx.open_spec(&args.a, false).await?;
    let b = ctx.open_spec(&args.b, false).await?;
    for c in &args.collections {
        super::check_collection(c)?;
    }
    if !args.collections.is_empty() {
        let named: Vec<&str> = args.collections.iter().map(String::as_str).collect();
        for store in [&a, &b] {
            super::warn_missing_collections(ctx, store.as_ref(), &named).await;
        }
    }
    let part = args.partition;
    let cmp = transfer::compare_partition(a.as_ref(), b.as_ref(), &args.collections, part).await?;
    // Only the collections that differ are read again, id by id.
    let mut diffs: Vec<Vec<Difference>> = Vec::with_capacity(cmp.len());
    for c in &cmp {
        diffs.push(if args.list && !c.equal() {
            transfer::list_partition_differences(a.as_ref(), b.as_ref(), &c.name, false, part)
                .await?
        } else {
            Vec::new()
        });
    }
    let mut out = crate::output::stdout();
    let all_equal = cmp.iter().all(|c| c.equal());
    match (args.format, args.list) {
        (VerifyFormat::Text, false) => {
            writeln!(out, "collection\tcount_a\tcount_b\tresult")?;
            for c in &cmp {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    c.name,
                    c.a.count,
                    c.b.count,
                    if c.equal() { "equal" } else { "DIFFERENT" }
                )?;
            }
        }
        (VerifyFormat::Text, true) => {
            for (c, ds) in cmp.iter().zip(&diffs) {
                for d in ds {
                    writeln!(out, "{} {}/{}", d.change.sign(), c.name, d.id)?;
                }
            }
        }
        (VerifyFormat::Jsonl, false) => {
            for c in &cmp {
                writeln!(
                    out,
                    "{}",
                    json::to_line(&Value::Object(comparison_json(c, None)))
                )?;
            }
        }
        (VerifyFormat::Jsonl, true) => {
            for (c, ds) in cmp.iter().zip(&diffs) {
                for d in ds {
                    let line = json::to_line(&Value::Object(diff_json(Some(&c.name), d)));
                    writeln!(out, "{line}")?;
                }
            }
        }
        (VerifyFormat::Json, list) => {
            let mut m = Map::new();
            m.insert("equal".into(), Value::Bool(all_equal));
            let cols = cmp
                .iter()
                .zip(&diffs)
                .map(|(c, ds)| Value::Object(comparison_json(c, list.then_some(ds.as_slice()))))
                .collect();
            m.insert("collections".into(), Value::Array(cols));
            writeln!(out, "{}", json::to_pretty(&Value::Object(m)))?;
        }
    }
    out.flush()?;
    if all_equal {
        ctx.note(format!(
            "jvdb: {} and {} hold the same records{}",
            a.describe(),
            b.describe(),
            match part {
                Some(p) => format!(" in partition {p}"),
                None => String::new(),
            }
        ));
        return Ok(exit::OK);
    }
    if args.list {
        for (c, ds) in cmp.iter().zip(&diffs) {
            if c.equal() {
                continue;
            }
            let n = |k: &[Change]| ds.iter().filter(|d| k.contains(&d.change)).count();
            ctx.note(format!(
                "jvdb: {}: {} only in A, {} only in B, {} different, {} unreadable",
                c.name,
                n(&[Change::OnlyA]),
                n(&[Change::OnlyB]),
                n(&[Change::Differs]),
                n(&[Change::UnreadableA, Change::UnreadableB]),
            ));
        }
        ctx.note("jvdb: the stores differ");
    } else {
        ctx.note(jvdb::store::redact(&format!(
            "jvdb: the stores differ{} (`jvdb verify --list {}{} {}` names the ids)",
            match part {
                Some(p) => format!(" in partition {p}"),
                None => String::new(),
            },
            match part {
                Some(p) => format!("--partition {p} "),
                None => String::new(),
            },
            args.a,
            args.b
        )));
    }
    Ok(exit::REFUSED)
}
