//! One module per subcommand. Each parses its arguments, calls the core, renders output, and
//! returns the exit code; errors travel as `anyhow::Error` and are mapped to exit codes here,
//! in one place.

mod archive;
mod check;
mod cleanup;
mod collections;
mod count;
mod delete;
mod docs;
mod export;
mod find;
mod get;
mod info;
mod save;
mod stats;
mod transfer;
mod verify;
mod walk;

use crate::cli::{
    CONNECT_TIMEOUT_DEFAULT, Cli, Command, ConnArgs, DialectArg, DialectOpt, GlobalArgs, StoreArg,
    TopArgs,
};
use crate::output::is_broken_pipe;
use jvdb::error::{Error, exit};
use jvdb::query::{Dialect, Filter};
use jvdb::store::{self, OpenOptions, Resolved, Store, StoreSpec, redact};
use jvdb::value::Value;
use std::io::IsTerminal;
use std::sync::Arc;

/// Run one command and return the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let global = match merge_options(&cli.top, &cli.command) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("jvdb: {}", redact(&e.message));
            return e.exit_code();
        }
    };
    let ctx = Ctx::new(global);
    let result = match cli.command {
        Command::Info(a) => info::run(&ctx, a).await,
        Command::Collections(a) => collections::run(&ctx, a).await,
        Command::Count(a) => count::run(&ctx, a).await,
        Command::Get(a) => get::run(&ctx, a).await,
        Command::Find(a) => find::run(&ctx, a).await,
        Command::Save(a) => save::run(&ctx, a).await,
        Command::Delete(a) => delete::run(&ctx, a).await,
        Command::Cleanup(a) => cleanup::run(&ctx, a).await,
        Command::Copy(a) => transfer::run_copy(&ctx, a).await,
        Command::Migrate(a) => transfer::run_migrate(&ctx, a).await,
        Command::Dump(a) => archive::run_dump(&ctx, a).await,
        Command::Restore(a) => archive::run_restore(&ctx, a).await,
        Command::Verify(a) => verify::run(&ctx, a).await,
        Command::Diff(mut a) => {
            a.list = true;
            verify::run(&ctx, a).await
        }
        Command::Check(a) => check::run(&ctx, a).await,
        Command::Stats(a) => stats::run(&ctx, a).await,
        Command::Export(a) => export::run(&ctx, a).await,
        Command::Edges(a) => walk::run_edges(&ctx, a).await,
        Command::Neighbors(a) => walk::run_neighbors(&ctx, a).await,
        Command::Path(a) => walk::run_path(&ctx, a).await,
        Command::Completions(a) => docs::completions(a),
        Command::GenerateDocs(a) => docs::generate(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return exit::OK;
            }
            let code = exit_code(&e);
            let mut line = one_line(&e);
            // A server that stayed away past --retry-for: every writing command is safe to
            // rerun (writes and deletes are by id), and says so.
            if line.contains("gave up after") && !line.contains("rerun the same command") {
                line.push_str("; rerun the same command once the server is back: it goes on where this one stopped (writes and deletes are by id, so nothing is done twice)");
            }
            eprintln!("jvdb: {}", redact(&line));
            code
        }
    }
}

/// The store options a subcommand takes itself (`None` for the ones it does not take).
struct Own<'a> {
    store: Option<&'a StoreArg>,
    dialect: Option<&'a DialectOpt>,
    conn: Option<&'a ConnArgs>,
}

fn own(cmd: &Command) -> Own<'_> {
    let o = |store, dialect, conn| Own {
        store,
        dialect,
        conn,
    };
    match cmd {
        Command::Info(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Collections(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Count(a) => o(Some(&a.store), Some(&a.dialect), Some(&a.conn)),
        Command::Get(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Find(a) => o(Some(&a.store), Some(&a.dialect), Some(&a.conn)),
        Command::Save(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Delete(a) => o(Some(&a.store), Some(&a.dialect), Some(&a.conn)),
        Command::Cleanup(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Copy(a) => o(None, Some(&a.dialect), Some(&a.transfer.conn)),
        Command::Migrate(a) => o(None, None, Some(&a.transfer.conn)),
        Command::Dump(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Restore(a) => o(None, None, Some(&a.conn)),
        Command::Verify(a) | Command::Diff(a) => o(None, None, Some(&a.conn)),
        Command::Check(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Stats(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Export(a) => o(Some(&a.store), Some(&a.dialect), Some(&a.conn)),
        Command::Edges(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Neighbors(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Path(a) => o(Some(&a.store), None, Some(&a.conn)),
        Command::Completions(_) | Command::GenerateDocs(_) => o(None, None, None),
    }
}

fn command_name(cmd: &Command) -> &'static str {
    match cmd {
        Command::Info(_) => "info",
        Command::Collections(_) => "collections",
        Command::Count(_) => "count",
        Command::Get(_) => "get",
        Command::Find(_) => "find",
        Command::Save(_) => "save",
        Command::Delete(_) => "delete",
        Command::Cleanup(_) => "cleanup",
        Command::Copy(_) => "copy",
        Command::Migrate(_) => "migrate",
        Command::Dump(_) => "dump",
        Command::Restore(_) => "restore",
        Command::Verify(_) => "verify",
        Command::Diff(_) => "diff",
        Command::Check(_) => "check",
        Command::Stats(_) => "stats",
        Command::Export(_) => "export",
        Command::Edges(_) => "edges",
        Command::Neighbors(_) => "neighbors",
        Command::Path(_) => "path",
        Command::Completions(_) => "completions",
        Command::GenerateDocs(_) => "generate-docs",
    }
}

/// One option from before the subcommand or from the subcommand itself: given in both places
/// is an error, and so is an option the subcommand does not take.
fn pick<T: Clone>(
    flag: &str,
    cmd: &str,
    top: Option<&T>,
    sub: Option<Option<&T>>,
    why: &str,
) -> Result<Option<T>, Error> {
    match (top, sub) {
        (Some(_), None) => Err(Error::invalid(format!(
            "{flag} does not apply to `jvdb {cmd}` ({why})"
        ))),
        (Some(_), Some(Some(_))) => Err(Error::invalid(format!(
            "{flag} given twice, before and after `{cmd}`; give it once"
        ))),
        (Some(t), Some(None)) => Ok(Some(t.clone())),
        (None, Some(s)) => Ok(s.cloned()),
        (None, None) => Ok(None),
    }
}

/// The options in effect: the subcommand's own, else those given before its name.
pub fn merge_options(top: &TopArgs, cmd: &Command) -> Result<GlobalArgs, Error> {
    let own = own(cmd);
    let name = command_name(cmd);
    let no_store = match cmd {
        Command::Copy(_) | Command::Migrate(_) => "it takes --from and --to",
        Command::Restore(_) => "it takes the archive and --to",
        Command::Verify(_) | Command::Diff(_) => "it takes the two store specs as arguments",
        _ => "it opens no store",
    };
    let db = pick(
        "--db",
        name,
        top.store.db.as_ref(),
        own.store.map(|s| s.db.as_ref()),
        no_store,
    )?;
    let dialect = pick(
        "--dialect",
        name,
        top.dialect.dialect.as_ref(),
        own.dialect.map(|d| d.dialect.as_ref()),
        "it takes no --query",
    )?;
    let mongo_db = pick(
        "--mongo-db",
        name,
        top.conn.mongo_db.as_ref(),
        own.conn.map(|c| c.mongo_db.as_ref()),
        "it opens no store",
    )?;
    let connect_timeout = pick(
        "--connect-timeout",
        name,
        top.conn.connect_timeout.as_ref(),
        own.conn.map(|c| c.connect_timeout.as_ref()),
        "it opens no store",
    )?;
    let retry_for = pick(
        "--retry-for",
        name,
        top.conn.retry_for.as_ref(),
        own.conn.map(|c| c.retry_for.as_ref()),
        "it opens no store",
    )?;
    let io_timeout = pick(
        "--io-timeout",
        name,
        top.conn.io_timeout.as_ref(),
        own.conn.map(|c| c.io_timeout.as_ref()),
        "it opens no store",
    )?;
    Ok(GlobalArgs {
        db,
        dialect: dialect.unwrap_or(DialectArg::Mongo),
        mongo_db,
        connect_timeout: connect_timeout.unwrap_or(CONNECT_TIMEOUT_DEFAULT),
        retry_for: retry_for.unwrap_or(jvdb::retry::DEFAULT_RETRY_FOR.as_secs_f64()),
        io_timeout: io_timeout.unwrap_or(jvdb::retry::DEFAULT_IO_TIMEOUT.as_secs_f64()),
        quiet: top.verbosity.quiet,
        verbose: top.verbosity.verbose,
    })
}

/// The one place where an error becomes an exit code.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if let Some(core) = e.downcast_ref::<Error>() {
        return core.exit_code();
    }
    if let Some(q) = e.downcast_ref::<jvdb::query::QueryError>() {
        return Error::from(q.clone()).exit_code();
    }
    if e.downcast_ref::<std::io::Error>().is_some() {
        return exit::UNAVAILABLE;
    }
    exit::USAGE
}

fn one_line(e: &anyhow::Error) -> String {
    let mut s = String::new();
    for (i, cause) in e.chain().enumerate() {
        if i > 0 {
            s.push_str(": ");
        }
        s.push_str(&cause.to_string());
    }
    // One line, and nothing a terminal would act on (an error may quote bytes of a damaged
    // file or a server's reply).
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => " ".to_string(),
            c if c.is_control() => c.escape_default().collect(),
            c => c.to_string(),
        })
        .collect()
}

/// What every command gets: the global options and helpers built on them.
pub struct Ctx {
    pub global: GlobalArgs,
    pub stderr_tty: bool,
    pub stdout_tty: bool,
    pub stdin_tty: bool,
}

impl Ctx {
    fn new(global: GlobalArgs) -> Ctx {
        Ctx {
            global,
            stderr_tty: std::io::stderr().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
            stdin_tty: std::io::stdin().is_terminal(),
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.global.dialect {
            DialectArg::Mongo => Dialect::Mongo,
            DialectArg::Jvspatial => Dialect::Jvspatial,
        }
    }

    /// The working store as resolved from --db and the environment.
    pub fn resolve(&self) -> Result<Resolved, Error> {
        store::resolve(self.global.db.as_deref(), &|k| std::env::var(k).ok())
    }

    /// Open the working store (`create`: make it when missing, for writing commands).
    pub async fn open(&self, create: bool) -> anyhow::Result<Arc<dyn Store>> {
        let r = self.resolve()?;
        if self.global.verbose {
            eprintln!("jvdb: store {} ({})", r.spec, r.reason);
        }
        Ok(r.spec.open(&self.open_options(create)).await?)
    }

    /// Open a store named by a spec string (--from/--to).
    pub async fn open_spec(&self, spec: &str, create: bool) -> anyhow::Result<Arc<dyn Store>> {
        let spec = StoreSpec::parse(spec)?;
        Ok(spec.open(&self.open_options(create)).await?)
    }

    pub fn open_options(&self, create: bool) -> OpenOptions {
        OpenOptions {
            create,
            missing_is_empty: false,
            settings: self
                .global
                .mongo_db
                .iter()
                .map(|d| ("mongodb.db".to_string(), d.clone()))
                .collect(),
            connect_timeout: Some(std::time::Duration::from_secs_f64(
                self.global.connect_timeout,
            )),
            sink: false,
            retry: Some(Arc::new(jvdb::retry::RetryPolicy {
                retry_for: std::time::Duration::from_secs_f64(self.global.retry_for),
                io_timeout: std::time::Duration::from_secs_f64(self.global.io_timeout),
                on_retry: self
                    .global
                    .verbose
                    .then(|| Arc::new(|line: &str| eprintln!("{line}")) as jvdb::retry::RetryLog),
            })),
        }
    }

    /// Print a note on stderr unless --quiet.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.global.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// Show progress bars? Only on a TTY and never with --quiet.
    pub fn progress_enabled(&self) -> bool {
        self.stderr_tty && !self.global.quiet
    }

    pub fn progress(&self, len: Option<u64>, what: &str) -> indicatif::ProgressBar {
        if !self.progress_enabled() {
            return indicatif::ProgressBar::hidden();
        }
        crate::output::new_bar(len, what)
    }

    /// Ask "question [y/N]" on a TTY. Returns true for yes. Callers never ask without a
    /// terminal: a bulk delete off a TTY without `--yes` is refused instead (exit 6).
    pub fn confirm(&self, question: &str) -> bool {
        use std::io::{BufRead, Write};
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            return false;
        }
        matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
    }
}

/// Check a collection name the way jvspatial's JsonDB does (exit 2 when it would be rejected).
pub fn check_collection(name: &str) -> Result<(), Error> {
    store::validate_component(name, "collection")
}

/// Parse a JSON argument (`--query`, `--data`) into a value; bad JSON is exit 2.
pub fn parse_json_arg(flag: &str, text: &str) -> Result<Value, Error> {
    jvdb::json::parse_str(text).map_err(|e| Error::invalid(format!("invalid {flag} JSON: {e}")))
}

/// The text of `--query`: as given, or read from a file (`@FILE`) or stdin (`@-`), as curl's
/// `-d @file`. A query never starts with `@` as JSON, so the two cannot be confused.
pub fn query_text(text: &str) -> Result<std::borrow::Cow<'_, str>, Error> {
    use std::io::Read;
    let Some(source) = text.strip_prefix('@') else {
        return Ok(std::borrow::Cow::Borrowed(text));
    };
    let (bytes, what) = if source == "-" {
        let mut b = Vec::new();
        std::io::stdin().lock().read_to_end(&mut b).map_err(|e| {
            Error::invalid(format!(
                "--query @-: cannot read stdin: {}",
                jvdb::error::io_reason(&e)
            ))
        })?;
        (b, "stdin".to_string())
    } else if source.is_empty() {
        return Err(Error::invalid(
            "--query @: name a file after '@' (or @- for stdin)",
        ));
    } else {
        let b = std::fs::read(source).map_err(|e| {
            Error::invalid(format!(
                "--query @{source}: cannot read the file: {}",
                jvdb::error::io_reason(&e)
            ))
        })?;
        (b, format!("file {source}"))
    };
    let s = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("--query from {what}: not UTF-8 text")))?;
    Ok(std::borrow::Cow::Owned(s))
}

/// Warn (stderr, unless `--quiet`) about each named collection that the store does not hold:
/// jvspatial treats a missing collection as empty, so a typo would otherwise pass in silence.
/// The store's collections are named, the nearest to the typo first.
pub async fn warn_missing_collections(ctx: &Ctx, store: &dyn Store, names: &[&str]) {
    if ctx.global.quiet || names.is_empty() {
        return;
    }
    let Ok(have) = store.collections().await else {
        return;
    };
    for name in names {
        // A name the store cannot hold gets its error from the command, not a warning first.
        if store.check_collection(name).is_err()
            || have.iter().any(|h| store.same_collection(name, h))
        {
            continue;
        }
        eprintln!(
            "jvdb: warning: {}",
            missing_collection_note(name, &have, &store.describe())
        );
    }
}

/// `collection "objcet" does not exist in S (read as empty); did you mean "object"? …`
pub fn missing_collection_note(name: &str, have: &[String], store: &str) -> String {
    let mut near: Vec<(usize, &String)> = have
        .iter()
        .map(|h| (strsim::damerau_levenshtein(name, h), h))
        .collect();
    near.sort();
    let mut msg = format!("collection {name:?} does not exist in {store} (read as empty)");
    match near.first() {
        None => msg.push_str("; the store has no collections"),
        Some((d, best)) => {
            let list: Vec<&str> = near.iter().map(|(_, h)| h.as_str()).collect();
            let list = list.join(", ");
            if *d <= (name.chars().count() / 3).max(2) {
                msg.push_str(&format!("; did you mean {best:?}? (the store has: {list})"));
            } else {
                msg.push_str(&format!("; the store has: {list}"));
            }
        }
    }
    msg
}

/// Compile `--query` (and `--entity`) into a filter.
pub fn build_filter(ctx: &Ctx, query: Option<&str>, entity: Option<&str>) -> Result<Filter, Error> {
    let q = match query {
        Some(text) => parse_json_arg("--query", &query_text(text)?)?,
        None => Value::Object(Default::default()),
    };
    if q.as_object().is_none() {
        return Err(Error::invalid(format!(
            "invalid --query: a query must be a JSON object, got {}",
            q.type_name()
        )));
    }
    let q = match entity {
        None => q,
        Some(name) => {
            let mut ent = jvdb::Map::new();
            ent.insert("entity".into(), Value::Str(name.to_string()));
            if q.as_object().is_some_and(|m| m.is_empty()) {
                Value::Object(ent)
            } else {
                let mut and = jvdb::Map::new();
                and.insert("$and".into(), Value::Array(vec![Value::Object(ent), q]));
                Value::Object(and)
            }
        }
    };
    Ok(Filter::compile(&q, ctx.dialect())?)
}
