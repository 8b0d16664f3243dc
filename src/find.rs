//! The in-process find engine shared by every backend that has no query engine of its own:
//! filter, sort, skip, limit and projection over a stream of stored records. Memory stays
//! bounded: without `--sort` records stream through; with `--sort` and `--limit` only the best
//! `skip + limit` matches are kept; with `--sort` alone the matching records are buffered.

use crate::error::Result;
use crate::query;
use crate::store::{Count, FindSpec, Item, ItemStream};
use crate::value::Value;
use futures::StreamExt;
use futures::stream;

pub fn find_in_stream(items: ItemStream, spec: FindSpec) -> ItemStream {
    find_impl(items, spec, true)
}

/// [`find_in_stream`] over a stream whose records already match `spec.filter` (a backend that
/// filtered while reading); only the partition, sort, skip, limit and projection are applied.
pub fn find_prefiltered(items: ItemStream, spec: FindSpec) -> ItemStream {
    find_impl(items, spec, false)
}

fn find_impl(items: ItemStream, spec: FindSpec, check: bool) -> ItemStream {
    if spec.limit == Some(0) {
        return stream::empty().boxed();
    }
    // The partition first (records and unreadable ones alike), before skip and limit count.
    let items = match spec.partition {
        Some(p) => items
            .filter(move |r| futures::future::ready(r.as_ref().map_or(true, |i| p.holds(i))))
            .boxed(),
        None => items,
    };
    if spec.sort.is_empty() {
        streaming(items, spec, check)
    } else {
        sorted(items, spec, check)
    }
}

fn matches(
    spec: &FindSpec,
    check: bool,
    rec: &Value,
) -> std::result::Result<bool, query::QueryError> {
    if check {
        spec.filter.matches(rec)
    } else {
        Ok(true)
    }
}

struct State {
    items: ItemStream,
    spec: FindSpec,
    skipped: u64,
    emitted: u64,
    done: bool,
    check: bool,
}

fn streaming(items: ItemStream, spec: FindSpec, check: bool) -> ItemStream {
    let st = State {
        items,
        spec,
        check,
        skipped: 0,
        emitted: 0,
        done: false,
    };
    stream::unfold(st, |mut st| async move {
        loop {
            if st.done || st.spec.limit.is_some_and(|l| st.emitted >= l) {
                return None;
            }
            let item = match st.items.next().await? {
                Ok(i) => i,
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            };
            match item {
                Item::Record(rec) => match matches(&st.spec, st.check, &rec) {
                    Ok(true) => {
                        if st.skipped < st.spec.skip {
                            st.skipped += 1;
                            continue;
                        }
                        st.emitted += 1;
                        let out = match &st.spec.projection {
                            Some(p) => p.apply(&rec),
                            None => rec,
                        };
                        return Some((Ok(Item::Record(out)), st));
                    }
                    Ok(false) => continue,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e.into()), st));
                    }
                },
                bad @ Item::Unreadable { .. } => return Some((Ok(bad), st)),
            }
        }
    })
    .boxed()
}

fn sorted(items: ItemStream, spec: FindSpec, check: bool) -> ItemStream {
    let fut = async move {
        let mut items = items;
        let mut out: Vec<Result<Item>> = Vec::new();
        let mut buf: Vec<Value> = Vec::new();
        let keep = spec.limit.map(|l| (l + spec.skip) as usize);
        let dialect = spec.filter.dialect;
        while let Some(item) = items.next().await {
            match item {
                Err(e) => {
                    out.push(Err(e));
                    return out;
                }
                Ok(Item::Record(rec)) => match matches(&spec, check, &rec) {
                    Ok(true) => {
                        buf.push(rec);
                        // Keep only the best `skip + limit` so far. Not for the jvspatial
                        // dialect: Python sorts everything at once, and which pairs it compares
                        // decides whether (and which) TypeError it raises.
                        if let Some(k) = keep
                            && dialect == query::Dialect::Mongo
                            && buf.len() >= 2 * k.max(512)
                        {
                            if let Err(e) = query::sort_records(&mut buf, &spec.sort, dialect) {
                                out.push(Err(e.into()));
                                return out;
                            }
                            buf.truncate(k);
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        out.push(Err(e.into()));
                        return out;
                    }
                },
                Ok(bad) => out.push(Ok(bad)),
            }
        }
        if let Err(e) = query::sort_records(&mut buf, &spec.sort, dialect) {
            out.push(Err(e.into()));
            return out;
        }
        let skip = spec.skip.min(buf.len() as u64) as usize;
        let end = match spec.limit {
            Some(l) => (skip as u64 + l).min(buf.len() as u64) as usize,
            None => buf.len(),
        };
        for rec in buf.drain(skip..end) {
            let rec = match &spec.projection {
                Some(p) => p.apply(&rec),
                None => rec,
            };
            out.push(Ok(Item::Record(rec)));
        }
        out
    };
    stream::once(fut).flat_map(stream::iter).boxed()
}

/// Count the records of a find stream, collecting the unreadable ones.
pub async fn count_stream(mut items: ItemStream) -> Result<Count> {
    let mut c = Count::default();
    while let Some(item) = items.next().await {
        match item? {
            Item::Record(_) => c.count += 1,
            Item::Unreadable { id, reason } => c.unreadable.push((id, reason)),
        }
    }
    Ok(c)
}
