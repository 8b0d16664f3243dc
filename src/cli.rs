//! The clap definitions: every subcommand, option and help text. `completions/` and `man/`
//! are generated from these (`jvdb generate-docs`), and a test keeps them fresh.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Store specs: ./dir or json:DIR (jvspatial JsonDB layout), mongodb://host/db, sqlite:FILE,
postgresql://user@host/db, archive:FILE.tar.zst (a one-file backup), memory: (in-process).
The working store comes from --db, else JVSPATIAL_DB, else jvspatial's own variables
(JVSPATIAL_DB_TYPE with JVSPATIAL_DB_PATH, or the seed-era JVSPATIAL_JSONDB_PATH), else ./jvdb.

Exit codes: 0 ok, 1 partial failure, 2 invalid input, 3 not found, 4 store unavailable,
5 conflict, 6 refused by a safety check, 7 check found problems, 130 interrupted.";

#[derive(Parser, Debug)]
#[command(
    name = "jvdb",
    version,
    about = "Look into, fix and move jvspatial data stores",
    long_about = "jvdb reads, changes, checks and moves the data stores of jvspatial \
(JSON directory stores and MongoDB). stdout carries data only; messages go to stderr.",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub top: TopArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options given before the subcommand (`jvdb --db S find …`). The store options here are the
/// same as the subcommand's own (`jvdb find … --db S`); a command they mean nothing for rejects
/// them (see `commands::merge_options`).
#[derive(Args, Debug, Clone, Default)]
pub struct TopArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub dialect: DialectOpt,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// `-q` and `-v`: every command takes them, before or after its name.
#[derive(Args, Debug, Clone, Default)]
pub struct Verbosity {
    /// No progress bars, summaries or warnings on stderr (errors still print)
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,

    /// Say which store was chosen and why, and more detail on what happens
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub verbose: bool,
}

/// The working store, for commands that work on one store.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreArg {
    /// Store to work on: DIR, json:DIR, sqlite:FILE, postgresql://user@host/db?schema=S,
    /// mongodb://host/db, archive:FILE (read-only), memory: [default: JVSPATIAL_DB, else JVSPATIAL_DB_TYPE with its
    /// variables, else ./jvdb; `jvdb info` shows the choice]
    #[arg(long, value_name = "SPEC", help_heading = "Store options")]
    pub db: Option<String>,
}

/// The query dialect, for commands that take `--query`.
#[derive(Args, Debug, Clone, Default)]
pub struct DialectOpt {
    /// Query dialect: MongoDB semantics, or jvspatial's QueryEngine exactly [default: mongo]
    #[arg(
        long,
        value_enum,
        value_name = "DIALECT",
        help_heading = "Store options"
    )]
    pub dialect: Option<DialectArg>,
}

/// How database servers are reached, for every command that opens a store.
#[derive(Args, Debug, Clone, Default)]
pub struct ConnArgs {
    /// MongoDB database name when the URI has none [default: JVSPATIAL_MONGODB_DB_NAME, else jvdb]
    #[arg(long, value_name = "NAME", help_heading = "Store options")]
    pub mongo_db: Option<String>,

    /// Seconds to wait for a database server before giving up (exit 4) [default: 5]
    #[arg(long, value_name = "SECS", value_parser = parse_timeout, help_heading = "Store options")]
    pub connect_timeout: Option<f64>,

    /// Seconds to keep retrying a database server operation that fails for a dropped
    /// connection, a restart or a time-out (backoff 0.1 s doubling to 5 s), before giving up
    /// with exit 4; 0 = no retries [default: 60]
    #[arg(long, value_name = "SECS", value_parser = parse_retry_for, help_heading = "Store options")]
    pub retry_for: Option<f64>,

    /// Seconds one database server operation, or a wait for the next records of a read, may
    /// take before it is abandoned as failed (and retried) [default: 30]
    #[arg(long, value_name = "SECS", value_parser = parse_timeout, help_heading = "Store options")]
    pub io_timeout: Option<f64>,
}

/// The options in effect for one run: the subcommand's own, else those given before it, else
/// the defaults.
#[derive(Debug, Clone)]
pub struct GlobalArgs {
    pub db: Option<String>,
    pub dialect: DialectArg,
    pub mongo_db: Option<String>,
    pub connect_timeout: f64,
    pub retry_for: f64,
    pub io_timeout: f64,
    pub quiet: bool,
    pub verbose: bool,
}

/// Every environment variable jvdb reads, with what it means (man pages' ENVIRONMENT; the
/// README table says the same, and a test keeps the two in step).
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("JVSPATIAL_DB", "The store spec, when --db is not given."),
    (
        "JVSPATIAL_DB_TYPE",
        "json (default), mongodb, sqlite, postgres or postgresql, read the same way jvspatial reads it.",
    ),
    (
        "JVSPATIAL_DB_PATH",
        "The JSON store directory (default ./jvdb), or with JVSPATIAL_DB_TYPE=sqlite the SQLite file (default jvdb/sqlite/jvspatial.db), as jvspatial reads it.",
    ),
    (
        "JVSPATIAL_JSONDB_PATH",
        "The seed-era name for the JSON store directory, used only when JVSPATIAL_DB_PATH is unset (jvspatial 0.2.2 ignores it).",
    ),
    (
        "JVSPATIAL_MONGODB_URI",
        "The MongoDB server with JVSPATIAL_DB_TYPE=mongodb (default mongodb://localhost:27017).",
    ),
    (
        "JVSPATIAL_MONGODB_DB_NAME",
        "The MongoDB database when the URI names none (default jvdb).",
    ),
    (
        "JVSPATIAL_MONGODB_MAX_POOL_SIZE",
        "MongoDB connection pool size, upper bound.",
    ),
    (
        "JVSPATIAL_MONGODB_MIN_POOL_SIZE",
        "MongoDB connection pool size, lower bound.",
    ),
    (
        "JVSPATIAL_POSTGRES_DSN",
        "The PostgreSQL server with JVSPATIAL_DB_TYPE=postgres (default postgresql://postgres:postgres@localhost:5432/jvdb).",
    ),
    (
        "JVSPATIAL_POSTGRES_MIN_POOL_SIZE",
        "PostgreSQL connection pool size, lower bound (default 2).",
    ),
    (
        "JVSPATIAL_POSTGRES_MAX_POOL_SIZE",
        "PostgreSQL connection pool size, upper bound (default 10).",
    ),
    (
        "JVSPATIAL_POSTGRES_COMMAND_TIMEOUT",
        "Seconds a PostgreSQL statement may run (default 60).",
    ),
    (
        "JVSPATIAL_PG_GIN_INDEX",
        "full (default) or off: whether tables jvdb creates get jvspatial's GIN index on data.",
    ),
    (
        "COLUMNS",
        "Terminal width for tables when it cannot be read from the terminal.",
    ),
    (
        "JVDB_TEST_MONGODB_URI",
        "Tests only: run the MongoDB suites against this real server instead of the test server.",
    ),
    (
        "JVDB_TEST_POSTGRES_DSN",
        "Tests only: run the PostgreSQL suites against this server instead of a private cluster that the tests start.",
    ),
    (
        "JVDB_TEST_PYTHON",
        "Tests only: the Python interpreter that has the reference packages (tests/run.sh sets it).",
    ),
];

/// Default for `--connect-timeout`.
pub const CONNECT_TIMEOUT_DEFAULT: f64 = 5.0;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialectArg {
    Mongo,
    Jvspatial,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// A pretty JSON array (get with one id: the record itself)
    Json,
    /// One compact JSON record per line
    Jsonl,
    /// A table for people, fitted to the terminal width ($COLUMNS, else detected, else 100)
    Table,
    /// CSV whose header names every field as a dot path (or the --fields); arrays as JSON
    Csv,
    /// Only the record ids, one per line
    Ids,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeArg {
    /// Replace the whole record (jvspatial's save)
    Replace,
    /// Fail for ids that already exist (exit 5)
    Insert,
    /// Deep-merge into the stored record (objects merge, other values replace)
    Merge,
    /// Leave records that already exist untouched
    SkipExisting,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompressArg {
    /// Zstandard (.tar.zst), with a frame checksum
    Zstd,
    /// gzip (.tar.gz)
    Gzip,
    /// No compression (.tar)
    None,
}

/// How an archive that a command writes is compressed (`archive:FILE` targets, `dump`,
/// `--backup`).
#[derive(Args, Debug, Clone, Default)]
pub struct ArchiveOpts {
    /// Compression of an archive written: zstd, gzip or none [default: from the file name
    /// (.tar.zst, .tar.gz, .tar), else zstd]
    #[arg(
        long,
        value_enum,
        value_name = "ALGO",
        help_heading = "Archive options"
    )]
    pub compress: Option<CompressArg>,

    /// Compression level of an archive written: zstd 1-22 [default: 3], gzip 0-9 [default: 6]
    #[arg(long, value_name = "N", help_heading = "Archive options")]
    pub level: Option<i32>,
}

impl ArchiveOpts {
    /// As backend settings (`archive.compress`, `archive.level`).
    pub fn settings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(c) = self.compress {
            let name = match c {
                CompressArg::Zstd => "zstd",
                CompressArg::Gzip => "gzip",
                CompressArg::None => "none",
            };
            out.push(("archive.compress".to_string(), name.to_string()));
        }
        if let Some(l) = self.level {
            out.push(("archive.level".to_string(), l.to_string()));
        }
        out
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show which store is used and why, and whether it can be read (exit 4 when not)
    Info(InfoArgs),
    /// List the collections of the store
    Collections(CollectionsArgs),
    /// Count the records of a collection
    ///
    /// With no --query or --entity (or the empty query {}), this is jvspatial's own count: the
    /// number of *.json entries in the collection directory, counted without parsing them, so
    /// a record file that cannot be read still counts. With a query, and in `find --count`,
    /// every record is read: each unreadable one is named on stderr and the exit code is 1.
    /// On MongoDB the server counts the documents.
    Count(CountArgs),
    /// Print records by id
    ///
    /// JSON (the default) is one document: the record for one id, an array of the records
    /// found (in the order asked) for several ids. A missing id is named on stderr (exit 3).
    Get(GetArgs),
    /// Find records with a query; streams results
    Find(FindArgs),
    /// Write records from --data, a file or stdin (object, array or JSONL)
    Save(SaveArgs),
    /// Delete records by id or by query
    #[command(
        long_about = "Delete records by id or by query.\n\nOne id named on the command line is deleted without a prompt. A bulk delete (by --query, even when it matches one record; several ids; or more than one record with --cascade) asks for confirmation on a terminal; with no terminal to ask (stdin not a TTY: cron, scripts, pipes) it is refused (exit 6) unless --yes is given. Use --dry-run to see what would be deleted. Deleting nodes without --cascade reports how many edges were left dangling (remove them with jvdb cleanup)."
    )]
    Delete(DeleteArgs),
    /// Remove dangling edges (jvspatial validate_graph's rule) and other damage
    Cleanup(CleanupArgs),
    /// Copy records of chosen collections from one store to another
    Copy(CopyArgs),
    /// Move a whole store to another store, verified
    Migrate(MigrateArgs),
    /// Write a store to one archive file (or stdout), verified
    #[command(
        long_about = "Write a store to one archive file (or stdout), verified.\n\nThe archive is a tar of the store as jvspatial's JsonDB lays it out (<collection>/<id>.json with JsonDB's exact bytes), compressed with zstd (default), gzip or not at all, with a manifest (jvdb-manifest.json) written last: `tar --zstd -xf FILE -C DIR` gives a directory that jvspatial opens as its JsonDB. A file is written as a temp file next to it and renamed into place only once it is complete and read back equal to the store; an existing file is refused unless --force. With -o - (the default) the archive goes to stdout, which must not be a terminal."
    )]
    Dump(DumpArgs),
    /// Put an archive's records into a store, verified against its manifest
    #[command(
        long_about = "Put an archive's records into a store, verified against its manifest.\n\nThe whole archive is read and checked first (tar and zstd/gzip framing, every entry, every collection's count and hash against the manifest): a truncated, damaged or altered archive is refused (exit 6) and nothing is written. A target that already holds records is refused unless --mode says what to do with ids it holds. FILE - reads stdin (copied to a temp file first, so it can be checked before anything is written)."
    )]
    Restore(RestoreArgs),
    /// Compare two stores collection by collection (counts and content hash)
    Verify(VerifyArgs),
    /// Name every id that differs between two stores (the same as `verify --list`)
    Diff(VerifyArgs),
    /// Report what is wrong with a store, read-only (exit 7 when anything is found)
    Check(CheckArgs),
    /// Counts, sizes and degree statistics of a store's graph
    Stats(StatsArgs),
    /// Write the graph, or a part of it, as dot, mermaid, graphml, gexf or jsonl
    Export(ExportArgs),
    /// The edges of a node
    Edges(EdgesArgs),
    /// The nodes around a node, breadth-first, each once with its depth
    Neighbors(NeighborsArgs),
    /// A shortest path between two nodes (exit 3 when there is none)
    Path(PathArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Write completions/ and man/ (used to keep the checked-in copies fresh)
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// Filter as a JSON query document (MongoDB syntax), e.g. '{"context.pop":{"$gt":1e6}}';
    /// @FILE reads it from a file, @- from stdin
    #[arg(
        short = 'f',
        long = "query",
        visible_alias = "filter",
        value_name = "JSON"
    )]
    pub query: Option<String>,
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Report format: text, or a JSON object (store, backend, why, state, collections with
    /// counts) for health checks
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Args, Debug)]
pub struct CollectionsArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Output format [default: table on a TTY, else one name per line]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct CountArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub dialect: DialectOpt,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Collection name (node, edge, object, w, …)
    pub collection: String,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Only records of this entity (class) name
    #[arg(long, value_name = "NAME")]
    pub entity: Option<String>,
}

#[derive(Args, Debug)]
pub struct GetArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Collection name
    pub collection: String,
    /// Record ids
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Output format [default: json: one id gives the object, several an array]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct FindArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub dialect: DialectOpt,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Collection name
    pub collection: String,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Sort keys: field:1 (ascending) or field:-1 (descending), comma separated
    #[arg(long, value_name = "FIELD:DIR,…")]
    pub sort: Option<String>,
    /// Skip this many matching records
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub skip: u64,
    /// Return at most this many records
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only these fields (dot paths, comma separated); id is always kept
    #[arg(long, value_name = "A,B.C")]
    pub fields: Option<String>,
    /// Only records of this entity (class) name
    #[arg(long, value_name = "NAME")]
    pub entity: Option<String>,
    /// Print only the number of matching records
    #[arg(long)]
    pub count: bool,
    /// Output format [default: table on a TTY, jsonl otherwise]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Collection name
    pub collection: String,
    /// Input file, or - for stdin (one object, a JSON array, or JSONL)
    #[arg(value_name = "FILE|-")]
    pub input: Option<PathBuf>,
    /// The records as a JSON string instead of a file
    #[arg(long, value_name = "JSON", conflicts_with = "input")]
    pub data: Option<String>,
    /// What to do when an id already exists
    #[arg(long, value_enum, default_value_t = ModeArg::Replace)]
    pub mode: ModeArg,
    /// Mint jvspatial ids (n.City.<24 hex>) for records without an id
    #[arg(long)]
    pub generate_id: bool,
    /// Write the records that failed to FILE (JSONL), to fix and feed back
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
    /// Records per write batch
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch_size: u64,
    /// Check the input and report what would be saved; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub dialect: DialectOpt,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Collection name
    pub collection: String,
    /// Record ids to delete
    pub ids: Vec<String>,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Show what would be deleted; delete nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Delete without asking. Needed for a bulk delete (--query, several ids) when stdin is not
    /// a terminal, else it is refused (exit 6); one id named on the command line needs no --yes
    #[arg(short, long)]
    pub yes: bool,
    /// Refuse (exit 6) when more than N records would be deleted
    #[arg(long, value_name = "N")]
    pub max_delete: Option<u64>,
    /// Also delete the edges of deleted nodes
    #[arg(long)]
    pub cascade: bool,
    /// First write every record to be deleted to this archive (written and fsynced before
    /// anything is deleted; refused when it exists); `jvdb restore FILE --to SPEC --mode
    /// replace` puts them back
    #[arg(long, value_name = "FILE")]
    pub backup: Option<String>,
    #[command(flatten)]
    pub archive: ArchiveOpts,
}

#[derive(Args, Debug)]
pub struct CleanupArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Report what would be removed; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Delete without asking. Needed when stdin is not a terminal (cron, scripts): without it
    /// cleanup that would delete edges is refused (exit 6)
    #[arg(short, long)]
    pub yes: bool,
    /// Refuse (exit 6) when more than N edges would be deleted
    #[arg(long, value_name = "N")]
    pub max_delete: Option<u64>,
    /// Run even when the node collection is empty or missing (every edge is then dangling)
    #[arg(long)]
    pub force: bool,
    /// Also remove legacy `edges` arrays from node records (jvspatial 0.0.x)
    #[arg(long)]
    pub strip_node_edges: bool,
    /// Also remove stale *.jvtmp files of processes that are not running (JSON stores)
    #[arg(long)]
    pub tmp_files: bool,
    /// Node collection name
    #[arg(long, default_value = "node", value_name = "NAME")]
    pub node_collection: String,
    /// Edge collection name
    #[arg(long, default_value = "edge", value_name = "NAME")]
    pub edge_collection: String,
    /// Report format: text (dangling edge ids on stdout) or a JSON report for cron
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// First write every record to be deleted or changed (dangling edges, nodes whose legacy
    /// edges arrays are stripped) to this archive, written and fsynced before anything
    /// changes (refused when it exists); `jvdb restore FILE --to SPEC --mode replace` puts
    /// them back
    #[arg(long, value_name = "FILE")]
    pub backup: Option<String>,
    #[command(flatten)]
    pub archive: ArchiveOpts,
}

#[derive(Args, Debug)]
pub struct TransferArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Source store spec
    #[arg(long, value_name = "SPEC")]
    pub from: String,
    /// Target store spec
    #[arg(long, value_name = "SPEC")]
    pub to: String,
    /// Records per write batch
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch_size: u64,
    /// Read and check everything, report what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not create jvspatial's indexes in the target (MongoDB)
    #[arg(long)]
    pub no_indexes: bool,
    /// Batches written in parallel
    #[arg(short = 'j', long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: u64,
    /// Move only the records whose id hashes to partition K of N (1-based, like `split -n
    /// K/N`): N processes, one per partition, move one store in parallel, each verifying its
    /// own share (the hash: md5 of the id; PostgreSQL and SQLite compute it server-side)
    #[arg(long, value_name = "K/N", value_parser = parse_partition, allow_hyphen_values = true)]
    pub partition: Option<jvdb::partition::Partition>,
    #[command(flatten)]
    pub archive: ArchiveOpts,
    /// An archive target may replace an existing file (`dump --force`).
    #[arg(skip)]
    pub overwrite: bool,
}

#[derive(Args, Debug)]
pub struct CopyArgs {
    #[command(flatten)]
    pub dialect: DialectOpt,
    #[command(flatten)]
    pub transfer: TransferArgs,
    /// Collections to copy (repeat or comma separate) [default: all]
    #[arg(
        long = "collection",
        short = 'c',
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub collections: Vec<String>,
    #[command(flatten)]
    pub query: QueryArgs,
    /// What to do when an id already exists in the target
    #[arg(long, value_enum, default_value_t = ModeArg::Replace)]
    pub mode: ModeArg,
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub transfer: TransferArgs,
    /// Drop legacy node `edges` arrays (jvspatial 0.0.x) on the way
    #[arg(long)]
    pub upgrade: bool,
    /// Skip the verification pass (counts and content hash)
    #[arg(long)]
    pub no_verify: bool,
    /// With --upgrade: first write the node records it changes, as they are in the source, to
    /// this archive (written and fsynced before anything is migrated); `jvdb restore FILE --to
    /// SPEC --mode replace` puts them back
    #[arg(long, value_name = "FILE", requires = "upgrade")]
    pub backup: Option<String>,
}

#[derive(Args, Debug)]
pub struct DumpArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// The archive to write, or - for stdout
    #[arg(short, long, value_name = "FILE|-", default_value = "-")]
    pub output: String,
    #[command(flatten)]
    pub archive: ArchiveOpts,
    /// Replace FILE when it exists (only once the new archive is complete and verified)
    #[arg(long)]
    pub force: bool,
    /// Collections to dump (repeat or comma separate) [default: all]
    #[arg(
        long = "collection",
        short = 'c',
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub collections: Vec<String>,
    /// Records per write batch
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch_size: u64,
    /// Read and check everything, report what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Skip reading the archive back to compare it with the store (its own manifest is still
    /// checked)
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// The archive to restore, or - for stdin
    #[arg(value_name = "FILE|-")]
    pub file: String,
    /// The store to restore into
    #[arg(long, value_name = "SPEC")]
    pub to: String,
    /// What to do with ids the target already holds [required when the target holds any
    /// record; an empty target needs none]
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Collections to restore (repeat or comma separate) [default: all in the archive]
    #[arg(
        long = "collection",
        short = 'c',
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub collections: Vec<String>,
    /// Records per write batch
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub batch_size: u64,
    /// Check the archive and report what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not create jvspatial's indexes in the target (MongoDB)
    #[arg(long)]
    pub no_indexes: bool,
    /// Batches written in parallel
    #[arg(short = 'j', long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: u64,
    /// Skip the verification pass of the target (the archive is still checked against its
    /// manifest before anything is written)
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub conn: ConnArgs,
    /// First store spec
    pub a: String,
    /// Second store spec
    pub b: String,
    /// Only these collections [default: all of both stores]
    #[arg(
        long = "collection",
        short = 'c',
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub collections: Vec<String>,
    /// Name every id that differs: `- ID` only in A, `+ ID` only in B, `* ID` different,
    /// `! ID` unreadable (prefixed by its collection)
    #[arg(long)]
    pub list: bool,
    /// Report format (jsonl: one line per collection, or per difference with --list)
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
    /// Compare only the records whose id hashes to partition K of N in both stores (the
    /// partitions of `migrate --partition`)
    #[arg(long, value_name = "K/N", value_parser = parse_partition, allow_hyphen_values = true)]
    pub partition: Option<jvdb::partition::Partition>,
}

/// Output format of `verify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
    Jsonl,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// Shell to generate completions for
    #[arg(value_enum)]
    pub shell: ShellArg,
}

#[derive(Args, Debug)]
pub struct GenerateDocsArgs {
    /// Directory that receives completions/ and man/
    pub out_dir: PathBuf,
}

fn parse_retry_for(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(0.0..=86400.0).contains(&v) {
        return Err(format!("'{s}' must be between 0 and 86400 seconds"));
    }
    Ok(v)
}

fn parse_partition(s: &str) -> Result<jvdb::partition::Partition, String> {
    jvdb::partition::Partition::parse(s).map_err(|e| e.message)
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 3600.0) {
        return Err(format!(
            "'{s}' must be more than 0 and at most 3600 seconds"
        ));
    }
    Ok(v)
}

/// Which collections hold the graph (the commands that read it as one).
#[derive(Args, Debug, Clone)]
pub struct GraphColls {
    /// Node collection name
    #[arg(long, default_value = "node", value_name = "NAME")]
    pub node_collection: String,
    /// Edge collection name
    #[arg(long, default_value = "edge", value_name = "NAME")]
    pub edge_collection: String,
}

/// A backend that `check --for` checks a store against.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForBackend {
    Mongodb,
    Sqlite,
    #[value(alias = "postgresql")]
    Postgres,
}

/// Output format of `check`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Jsonl,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub colls: GraphColls,
    /// Also report what would fail on the way into this backend (repeatable)
    #[arg(
        long = "for",
        value_enum,
        value_name = "BACKEND",
        value_delimiter = ','
    )]
    pub for_backends: Vec<ForBackend>,
    /// Report format [default: text]
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// Output format of `stats`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub colls: GraphColls,
    /// How many of the highest-degree nodes to list
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Report format [default: table]
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
}

/// Output format of `export`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Dot,
    Mermaid,
    Graphml,
    Gexf,
    Jsonl,
}

/// What `export --render` makes with Graphviz.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderFormat {
    Svg,
    Png,
}

/// Which edges a walk follows from a node.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DirectionArg {
    /// Edges that point to the node
    In,
    /// Edges that leave the node
    Out,
    /// Both
    #[default]
    Both,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub dialect: DialectOpt,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub colls: GraphColls,
    /// Output format: dot (Graphviz), mermaid, graphml, gexf, or jsonl (the node records, then
    /// the edge records, one per line) [default: dot]
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Only nodes of this entity (class) name (repeat or comma separate); edges are those
    /// between exported nodes
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub entity: Vec<String>,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Only the neighbourhood of this node (with --depth)
    #[arg(long = "from", value_name = "ID")]
    pub from: Option<String>,
    /// How many steps from --from [default: 1]
    #[arg(long, value_name = "N", requires = "from")]
    pub depth: Option<u32>,
    /// Which edges the --from walk follows
    #[arg(long, value_enum, default_value_t = DirectionArg::Both, requires = "from")]
    pub direction: DirectionArg,
    /// At most N nodes (a note on stderr says when it cut)
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Node label field, a dot path [default: context.name, else the id]
    #[arg(long, value_name = "FIELD", default_value = "context.name")]
    pub label: String,
    /// Run Graphviz's `dot` on the dot export to make a picture in FILE (needs -o; Debian's
    /// package graphviz)
    #[arg(long, value_enum, value_name = "FORMAT", requires = "output")]
    pub render: Option<RenderFormat>,
    /// Write to FILE instead of stdout (atomically: a temp file renamed into place)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EdgesArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub colls: GraphColls,
    /// Node id
    pub id: String,
    /// Which edges
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    pub direction: DirectionArg,
    /// Only edges of this entity (class) name (repeat or comma separate)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub entity: Vec<String>,
    /// Output format [default: table on a TTY, jsonl otherwise]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct NeighborsArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub colls: GraphColls,
    /// Node id to start from
    pub id: String,
    /// How many steps
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub depth: u32,
    /// Which edges to follow
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    pub direction: DirectionArg,
    /// Only follow edges of this entity (class) name (repeat or comma separate)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub entity: Vec<String>,
    /// Output format [default: table on a TTY, jsonl otherwise]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct PathArgs {
    #[command(flatten)]
    pub store: StoreArg,
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub colls: GraphColls,
    /// Node id to start from
    pub from: String,
    /// Node id to reach
    pub to: String,
    /// Give up beyond this many steps (exit 3)
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_depth: u32,
    /// Which edges to follow
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    pub direction: DirectionArg,
    /// Only follow edges of this entity (class) name (repeat or comma separate)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub entity: Vec<String>,
    /// Output format [default: table on a TTY, jsonl otherwise]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}
