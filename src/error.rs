//! The core error type and the one place where errors map to exit codes.

use std::fmt;

/// Exit codes (README "Exit codes"; DESIGN §5). Defined here and nowhere else.
pub mod exit {
    pub const OK: i32 = 0;
    /// Some records failed; the report says which.
    pub const PARTIAL: i32 = 1;
    /// Usage or invalid input: bad JSON, query, spec, argument.
    pub const USAGE: i32 = 2;
    /// A requested record or collection does not exist.
    pub const NOT_FOUND: i32 = 3;
    /// The store cannot be reached or used: connection, permission, I/O.
    pub const UNAVAILABLE: i32 = 4;
    /// Insert of an existing id.
    pub const CONFLICT: i32 = 5;
    /// Refused by a safety check (`--max-delete`, empty node collection, verification mismatch,
    /// a bulk delete without `--yes` and no terminal to ask).
    pub const REFUSED: i32 = 6;
    /// `check` found problems (the report lists them).
    pub const FINDINGS: i32 = 7;
    /// Interrupted by Ctrl-C.
    pub const INTERRUPTED: i32 = 130;

    /// Every code with what it means (help, man pages' EXIT STATUS; the README table says the
    /// same).
    pub const MEANINGS: &[(i32, &str)] = &[
        (OK, "ok"),
        (
            PARTIAL,
            "partial failure: some records failed or could not be read; stderr names each one",
        ),
        (
            USAGE,
            "usage or invalid input: bad argument, JSON, query, sort, or store spec (an unknown scheme); --from and --to that are the same store or overlapping JSON directories",
        ),
        (NOT_FOUND, "not found: a requested id does not exist"),
        (
            UNAVAILABLE,
            "store unavailable: I/O, permission, or connection failure; a JSON store that does not exist (also jvdb info); export --render without Graphviz's dot installed",
        ),
        (CONFLICT, "conflict: an insert met an existing id"),
        (
            REFUSED,
            "refused by a safety check: --max-delete, an empty node collection, a verification mismatch, a declined confirmation, or a bulk delete/cleanup without --yes when there is no terminal to ask",
        ),
        (
            FINDINGS,
            "check found problems: the report lists each one (kind, collection, id, reason)",
        ),
        (
            INTERRUPTED,
            "interrupted: Ctrl-C finishes the batch in flight and prints how to resume",
        ),
    ];
}

/// The kind of a core error; decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Partial,
    Invalid,
    NotFound,
    Unavailable,
    Conflict,
    Refused,
    Interrupted,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Partial => exit::PARTIAL,
            ErrorKind::Invalid => exit::USAGE,
            ErrorKind::NotFound => exit::NOT_FOUND,
            ErrorKind::Unavailable => exit::UNAVAILABLE,
            ErrorKind::Conflict => exit::CONFLICT,
            ErrorKind::Refused => exit::REFUSED,
            ErrorKind::Interrupted => exit::INTERRUPTED,
        }
    }
}

/// A core error: a kind and one line of text that names what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// A failure that may pass if the operation is tried again (a dropped connection, a server
    /// restarting or stepping down, a timeout): the retry layer ([`crate::retry`]) retries it.
    pub transient: bool,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            transient: false,
        }
    }
    /// A store-level failure that may pass on a retry (exit 4 when it does not).
    pub fn transient(m: impl Into<String>) -> Self {
        Self::unavailable(m).with_transient(true)
    }
    /// The same error, marked as transient (or not).
    pub fn with_transient(mut self, transient: bool) -> Self {
        self.transient = transient;
        self
    }
    pub fn invalid(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, m)
    }
    pub fn unavailable(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, m)
    }
    pub fn conflict(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, m)
    }
    pub fn refused(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, m)
    }
    pub fn partial(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Partial, m)
    }
    pub fn interrupted(m: impl Into<String>) -> Self {
        Self::new(ErrorKind::Interrupted, m)
    }
    /// An I/O error on `what` (a path or store name): exit 4.
    pub fn io(what: impl fmt::Display, e: &std::io::Error) -> Self {
        Self::unavailable(format!("{what}: {}", io_reason(e)))
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
    /// Append what to do about it (`…; rerun the same command to resume`).
    pub fn hint(mut self, hint: impl fmt::Display) -> Self {
        self.message = format!("{}; {hint}", self.message);
        self
    }
    /// Prefix the message with context (`"collection node: " + message`).
    pub fn context(mut self, ctx: impl fmt::Display) -> Self {
        self.message = format!("{ctx}: {}", self.message);
        self
    }
}

/// A short reason for an I/O error, without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
