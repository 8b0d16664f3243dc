//! `jvdb copy` and `jvdb migrate`: both drive the core transfer engine; migrate moves every
//! collection and verifies the result.
use super::save::mode;
use super::{Ctx, build_filter};
use crate::cli::{CopyArgs, MigrateArgs, TransferArgs};
use indicatif::ProgressBar;
use jvdb::error::{Error, exit};
use jvdb::store::{SaveMode, Store, StoreSpec};
use jvdb::transfer::{self, CollectionResult, Progress, TransferOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

struct Bars {
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn start(&self, collection: &str, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        let pb = crate::output::new_bar(total, collection);
        if let Ok(mut b) = self.bar.lock() {
            *b = Some(pb);
        }
    }
    fn advance(&self, n: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some(pb) = b.as_ref()
        {
            pb.inc(n);
        }
    }
    fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(pb) = b.take()
        {
            pb.finish_and_clear();
        }
    }
}

fn bars(ctx: &Ctx) -> Bars {
    Bars {
        enabled: ctx.progress_enabled(),
        bar: Mutex::new(None),
    }
}

/// Ctrl-C sets the flag; the engine finishes the batch in flight and stops.
pub(super) fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            f.store(true, Ordering::SeqCst);
        }
    });
    flag
}

pub(super) async fn open_pair(
    ctx: &Ctx,
    t: &TransferArgs,
) -> anyhow::Result<(Arc<dyn Store>, Arc<dyn Store>)> {
    let from = StoreSpec::parse(&t.from).map_err(|e| e.context("--from"))?;
    let to = StoreSpec::parse(&t.to).map_err(|e| e.context("--to"))?;
    if from == to {
        return Err(Error::invalid(format!("--from and --to name the same store ({from})")).into());
    }
    // Before anything is opened or created: a JSON target inside the source (or the source
    // inside the target) would be read as a collection of the other store.
    if let (Some(a), Some(b)) = (from.local_path(), to.local_path()) {
        check_overlap(&a, &b)?;
    }
    // The source first: a missing source must not leave a new, empty target behind.
    let src = from
        .open(&ctx.open_options(false))
        .await
        .map_err(|e| e.context("--from"))?;
    let mut opts = ctx.open_options(!t.dry_run);
    opts.missing_is_empty = t.dry_run;
    // A transfer ends its target with seal and commit (an archive written as one stream).
    opts.sink = true;
    opts.settings.extend(t.archive.settings());
    if t.overwrite {
        opts.settings
            .push(("archive.overwrite".to_string(), "true".to_string()));
    }
    let dst = to.open(&opts).await.map_err(|e| e.context("--to"))?;
    Ok((src, dst))
}

/// Refuse (exit 2) two local stores that are the same path, or directories where one lies
/// inside the other, after resolving symlinks (a target that does not exist yet resolves
/// through its nearest existing ancestor).
fn check_overlap(
    from_path: &jvdb::store::LocalPath,
    to_path: &jvdb::store::LocalPath,
) -> Result<(), Error> {
    let resolve = |flag: &str, loc: &std::path::Path| {
        std::path::absolute(loc)
            .and_then(|p| jvdb::store::json::resolve_lenient(&p))
            .map_err(|e| Error::io(format!("{flag} {}", loc.display()), &e))
    };
    let a = resolve("--from", &from_path.path)?;
    let b = resolve("--to", &to_path.path)?;
    let (from, to) = (from_path.path.display(), to_path.path.display());
    // Messages name the paths as given: a resolved path collapses `//`, and a URI-like path
    // would then escape `redact`.
    if a == b {
        let what = if from_path.dir && to_path.dir {
            "directory"
        } else {
            "path"
        };
        return Err(Error::invalid(format!(
            "--from {from} and --to {to} are the same {what} (after resolving symlinks)"
        )));
    }
    if !(from_path.dir && to_path.dir) {
        return Ok(());
    }
    if b.starts_with(&a) {
        return Err(Error::invalid(format!(
            "--to {to} is inside --from {from} (after resolving symlinks): the target would become part of the source; choose a directory outside it"
        )));
    }
    if a.starts_with(&b) {
        return Err(Error::invalid(format!(
            "--from {from} is inside --to {to} (after resolving symlinks): the source would become part of the target; choose a directory outside it"
        )));
    }
    Ok(())
}

/// Print per-collection results on stderr and return the exit code for failures.
fn report(ctx: &Ctx, results: &[CollectionResult], dry_run: bool) -> i32 {
    let mut code = exit::OK;
    for r in results {
        for (id, why) in &r.unreadable {
            let line = format!("unreadable source record {}/{id}: {why}", r.name);
            eprintln!("jvdb: {}", jvdb::store::redact(&line));
        }
        for (id, why) in &r.failed {
            let line = format!("not written {}/{id}: {why}", r.name);
            eprintln!("jvdb: {}", jvdb::store::redact(&line));
        }
        if !r.unreadable.is_empty() || !r.failed.is_empty() {
            code = exit::PARTIAL;
        }
        ctx.note(if dry_run {
            format!("{:>16}: would write {} record(s)", r.name, r.read)
        } else {
            format!(
                "{:>16}: read {}, written {}, unchanged {}, skipped {}, failed {}, unreadable {}{}",
                r.name,
                r.read,
                r.written,
                r.unchanged,
                r.skipped,
                r.failed.len(),
                r.unreadable.len(),
                if r.upgraded > 0 {
                    format!(", upgraded {}", r.upgraded)
                } else {
                    String::new()
                }
            )
        });
    }
    if let Some(line) = failure_summary(results) {
        eprintln!("jvdb: {line}");
    }
    code
}

/// One line that says how many records were not written and why, by kind, before the
/// verification (each record is named above it).
fn failure_summary(results: &[CollectionResult]) -> Option<String> {
    let (mut unique, mut values, mut other) = (0usize, 0usize, 0usize);
    for (_, why) in results.iter().flat_map(|r| &r.failed) {
        if why.contains("unique index") || why.contains("duplicate key") {
            unique += 1;
        } else if why.contains("cannot store") {
            values += 1;
        } else {
            other += 1;
        }
    }
    let total = unique + values + other;
    if total == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if unique > 0 {
        parts.push(format!(
            "{unique} rejected by a unique index of the target (records with the same key, e.g. two edges with the same source, target and entity: the one stored first is kept, nothing is replaced)"
        ));
    }
    if values > 0 {
        parts.push(format!("{values} hold values the target cannot store"));
    }
    if other > 0 {
        parts.push(format!("{other} failed otherwise"));
    }
    Some(format!(
        "{total} record(s) not written, each named above: {}",
        parts.join("; ")
    ))
}

pub async fn run_copy(ctx: &Ctx, args: CopyArgs) -> anyhow::Result<i32> {
    copy(ctx, args).await.map_err(gave_up_hint)
}

async fn copy(ctx: &Ctx, args: CopyArgs) -> anyhow::Result<i32> {
    let flag = interrupt_flag();
    let (src, dst) = open_pair(ctx, &args.transfer).await?;
    let filter = match &args.query.query {
        Some(q) => Some(Arc::new(build_filter(ctx, Some(q), None)?)),
        None => None,
    };
    let opts = TransferOptions {
        collections: (!args.collections.is_empty()).then(|| args.collections.clone()),
        filter,
        mode: mode(args.mode),
        batch_size: args.transfer.batch_size as usize,
        upgrade: false,
        dry_run: args.transfer.dry_run,
        jobs: args.transfer.jobs as usize,
        indexes: !args.transfer.no_indexes,
        partition: args.transfer.partition,
    };
    let colls = transfer::plan(src.as_ref(), &opts).await?;
    if let Some(p) = opts.partition {
        ctx.note(format!(
            "jvdb: copying partition {p}: the records whose id hashes to it"
        ));
    }
    let named: Vec<&str> = args.collections.iter().map(String::as_str).collect();
    super::warn_missing_collections(ctx, src.as_ref(), &named).await;
    let results = transfer::transfer(src.as_ref(), dst.as_ref(), &colls, &opts, &bars(ctx), &flag)
        .await
        .map_err(resume_hint)?;
    let code = report(ctx, &results, opts.dry_run);
    if !opts.dry_run {
        dst.seal(&src.describe()).await?;
        dst.commit().await?;
    }
    let conflicts = opts.mode == SaveMode::Insert
        && results.iter().any(|r| !r.failed.is_empty())
        && results.iter().all(|r| r.unreadable.is_empty());
    Ok(if conflicts { exit::CONFLICT } else { code })
}

/// A store that stayed unavailable (exit 4) stops the transfer: say how to go on.
fn resume_hint(e: Error) -> Error {
    if e.kind == jvdb::ErrorKind::Unavailable {
        e.hint(RESUME)
    } else {
        e
    }
}

/// A server given up on in any phase of a copy or migrate (planning, the transfer, the
/// verification) says how to resume, as a give-up during the transfer does.
fn gave_up_hint(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<Error>() {
        Ok(e) if e.message.contains("gave up after") && !e.message.contains(RESUME) => {
            e.hint(RESUME).into()
        }
        Ok(e) => e.into(),
        Err(e) => e,
    }
}

/// What to do after a transfer stopped part-way.
pub const RESUME: &str = "rerun the same command to resume (records already in the target unchanged are not rewritten, so nothing is duplicated)";

/// How many differing ids a failed verification names.
const SHOWN_DIFFERENCES: usize = 10;

/// After a failed verification: name the first few ids that differ (source = A, target = B)
/// and how to list them all.
async fn name_differences(
    src: &dyn Store,
    dst: &dyn Store,
    collections: &[String],
    args: &MigrateArgs,
) -> anyhow::Result<()> {
    let mut total = 0usize;
    let mut shown = 0usize;
    for coll in collections {
        let part = args.transfer.partition;
        let diffs =
            transfer::list_partition_differences(src, dst, coll, args.upgrade, part).await?;
        total += diffs.len();
        for d in diffs.iter().take(SHOWN_DIFFERENCES - shown) {
            let what = match d.change {
                transfer::Change::OnlyA => "only in the source",
                transfer::Change::OnlyB => "only in the target",
                transfer::Change::Differs => "different in the target",
                transfer::Change::UnreadableA => "unreadable in the source",
                transfer::Change::UnreadableB => "unreadable in the target",
            };
            let line = format!("{} {coll}/{} ({what})", d.change.sign(), d.id);
            eprintln!("jvdb: {}", jvdb::store::redact(&line));
            shown += 1;
        }
    }
    let hint = format!(
        "jvdb: {shown} of {total} differing id(s) shown; list them all with `jvdb verify --list {}{} {}`{}",
        match args.transfer.partition {
            Some(p) => format!("--partition {p} "),
            None => String::new(),
        },
        args.transfer.from,
        args.transfer.to,
        if args.upgrade {
            " (it compares the stores as they are, so nodes changed by --upgrade show as different)"
        } else {
            ""
        }
    );
    eprintln!("{}", jvdb::store::redact(&hint));
    Ok(())
}

pub async fn run_migrate(ctx: &Ctx, args: MigrateArgs) -> anyhow::Result<i32> {
    migrate(ctx, args).await.map_err(gave_up_hint)
}

async fn migrate(ctx: &Ctx, args: MigrateArgs) -> anyhow::Result<i32> {
    let flag = interrupt_flag();
    let (src, dst) = open_pair(ctx, &args.transfer).await?;
    let opts = TransferOptions {
        collections: None,
        filter: None,
        mode: SaveMode::Replace,
        batch_size: args.transfer.batch_size as usize,
        upgrade: args.upgrade,
        dry_run: args.transfer.dry_run,
        jobs: args.transfer.jobs as usize,
        indexes: !args.transfer.no_indexes,
        partition: args.transfer.partition,
    };
    // --backup: the node records --upgrade changes, as the source holds them, before any
    // record moves.
    if let Some(file) = &args.backup {
        let legacy = |r: &jvdb::Value| r.get("edges").is_some();
        if opts.dry_run {
            ctx.note(format!(
                "jvdb: dry run: would back up the node records --upgrade changes to {file}"
            ));
        } else {
            let mut b =
                jvdb::backup::Backup::create(file, args.transfer.archive.settings()).await?;
            b.records_matching(src.as_ref(), "node", legacy).await?;
            let w = b.finish(&src.describe()).await?;
            ctx.note(format!("jvdb: backed up {}", w.summary()));
        }
    }
    let plan = Migration {
        verb: ("migrating", "dry run: would migrate"),
        verify: !args.no_verify,
        conflicts_fail: false,
    };
    run_migration(ctx, src.as_ref(), dst.as_ref(), opts, &args, &plan, &flag).await
}

/// How [`run_migration`] words and finishes its run (migrate, dump, restore).
pub(super) struct Migration {
    /// The note's verb, and the dry run's.
    pub verb: (&'static str, &'static str),
    /// Read the target back and compare it with what was read.
    pub verify: bool,
    /// Records refused as conflicts (an insert met an existing id) make exit 5.
    pub conflicts_fail: bool,
}

/// Move the records of `opts` from `src` to `dst`, end the target (seal), verify it, and
/// publish it (commit). `args` names the stores for hints.
pub(super) async fn run_migration(
    ctx: &Ctx,
    src: &dyn Store,
    dst: &dyn Store,
    opts: TransferOptions,
    args: &MigrateArgs,
    plan: &Migration,
    flag: &AtomicBool,
) -> anyhow::Result<i32> {
    let colls = transfer::plan(src, &opts).await?;
    ctx.note(format!(
        "jvdb: {} {} collection(s){} from {} to {}",
        if opts.dry_run {
            plan.verb.1
        } else {
            plan.verb.0
        },
        colls.len(),
        match opts.partition {
            Some(p) => format!(", partition {p} (the records whose id hashes to it),"),
            None => String::new(),
        },
        src.describe(),
        dst.describe()
    ));
    // Pre-flight: what the target will refuse (its own rules, asked of it), said before
    // anything is written. The records still fail by id, as without it.
    if let Some(mut limits) = dst.write_limits() {
        // Without jvspatial's indexes (--no-indexes) no unique edge index refuses duplicates.
        limits.unique_edge_key &= opts.indexes;
        let pre = jvdb::check::preflight(src, &colls, &limits).await?;
        if let Some(line) = pre.summary_line(&dst.describe()) {
            eprintln!("jvdb: pre-flight: {}", jvdb::store::redact(&line));
        }
    }
    let results = transfer::transfer(src, dst, &colls, &opts, &bars(ctx), flag)
        .await
        .map_err(resume_hint)?;
    let mut code = report(ctx, &results, opts.dry_run);
    if plan.conflicts_fail
        && code != exit::OK
        && results.iter().all(|r| r.unreadable.is_empty())
        && results
            .iter()
            .flat_map(|r| &r.failed)
            .all(|(_, why)| why.contains("exists"))
    {
        code = exit::CONFLICT;
    }
    if opts.dry_run {
        return Ok(code);
    }
    // End a target written as one stream; it can then be read back (unless it went to stdout).
    let readable = dst.seal(&src.describe()).await?;
    if !plan.verify || !readable {
        if plan.verify {
            ctx.note(
                "jvdb: the archive went to stdout, so it is not read back here; jvdb restore checks it against its manifest",
            );
        }
        dst.commit().await?;
        return Ok(code);
    }
    // Verify: the target must hold what was read (canonical form), per collection. Records
    // only the target holds (another writer's, or there before) are reported, not failed,
    // when without them the target holds exactly what was read.
    let mut mismatches = Vec::new();
    let mut differing = Vec::new();
    let mut foreign_total = 0u64;
    for r in &results {
        // With --partition, the target restricted to the same partition: the processes of the
        // other partitions may be writing the rest of it at the same time.
        let norm = transfer::norm_of(&[dst]);
        let (d, bad) = transfer::digest_partition(dst, &r.name, norm, opts.partition).await?;
        if d == r.source_digest && bad.is_empty() {
            continue;
        }
        if bad.is_empty() {
            let m = transfer::explain_mismatch(
                src,
                dst,
                &r.name,
                args.upgrade,
                opts.partition,
                r.source_digest,
            )
            .await?;
            if m.explained {
                foreign_total += m.foreign.count;
                ctx.note(format!(
                    "jvdb: {}: the target also holds {} record(s) that are not in the source (written by another writer, or there before this run); they are left alone and not counted",
                    r.name, m.foreign.count
                ));
                continue;
            }
        }
        differing.push(r.name.clone());
        mismatches.push(format!(
            "{}: source {} record(s) hash {}, target {} record(s) hash {}{}",
            r.name,
            r.source_digest.count,
            r.source_digest.hex(),
            d.count,
            d.hex(),
            if bad.is_empty() {
                String::new()
            } else {
                format!(", {} unreadable", bad.len())
            }
        ));
    }
    if mismatches.is_empty() {
        dst.commit().await?;
        let total: u64 = results.iter().map(|r| r.source_digest.count).sum();
        ctx.note(format!(
            "jvdb: verified {} collection(s), {total} record(s){}: {}",
            results.len(),
            match opts.partition {
                Some(p) => format!(" of partition {p} (in the target too)"),
                None => String::new(),
            },
            if foreign_total > 0 {
                "every record read is in the target as read"
            } else {
                "counts and content hashes match"
            }
        ));
        return Ok(code);
    }
    for m in &mismatches {
        eprintln!("jvdb: verification mismatch: {m}");
    }
    name_differences(src, dst, &differing, args).await?;
    if code != exit::OK {
        // Failed or unreadable records explain the mismatch: a partial failure. What was
        // written stays (an archive too), each record not written named above.
        dst.commit().await?;
        return Ok(code);
    }
    Err(Error::refused(format!(
        "verification failed for {} collection(s): records read are missing from the target or differ there (changed since this run wrote them, by another writer or in the source)",
        mismatches.len()
    ))
    .into())
}
