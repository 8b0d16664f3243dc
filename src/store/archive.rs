//! The archive store: a jvspatial JsonDB directory inside one tar file, compressed with zstd
//! (the default), gzip, or not at all. Spec `archive:FILE` (`archive:-`: stdout when written,
//! stdin when read).
//!
//! The entry `<collection>/<id>.json` holds exactly the bytes JsonDB writes for the record
//! (`json.dumps(record, indent=2)`), so `tar -xf` (GNU tar, standard tools only) gives a
//! directory that jvspatial opens as its JsonDB. A directory entry `<collection>/` precedes
//! each collection's records. The last entry is the manifest, `jvdb-manifest.json` at the
//! top (JsonDB only ever opens `<base>/<collection>/…`, and jvdb lists directories as
//! collections, so neither takes it for one): format and version, the jvdb version, the
//! source store (redacted), the time, and per collection the record count and content hash
//! (the wrapping sum of the first 128 bits of the BLAKE3 hash of each entry's bytes, the
//! digest `migrate` and `verify` use).
//!
//! Written as one stream (a transfer target): entries are appended as records arrive, in the
//! order of the collections and of the ids; [`Store::seal`] writes the manifest and the end
//! of the tar, flushes and fsyncs the temp file `FILE.<pid>.<hex>.jvtmp` next to the target,
//! which can then be read back to verify it; [`Store::commit`] renames it to `FILE` and
//! fsyncs the directory. An archive dropped before its commit (an error, Ctrl-C) removes
//! its temp file; a killed process leaves only the temp file, never a file at `FILE`.
//!
//! Read: opening reads the whole archive once and checks it (tar and zstd/gzip framing, every
//! entry's path and type, and every collection's count and hash against the manifest)
//! before anything is read from it, so a truncated or altered archive is refused with one
//! line (exit 6; exit 4 when the file itself cannot be read). Each scan then streams the
//! archive again; records are never all held. Entries that are not records (other files,
//! nested directories) are left alone, as JsonDB leaves them; links, devices, absolute paths
//! and paths with `..` are refused. An archive read from stdin is first copied to an unlinked
//! temp file (in `$TMPDIR`), so it can be checked before use and read more than once.

use super::{Backend, GetResult, Item, ItemStream, LocalPath, OpenOptions, Saved, Store};
use crate::error::{Error, Result, io_reason};
use crate::query::Filter;
use crate::store::{AnyItem, NamedAnyMap, SaveMode, StoreSpec, json, redact, validate_component};
use crate::transfer::{Digest, bytes_hash};
use crate::value::{Map, Value};
use async_trait::async_trait;
use futures::FutureExt;
use futures::stream::BoxStream;
use indexmap::IndexMap;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The manifest's entry name, at the top of the archive.
pub const MANIFEST: &str = "jvdb-manifest.json";
/// The manifest's `format`.
pub const FORMAT: &str = "jvdb-archive";
/// The manifest's `version` this build writes and reads.
pub const VERSION: i64 = 1;
/// A manifest larger than this is not one jvdb wrote.
const MANIFEST_MAX: u64 = 64 << 20;

pub static BACKEND: Backend = Backend {
    name: "archive",
    schemes: &[],
    summary: "one-file backup: a JsonDB directory in a tar (archive:FILE.tar.zst, .tar.gz or .tar; archive:- for stdin/stdout)",
    open: |spec: &StoreSpec, o: &OpenOptions| {
        let location = spec.location.clone();
        let opts = o.clone();
        async move {
            let s = tokio::task::spawn_blocking(move || ArchiveStore::open(&location, &opts))
                .await
                .map_err(|e| Error::unavailable(format!("archive: {e}")))??;
            Ok(Arc::new(s) as Arc<dyn Store>)
        }
        .boxed()
    },
    local: |loc| {
        (loc != "-").then(|| LocalPath {
            path: PathBuf::from(loc),
            dir: false,
        })
    },
    path_form: true,
};

/// How an archive is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Zstd,
    Gzip,
    None,
}

impl Compression {
    pub fn name(self) -> &'static str {
        match self {
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
            Compression::None => "none",
        }
    }

    /// The compression a file name asks for (`.tar.zst`/`.tzst`, `.tar.gz`/`.tgz`, `.tar`).
    pub fn from_name(path: &str) -> Option<Compression> {
        let l = path.to_ascii_lowercase();
        if l.ends_with(".tar.zst") || l.ends_with(".tzst") || l.ends_with(".zst") {
            Some(Compression::Zstd)
        } else if l.ends_with(".tar.gz") || l.ends_with(".tgz") || l.ends_with(".gz") {
            Some(Compression::Gzip)
        } else if l.ends_with(".tar") {
            Some(Compression::None)
        } else {
            None
        }
    }

    fn parse(s: &str) -> Result<Compression> {
        match s {
            "zstd" => Ok(Compression::Zstd),
            "gzip" => Ok(Compression::Gzip),
            "none" => Ok(Compression::None),
            _ => Err(Error::invalid(format!(
                "--compress {s}: use zstd, gzip or none"
            ))),
        }
    }

    /// The default level, and the range `--level` may take.
    fn levels(self) -> Option<(i32, std::ops::RangeInclusive<i32>)> {
        match self {
            Compression::Zstd => Some((3, 1..=22)),
            Compression::Gzip => Some((6, 0..=9)),
            Compression::None => None,
        }
    }
}

/// The manifest of an archive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub jvdb: String,
    pub created: String,
    pub source: String,
    /// Per collection, in the order written.
    pub collections: IndexMap<String, Digest>,
}

impl Manifest {
    fn to_value(&self) -> Value {
        let mut colls = Map::new();
        for (name, d) in &self.collections {
            let mut c = Map::new();
            c.insert("count".into(), Value::Int(d.count as i64));
            c.insert("hash".into(), Value::Str(d.hex()));
            colls.insert(name.clone(), Value::Object(c));
        }
        let mut m = Map::new();
        m.insert("format".into(), Value::Str(FORMAT.into()));
        m.insert("version".into(), Value::Int(VERSION));
        m.insert("jvdb".into(), Value::Str(self.jvdb.clone()));
        m.insert("created".into(), Value::Str(self.created.clone()));
        m.insert("source".into(), Value::Str(self.source.clone()));
        m.insert(
            "hash".into(),
            Value::Str(
                "per collection: the sum mod 2^128 of the first 128 bits (little-endian) of the BLAKE3 hash of each record entry's bytes, as 32 hex digits".into(),
            ),
        );
        m.insert("collections".into(), Value::Object(colls));
        Value::Object(m)
    }

    fn from_bytes(bytes: &[u8]) -> std::result::Result<Manifest, String> {
        let v = crate::json::parse_bytes(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if s("format").as_deref() != Some(FORMAT) {
            return Err(format!("its format is not {FORMAT:?}"));
        }
        match v.get("version") {
            Some(Value::Int(VERSION)) => {}
            Some(Value::Int(n)) if *n > VERSION => {
                return Err(format!(
                    "it is format version {n}, made by a newer jvdb (this one reads version {VERSION})"
                ));
            }
            _ => return Err("it has no valid version".into()),
        }
        let mut out = Manifest {
            jvdb: s("jvdb").unwrap_or_default(),
            created: s("created").unwrap_or_default(),
            source: s("source").unwrap_or_default(),
            collections: IndexMap::new(),
        };
        let colls = v
            .get("collections")
            .and_then(Value::as_object)
            .ok_or("it has no collections object")?;
        for (name, c) in colls {
            let count = match c.get("count") {
                Some(Value::Int(n)) if *n >= 0 => *n as u64,
                _ => return Err(format!("collection {name:?} has no valid count")),
            };
            let sum = c
                .get("hash")
                .and_then(Value::as_str)
                .filter(|h| h.len() == 32)
                .and_then(|h| u128::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("collection {name:?} has no valid hash"))?;
            out.collections.insert(name.clone(), Digest { count, sum });
        }
        Ok(out)
    }
}

/// RFC 3339 UTC time of now, to the second.
fn now_rfc3339() -> (u64, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        secs,
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Where the archive bytes go.
enum Sink {
    File(BufWriter<File>),
    Stdout(BufWriter<io::Stdout>),
}

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(f) => f.write(b),
            Sink::Stdout(s) => s.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Stdout(s) => s.flush(),
        }
    }
}

impl Sink {
    /// Flush, and fsync a file.
    fn finish(self) -> io::Result<()> {
        match self {
            Sink::File(f) => {
                let f = f.into_inner().map_err(|e| e.into_error())?;
                f.sync_all()
            }
            Sink::Stdout(mut s) => s.flush(),
        }
    }
}

/// The compressor in front of the sink.
enum Enc {
    Zstd(zstd::stream::write::Encoder<'static, Sink>),
    Gzip(flate2::write::GzEncoder<Sink>),
    Plain(Sink),
}

impl Write for Enc {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Enc::Zstd(e) => e.write(b),
            Enc::Gzip(e) => e.write(b),
            Enc::Plain(s) => s.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Enc::Zstd(e) => e.flush(),
            Enc::Gzip(e) => e.flush(),
            Enc::Plain(s) => s.flush(),
        }
    }
}

impl Enc {
    fn new(sink: Sink, c: Compression, level: i32) -> io::Result<Enc> {
        Ok(match c {
            Compression::Zstd => {
                let mut e = zstd::stream::write::Encoder::new(sink, level)?;
                // A flipped byte fails the frame's checksum, not just the manifest's hashes.
                e.include_checksum(true)?;
                // Compression on a worker thread of its own, beside the tar and the readers,
                // in jobs of 1 MiB: the default (4 windows, 8 MiB at level 3) held 30 MiB
                // more for no gain (100k cities: 58 MiB, 3.97 s against 90 MiB, 4.84 s).
                e.multithread(1)?;
                e.set_parameter(zstd::stream::raw::CParameter::JobSize(1 << 20))?;
                Enc::Zstd(e)
            }
            Compression::Gzip => Enc::Gzip(flate2::write::GzEncoder::new(
                sink,
                flate2::Compression::new(level as u32),
            )),
            Compression::None => Enc::Plain(sink),
        })
    }

    fn finish(self) -> io::Result<Sink> {
        match self {
            Enc::Zstd(e) => e.finish(),
            Enc::Gzip(e) => e.finish(),
            Enc::Plain(s) => Ok(s),
        }
    }
}

struct CollState {
    digest: Digest,
    /// Fingerprints of the ids written (an archive holds each id once): 64 bits each, so a
    /// dump of 400,000 records keeps 4.5 MiB, not 9; two ids of one dump share one with a
    /// chance near 1 in 10^8, and the second is then refused by id, never lost silently.
    ids: HashSet<u64>,
}

struct Writer {
    tar: tar::Builder<Enc>,
    mtime: u64,
    created: String,
    colls: IndexMap<String, CollState>,
}

fn header(kind: tar::EntryType, size: u64, mode: u32, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h
}

impl Writer {
    fn collection(&mut self, coll: &str) -> io::Result<&mut CollState> {
        if !self.colls.contains_key(coll) {
            let mut h = header(tar::EntryType::Directory, 0, 0o755, self.mtime);
            self.tar
                .append_data(&mut h, format!("{coll}/"), io::empty())?;
            self.colls.insert(
                coll.to_string(),
                CollState {
                    digest: Digest::default(),
                    ids: HashSet::new(),
                },
            );
        }
        Ok(self.colls.get_mut(coll).expect("just inserted"))
    }

    /// Append one record entry; `Ok(Err(_))` is this record's own failure.
    fn append(
        &mut self,
        coll: &str,
        id: Result<String>,
        bytes: &[u8],
        mode: SaveMode,
    ) -> io::Result<Result<Saved>> {
        let id = match id.and_then(|id| {
            validate_component(&id, "record id")?;
            if id.len() + 5 > 255 {
                return Err(Error::invalid(format!(
                    "record id {id:?} is too long for a file name ({} bytes; '<id>.json' must fit in 255 bytes)",
                    id.len()
                )));
            }
            Ok(id)
        }) {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        let mtime = self.mtime;
        let fp = bytes_hash(id.as_bytes()) as u64;
        let state = self.collection(coll)?;
        if !state.ids.insert(fp) {
            let why = format!(
                "collection {coll}: record {id:?} is already in this archive (an archive holds each id once and cannot replace it)"
            );
            return Ok(Err(if mode == SaveMode::Insert {
                Error::conflict(why)
            } else {
                Error::invalid(why)
            }));
        }
        state.digest.add_hash(bytes_hash(bytes));
        let mut h = header(tar::EntryType::Regular, bytes.len() as u64, 0o644, mtime);
        self.tar
            .append_data(&mut h, format!("{coll}/{id}.json"), bytes)?;
        Ok(Ok(Saved::Created))
    }

    /// Append the manifest and the end of the tar; flush and fsync.
    fn seal(mut self, source: &str) -> io::Result<Manifest> {
        let manifest = Manifest {
            jvdb: env!("CARGO_PKG_VERSION").to_string(),
            created: self.created.clone(),
            source: redact(source),
            collections: self
                .colls
                .iter()
                .map(|(k, v)| (k.clone(), v.digest))
                .collect(),
        };
        let bytes = crate::json::to_python_indent2(&manifest.to_value());
        let mut h = header(
            tar::EntryType::Regular,
            bytes.len() as u64,
            0o644,
            self.mtime,
        );
        self.tar.append_data(&mut h, MANIFEST, &bytes[..])?;
        let enc = self.tar.into_inner()?;
        enc.finish()?.finish()?;
        Ok(manifest)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A reader at its own offset of a shared file (so passes can run side by side), which
/// remembers whether the file itself failed (exit 4) as opposed to the data in it (exit 6).
struct At {
    file: Arc<File>,
    pos: Arc<AtomicU64>,
    io_failed: Arc<Mutex<Option<String>>>,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let pos = self.pos.load(Ordering::Relaxed);
        match self.file.read_at(buf, pos) {
            Ok(n) => {
                self.pos.fetch_add(n as u64, Ordering::Relaxed);
                Ok(n)
            }
            Err(e) => {
                *lock(&self.io_failed) = Some(io_reason(&e));
                Err(e)
            }
        }
    }
}

/// `text` on one line, for a message: whitespace runs are one space, other control
/// characters escaped, and at most `max` characters (the tar reader quotes the bytes of a bad
/// header field, which may be anything, newlines and terminal escapes included).
fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
    }
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "…";
    }
    out
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a pass over an archive meets.
enum Ev<'a> {
    /// A collection directory.
    Dir(&'a str),
    /// A record entry: collection, file stem, bytes.
    Record(&'a str, &'a str, Vec<u8>),
}

/// Whether a pass goes on.
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

/// A readable archive file.
#[derive(Clone)]
struct Reader {
    file: Arc<File>,
    shown: String,
}

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
const GZIP_MAGIC: [u8; 2] = [0x1F, 0x8B];

impl Reader {
    fn damaged(&self, pos: u64, why: impl std::fmt::Display) -> Error {
        Error::refused(format!(
            "archive {} is damaged near byte {pos}: {}; it was cut short or changed, so nothing is read from it",
            self.shown,
            printable(&why.to_string(), 200)
        ))
    }

    fn unsafe_entry(&self, name: &str, why: &str) -> Error {
        Error::refused(format!(
            "archive {}: entry {name:?} {why}; an archive holds only <collection>/<id>.json files, their directories and {MANIFEST}, so nothing is read from it",
            self.shown
        ))
    }

    /// Read the archive from the start, calling `visit` for each directory and record entry,
    /// until it returns [`Flow::Stop`] or the archive ends. Returns the manifest when the pass
    /// reached it. Damage and unsafe entries are errors.
    fn pass(
        &self,
        only: Option<&str>,
        visit: &mut dyn FnMut(Ev<'_>) -> Result<Flow>,
    ) -> Result<Option<Manifest>> {
        let pos = Arc::new(AtomicU64::new(0));
        let io_failed = Arc::new(Mutex::new(None));
        let raw = At {
            file: self.file.clone(),
            pos: pos.clone(),
            io_failed: io_failed.clone(),
        };
        let at = |e: io::Error| -> Error {
            if let Some(why) = lock(&io_failed).clone() {
                return Error::unavailable(format!("archive {}: {why}", self.shown));
            }
            let why = if e.kind() == io::ErrorKind::UnexpectedEof {
                "the data ends early".to_string()
            } else {
                e.to_string()
            };
            self.damaged(pos.load(Ordering::Relaxed), why)
        };
        let mut magic = [0u8; 4];
        let n = self
            .file
            .read_at(&mut magic, 0)
            .map_err(|e| Error::io(format!("archive {}", self.shown), &e))?;
        if n == 0 {
            return Err(Error::refused(format!(
                "archive {} is empty: it was cut short, or is not an archive",
                self.shown
            )));
        }
        let dec: Box<dyn Read> = if n == 4 && magic == ZSTD_MAGIC {
            Box::new(zstd::stream::read::Decoder::new(raw).map_err(at)?)
        } else if n >= 2 && magic[..2] == GZIP_MAGIC {
            Box::new(flate2::read::MultiGzDecoder::new(
                io::BufReader::with_capacity(1 << 16, raw),
            ))
        } else {
            Box::new(io::BufReader::with_capacity(1 << 16, raw))
        };
        let mut ar = tar::Archive::new(dec);
        let entries = ar.entries().map_err(at)?;
        let mut manifest: Option<Manifest> = None;
        for entry in entries {
            let mut e = entry.map_err(at)?;
            let raw_name = e.path_bytes().into_owned();
            let Ok(name) = String::from_utf8(raw_name) else {
                return Err(self.unsafe_entry(
                    &String::from_utf8_lossy(&e.path_bytes()),
                    "has a name that is not UTF-8",
                ));
            };
            if manifest.is_some() {
                return Err(self.unsafe_entry(&name, "follows the manifest, which comes last"));
            }
            let kind = e.header().entry_type();
            let is_dir = kind.is_dir();
            if !(is_dir || kind.is_file() || kind == tar::EntryType::Continuous) {
                let what = if kind.is_symlink() {
                    "is a symbolic link"
                } else if kind.is_hard_link() {
                    "is a hard link"
                } else {
                    "is not a file or a directory"
                };
                return Err(self.unsafe_entry(&name, what));
            }
            if name.starts_with('/') {
                return Err(self.unsafe_entry(&name, "has an absolute path"));
            }
            let comps: Vec<&str> = name
                .split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .collect();
            if comps.contains(&"..") {
                return Err(
                    self.unsafe_entry(&name, "has a path that leads outside the store ('..')")
                );
            }
            let size = e.size();
            let read_all = |e: &mut tar::Entry<'_, Box<dyn Read>>, limit: u64| -> Result<Vec<u8>> {
                if size > limit {
                    return Err(self.unsafe_entry(&name, "is too large"));
                }
                // The size is the header's word: grown as the bytes come, so a damaged or
                // hostile header (a size of 2^62) is "ends after …", not an allocation abort.
                let mut bytes = Vec::with_capacity(size.min(1 << 20) as usize);
                e.read_to_end(&mut bytes).map_err(at)?;
                if bytes.len() as u64 != size {
                    return Err(self.damaged(
                        pos.load(Ordering::Relaxed),
                        format!(
                            "entry {name:?} ends after {} of its {size} bytes",
                            bytes.len()
                        ),
                    ));
                }
                Ok(bytes)
            };
            let flow = match (is_dir, comps.as_slice()) {
                (true, [coll]) => visit(Ev::Dir(coll))?,
                (false, [MANIFEST]) => {
                    let bytes = read_all(&mut e, MANIFEST_MAX)?;
                    let m = Manifest::from_bytes(&bytes).map_err(|why| {
                        Error::refused(format!(
                            "archive {}: its manifest {MANIFEST} cannot be read: {why}",
                            self.shown
                        ))
                    })?;
                    manifest = Some(m);
                    Flow::Go
                }
                // Another collection's record, when only one is wanted: not read into memory
                // (the tar reader skips its bytes).
                (false, [coll, file])
                    if file.ends_with(".json") && only.is_some_and(|o| o != *coll) =>
                {
                    Flow::Go
                }
                (false, [coll, file]) if file.ends_with(".json") => {
                    let bytes = read_all(&mut e, u64::MAX)?;
                    let stem = if *file == ".json" {
                        *file
                    } else {
                        &file[..file.len() - 5]
                    };
                    visit(Ev::Record(coll, stem, bytes))?
                }
                // Not a record: other files and nested directories, as JsonDB leaves them.
                _ => Flow::Go,
            };
            if flow == Flow::Stop {
                return Ok(manifest);
            }
        }
        // The tar reader stops at the first end-of-archive block, before the end of the
        // compressed stream: read the rest, so a cut in the tar's end, in zstd's checksum or
        // in gzip's trailer is seen (the decoders check them only at their end of data).
        let mut rest = ar.into_inner();
        let mut buf = vec![0u8; 1 << 16];
        let mut zeros = 0u64;
        loop {
            let n = rest.read(&mut buf).map_err(at)?;
            if n == 0 {
                break;
            }
            if buf[..n].iter().any(|b| *b != 0) {
                return Err(self.damaged(
                    pos.load(Ordering::Relaxed),
                    "data follows the end of the tar",
                ));
            }
            zeros += n as u64;
        }
        // A tar ends with two zero blocks; the reader took the first.
        if zeros < 512 {
            return Err(self.damaged(
                pos.load(Ordering::Relaxed),
                "the tar's end-of-archive blocks are cut short",
            ));
        }
        Ok(manifest)
    }

    /// Read it all and check it against its manifest: framing, entries, counts and hashes.
    fn check(&self) -> Result<Manifest> {
        let mut seen: IndexMap<String, Digest> = IndexMap::new();
        // 64-bit fingerprints of the entry names, for the duplicate check (see CollState::ids).
        let mut names: HashSet<u64> = HashSet::new();
        let mut dup: Option<String> = None;
        let manifest = self.pass(None, &mut |ev| {
            match ev {
                Ev::Dir(c) => {
                    seen.entry(c.to_string()).or_default();
                }
                Ev::Record(c, stem, bytes) => {
                    let key = bytes_hash(format!("{c}/{stem}").as_bytes()) as u64;
                    if !names.insert(key) && dup.is_none() {
                        dup = Some(format!("{c}/{stem}.json"));
                    }
                    let h = bytes_hash(&bytes);
                    match seen.get_mut(c) {
                        Some(d) => d.add_hash(h),
                        None => seen.entry(c.to_string()).or_default().add_hash(h),
                    }
                }
            }
            Ok(Flow::Go)
        })?;
        let Some(manifest) = manifest else {
            return Err(Error::refused(format!(
                "archive {} ends without its manifest ({MANIFEST}, written last): it was cut short, or was not made by jvdb",
                self.shown
            )));
        };
        if let Some(d) = dup {
            return Err(self.unsafe_entry(&d, "appears twice"));
        }
        for (name, want) in &manifest.collections {
            let got = seen.get(name).copied().unwrap_or_default();
            if got != *want {
                return Err(self.disagrees(name, got, *want));
            }
        }
        for (name, got) in &seen {
            if !manifest.collections.contains_key(name) && got.count > 0 {
                return Err(self.disagrees(name, *got, Digest::default()));
            }
        }
        Ok(manifest)
    }

    fn disagrees(&self, coll: &str, got: Digest, want: Digest) -> Error {
        Error::refused(format!(
            "archive {} does not match its manifest: collection {coll} holds {} record(s) with hash {}, the manifest says {} with hash {}; it was changed or cut short, so nothing is read from it",
            self.shown,
            got.count,
            got.hex(),
            want.count,
            want.hex()
        ))
    }
}

fn item_of(stem: &str, bytes: &[u8]) -> Item {
    match json::decode(bytes) {
        json::Read::Found(v) => Item::Record(v),
        json::Read::Unreadable(reason) => Item::Unreadable {
            id: stem.to_string(),
            reason,
        },
        json::Read::Missing => Item::Unreadable {
            id: stem.to_string(),
            reason: "missing".into(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The store

enum State {
    /// Being written (a transfer target).
    Writing(Box<Writer>),
    /// Written and sealed (readable when it is a file), not yet committed.
    Sealed(Option<(Reader, Manifest)>),
    /// A file to read: committed, or opened for reading.
    Reading(Reader, Manifest),
    /// A missing file opened for a dry run: an empty store.
    Empty,
    /// A write failed part-way: the archive is unusable.
    Broken(String),
}

pub struct ArchiveStore {
    shown: String,
    /// The target file and its temp file, when written to a file.
    target: Option<(PathBuf, PathBuf)>,
    overwrite: bool,
    state: Arc<Mutex<State>>,
}

fn setting_level(opts: &OpenOptions, c: Compression) -> Result<i32> {
    let given = opts.setting("archive.level");
    match (c.levels(), given) {
        (None, Some(_)) => Err(Error::invalid(
            "--level: an archive without compression (--compress none, .tar) has no level",
        )),
        (None, None) => Ok(0),
        (Some((default, _)), None) => Ok(default),
        (Some((_, range)), Some(s)) => match s.parse::<i32>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(Error::invalid(format!(
                "--level {s}: {} takes {} to {}",
                c.name(),
                range.start(),
                range.end()
            ))),
        },
    }
}

/// Remove the temp files of earlier writes of `target` whose process is gone (a killed dump:
/// `FILE.<pid>.<hex>.jvtmp` beside `FILE`), as JsonDB sweeps its own at start-up. A temp file
/// of a live process (another dump of the same name running) is left alone.
fn sweep_dead_temps(target: &std::path::Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        dir
    };
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = [name.as_encoded_bytes(), b"."].concat();
    for e in rd.flatten() {
        let n = e.file_name();
        let b = n.as_encoded_bytes();
        let Some(rest) = b.strip_prefix(prefix.as_slice()) else {
            continue;
        };
        // exactly `<pid>.<hex>.jvtmp` after the name
        let ours = rest.ends_with(b".jvtmp") && rest.iter().filter(|c| **c == b'.').count() == 2;
        if ours
            && e.file_type().is_ok_and(|t| t.is_file())
            && let Some(pid) = json::atomic::tmp_name_pid(b)
            && !json::atomic::pid_alive(pid)
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

impl ArchiveStore {
    fn open(location: &str, opts: &OpenOptions) -> Result<ArchiveStore> {
        let shown = if location == "-" {
            "archive:- (stdin)".to_string()
        } else {
            format!("archive:{}", redact(location))
        };
        if opts.create {
            return Self::open_writer(location, opts);
        }
        let file = if location == "-" {
            let mut tmp = tempfile::tempfile()
                .map_err(|e| Error::io("archive:-: a temp file for stdin", &e))?;
            let mut input = io::stdin().lock();
            io::copy(&mut input, &mut tmp)
                .map_err(|e| Error::io("archive:-: copying stdin to a temp file", &e))?;
            tmp
        } else {
            match File::open(location) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound && opts.missing_is_empty => {
                    return Ok(ArchiveStore {
                        shown,
                        target: None,
                        overwrite: false,
                        state: Arc::new(Mutex::new(State::Empty)),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(Error::unavailable(format!(
                        "archive {} does not exist",
                        redact(location)
                    )));
                }
                Err(e) => return Err(Error::io(format!("archive {}", redact(location)), &e)),
            }
        };
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Error::unavailable(format!(
                "{shown}: is a directory, not an archive file (a directory is a JSON store: drop the archive: prefix)"
            )));
        }
        let reader = Reader {
            file: Arc::new(file),
            shown: shown.clone(),
        };
        let manifest = reader.check()?;
        Ok(ArchiveStore {
            shown,
            target: None,
            overwrite: false,
            state: Arc::new(Mutex::new(State::Reading(reader, manifest))),
        })
    }

    fn open_writer(location: &str, opts: &OpenOptions) -> Result<ArchiveStore> {
        let shown = if location == "-" {
            "archive:- (stdout)".to_string()
        } else {
            format!("archive:{}", redact(location))
        };
        if !opts.sink {
            return Err(Error::invalid(format!(
                "{shown}: an archive is written whole by jvdb dump, migrate or copy (--to); to change records, restore it into a store, change that, and dump it again"
            )));
        }
        let named = (location != "-")
            .then(|| Compression::from_name(location))
            .flatten();
        let compression = match opts.setting("archive.compress") {
            Some(s) => {
                let c = Compression::parse(s)?;
                if let Some(n) = named.filter(|n| *n != c) {
                    return Err(Error::invalid(format!(
                        "--compress {} disagrees with the name {} (which says {}); rename it or drop --compress",
                        c.name(),
                        redact(location),
                        n.name()
                    )));
                }
                c
            }
            None => named.unwrap_or(Compression::Zstd),
        };
        let level = setting_level(opts, compression)?;
        let overwrite = opts.setting("archive.overwrite") == Some("true");
        let (sink, target) = if location == "-" {
            if io::stdout().is_terminal() {
                return Err(Error::invalid(
                    "refusing to write an archive to a terminal; use -o FILE, or send it to a pipe or a file",
                ));
            }
            (
                Sink::Stdout(BufWriter::with_capacity(1 << 20, io::stdout())),
                None,
            )
        } else {
            let path = PathBuf::from(location);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {
                    return Err(Error::invalid(format!(
                        "{shown}: is a directory; name the archive file to write"
                    )));
                }
                Ok(_) if !overwrite => {
                    return Err(Error::refused(format!(
                        "archive {} already exists; pass --force to replace it (it is replaced only once the new archive is complete)",
                        redact(location)
                    )));
                }
                _ => {}
            }
            sweep_dead_temps(&path);
            let tmp = json::atomic::temp_path(&path);
            let f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .custom_flags(libc::O_CLOEXEC)
                .open(&tmp)
                .map_err(|e| Error::io(format!("archive {}", redact(location)), &e))?;
            (
                Sink::File(BufWriter::with_capacity(1 << 20, f)),
                Some((path, tmp)),
            )
        };
        let enc = Enc::new(sink, compression, level)
            .map_err(|e| Error::io(format!("{shown}: compressor"), &e))?;
        let mut tar = tar::Builder::new(enc);
        tar.mode(tar::HeaderMode::Deterministic);
        let (mtime, created) = now_rfc3339();
        Ok(ArchiveStore {
            shown,
            target,
            overwrite,
            state: Arc::new(Mutex::new(State::Writing(Box::new(Writer {
                tar,
                mtime,
                created,
                colls: IndexMap::new(),
            })))),
        })
    }

    fn read_only(&self) -> Error {
        Error::invalid(format!(
            "{} is an archive, read-only; restore it into a store to change records (jvdb restore)",
            self.shown
        ))
    }

    /// The reader and manifest, or why the archive cannot be read now.
    fn reading(&self) -> Result<Option<(Reader, Manifest)>> {
        match &*lock(&self.state) {
            State::Reading(r, m) => Ok(Some((r.clone(), m.clone()))),
            State::Sealed(Some((r, m))) => Ok(Some((r.clone(), m.clone()))),
            State::Empty => Ok(None),
            State::Sealed(None) => Err(Error::invalid(format!(
                "{} went to stdout and cannot be read back",
                self.shown
            ))),
            State::Writing(_) => Err(Error::invalid(format!(
                "{} is being written and cannot be read before it is sealed",
                self.shown
            ))),
            State::Broken(why) => Err(Error::unavailable(why.clone())),
        }
    }

    /// Run `f` on the writer in a blocking thread.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Writer) -> io::Result<T> + Send + 'static,
    ) -> Result<T> {
        let state = self.state.clone();
        let shown = self.shown.clone();
        tokio::task::spawn_blocking(move || {
            let mut st = lock(&state);
            match &mut *st {
                State::Writing(w) => match f(w) {
                    Ok(t) => Ok(t),
                    Err(e) => {
                        let err = Error::io(format!("writing {shown}"), &e);
                        *st = State::Broken(err.message.clone());
                        Err(err)
                    }
                },
                State::Broken(why) => Err(Error::unavailable(why.clone())),
                _ => Err(Error::invalid(format!(
                    "{shown} is sealed: nothing more can be written to it"
                ))),
            }
        })
        .await
        .map_err(|e| Error::unavailable(format!("archive writer: {e}")))?
    }

    /// A stream of `f(stem, item)` over the records of `collection`, read in a blocking thread.
    fn stream<T: Send + 'static>(
        &self,
        collection: &str,
        f: impl Fn(&str, Item) -> Option<Result<T>> + Send + 'static,
    ) -> Result<BoxStream<'static, Result<T>>> {
        let Some((reader, _)) = self.reading()? else {
            return Ok(futures::stream::empty().boxed_stream());
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<T>>(256);
        let coll = collection.to_string();
        tokio::task::spawn_blocking(move || {
            let res = reader.pass(Some(&coll), &mut |ev| {
                if let Ev::Record(c, stem, bytes) = ev
                    && c == coll
                    && let Some(out) = f(stem, item_of(stem, &bytes))
                    && tx.blocking_send(out).is_err()
                {
                    return Ok(Flow::Stop);
                }
                Ok(Flow::Go)
            });
            if let Err(e) = res {
                let _ = tx.blocking_send(Err(e));
            }
        });
        Ok(
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) })
                .boxed_stream(),
        )
    }
}

trait BoxedStream<T> {
    fn boxed_stream(self) -> BoxStream<'static, T>;
}
impl<T, S: futures::Stream<Item = T> + Send + 'static> BoxedStream<T> for S {
    fn boxed_stream(self) -> BoxStream<'static, T> {
        Box::pin(self)
    }
}

impl Drop for ArchiveStore {
    fn drop(&mut self) {
        // Not committed: the temp file goes (an error, Ctrl-C, a failed verification).
        let committed = matches!(&*lock(&self.state), State::Reading(..));
        if let (Some((_, tmp)), false) = (&self.target, committed) {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[async_trait]
impl Store for ArchiveStore {
    fn backend(&self) -> &'static str {
        "archive"
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }

    async fn collections(&self) -> Result<Vec<String>> {
        // Being written: what it holds so far (a transfer asks its target before writing).
        if let State::Writing(w) = &*lock(&self.state) {
            let mut out: Vec<String> = w.colls.keys().cloned().collect();
            out.sort();
            return Ok(out);
        }
        let mut out: Vec<String> = match self.reading()? {
            Some((_, m)) => m.collections.keys().cloned().collect(),
            None => Vec::new(),
        };
        out.sort();
        Ok(out)
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        validate_component(collection, "collection")?;
        let Some((reader, _)) = self.reading()? else {
            return Ok(GetResult::Missing);
        };
        let (coll, id) = (collection.to_string(), id.to_string());
        tokio::task::spawn_blocking(move || {
            let mut found = GetResult::Missing;
            reader.pass(Some(&coll), &mut |ev| {
                if let Ev::Record(c, stem, bytes) = ev
                    && c == coll
                    && stem == id
                {
                    found = match item_of(stem, &bytes) {
                        Item::Record(v) => GetResult::Found(v),
                        Item::Unreadable { reason, .. } => GetResult::Unreadable(reason),
                    };
                    return Ok(Flow::Stop);
                }
                Ok(Flow::Go)
            })?;
            Ok(found)
        })
        .await
        .map_err(|e| Error::unavailable(format!("archive reader: {e}")))?
    }

    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        let encoded = records
            .iter()
            .map(|r| {
                (
                    super::record_id(r).map(str::to_string),
                    crate::json::to_python_indent2(r),
                )
            })
            .collect();
        self.save_file_bytes(collection, encoded, mode).await
    }

    async fn save_file_bytes(
        &self,
        collection: &str,
        records: Vec<(Result<String>, Vec<u8>)>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        if !matches!(&*lock(&self.state), State::Writing(_) | State::Broken(_)) {
            return Err(self.read_only());
        }
        validate_component(collection, "collection")?;
        let coll = collection.to_string();
        self.write(move |w| {
            records
                .into_iter()
                .map(|(id, bytes)| w.append(&coll, id, &bytes, mode))
                .collect()
        })
        .await
    }

    async fn delete_many(&self, _collection: &str, _ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        Err(self.read_only())
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        self.stream(collection, |_, item| Some(Ok(item)))
    }

    async fn scan_map_named_any(
        &self,
        collection: &str,
        _ordered: bool,
        map: Arc<NamedAnyMap>,
    ) -> Result<Option<BoxStream<'static, Result<AnyItem>>>> {
        self.stream(collection, move |stem, item| map(stem, item))
            .map(Some)
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<super::Count> {
        if let (None, State::Writing(w)) = (&filter, &*lock(&self.state)) {
            return Ok(super::Count {
                count: w.colls.get(collection).map_or(0, |c| c.digest.count),
                unreadable: Vec::new(),
            });
        }
        match filter {
            None => Ok(super::Count {
                count: self
                    .reading()?
                    .and_then(|(_, m)| m.collections.get(collection).map(|d| d.count))
                    .unwrap_or(0),
                unreadable: Vec::new(),
            }),
            Some(f) => {
                let items = self.find(collection, super::FindSpec::matching(f)).await?;
                crate::find::count_stream(items).await
            }
        }
    }

    async fn prepare_collection(&self, collection: &str) -> Result<()> {
        validate_component(collection, "collection")?;
        let coll = collection.to_string();
        self.write(move |w| w.collection(&coll).map(|_| ())).await
    }

    fn write_caps(&self) -> super::WriteCaps {
        super::WriteCaps {
            file_bytes: true,
            insert_first: false,
            // Entries in id order: the same store gives the same archive, read back in the
            // order JsonDB lists a directory.
            id_order: true,
        }
    }

    async fn checked_digest(&self, collection: &str) -> Result<Option<Digest>> {
        // Only what this process encoded and sealed: its entries are JsonDB's canonical bytes,
        // so hashing them (done by the read-back check) is hashing the records.
        Ok(match &*lock(&self.state) {
            State::Sealed(Some((_, m))) => {
                Some(m.collections.get(collection).copied().unwrap_or_default())
            }
            _ => None,
        })
    }

    async fn seal(&self, source: &str) -> Result<bool> {
        let state = self.state.clone();
        let shown = self.shown.clone();
        let tmp = self.target.as_ref().map(|(_, t)| t.clone());
        let source = source.to_string();
        tokio::task::spawn_blocking(move || {
            let mut st = lock(&state);
            let w = match std::mem::replace(
                &mut *st,
                State::Broken(format!("{shown}: sealing failed")),
            ) {
                State::Writing(w) => w,
                other => {
                    *st = other;
                    return Ok(false);
                }
            };
            w.seal(&source)
                .map_err(|e| Error::io(format!("writing {shown}"), &e))?;
            let Some(tmp) = tmp else {
                *st = State::Sealed(None);
                return Ok(false);
            };
            // Read back what is on disk: the verification reads it, not what was meant.
            let file = File::open(&tmp).map_err(|e| Error::io(&shown, &e))?;
            let reader = Reader {
                file: Arc::new(file),
                shown: shown.clone(),
            };
            let manifest = reader.check()?;
            *st = State::Sealed(Some((reader, manifest)));
            Ok(true)
        })
        .await
        .map_err(|e| Error::unavailable(format!("archive writer: {e}")))?
    }

    async fn commit(&self) -> Result<()> {
        let Some((path, tmp)) = self.target.clone() else {
            return Ok(());
        };
        let overwrite = self.overwrite;
        let state = self.state.clone();
        let shown = self.shown.clone();
        tokio::task::spawn_blocking(move || {
            let mut st = lock(&state);
            let State::Sealed(Some((r, m))) = &*st else {
                return Err(Error::invalid(format!("{shown} is not sealed")));
            };
            let res = if overwrite {
                std::fs::rename(&tmp, &path)
            } else {
                json::atomic::rename_noreplace(&tmp, &path)
            };
            res.map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    Error::refused(format!(
                        "{shown}: the file appeared while it was being written; pass --force to replace it"
                    ))
                } else {
                    Error::io(format!("{shown}: renaming the finished archive into place"), &e)
                }
            })?;
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            json::atomic::fsync_dir(&dir);
            *st = State::Reading(r.clone(), m.clone());
            Ok(())
        })
        .await
        .map_err(|e| Error::unavailable(format!("archive writer: {e}")))?
    }
}
