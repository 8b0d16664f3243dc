//! The clap definitions: every subcommand, option and help text. `completions/` and `man/`
//! are generated from these (`jvdb generate-docs`), and a test keeps them fresh.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Store specs: ./dir or json:DIR (jvspatial JsonDB layout), mongodb://host/db, memory: (in-process).
The working store comes from --db, else JVSPATIAL_DB, else jvspatial's own variables
(JVSPATIAL_DB_TYPE with JVSPATIAL_DB_PATH, or the seed-era JVSPATIAL_JSONDB_PATH), else ./jvdb.

Exit codes: 0 ok, 1 partial failure, 2 invalid input, 3 not found, 4 store unavailable,
5 conflict, 6 refused by a safety check, 130 interrupted.";

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
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Store to work on (a spec: DIR, json:DIR, mongodb://host/db, memory:) [default: see below]
    #[arg(long, global = true, value_name = "SPEC")]
    pub db: Option<String>,

    /// Query dialect: MongoDB semantics, or jvspatial's QueryEngine exactly
    #[arg(long, global = true, value_enum, default_value_t = DialectArg::Mongo)]
    pub dialect: DialectArg,

    /// MongoDB database name when the URI has none (else JVSPATIAL_MONGODB_DB_NAME, else jvdb)
    #[arg(long, global = true, value_name = "NAME")]
    pub mongo_db: Option<String>,

    /// Seconds to wait for a database server before giving up (exit 4)
    #[arg(long, global = true, default_value_t = 5.0, value_name = "SECS", value_parser = parse_timeout)]
    pub connect_timeout: f64,

    /// No progress bars and no summaries on stderr (errors still print)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Say which store was chosen and why, and more detail on what happens
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialectArg {
    Mongo,
    Jvspatial,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// A pretty JSON array (get: pretty records)
    Json,
    /// One compact JSON record per line
    Jsonl,
    /// A table for people (comfy-table)
    Table,
    /// CSV with a header row; nested values as JSON
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
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show which store is used and why
    Info,
    /// List the collections of the store
    Collections(CollectionsArgs),
    /// Count the records of a collection
    Count(CountArgs),
    /// Print records by id
    Get(GetArgs),
    /// Find records with a query; streams results
    Find(FindArgs),
    /// Write records from --data, a file or stdin (object, array or JSONL)
    Save(SaveArgs),
    /// Delete records by id or by query
    Delete(DeleteArgs),
    /// Remove dangling edges (jvspatial validate_graph's rule) and other damage
    Cleanup(CleanupArgs),
    /// Copy records of chosen collections from one store to another
    Copy(CopyArgs),
    /// Move a whole store to another store, verified
    Migrate(MigrateArgs),
    /// Compare two stores collection by collection (counts and content hash)
    Verify(VerifyArgs),
    /// Name every id that differs between two stores (the same as `verify --list`)
    Diff(VerifyArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Write completions/ and man/ (used to keep the checked-in copies fresh)
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// Filter as a JSON query document (MongoDB syntax), e.g. '{"context.pop":{"$gt":1e6}}'
    #[arg(
        short = 'f',
        long = "query",
        visible_alias = "filter",
        value_name = "JSON"
    )]
    pub query: Option<String>,
}

#[derive(Args, Debug)]
pub struct CollectionsArgs {
    /// Output format [default: table on a TTY, else one name per line]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct CountArgs {
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
    /// Collection name
    pub collection: String,
    /// Record ids
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Output format [default: json]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Args, Debug)]
pub struct FindArgs {
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
    /// Collection name
    pub collection: String,
    /// Record ids to delete
    pub ids: Vec<String>,
    #[command(flatten)]
    pub query: QueryArgs,
    /// Show what would be deleted; delete nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub yes: bool,
    /// Refuse (exit 6) when more than N records would be deleted
    #[arg(long, value_name = "N")]
    pub max_delete: Option<u64>,
    /// Also delete the edges of deleted nodes
    #[arg(long)]
    pub cascade: bool,
}

#[derive(Args, Debug)]
pub struct CleanupArgs {
    /// Report what would be removed; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation
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
}

#[derive(Args, Debug)]
pub struct TransferArgs {
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
}

#[derive(Args, Debug)]
pub struct CopyArgs {
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
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
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

fn parse_timeout(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 3600.0) {
        return Err(format!("'{s}' must be between 0 and 3600 seconds"));
    }
    Ok(v)
}
