//! `json:DIR` — jvspatial's JsonDB layout (`db/jsondb.py` 0.2.2), byte for byte.
//!
//! * Record `R` of collection `C` is `<base>/C/<R.id>.json`, encoded exactly as
//!   `json.dumps(R, indent=2)` ([`crate::json::to_python_indent2`]).
//! * Records are the `*.json` entries directly inside `C/` (dot-files included; `X.JSON`,
//!   other extensions, `*.jvtmp` temp files and sub-directories are not records).
//! * Writes follow jvspatial's atomic protocol ([`atomic`]).
//! * Ids and collections are checked like JsonDB's `_validate_path_component`, and the path
//!   must stay under the base directory (symlinks included).
//! * Reading never creates anything: a missing base is an error (exit 4, naming the path),
//!   an existing but empty base is an empty store, and a missing collection is empty.
//!
//! Where we deliberately differ from JsonDB (never silently losing information):
//! * a file that cannot be read (bad JSON, top level not an object, I/O error) is reported as
//!   [`Item::Unreadable`] / [`GetResult::Unreadable`] instead of looking missing;
//! * an entry named `*.json` that is a directory, a FIFO or similar, or a symlink pointing
//!   outside the store, is reported as unreadable (JsonDB's `find` skips the first ones and
//!   reads the last); `count` without a filter still counts every `*.json` entry, as JsonDB.

pub mod atomic;
mod scan;

pub use scan::ScanMap;

use super::{
    Backend, Count, GetResult, Item, ItemStream, OpenOptions, SaveMode, Saved, Store, StoreSpec,
    deep_merge, record_id, validate_component,
};
use crate::error::{Error, Result, io_reason};
use crate::query::Filter;
use crate::value::Value;
use async_trait::async_trait;
use atomic::Publish;
use futures::FutureExt;
use futures::StreamExt;
use futures::stream;
use indexmap::IndexMap;
use std::cmp::Ordering;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub static BACKEND: Backend = Backend {
    name: "json",
    schemes: &[],
    summary: "directory of JSON files, jvspatial's JsonDB layout (default)",
    open: |spec: &StoreSpec, o: &OpenOptions| {
        let location = spec.location.clone();
        let opts = o.clone();
        async move {
            let s =
                tokio::task::spawn_blocking(move || JsonStore::open(Path::new(&location), &opts))
                    .await
                    .map_err(join_err)??;
            Ok(Arc::new(s) as Arc<dyn Store>)
        }
        .boxed()
    },
    local: |loc: &str| {
        Some(crate::store::LocalPath {
            path: loc.into(),
            dir: true,
        })
    },
    path_form: true,
};

/// Concurrent writers in `save_many`: fsync latency dominates, so many writes are in flight.
const WRITERS: usize = 32;
/// Lock stripes serialising writes to the same path inside this process.
const LOCK_STRIPES: usize = 1024;

/// Remove stale `*.jvtmp` files under `base` (see [`atomic::sweep_tmp_files`]): a temp file is
/// removed when the process named by its pid segment is not running, or when its name does not
/// follow `<name>.<pid>.<12 hex>.jvtmp`. jvspatial itself deletes every temp file not carrying
/// its own pid; we keep those of live processes, which may be writing right now.
pub fn sweep_tmp_files(base: &Path, dry_run: bool) -> Result<Vec<PathBuf>> {
    atomic::sweep_tmp_files(base, dry_run)
        .map_err(|e| Error::io(format!("sweeping temp files under {}", base.display()), &e))
}

/// A JSON directory store.
pub struct JsonStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Absolute (not canonical) base directory, as given.
    base: PathBuf,
    /// The store in messages: `json:` and the path as the user gave it (as `jvdb info` and
    /// every other message show it).
    shown: String,
    locks: Vec<Mutex<()>>,
}

fn join_err(e: tokio::task::JoinError) -> Error {
    Error::unavailable(format!("json store: internal task failed: {e}"))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Python's `Path.resolve()` (non-strict): canonicalise the longest existing prefix, follow
/// dangling symlinks as far as they go, append the rest.
pub fn resolve_lenient(p: &Path) -> io::Result<PathBuf> {
    resolve_depth(p, 0)
}

fn resolve_depth(p: &Path, depth: usize) -> io::Result<PathBuf> {
    if depth > 40 {
        return Err(io::Error::other("too many levels of symbolic links"));
    }
    match fs::canonicalize(p) {
        Ok(c) => return Ok(c),
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) => {}
        Err(e) => return Err(e),
    }
    let parent = match p.parent() {
        Some(pp) if !pp.as_os_str().is_empty() => pp,
        _ => return Ok(p.to_path_buf()),
    };
    let rp = resolve_depth(parent, depth + 1)?;
    match p.components().next_back() {
        Some(Component::ParentDir) => Ok(rp.parent().map(Path::to_path_buf).unwrap_or(rp)),
        Some(Component::CurDir) | None => Ok(rp),
        Some(Component::Normal(name)) => {
            if let Ok(target) = fs::read_link(p) {
                return resolve_depth(&rp.join(target), depth + 1);
            }
            Ok(rp.join(name))
        }
        Some(_) => Ok(p.to_path_buf()),
    }
}

/// Python's `Path(name).stem` for a name that matched `*.json`.
fn stem_of(name: &OsStr) -> &OsStr {
    let b = name.as_bytes();
    if b == b".json" {
        return name;
    }
    OsStr::from_bytes(&b[..b.len().saturating_sub(5)])
}

/// Python code-point order of file names (undecodable bytes map to U+DC80..U+DCFF, as
/// `surrogateescape` does); for UTF-8 names this is plain byte order.
fn cmp_names(a: &OsStr, b: &OsStr) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if let (Ok(_), Ok(_)) = (std::str::from_utf8(a), std::str::from_utf8(b)) {
        return a.cmp(b);
    }
    fn cps(x: &[u8]) -> impl Iterator<Item = u32> + '_ {
        x.utf8_chunks().flat_map(|c| {
            c.valid()
                .chars()
                .map(u32::from)
                .chain(c.invalid().iter().map(|b| 0xDC00 + u32::from(*b)))
                .collect::<Vec<_>>()
        })
    }
    cps(a).cmp(cps(b))
}

fn is_json_name(name: &OsStr) -> bool {
    name.as_bytes().ends_with(b".json")
}

fn a_type(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "an array",
        Value::Int(_) | Value::BigInt(_) => "an integer",
        Value::Object(_) => "an object",
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Float(_) => "a float",
        Value::Str(_) | Value::WStr(_) => "a string",
    }
}

pub(crate) enum Read {
    Missing,
    Found(Value),
    Unreadable(String),
}

/// Read and decode one record file.
fn read_record(path: &Path) -> Read {
    match fs::read(path) {
        Err(e) => read_error(&e),
        Ok(bytes) => decode(&bytes),
    }
}

fn read_error(e: &io::Error) -> Read {
    if e.kind() == io::ErrorKind::NotFound {
        Read::Missing
    } else if e.raw_os_error() == Some(libc::EISDIR) {
        Read::Unreadable("is a directory, not a record file".into())
    } else {
        Read::Unreadable(format!("cannot read file: {}", io_reason(e)))
    }
}

pub(crate) fn decode(bytes: &[u8]) -> Read {
    if bytes.is_empty() {
        return Read::Unreadable("empty file".into());
    }
    match crate::json::parse_bytes(bytes) {
        Ok(v @ Value::Object(_)) => Read::Found(v),
        Ok(other) => Read::Unreadable(format!("top level is {}, not an object", a_type(&other))),
        Err(e) => Read::Unreadable(format!("invalid JSON: {e}")),
    }
}

fn write_err(collection: &str, id: &str, path: &Path, e: &io::Error) -> Error {
    if e.raw_os_error() == Some(libc::ENAMETOOLONG) {
        return Error::invalid(format!(
            "collection {collection}: record id {id:?} is too long for a file name \
             ({} bytes; '<id>.json.<pid>.<12 hex>.jvtmp' must fit in 255 bytes)",
            id.len()
        ));
    }
    Error::io(
        format!(
            "collection {collection}: record {id:?}: writing {}",
            path.display()
        ),
        e,
    )
}

/// The entries of a collection directory, errors named.
fn listed<'a>(
    collection: &'a str,
    dir: &'a Path,
    rd: fs::ReadDir,
) -> impl Iterator<Item = Result<fs::DirEntry>> + 'a {
    rd.map(move |e| {
        e.map_err(|e| {
            Error::io(
                format!("collection {collection}: listing {}", dir.display()),
                &e,
            )
        })
    })
}

/// One `*.json` directory entry of a collection.
#[derive(Clone)]
pub(super) struct Entry {
    name: OsString,
    file_type: Option<fs::FileType>,
}

impl Inner {
    fn lock_for(&self, path: &Path) -> MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        path.hash(&mut h);
        lock(&self.locks[(h.finish() as usize) % self.locks.len()])
    }

    fn real_base(&self) -> Result<PathBuf> {
        resolve_lenient(&self.base).map_err(|e| Error::io(self.base.display(), &e))
    }

    /// The collection directory, validated and checked to stay under the base.
    fn coll_dir(&self, collection: &str, real_base: &Path) -> Result<PathBuf> {
        validate_component(collection, "collection")?;
        let dir = self.base.join(collection);
        let real = resolve_lenient(&dir)
            .map_err(|e| Error::io(format!("collection {collection}: {}", dir.display()), &e))?;
        if !real.starts_with(real_base) {
            return Err(Error::invalid(format!(
                "collection {collection:?}: path escapes the store directory {} (symlink to {})",
                self.base.display(),
                real.display()
            )));
        }
        Ok(dir)
    }

    /// The record file, validated and checked to stay under the base.
    fn record_path(
        &self,
        collection: &str,
        dir: &Path,
        id: &str,
        real_base: &Path,
    ) -> Result<PathBuf> {
        validate_component(id, "record id")
            .map_err(|e| e.context(format!("collection {collection}")))?;
        let path = dir.join(format!("{id}.json"));
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let real = resolve_lenient(&path).map_err(|e| {
                    Error::io(format!("collection {collection}: record {id:?}"), &e)
                })?;
                if !real.starts_with(real_base) {
                    return Err(Error::invalid(format!(
                        "collection {collection}: record {id:?}: path escapes the store directory {} (symlink to {})",
                        self.base.display(),
                        real.display()
                    )));
                }
            }
            Ok(_) => {}
            Err(e)
                if e.kind() == io::ErrorKind::NotFound
                    || e.raw_os_error() == Some(libc::ENOTDIR) => {}
            Err(e) => {
                return Err(Error::io(
                    format!("collection {collection}: record {id:?}"),
                    &e,
                ));
            }
        }
        Ok(path)
    }

    /// The `*.json` entries of a collection directory, sorted by stem in code-point order;
    /// `None` when the directory does not exist.
    fn list(&self, collection: &str, dir: &Path) -> Result<Option<Vec<Entry>>> {
        let Some(rd) = self.read_dir(collection, dir)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for entry in listed(collection, dir, rd) {
            let entry = entry?;
            let name = entry.file_name();
            if !is_json_name(&name) {
                continue;
            }
            out.push(Entry {
                file_type: entry.file_type().ok(),
                name,
            });
        }
        out.sort_by(|a, b| cmp_names(stem_of(&a.name), stem_of(&b.name)));
        Ok(Some(out))
    }

    /// The number of `*.json` entries of a collection directory (what [`Inner::list`] would
    /// return, without keeping the names); `None` when the directory does not exist.
    fn count_entries(&self, collection: &str, dir: &Path) -> Result<Option<u64>> {
        let Some(rd) = self.read_dir(collection, dir)? else {
            return Ok(None);
        };
        let mut n = 0u64;
        for entry in listed(collection, dir, rd) {
            let entry = entry?;
            n += is_json_name(&entry.file_name()) as u64;
        }
        Ok(Some(n))
    }

    /// `read_dir` of a collection directory; `None` when it does not exist.
    fn read_dir(&self, collection: &str, dir: &Path) -> Result<Option<fs::ReadDir>> {
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
                return Err(Error::unavailable(format!(
                    "collection {collection}: {} is not a directory",
                    dir.display()
                )));
            }
            Err(e) => {
                return Err(Error::io(
                    format!("collection {collection}: {}", dir.display()),
                    &e,
                ));
            }
        };
        Ok(Some(rd))
    }

    /// Read one listed entry (relative to `dirfd`, the open directory `dir`); `None` when it
    /// vanished since the listing.
    fn read_entry(
        &self,
        dir: &Path,
        dirfd: std::os::fd::RawFd,
        real_base: &Path,
        e: &Entry,
        bufs: &mut scan::Bufs,
    ) -> Option<Item> {
        let stem = stem_of(&e.name);
        let unreadable = |reason: String| {
            Some(Item::Unreadable {
                id: stem.to_string_lossy().into_owned(),
                reason,
            })
        };
        if std::str::from_utf8(stem.as_bytes()).is_err() {
            return unreadable("file name is not valid UTF-8".into());
        }
        match &e.file_type {
            Some(ft) if ft.is_dir() => {
                return unreadable("is a directory, not a record file".into());
            }
            Some(ft) if ft.is_symlink() => match resolve_lenient(&dir.join(&e.name)) {
                Ok(real) if !real.starts_with(real_base) => {
                    return unreadable(format!(
                        "symbolic link pointing outside the store ({})",
                        real.display()
                    ));
                }
                Ok(real) => match fs::metadata(&real) {
                    Ok(m) if m.is_file() => {}
                    Ok(_) => {
                        return unreadable("symbolic link to something that is not a file".into());
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        return unreadable("dangling symbolic link".into());
                    }
                    Err(e) => return unreadable(format!("cannot read file: {}", io_reason(&e))),
                },
                Err(e) => {
                    return unreadable(format!("cannot resolve symbolic link: {}", io_reason(&e)));
                }
            },
            Some(ft) if !ft.is_file() => return unreadable("not a regular file".into()),
            _ => {}
        }
        let read = match scan::read_at(dirfd, &e.name, bufs) {
            Err(e) => read_error(&e),
            Ok(()) => decode(&bufs.data),
        };
        match read {
            Read::Missing => None,
            Read::Found(v) => Some(Item::Record(v)),
            Read::Unreadable(r) => unreadable(r),
        }
    }

    fn get_sync(&self, collection: &str, id: &str) -> Result<GetResult> {
        validate_component(collection, "collection")?;
        validate_component(id, "record id")
            .map_err(|e| e.context(format!("collection {collection}")))?;
        let real_base = self.real_base()?;
        let dir = self.coll_dir(collection, &real_base)?;
        let path = self.record_path(collection, &dir, id, &real_base)?;
        Ok(match read_record(&path) {
            Read::Missing => GetResult::Missing,
            Read::Found(v) => GetResult::Found(v),
            Read::Unreadable(r) => GetResult::Unreadable(r),
        })
    }

    // The batch's settings (mode, keep_unchanged) travel with each record.
    #[allow(clippy::too_many_arguments)]
    fn write_one(
        &self,
        collection: &str,
        dir: &Path,
        real_base: &Path,
        id: &str,
        record: Rec,
        mode: SaveMode,
        keep_unchanged: bool,
    ) -> Result<Saved> {
        let path = self.record_path(collection, dir, id, real_base)?;
        let record = match (record, mode) {
            (Rec::Value(v), SaveMode::Merge) => v,
            (Rec::Bytes(_), SaveMode::Merge) => {
                return Err(Error::invalid(format!(
                    "collection {collection}: record {id:?}: an encoded record cannot be merged"
                )));
            }
            (rec, _) => {
                return self.write_bytes(
                    collection,
                    &path,
                    id,
                    &rec.into_bytes(),
                    mode,
                    keep_unchanged,
                );
            }
        };
        // Merge: read, deep-merge, write back, under the path lock. Another process may
        // create the file between our read and our write: retry.
        let _guard = self.lock_for(&path);
        let werr = |e: &io::Error| write_err(collection, id, &path, e);
        for _ in 0..5 {
            match read_record(&path) {
                Read::Missing => {
                    let bytes = crate::json::to_python_indent2(&record);
                    match atomic::atomic_write(&path, &bytes, Publish::NoReplace) {
                        Ok(()) => return Ok(Saved::Created),
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                        Err(e) => return Err(werr(&e)),
                    }
                }
                Read::Found(mut existing) => {
                    let before = keep_unchanged.then(|| crate::json::to_python_indent2(&existing));
                    deep_merge(&mut existing, record);
                    let bytes = crate::json::to_python_indent2(&existing);
                    if before.is_some_and(|b| b == bytes) {
                        return Ok(Saved::Unchanged);
                    }
                    atomic::atomic_write(&path, &bytes, Publish::Overwrite)
                        .map_err(|e| werr(&e))?;
                    return Ok(Saved::Merged);
                }
                Read::Unreadable(r) => {
                    return Err(Error::refused(format!(
                        "collection {collection}: record {id:?}: cannot merge into the stored file ({r}); left unchanged"
                    )));
                }
            }
        }
        Err(Error::unavailable(format!(
            "collection {collection}: record {id:?}: merge kept racing with other writers"
        )))
    }

    /// Write the encoded `bytes` of record `id` at `path` by jvspatial's protocol (replace,
    /// insert or skip-existing). With `keep_unchanged`, a replace of a regular file that already
    /// holds exactly these bytes writes nothing ([`Saved::Unchanged`]): reading and comparing
    /// is far cheaper than a durable write, and a rerun of a migration then costs a read.
    fn write_bytes(
        &self,
        collection: &str,
        path: &Path,
        id: &str,
        bytes: &[u8],
        mode: SaveMode,
        keep_unchanged: bool,
    ) -> Result<Saved> {
        let _guard = self.lock_for(path);
        let werr = |e: &io::Error| write_err(collection, id, path, e);
        match mode {
            SaveMode::Replace => {
                let meta = fs::symlink_metadata(path).ok();
                if keep_unchanged
                    && meta
                        .as_ref()
                        .is_some_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                    && fs::read(path).is_ok_and(|old| old == bytes)
                {
                    return Ok(Saved::Unchanged);
                }
                let existed = meta.is_some();
                atomic::atomic_write(path, bytes, Publish::Overwrite).map_err(|e| werr(&e))?;
                Ok(if existed {
                    Saved::Replaced
                } else {
                    Saved::Created
                })
            }
            _ => match atomic::atomic_write(path, bytes, Publish::NoReplace) {
                Ok(()) => Ok(Saved::Created),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if mode == SaveMode::Insert {
                        Err(Error::conflict(format!(
                            "collection {collection}: record {id:?} already exists (insert mode)"
                        )))
                    } else {
                        Ok(Saved::Skipped)
                    }
                }
                Err(e) => Err(werr(&e)),
            },
        }
    }
}

impl JsonStore {
    /// Open the store at `base`. With `opts.create` a missing base is created (writing creates
    /// the directories it needs, as jvspatial does). Otherwise a missing base is an error
    /// (exit 4): reading never creates anything, and a store that is not there is not an empty
    /// store (a typo in a path must not look like a store without records). With
    /// `opts.missing_is_empty` (the target of a dry run) a missing base is an empty store.
    pub fn open(base: &Path, opts: &OpenOptions) -> Result<JsonStore> {
        if base.as_os_str().is_empty() {
            return Err(Error::invalid("json store: empty directory path"));
        }
        // Messages name the path as given: making it absolute collapses `//`, and a URI given
        // as a path (`ftp://user:pw@h`) would then escape `redact`.
        let shown = format!("json:{}", base.display());
        let base = std::path::absolute(base).map_err(|e| Error::io(&shown, &e))?;
        let what = || shown.clone();
        match fs::metadata(&base) {
            Ok(m) if m.is_dir() => {
                fs::read_dir(&base).map_err(|e| Error::io(what(), &e))?;
            }
            Ok(_) => {
                return Err(Error::unavailable(format!(
                    "{}: exists but is not a directory",
                    what()
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if opts.create {
                    fs::create_dir_all(&base).map_err(|e| Error::io(what(), &e))?;
                } else if !opts.missing_is_empty {
                    return Err(Error::unavailable(format!(
                        "{}: no such directory (a store that does not exist is not read as empty)",
                        what()
                    )));
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
                return Err(Error::unavailable(format!(
                    "{}: a parent of it is not a directory",
                    what()
                )));
            }
            Err(e) => return Err(Error::io(what(), &e)),
        }
        Ok(JsonStore {
            inner: Arc::new(Inner {
                base,
                shown,
                locks: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
            }),
        })
    }

    /// The base directory (absolute).
    pub fn base(&self) -> &Path {
        &self.inner.base
    }

    /// Every record of `collection`, read by the reader pool, each item passed through `map`
    /// in the reader threads (so filters, projections and hashes run on every core). `ordered`:
    /// in id order like [`Store::scan`] (the directory is listed and sorted first); otherwise
    /// in directory order, with memory independent of the collection size. A missing
    /// collection is empty.
    pub async fn scan_map<T: Send + 'static>(
        &self,
        collection: &str,
        ordered: bool,
        map: Arc<ScanMap<T>>,
    ) -> Result<futures::stream::BoxStream<'static, Result<T>>> {
        let how = if ordered { How::Sorted } else { How::Stream };
        self.scan_entries(collection, how, Arc::new(move |_: &Entry, i| map(i)))
            .await
    }

    /// The reader pool over the entries of `collection` chosen by `how`.
    async fn scan_entries<T: Send + 'static>(
        &self,
        collection: &str,
        how: How,
        map: Arc<scan::EntryMap<T>>,
    ) -> Result<futures::stream::BoxStream<'static, Result<T>>> {
        validate_component(collection, "collection")?;
        let c = collection.to_string();
        let opened = self
            .blocking(move |inner| {
                let real_base = inner.real_base()?;
                let dir = inner.coll_dir(&c, &real_base)?;
                let listing = match how {
                    How::Sorted => match inner.list(&c, &dir)? {
                        Some(e) if !e.is_empty() => Listing::Sorted(e),
                        _ => return Ok(None),
                    },
                    How::Given(e) if e.is_empty() => return Ok(None),
                    How::Given(e) => Listing::Sorted(e),
                    How::Stream => match inner.read_dir(&c, &dir)? {
                        Some(rd) => Listing::Stream(rd),
                        None => return Ok(None),
                    },
                };
                let fd = match scan::open_dir(&dir) {
                    Ok(fd) => fd,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => {
                        return Err(Error::io(format!("collection {c}: {}", dir.display()), &e));
                    }
                };
                Ok(Some((dir, real_base, listing, fd, c)))
            })
            .await?;
        let Some((dir, real_base, listing, fd, c)) = opened else {
            return Ok(stream::empty().boxed());
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Result<T>>>(scan::CHANNEL);
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            use std::os::fd::AsRawFd;
            let src = scan::Source {
                inner: &inner,
                collection: &c,
                dir: &dir,
                dirfd: fd.as_raw_fd(),
                real_base: &real_base,
            };
            match listing {
                Listing::Sorted(entries) => scan::run_ordered(&src, &entries, &*map, tx),
                Listing::Stream(rd) => scan::run_unordered(&src, rd, &*map, tx),
            }
            drop(fd);
        });
        Ok(scan::into_stream(rx))
    }

    /// The records of `collection` matching `filter`, in id order, read in two passes so that
    /// memory does not grow with the collection: the first reads every file in directory order
    /// and keeps only the names of the matching (or unreadable) ones; the second reads those
    /// again, in id order, and filters them again (a file changed in between is judged by its
    /// new content, like any file changed during a scan). Costs a second parse of the matches.
    async fn find_two_pass(
        &self,
        collection: &str,
        filter: Arc<Filter>,
    ) -> Result<futures::stream::BoxStream<'static, Result<Item>>> {
        let f = filter.clone();
        let keep: Arc<scan::EntryMap<Entry>> = Arc::new(move |e: &Entry, item| match item {
            Item::Record(rec) => match f.matches(&rec) {
                Ok(false) => None,
                // A match error is met again (in order) by the second pass.
                Ok(true) | Err(_) => Some(Ok(e.clone())),
            },
            Item::Unreadable { .. } => Some(Ok(e.clone())),
        });
        let mut names = self.scan_entries(collection, How::Stream, keep).await?;
        let mut kept = Vec::new();
        while let Some(e) = names.next().await {
            kept.push(e?);
        }
        drop(names);
        kept.sort_by(|a, b| cmp_names(stem_of(&a.name), stem_of(&b.name)));
        let map = filter_map(filter);
        self.scan_entries(
            collection,
            How::Given(kept),
            Arc::new(move |_: &Entry, i| map(i)),
        )
        .await
    }

    /// Write records given with their ids ([`record_id`] of each, or the error it gave), the
    /// way [`Store::save_many`] does: one group per id, in order, groups written in parallel.
    async fn write_records(
        &self,
        collection: &str,
        records: Vec<(Result<String>, Rec)>,
        mode: SaveMode,
        keep_unchanged: bool,
    ) -> Result<Vec<Result<Saved>>> {
        validate_component(collection, "collection")?;
        let n = records.len();
        let mut results: Vec<Option<Result<Saved>>> = (0..n).map(|_| None).collect();
        let mut groups: IndexMap<String, Vec<(usize, Rec)>> = IndexMap::new();
        for (index, (id, record)) in records.into_iter().enumerate() {
            let id = match id.and_then(|id| {
                validate_component(&id, "record id")?;
                Ok(id)
            }) {
                Ok(id) => id,
                Err(e) => {
                    results[index] = Some(Err(
                        e.context(format!("collection {collection}: record {index}"))
                    ));
                    continue;
                }
            };
            groups.entry(id).or_default().push((index, record));
        }
        if !groups.is_empty() {
            let c = collection.to_string();
            let (dir, real_base) = self
                .blocking(move |inner| {
                    let real_base = inner.real_base()?;
                    let dir = inner.coll_dir(&c, &real_base)?;
                    fs::create_dir_all(&dir).map_err(|e| {
                        Error::io(format!("collection {c}: creating {}", dir.display()), &e)
                    })?;
                    // Re-check now that the directories exist (and re-resolve the base).
                    let real_base = inner.real_base()?;
                    inner.coll_dir(&c, &real_base)?;
                    Ok((dir, real_base))
                })
                .await?;
            let workers = WRITERS.min(groups.len());
            let job = Arc::new(WriteJob {
                collection: collection.to_string(),
                dir,
                real_base,
                mode,
                keep_unchanged,
                queue: Mutex::new(groups.into_iter().collect::<Vec<_>>().into_iter()),
                results: Mutex::new(results),
            });
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let (inner, job) = (self.inner.clone(), job.clone());
                    tokio::task::spawn_blocking(move || run_writer(&inner, &job))
                })
                .collect();
            for h in futures::future::join_all(handles).await {
                h.map_err(join_err)?;
            }
            results = std::mem::take(&mut *lock(&job.results));
            // A file kept as it was may have been renamed into place by a run that was killed
            // before its directory fsync: make those names durable too (one fsync per batch).
            if results
                .iter()
                .any(|r| matches!(r, Some(Ok(Saved::Unchanged))))
            {
                atomic::fsync_dir(&job.dir);
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::unavailable("record was not written"))))
            .collect())
    }

    /// [`Store::save_many`] for records already encoded by `to_python_indent2` (the transfer
    /// engine encodes in its reader threads to hash them, and a batch of encodings is a tenth
    /// of the memory of the same batch of values). `Merge` needs values and is refused.
    /// A record whose file already holds exactly its bytes is not rewritten
    /// ([`Saved::Unchanged`]), so a rerun of a transfer writes only what differs.
    pub async fn save_encoded(
        &self,
        collection: &str,
        records: Vec<(Result<String>, Vec<u8>)>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        if mode == SaveMode::Merge {
            return Err(Error::invalid(
                "merge mode needs records, not their encodings",
            ));
        }
        let records = records
            .into_iter()
            .map(|(id, b)| (id, Rec::Bytes(b)))
            .collect();
        self.write_records(collection, records, mode, true).await
    }

    /// [`Store::save_many`] that leaves records already stored as they are
    /// ([`Saved::Unchanged`]): a replace of identical bytes, or a merge that changes nothing,
    /// writes nothing (the transfer engine's merge mode).
    pub async fn save_keeping_unchanged(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        let records = value_recs(records);
        self.write_records(collection, records, mode, true).await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(join_err)?
    }
}

enum Listing {
    Sorted(Vec<Entry>),
    Stream(fs::ReadDir),
}

/// Which entries a scan reads, in which order.
enum How {
    /// Every `*.json` entry, sorted by stem (jvspatial's order).
    Sorted,
    /// Every `*.json` entry, in directory order (nothing listed up front).
    Stream,
    /// These entries (already sorted), in this order.
    Given(Vec<Entry>),
}

/// Keep the records matching `filter` (and every unreadable item); a match error ends the
/// stream there, as in [`crate::find::find_in_stream`].
fn filter_map(filter: Arc<Filter>) -> Arc<ScanMap<Item>> {
    if filter.is_empty() {
        return Arc::new(|item| Some(Ok(item)));
    }
    Arc::new(move |item| match item {
        Item::Record(rec) => match filter.matches(&rec) {
            Ok(true) => Some(Ok(Item::Record(rec))),
            Ok(false) => None,
            Err(e) => Some(Err(e.into())),
        },
        bad => Some(Ok(bad)),
    })
}

/// A record to write: a value, or its encoding already made (`to_python_indent2`).
pub enum Rec {
    Value(Value),
    Bytes(Vec<u8>),
}

impl Rec {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Rec::Value(v) => crate::json::to_python_indent2(&v),
            Rec::Bytes(b) => b,
        }
    }
}

type Group = (String, Vec<(usize, Rec)>);

/// Records to write, each with its id (or why it has none).
fn value_recs(records: Vec<Value>) -> Vec<(Result<String>, Rec)> {
    records
        .into_iter()
        .map(|r| {
            let id = record_id(&r).map(str::to_string);
            (id, Rec::Value(r))
        })
        .collect()
}

struct WriteJob {
    collection: String,
    dir: PathBuf,
    real_base: PathBuf,
    mode: SaveMode,
    keep_unchanged: bool,
    queue: Mutex<std::vec::IntoIter<Group>>,
    results: Mutex<Vec<Option<Result<Saved>>>>,
}

fn run_writer(inner: &Inner, job: &WriteJob) {
    loop {
        let next = lock(&job.queue).next();
        let Some((id, records)) = next else { return };
        for (index, record) in records {
            let r = inner.write_one(
                &job.collection,
                &job.dir,
                &job.real_base,
                &id,
                record,
                job.mode,
                job.keep_unchanged,
            );
            lock(&job.results)[index] = Some(r);
        }
    }
}

#[async_trait]
impl Store for JsonStore {
    fn backend(&self) -> &'static str {
        "json"
    }

    fn describe(&self) -> String {
        self.inner.shown.clone()
    }

    async fn collections(&self) -> Result<Vec<String>> {
        self.blocking(|inner| {
            let base = &inner.base;
            let rd = match fs::read_dir(base) {
                Ok(rd) => rd,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(Error::io(&inner.shown, &e)),
            };
            let mut out = Vec::new();
            for entry in rd {
                let entry = entry.map_err(|e| Error::io(&inner.shown, &e))?;
                let Ok(name) = entry.file_name().into_string() else {
                    continue; // not nameable as a jvspatial collection (str)
                };
                let is_dir = match entry.file_type() {
                    Ok(ft) if ft.is_dir() => true,
                    Ok(ft) if ft.is_symlink() => {
                        fs::metadata(entry.path()).is_ok_and(|m| m.is_dir())
                    }
                    _ => false,
                };
                // A collection whose directory escapes the store (a symlink out) is listed
                // too: reading it then fails with a clear error instead of a silent skip.
                if is_dir {
                    out.push(name);
                }
            }
            out.sort();
            Ok(out)
        })
        .await
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        let (c, i) = (collection.to_string(), id.to_string());
        self.blocking(move |inner| inner.get_sync(&c, &i)).await
    }

    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        let records = value_recs(records);
        self.write_records(collection, records, mode, false).await
    }

    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        validate_component(collection, "collection")?;
        let c = collection.to_string();
        self.blocking(move |inner| {
            let real_base = inner.real_base()?;
            let dir = inner.coll_dir(&c, &real_base)?;
            let dir_exists = dir.is_dir();
            let mut deleted_any = false;
            let out = ids
                .iter()
                .map(|id| {
                    validate_component(id, "record id")
                        .map_err(|e| e.context(format!("collection {c}")))?;
                    if !dir_exists {
                        return Ok(false);
                    }
                    let path = inner.record_path(&c, &dir, id, &real_base)?;
                    let _g = inner.lock_for(&path);
                    match fs::remove_file(&path) {
                        Ok(()) => {
                            deleted_any = true;
                            Ok(true)
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
                        Err(e) => Err(Error::io(
                            format!("collection {c}: record {id:?}: deleting {}", path.display()),
                            &e,
                        )),
                    }
                })
                .collect();
            if deleted_any {
                atomic::fsync_dir(&dir);
            }
            Ok(out)
        })
        .await
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        self.scan_map(collection, true, Arc::new(|item| Some(Ok(item))))
            .await
    }

    /// The filter runs in the reader threads; only matching records reach the consumer.
    async fn find(&self, collection: &str, spec: super::FindSpec) -> Result<ItemStream> {
        if spec.limit == Some(0) {
            validate_component(collection, "collection")?;
            return Ok(stream::empty().boxed());
        }
        // A filter without a limit reads every file anyway: two passes keep only the names
        // of the matches instead of a sorted listing of the whole directory. With a limit, one
        // ordered pass can stop early.
        let items = if !spec.filter.is_empty() && (spec.limit.is_none() || !spec.sort.is_empty()) {
            self.find_two_pass(collection, spec.filter.clone()).await?
        } else {
            self.scan_map(collection, true, filter_map(spec.filter.clone()))
                .await?
        };
        Ok(crate::find::find_prefiltered(items, spec))
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        match filter {
            Some(f) if !f.is_empty() => {
                // Order does not matter for a count: read in directory order, nothing listed.
                let map = filter_map(f.clone());
                let counted: Arc<ScanMap<Option<(String, String)>>> =
                    Arc::new(move |item| match map(item)? {
                        Ok(Item::Record(_)) => Some(Ok(None)),
                        Ok(Item::Unreadable { id, reason }) => Some(Ok(Some((id, reason)))),
                        Err(e) => Some(Err(e)),
                    });
                let mut items = self.scan_map(collection, false, counted).await?;
                let mut c = Count::default();
                while let Some(x) = items.next().await {
                    match x {
                        Ok(None) => c.count += 1,
                        Ok(Some(bad)) => c.unreadable.push(bad),
                        Err(_) => {
                            // Report the error the ordered scan meets first, as before.
                            drop(items);
                            let items = self.find(collection, super::FindSpec::matching(f)).await?;
                            return crate::find::count_stream(items).await;
                        }
                    }
                }
                c.unreadable.sort();
                Ok(c)
            }
            // jvspatial: an empty query counts the `*.json` directory entries, malformed
            // files included.
            _ => {
                validate_component(collection, "collection")?;
                let c = collection.to_string();
                self.blocking(move |inner| {
                    let real_base = inner.real_base()?;
                    let dir = inner.coll_dir(&c, &real_base)?;
                    let n = inner.count_entries(&c, &dir)?.unwrap_or(0);
                    Ok(Count {
                        count: n,
                        unreadable: Vec::new(),
                    })
                })
                .await
            }
        }
    }

    fn write_caps(&self) -> crate::store::WriteCaps {
        crate::store::WriteCaps {
            file_bytes: true,
            insert_first: false,
            id_order: false,
        }
    }

    async fn save_file_bytes(
        &self,
        collection: &str,
        records: Vec<(Result<String>, Vec<u8>)>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        self.save_encoded(collection, records, mode).await
    }

    async fn save_keeping_unchanged(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        JsonStore::save_keeping_unchanged(self, collection, records, mode).await
    }

    fn read_caps(&self) -> crate::store::ReadCaps {
        crate::store::ReadCaps {
            parallel_map: true,
            filter_pushdown: false,
            partition_pushdown: false,
        }
    }

    async fn scan_map_any(
        &self,
        collection: &str,
        ordered: bool,
        map: Arc<crate::store::AnyMap>,
    ) -> Result<Option<futures::stream::BoxStream<'static, Result<crate::store::AnyItem>>>> {
        Ok(Some(
            self.scan_map(collection, ordered, Arc::new(move |i| map(i)))
                .await?,
        ))
    }

    /// The file stem is the name a record is stored under (and read back by jvspatial).
    async fn scan_map_named_any(
        &self,
        collection: &str,
        ordered: bool,
        map: Arc<crate::store::NamedAnyMap>,
    ) -> Result<Option<futures::stream::BoxStream<'static, Result<crate::store::AnyItem>>>> {
        let how = if ordered { How::Sorted } else { How::Stream };
        Ok(Some(
            self.scan_entries(
                collection,
                how,
                Arc::new(move |e: &Entry, i| map(&stem_of(&e.name).to_string_lossy(), i)),
            )
            .await?,
        ))
    }

    async fn disk_usage(&self, collection: &str) -> Result<Option<crate::store::DiskUsage>> {
        use std::os::unix::fs::MetadataExt;
        let c = collection.to_string();
        self.blocking(move |inner| {
            let real_base = inner.real_base()?;
            let dir = inner.coll_dir(&c, &real_base)?;
            let mut du = crate::store::DiskUsage::default();
            let Some(rd) = inner.read_dir(&c, &dir)? else {
                return Ok(Some(du));
            };
            for entry in listed(&c, &dir, rd) {
                let entry = entry?;
                // Not followed: a symlinked record is counted as the link it is.
                let Ok(m) = entry.metadata() else { continue };
                if m.file_type().is_file() {
                    du.files += 1;
                    du.bytes += m.len();
                    du.allocated_bytes += m.blocks() * 512;
                }
            }
            Ok(Some(du))
        })
        .await
    }

    async fn sweep_temp_files(&self, remove: bool) -> Result<Option<Vec<String>>> {
        let base = self.inner.base.clone();
        let found = tokio::task::spawn_blocking(move || sweep_tmp_files(&base, !remove))
            .await
            .map_err(join_err)??;
        Ok(Some(
            found.into_iter().map(|p| p.display().to_string()).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_order() {
        assert_eq!(stem_of(OsStr::new("a.b.json")), OsStr::new("a.b"));
        assert_eq!(stem_of(OsStr::new(".json")), OsStr::new(".json"));
        assert_eq!(stem_of(OsStr::new(".h.json")), OsStr::new(".h"));
        assert_eq!(cmp_names(OsStr::new("B"), OsStr::new("a")), Ordering::Less);
        assert_eq!(
            cmp_names(OsStr::new("é"), OsStr::new("z")),
            Ordering::Greater
        );
        // U+FFFF sorts after an undecodable byte (U+DCxx under surrogateescape)
        let bad = OsStr::from_bytes(b"\xff");
        assert_eq!(cmp_names(bad, OsStr::new("\u{ffff}")), Ordering::Less);
        assert_eq!(cmp_names(bad, OsStr::new("z")), Ordering::Greater);
    }

    #[test]
    fn resolves_missing_tails() {
        let d = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(d.path()).unwrap();
        assert_eq!(
            resolve_lenient(&d.path().join("x/y")).unwrap(),
            real.join("x/y")
        );
        assert_eq!(resolve_lenient(&d.path().join("x/..")).unwrap(), real);
    }
}
