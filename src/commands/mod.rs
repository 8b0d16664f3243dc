//! One module per subcommand. Each parses its arguments, calls the core, renders output, and
//! returns the exit code; errors travel as `anyhow::Error` and are mapped to exit codes here,
//! in one place.

mod cleanup;
mod collections;
mod count;
mod delete;
mod docs;
mod find;
mod get;
mod info;
mod save;
mod transfer;
mod verify;

use crate::cli::{Cli, Command, DialectArg, GlobalArgs};
use crate::output::is_broken_pipe;
use jvdb::error::{Error, exit};
use jvdb::query::{Dialect, Filter};
use jvdb::store::{self, OpenOptions, Resolved, Store, StoreSpec, redact};
use jvdb::value::Value;
use std::io::IsTerminal;
use std::sync::Arc;

/// Run one command and return the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let ctx = Ctx::new(cli.global);
    let result = match cli.command {
        Command::Info => info::run(&ctx).await,
        Command::Collections(a) => collections::run(&ctx, a).await,
        Command::Count(a) => count::run(&ctx, a).await,
        Command::Get(a) => get::run(&ctx, a).await,
        Command::Find(a) => find::run(&ctx, a).await,
        Command::Save(a) => save::run(&ctx, a).await,
        Command::Delete(a) => delete::run(&ctx, a).await,
        Command::Cleanup(a) => cleanup::run(&ctx, a).await,
        Command::Copy(a) => transfer::run_copy(&ctx, a).await,
        Command::Migrate(a) => transfer::run_migrate(&ctx, a).await,
        Command::Verify(a) => verify::run(&ctx, a).await,
        Command::Diff(mut a) => {
            a.list = true;
            verify::run(&ctx, a).await
        }
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
            eprintln!("jvdb: {}", redact(&one_line(&e)));
            code
        }
    }
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
    s.replace('\n', " ")
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
            mongo_db: self.global.mongo_db.clone(),
            connect_timeout: Some(std::time::Duration::from_secs_f64(
                self.global.connect_timeout,
            )),
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

    /// Ask "question [y/N]" on a TTY. Returns true for yes.
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

/// Compile `--query` (and `--entity`) into a filter.
pub fn build_filter(ctx: &Ctx, query: Option<&str>, entity: Option<&str>) -> Result<Filter, Error> {
    let q = match query {
        Some(text) => parse_json_arg("--query", text)?,
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
