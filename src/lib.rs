//! jvdb: read, change, check and move jvspatial data stores.
//!
//! The binary is a thin layer over this library: `store` (the `Store` trait, specs, backends),
//! `query` (the query dialects), `find` (the in-process find engine), `json` (Python-compatible
//! JSON), `jsonl` (the record reader of `save`), `transfer` (copy/migrate/verify), `partition`
//! (`--partition K/N`: shares of a store by id hash), `retry` (transient server failures),
//! `graph` (cleanup rules), `check` (the consistency report and the pre-flight of a
//! transfer), `stats` (`jvdb stats`), `output` (renderers).

pub mod backup;
pub mod check;
pub mod error;
pub mod export;
pub mod find;
pub mod graph;
pub mod json;
pub mod jsonl;
pub mod partition;
pub mod query;
pub mod retry;
pub mod stats;
pub mod store;
pub mod transfer;
pub mod value;
pub mod walk;
pub mod wtf8;

pub use error::{Error, ErrorKind, Result};
pub use value::{Map, Value};
