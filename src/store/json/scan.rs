//! Parallel reading of one collection directory.
//!
//! Records are read by a small pool of threads (one per core, at least 2) in chunks of
//! [`CHUNK`] directory entries. Each thread opens files relative to one directory descriptor
//! (`openat`, no path walk per file), reads into a buffer it reuses, parses, and applies the
//! caller's map function (a filter, a projection to a few fields, a hash...) right there, so the
//! work that scales with the data runs on every core and only what the caller keeps crosses the
//! channel.
//!
//! Two orders:
//! * **ordered** (`find`, `scan`): the directory is listed and sorted by stem first (jvspatial's
//!   order); chunks are emitted strictly in order, at most [`WINDOW`] chunks per thread ahead.
//! * **unordered** (`count` with a filter, graph scans, transfers): the threads pull entries
//!   straight from `readdir` and emit whatever they finish. Nothing is listed up front, so memory
//!   does not grow with the size of the collection.
//!
//! Memory is bounded either way: the channel holds at most [`CHANNEL`] chunks.

use super::{Entry, Inner, is_json_name, lock, stem_of};
use crate::error::{Error, Result};
use crate::store::Item;
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Condvar, Mutex};
use tokio::sync::mpsc::Sender;

/// What the reader threads do with each item: keep it (mapped), drop it (`None`), or fail.
pub type ScanMap<T> = dyn Fn(Item) -> Option<Result<T>> + Send + Sync;

/// [`ScanMap`] that also sees the directory entry the item was read from.
pub(super) type EntryMap<T> = dyn Fn(&Entry, Item) -> Option<Result<T>> + Send + Sync;

/// Directory entries per unit of work.
pub(super) const CHUNK: usize = 32;
/// Ordered mode: how many chunks per thread may be done ahead of the one to emit next.
const WINDOW: usize = 4;
/// Chunks buffered between the readers and the consumer.
pub(super) const CHANNEL: usize = 4;

/// Reader threads: one per core, at least 2 (reads also wait on I/O), at most 8.
pub(super) fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
}

/// Buffers one reader thread reuses for every file.
#[derive(Default)]
pub(super) struct Bufs {
    pub data: Vec<u8>,
    cname: Vec<u8>,
}

/// Open a directory for `openat`.
pub(super) fn open_dir(dir: &Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(dir)?;
    Ok(OwnedFd::from(f))
}

/// Read the whole file `name` (relative to `dirfd`, symlinks followed like `open(2)`) into
/// `bufs.data`. Two `read`s for a small file, no `stat`.
pub(super) fn read_at(dirfd: RawFd, name: &OsStr, bufs: &mut Bufs) -> io::Result<()> {
    bufs.cname.clear();
    bufs.cname.extend_from_slice(name.as_bytes());
    if bufs.cname.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "file name contains NUL",
        ));
    }
    bufs.cname.push(0);
    // SAFETY: cname is NUL-terminated and lives for the call.
    let fd = unsafe {
        libc::openat(
            dirfd,
            bufs.cname.as_ptr().cast(),
            libc::O_RDONLY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd was just opened by us and is owned from here on.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let buf = &mut bufs.data;
    buf.clear();
    loop {
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(buf.capacity().max(16 * 1024));
        }
        let spare = buf.spare_capacity_mut();
        // SAFETY: we read at most spare.len() bytes into the spare capacity.
        let n = unsafe { libc::read(fd.as_raw_fd(), spare.as_mut_ptr().cast(), spare.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the kernel initialised n bytes of the spare capacity.
        unsafe { buf.set_len(buf.len() + n as usize) };
    }
}

/// One open collection directory being read.
pub(super) struct Source<'a> {
    pub inner: &'a Inner,
    pub collection: &'a str,
    pub dir: &'a Path,
    pub dirfd: RawFd,
    pub real_base: &'a Path,
}

/// Read one entry, catching a panic as an unreadable record.
fn read_one(src: &Source<'_>, e: &Entry, bufs: &mut Bufs) -> Option<Item> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        src.inner
            .read_entry(src.dir, src.dirfd, src.real_base, e, bufs)
    }))
    .unwrap_or_else(|_| {
        Some(Item::Unreadable {
            id: stem_of(&e.name).to_string_lossy().into_owned(),
            reason: "internal error while reading".into(),
        })
    })
}

fn process<T>(
    src: &Source<'_>,
    entries: &[Entry],
    map: &EntryMap<T>,
    bufs: &mut Bufs,
) -> Vec<Result<T>> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some(item) = read_one(src, e, bufs)
            && let Some(x) = map(e, item)
        {
            out.push(x);
        }
    }
    // Do not keep a buffer grown by one big file around.
    if bufs.data.capacity() > 1 << 20 {
        bufs.data = Vec::new();
    }
    out
}

struct Ordered<T> {
    next_claim: usize,
    next_emit: usize,
    done: BTreeMap<usize, Vec<Result<T>>>,
    cancelled: bool,
}

/// Read `entries` (sorted) and send the mapped items in that order.
pub(super) fn run_ordered<T: Send>(
    src: &Source<'_>,
    entries: &[Entry],
    map: &EntryMap<T>,
    tx: Sender<Vec<Result<T>>>,
) {
    let chunks: Vec<&[Entry]> = entries.chunks(CHUNK).collect();
    let n = chunks.len();
    let threads = threads().min(n);
    let window = WINDOW * threads.max(1);
    let state = Mutex::new(Ordered {
        next_claim: 0,
        next_emit: 0,
        done: BTreeMap::new(),
        cancelled: false,
    });
    let cv = Condvar::new();
    std::thread::scope(|s| {
        let mut workers = 0;
        for _ in 0..threads {
            let spawned = std::thread::Builder::new()
                .name("jvdb-json-read".into())
                .spawn_scoped(s, || {
                    let mut bufs = Bufs::default();
                    loop {
                        let c = {
                            let mut st = lock(&state);
                            loop {
                                if st.cancelled || st.next_claim >= n {
                                    return;
                                }
                                if st.next_claim < st.next_emit + window {
                                    break;
                                }
                                st = cv.wait(st).unwrap_or_else(|e| e.into_inner());
                            }
                            st.next_claim += 1;
                            st.next_claim - 1
                        };
                        let out = process(src, chunks[c], map, &mut bufs);
                        let mut st = lock(&state);
                        st.done.insert(c, out);
                        if c == st.next_emit {
                            cv.notify_all();
                        }
                    }
                });
            if spawned.is_ok() {
                workers += 1;
            }
        }
        let mut bufs = Bufs::default();
        for (c, chunk) in chunks.iter().enumerate() {
            let out = if workers == 0 {
                process(src, chunk, map, &mut bufs)
            } else {
                let mut st = lock(&state);
                let out = loop {
                    if let Some(x) = st.done.remove(&c) {
                        st.next_emit = c + 1;
                        break x;
                    }
                    st = cv.wait(st).unwrap_or_else(|e| e.into_inner());
                };
                drop(st);
                cv.notify_all();
                out
            };
            if !out.is_empty() && tx.blocking_send(out).is_err() {
                break;
            }
        }
        lock(&state).cancelled = true;
        cv.notify_all();
    });
}

/// Read the `*.json` entries of `rd` in any order and send the mapped items as they are done.
pub(super) fn run_unordered<T: Send>(
    src: &Source<'_>,
    rd: fs::ReadDir,
    map: &EntryMap<T>,
    tx: Sender<Vec<Result<T>>>,
) {
    let source = Mutex::new(Some(rd));
    let next_chunk = || -> Option<Result<Vec<Entry>>> {
        let mut guard = lock(&source);
        let rd = guard.as_mut()?;
        let mut chunk = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            match rd.next() {
                None => {
                    *guard = None;
                    break;
                }
                Some(Err(e)) => {
                    *guard = None;
                    return Some(Err(Error::io(
                        format!(
                            "collection {}: listing {}",
                            src.collection,
                            src.dir.display()
                        ),
                        &e,
                    )));
                }
                Some(Ok(entry)) => {
                    let name = entry.file_name();
                    if is_json_name(&name) {
                        chunk.push(Entry {
                            file_type: entry.file_type().ok(),
                            name,
                        });
                    }
                }
            }
        }
        if chunk.is_empty() {
            None
        } else {
            Some(Ok(chunk))
        }
    };
    let work = |tx: Sender<Vec<Result<T>>>| {
        let mut bufs = Bufs::default();
        while let Some(chunk) = next_chunk() {
            let out = match chunk {
                Ok(entries) => process(src, &entries, map, &mut bufs),
                Err(e) => vec![Err(e)],
            };
            if !out.is_empty() && tx.blocking_send(out).is_err() {
                *lock(&source) = None;
                return;
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads() {
            let tx = tx.clone();
            let _ = std::thread::Builder::new()
                .name("jvdb-json-read".into())
                .spawn_scoped(s, || work(tx));
        }
        work(tx);
    });
}

/// The consumer side: one item at a time out of the chunks.
pub(super) fn into_stream<T: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<Vec<Result<T>>>,
) -> BoxStream<'static, Result<T>> {
    stream::unfold(
        (rx, Vec::new().into_iter()),
        |(mut rx, mut cur)| async move {
            loop {
                if let Some(x) = cur.next() {
                    return Some((x, (rx, cur)));
                }
                cur = rx.recv().await?.into_iter();
            }
        },
    )
    .boxed()
}
