//! `jvdb save COLL [FILE|-]`: write records (one object, a JSON array, or JSONL) in batches.
use super::{Ctx, check_collection};
use crate::cli::{ModeArg, SaveArgs};
use anyhow::Context;
use jvdb::error::{Error, ErrorKind, exit};
use jvdb::json;
use jvdb::jsonl::{Origin, RecordReader};
use jvdb::store::{SaveMode, Saved, record_id, redact, validate_component};
use jvdb::value::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};

pub fn mode(m: ModeArg) -> SaveMode {
    match m {
        ModeArg::Replace => SaveMode::Replace,
        ModeArg::Insert => SaveMode::Insert,
        ModeArg::Merge => SaveMode::Merge,
        ModeArg::SkipExisting => SaveMode::SkipExisting,
    }
}

#[derive(Default)]
struct Tally {
    created: u64,
    replaced: u64,
    merged: u64,
    skipped: u64,
    conflicts: u64,
    failed: u64,
}

pub async fn run(ctx: &Ctx, args: SaveArgs) -> anyhow::Result<i32> {
    check_collection(&args.collection)?;
    let reader: Box<dyn BufRead> = match (&args.data, &args.input) {
        (Some(d), _) => Box::new(std::io::Cursor::new(d.clone().into_bytes())),
        (None, Some(p)) if p.as_os_str() == "-" => Box::new(BufReader::new(std::io::stdin())),
        (None, Some(p)) => Box::new(BufReader::new(File::open(p).map_err(|e| {
            Error::invalid(format!(
                "cannot read input {}: {}",
                p.display(),
                jvdb::error::io_reason(&e)
            ))
        })?)),
        (None, None) => {
            if ctx.stdin_tty {
                return Err(Error::invalid(
                    "no input: give --data JSON, a FILE, or - to read stdin",
                )
                .into());
            }
            Box::new(BufReader::new(std::io::stdin()))
        }
    };
    let mut errors_out = match &args.errors {
        Some(p) => Some(std::io::BufWriter::new(File::create(p).map_err(|e| {
            Error::invalid(format!(
                "cannot write --errors file {}: {}",
                p.display(),
                jvdb::error::io_reason(&e)
            ))
        })?)),
        None => None,
    };
    let store = if args.dry_run {
        None
    } else {
        Some(ctx.open(true).await?)
    };
    let mode = mode(args.mode);
    let batch_size = args.batch_size as usize;
    let mut tally = Tally::default();
    let pb = ctx.progress(None, "saving");
    let mut batch: Vec<(Origin, Value, String)> = Vec::with_capacity(batch_size);

    let fail = |tally: &mut Tally,
                errors_out: &mut Option<std::io::BufWriter<File>>,
                origin: &Origin,
                raw: &str,
                err: &Error|
     -> anyhow::Result<()> {
        if err.kind == ErrorKind::Conflict {
            tally.conflicts += 1;
        } else {
            tally.failed += 1;
        }
        // The record (its id) is echoed: redact any URI password in it.
        eprintln!("jvdb: {}", redact(&format!("{}: {}", origin.0, err)));
        if let Some(w) = errors_out.as_mut() {
            w.write_all(raw.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    };

    let mut in_flight: InFlight = std::collections::VecDeque::new();
    let mut records = RecordReader::new(reader);
    loop {
        let next = records.next_record()?;
        let done = next.is_none();
        if let Some((origin, parsed, raw)) = next {
            match parsed.and_then(|v| prepare(v, &args.collection, args.generate_id)) {
                Ok((v, id)) => batch.push((origin, v, id)),
                Err(e) => fail(&mut tally, &mut errors_out, &origin, &raw, &e)?,
            }
        }
        if batch.len() >= batch_size || (done && !batch.is_empty()) {
            let items = std::mem::take(&mut batch);
            pb.inc(items.len() as u64);
            match &store {
                None => tally.created += items.len() as u64,
                Some(store) => {
                    let (meta, values): (Vec<(Origin, String)>, Vec<Value>) =
                        items.into_iter().map(|(o, v, id)| ((o, id), v)).unzip();
                    let originals: Vec<String> = if errors_out.is_some() {
                        values.iter().map(json::to_line).collect()
                    } else {
                        Vec::new()
                    };
                    // Write this batch in the background while the next one is read: the
                    // store's writers never wait for the input. Results are taken in order.
                    // A record id also in the batch still being written: let that batch finish
                    // first, so the later record wins as in a sequential write.
                    let overlaps = in_flight.iter().any(|(_, m, _)| {
                        let ids: std::collections::HashSet<&str> =
                            m.iter().map(|(_, id)| id.as_str()).collect();
                        meta.iter().any(|(_, id)| ids.contains(id.as_str()))
                    });
                    if overlaps {
                        while !in_flight.is_empty() {
                            finish_batch(&mut in_flight, &mut tally, &mut errors_out, &fail)
                                .await?;
                        }
                    }
                    let (st, coll) = (store.clone(), args.collection.clone());
                    let task = tokio::spawn(async move { st.save_many(&coll, values, mode).await });
                    in_flight.push_back((task, meta, originals));
                    while in_flight.len() >= IN_FLIGHT {
                        finish_batch(&mut in_flight, &mut tally, &mut errors_out, &fail).await?;
                    }
                }
            }
        }
        if done {
            while !in_flight.is_empty() {
                finish_batch(&mut in_flight, &mut tally, &mut errors_out, &fail).await?;
            }
        }
        if done {
            break;
        }
    }
    pb.finish_and_clear();
    if let Some(mut w) = errors_out {
        w.flush().context("writing --errors file")?;
    }
    let written = tally.created + tally.replaced + tally.merged;
    let verb = if args.dry_run { "would save" } else { "saved" };
    ctx.note(format!(
        "jvdb: {verb} {written} record(s) to {} (created {}, replaced {}, merged {}), skipped {}, failed {}",
        args.collection,
        tally.created,
        tally.replaced,
        tally.merged,
        tally.skipped,
        tally.failed + tally.conflicts
    ));
    Ok(if tally.failed > 0 {
        exit::PARTIAL
    } else if tally.conflicts > 0 {
        exit::CONFLICT
    } else {
        exit::OK
    })
}

/// Batches written at the same time (each by the store's own pool of writers).
const IN_FLIGHT: usize = 2;

type BatchTask = tokio::task::JoinHandle<jvdb::error::Result<Vec<jvdb::error::Result<Saved>>>>;
type InFlight = std::collections::VecDeque<(BatchTask, Vec<(Origin, String)>, Vec<String>)>;
type FailFn = dyn Fn(
    &mut Tally,
    &mut Option<std::io::BufWriter<File>>,
    &Origin,
    &str,
    &Error,
) -> anyhow::Result<()>;

/// Wait for the oldest batch in flight and tally its results.
async fn finish_batch(
    in_flight: &mut InFlight,
    tally: &mut Tally,
    errors_out: &mut Option<std::io::BufWriter<File>>,
    fail: &FailFn,
) -> anyhow::Result<()> {
    let Some((task, meta, originals)) = in_flight.pop_front() else {
        return Ok(());
    };
    let results = task
        .await
        .map_err(|e| Error::unavailable(format!("internal task failed: {e}")))??;
    for (i, (r, (origin, id))) in results.into_iter().zip(meta).enumerate() {
        match r {
            Ok(Saved::Created) => tally.created += 1,
            Ok(Saved::Replaced) => tally.replaced += 1,
            Ok(Saved::Merged) => tally.merged += 1,
            Ok(Saved::Skipped | Saved::Unchanged) => tally.skipped += 1,
            Err(e) => {
                let raw = originals.get(i).cloned().unwrap_or_default();
                let o = Origin(format!("{}, id {id}", origin.0));
                fail(tally, errors_out, &o, &raw, &e)?
            }
        }
    }
    Ok(())
}

/// Check one record and give it an id when asked.
fn prepare(mut v: Value, collection: &str, generate: bool) -> Result<(Value, String), Error> {
    let Value::Object(m) = &mut v else {
        return Err(Error::invalid(format!(
            "a record must be a JSON object, got {}",
            v.type_name()
        )));
    };
    if !m.contains_key("id") {
        if !generate {
            return Err(Error::invalid(
                "record has no 'id' field (use --generate-id to mint one)",
            ));
        }
        let id = mint_id(collection, m.get("entity"))?;
        // jvspatial writes `id` first.
        m.shift_insert(0, "id".into(), Value::Str(id));
    }
    let id = record_id(&v)?.to_string();
    validate_component(&id, "record id")?;
    Ok((v, id))
}

/// A new jvspatial id: `{type}.{Entity}.{24 lowercase hex}`.
fn mint_id(collection: &str, entity: Option<&Value>) -> Result<String, Error> {
    let type_code = match collection {
        "node" => "n",
        "edge" => "e",
        "object" => "o",
        "w" | "walker" => "w",
        other => {
            return Err(Error::invalid(format!(
                "--generate-id knows the id form of node, edge, object and w/walker records, not collection {other:?}"
            )));
        }
    };
    let entity = match entity {
        Some(Value::Str(s)) if !s.is_empty() => s,
        _ => {
            return Err(Error::invalid(
                "--generate-id needs a string 'entity' field to build the id",
            ));
        }
    };
    let hex: String = (0..24)
        .map(|_| char::from_digit(rand::random_range(0..16u32), 16).unwrap_or('0'))
        .collect();
    Ok(format!("{type_code}.{entity}.{hex}"))
}
