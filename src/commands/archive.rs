//! `jvdb dump` and `jvdb restore`: a migrate into, or out of, an archive store
//! (`archive:FILE`), with the safety rules of backups: dump refuses an existing file unless
//! `--force`; restore checks the whole archive against its manifest before it writes, and
//! refuses a target that holds records unless `--mode` says what to do with them.
use super::Ctx;
use super::save::mode;
use super::transfer::{Migration, interrupt_flag, open_pair, run_migration};
use crate::cli::{ArchiveOpts, DumpArgs, MigrateArgs, RestoreArgs, TransferArgs};
use jvdb::error::Error;
use jvdb::store::{BACKENDS, SaveMode, StoreSpec};
use jvdb::transfer::TransferOptions;

/// A spec string that parses back to `spec` (not redacted: for opening, never printing).
fn spec_string(spec: &StoreSpec) -> String {
    let uri = BACKENDS.iter().any(|b| {
        b.name == spec.backend
            && b.schemes.iter().any(|s| {
                spec.location
                    .get(..s.len() + 3)
                    .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{s}://")))
            })
    });
    if uri {
        spec.location.clone()
    } else if spec.backend == "memory" {
        "memory:".to_string()
    } else {
        format!("{}:{}", spec.backend, spec.location)
    }
}

/// An error of `open_pair` without the flag it names, for a command that has no such flag.
fn unprefix(e: anyhow::Error, flags: &[&str]) -> anyhow::Error {
    match e.downcast::<Error>() {
        Ok(mut e) => {
            for f in flags {
                if let Some(rest) = e.message.strip_prefix(f) {
                    e.message = rest.to_string();
                }
            }
            e.into()
        }
        Err(e) => e,
    }
}

fn migrate_args(t: TransferArgs, no_verify: bool) -> MigrateArgs {
    MigrateArgs {
        transfer: t,
        upgrade: false,
        no_verify,
        backup: None,
    }
}

pub async fn run_dump(ctx: &Ctx, args: DumpArgs) -> anyhow::Result<i32> {
    let from = spec_string(&ctx.resolve()?.spec);
    if args.output.is_empty() {
        return Err(Error::invalid("-o: name the archive file, or - for stdout").into());
    }
    let t = TransferArgs {
        conn: args.conn.clone(),
        from,
        to: format!("archive:{}", args.output),
        batch_size: args.batch_size,
        dry_run: args.dry_run,
        no_indexes: false,
        jobs: 2,
        partition: None,
        archive: args.archive.clone(),
        overwrite: args.force,
    };
    let flag = interrupt_flag();
    // The archive is -o, and the store --db: not --from and --to.
    let (src, dst) = open_pair(ctx, &t)
        .await
        .map_err(|e| unprefix(e, &["--to: ", "--from: "]))?;
    let opts = TransferOptions {
        collections: (!args.collections.is_empty()).then(|| args.collections.clone()),
        filter: None,
        mode: SaveMode::Replace,
        batch_size: args.batch_size as usize,
        upgrade: false,
        dry_run: args.dry_run,
        jobs: 2,
        indexes: true,
        partition: None,
    };
    if !args.collections.is_empty() {
        let named: Vec<&str> = args.collections.iter().map(String::as_str).collect();
        super::warn_missing_collections(ctx, src.as_ref(), &named).await;
    }
    let plan = Migration {
        verb: ("dumping", "dry run: would dump"),
        verify: !args.no_verify,
        conflicts_fail: false,
    };
    let m = migrate_args(t, args.no_verify);
    run_migration(ctx, src.as_ref(), dst.as_ref(), opts, &m, &plan, &flag).await
}

pub async fn run_restore(ctx: &Ctx, args: RestoreArgs) -> anyhow::Result<i32> {
    if args.file.is_empty() {
        return Err(Error::invalid("name the archive file to restore, or - for stdin").into());
    }
    let t = TransferArgs {
        conn: args.conn.clone(),
        from: format!("archive:{}", args.file),
        to: args.to.clone(),
        batch_size: args.batch_size,
        dry_run: args.dry_run,
        no_indexes: args.no_indexes,
        jobs: args.jobs,
        partition: None,
        archive: ArchiveOpts::default(),
        overwrite: false,
    };
    let flag = interrupt_flag();
    // Opening the archive reads and checks all of it against its manifest (refused, exit 6,
    // before the target is opened or created).
    // The archive is the command's argument, not a --from flag.
    let (src, dst) = open_pair(ctx, &t)
        .await
        .map_err(|e| unprefix(e, &["--from: "]))?;
    // A target that holds records: refused unless --mode says what to do with its ids.
    let mut held = 0u64;
    for c in dst.collections().await? {
        held += dst.count(&c, None).await?.count;
    }
    if held > 0 && args.mode.is_none() {
        return Err(Error::refused(format!(
            "{} already holds {held} record(s); say what to do with ids it holds: --mode replace (the archive's records win), skip-existing (the target's win), insert (an existing id fails, exit 5) or merge; nothing written",
            dst.describe()
        ))
        .into());
    }
    let save_mode = args.mode.map(mode).unwrap_or(SaveMode::Replace);
    // Verified when the target ends up holding the archive's records as they are: every
    // record replaced (or a target that was empty). skip-existing and merge keep or mix in
    // what the target held, and insert fails for existing ids; each is reported by count.
    let verify = !args.no_verify && (held == 0 || save_mode == SaveMode::Replace);
    if !verify && !args.no_verify && !args.dry_run {
        ctx.note(format!(
            "jvdb: --mode {}: the target keeps records it held, so it is not compared with the archive (which was checked against its manifest)",
            save_mode.name()
        ));
    }
    let opts = TransferOptions {
        collections: (!args.collections.is_empty()).then(|| args.collections.clone()),
        filter: None,
        mode: save_mode,
        batch_size: args.batch_size as usize,
        upgrade: false,
        dry_run: args.dry_run,
        jobs: args.jobs as usize,
        indexes: !args.no_indexes,
        partition: None,
    };
    if !args.collections.is_empty() {
        let named: Vec<&str> = args.collections.iter().map(String::as_str).collect();
        super::warn_missing_collections(ctx, src.as_ref(), &named).await;
    }
    let plan = Migration {
        verb: ("restoring", "dry run: would restore"),
        verify,
        conflicts_fail: save_mode == SaveMode::Insert,
    };
    let m = migrate_args(t, !verify);
    run_migration(ctx, src.as_ref(), dst.as_ref(), opts, &m, &plan, &flag).await
}
