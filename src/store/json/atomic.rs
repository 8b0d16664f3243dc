//! jvspatial's crash-safe write protocol (`db/_atomic.atomic_write_bytes`) and its temp-file
//! sweep, done the same way on disk:
//!
//! 1. temp file `<name>.<pid>.<12 lowercase hex>.jvtmp` next to the target, opened with
//!    `O_WRONLY|O_CREAT|O_EXCL` and mode 0o644;
//! 2. write everything, `fsync` the file;
//! 3. rename over the target (or, for "must not exist" writes, `renameat2(RENAME_NOREPLACE)`);
//! 4. `fsync` the directory (best effort, errors ignored like jvspatial does);
//! 5. on failure the temp file is removed and the error returned.
//!
//! A jvspatial process that starts up deletes every `*.jvtmp` file not carrying its own pid,
//! ours included; when our rename then fails with `ENOENT` because the temp file vanished, the
//! write is redone (bounded).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// jvspatial's `TMP_SUFFIX`.
pub const TMP_SUFFIX: &str = ".jvtmp";

/// How often a write is redone when a concurrent sweep removed our temp file.
const MAX_ATTEMPTS: usize = 5;

/// How the temp file is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publish {
    /// Replace whatever is at the target (`os.replace`).
    Overwrite,
    /// Fail with `AlreadyExists` when the target exists (atomic, `RENAME_NOREPLACE`).
    NoReplace,
}

#[cfg(target_os = "linux")]
fn os_random(buf: &mut [u8]) -> bool {
    // SAFETY: buf is a valid writable buffer of buf.len() bytes.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    n == buf.len() as isize
}

#[cfg(not(target_os = "linux"))]
fn os_random(_buf: &mut [u8]) -> bool {
    false
}

/// 12 lowercase hex characters (6 random bytes), like `secrets.token_hex(6)`.
fn token_hex6() -> String {
    let mut buf = [0u8; 6];
    if !os_random(&mut buf) {
        // Fallback: time, pid and a process-wide counter through a 64-bit mixer. Uniqueness is
        // also enforced by O_EXCL, so this only has to be unlikely to collide.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let mut x = t
            ^ (u64::from(std::process::id()) << 32)
            ^ COUNTER
                .fetch_add(1, Ordering::Relaxed)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        buf.copy_from_slice(&x.to_le_bytes()[..6]);
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// `target.with_name(f"{target.name}.{pid}.{token_hex(6)}.jvtmp")`.
pub fn temp_path(target: &Path) -> PathBuf {
    let mut name: OsString = target.file_name().unwrap_or(OsStr::new("")).to_os_string();
    name.push(format!(
        ".{}.{}{}",
        std::process::id(),
        token_hex6(),
        TMP_SUFFIX
    ));
    target.with_file_name(name)
}

fn write_temp(tmp: &Path, data: &[u8]) -> io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true) // O_CREAT|O_EXCL
        .mode(0o644)
        .custom_flags(libc::O_CLOEXEC)
        .open(tmp)?;
    let res = f.write_all(data).and_then(|_| f.sync_all());
    drop(f);
    res
}

/// Rename without replacing an existing target. `Err(AlreadyExists)` when it exists.
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        let cf = CString::new(from.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
        let ct = CString::new(to.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
        // SAFETY: both pointers are valid NUL-terminated strings for the call's duration.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                cf.as_ptr(),
                libc::AT_FDCWD,
                ct.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => {}
            _ => return Err(e),
        }
    }
    // No RENAME_NOREPLACE on this file system: link() fails with EEXIST atomically.
    match fs::hard_link(from, to) {
        Ok(()) => {
            let _ = fs::remove_file(from);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(e),
        Err(_) => {
            // No hard links either (e.g. FAT): check, then rename (not atomic, best effort).
            if fs::symlink_metadata(to).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            fs::rename(from, to)
        }
    }
}

/// Best-effort `fsync` of a directory (errors ignored, as jvspatial's `_fsync_directory`).
pub fn fsync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Atomically write `data` to `target` (the parent directory must exist).
pub fn atomic_write(target: &Path, data: &[u8], publish: Publish) -> io::Result<()> {
    atomic_write_hooked(target, data, publish, &|_| {})
}

/// [`atomic_write`] with a hook run between writing the temp file and publishing it (tests
/// use it to simulate a concurrent sweep).
fn atomic_write_hooked(
    target: &Path,
    data: &[u8],
    publish: Publish,
    before_publish: &dyn Fn(&Path),
) -> io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    let mut attempt = 0;
    loop {
        attempt += 1;
        let tmp = temp_path(target);
        if let Err(e) = write_temp(&tmp, data) {
            let _ = fs::remove_file(&tmp);
            // A random-name collision: try another name.
            if e.kind() == io::ErrorKind::AlreadyExists && attempt < MAX_ATTEMPTS {
                continue;
            }
            return Err(e);
        }
        before_publish(&tmp);
        let published = match publish {
            Publish::Overwrite => fs::rename(&tmp, target),
            Publish::NoReplace => rename_noreplace(&tmp, target),
        };
        match published {
            Ok(()) => {
                fsync_dir(parent);
                return Ok(());
            }
            Err(e) => {
                let tmp_gone = fs::symlink_metadata(&tmp).is_err();
                if !tmp_gone {
                    let _ = fs::remove_file(&tmp);
                }
                // Swept by a starting jvspatial process (its sweep deletes foreign pids'
                // temp files): write it again.
                if e.kind() == io::ErrorKind::NotFound
                    && tmp_gone
                    && parent.is_dir()
                    && attempt < MAX_ATTEMPTS
                {
                    continue;
                }
                return Err(e);
            }
        }
    }
}

/// True when `pid` names a running process (ours included).
pub(crate) fn pid_alive(pid: i64) -> bool {
    if pid <= 0 || pid > i64::from(i32::MAX) {
        return false;
    }
    // SAFETY: kill with signal 0 only checks for existence/permission.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// The pid segment of a temp-file name: `name.rsplit(".", 3)` has 4 parts, part[1] all digits.
pub fn tmp_name_pid(name: &[u8]) -> Option<i64> {
    let mut parts: Vec<&[u8]> = name.rsplitn(4, |b| *b == b'.').collect();
    if parts.len() != 4 {
        return None;
    }
    parts.reverse();
    let pid = parts[1];
    if pid.is_empty() || !pid.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(pid).ok()?.parse::<i64>().ok()
}

/// Remove stale `*.jvtmp` files anywhere under `base` (recursively, like jvspatial's sweep,
/// without following symlinked directories). Safer than jvspatial, which deletes everything
/// that does not carry its own pid: a temp file is kept when its pid segment names a live
/// process (it may be an in-flight write of another jvspatial or jvdb process); it is removed
/// when that process is gone or the name does not follow the `<name>.<pid>.<hex>.jvtmp`
/// pattern. Only regular files are touched. Returns the removed paths (with `dry_run`, the
/// paths that would be removed). A missing base has nothing to sweep.
pub fn sweep_tmp_files(base: &Path, dry_run: bool) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    match fs::symlink_metadata(base) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
        Ok(m) if !m.is_dir() => return Ok(out),
        Ok(_) => {}
    }
    let mut dirs = vec![base.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if dir == base => return Err(e),
            Err(_) => continue,
        };
        for entry in rd {
            let entry = entry?;
            let ft = entry.file_type()?;
            let name = entry.file_name();
            if ft.is_dir() {
                dirs.push(entry.path());
                continue;
            }
            if !ft.is_file() || !name.as_bytes().ends_with(TMP_SUFFIX.as_bytes()) {
                continue;
            }
            if tmp_name_pid(name.as_bytes()).is_some_and(pid_alive) {
                continue;
            }
            let p = entry.path();
            if !dry_run {
                match fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                }
            }
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_follow_jvspatial() {
        let p = temp_path(Path::new("/x/c/a.b.json"));
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        let parts: Vec<&str> = name.rsplitn(4, '.').collect();
        assert_eq!(parts[0], "jvtmp");
        assert_eq!(parts[1].len(), 12);
        assert!(
            parts[1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(parts[2], std::process::id().to_string());
        assert_eq!(parts[3], "a.b.json");
        assert_eq!(
            tmp_name_pid(name.as_bytes()),
            Some(i64::from(std::process::id()))
        );
        assert_eq!(tmp_name_pid(b"foo.jvtmp"), None);
        assert_eq!(tmp_name_pid(b"a.json.x1.abc.jvtmp"), None);
    }

    #[test]
    fn noreplace_refuses_existing() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("a.json");
        atomic_write(&t, b"1", Publish::NoReplace).unwrap();
        let e = atomic_write(&t, b"2", Publish::NoReplace).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&t).unwrap(), b"1");
        atomic_write(&t, b"3", Publish::Overwrite).unwrap();
        assert_eq!(fs::read(&t).unwrap(), b"3");
        // no temp files left behind
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn swept_temp_file_is_rewritten() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("a.json");
        for publish in [Publish::Overwrite, Publish::NoReplace] {
            let _ = fs::remove_file(&t);
            let calls = std::cell::Cell::new(0);
            // a starting jvspatial process sweeps our temp file twice, then lets it be
            let sweep = |tmp: &Path| {
                calls.set(calls.get() + 1);
                if calls.get() <= 2 {
                    fs::remove_file(tmp).unwrap();
                }
            };
            atomic_write_hooked(&t, b"data", publish, &sweep).unwrap();
            assert_eq!(calls.get(), 3);
            assert_eq!(fs::read(&t).unwrap(), b"data");
        }
        // a sweeper that never stops: bounded retries, then the error
        let always = |tmp: &Path| fs::remove_file(tmp).unwrap();
        let e = atomic_write_hooked(&d.path().join("b.json"), b"x", Publish::Overwrite, &always)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn sweep_keeps_live_pids() {
        let d = tempfile::tempdir().unwrap();
        let c = d.path().join("node");
        fs::create_dir(&c).unwrap();
        let mine = c.join(format!("a.json.{}.0123456789ab.jvtmp", std::process::id()));
        let dead = c.join("a.json.2147483646.0123456789ab.jvtmp");
        let odd = c.join("foo.jvtmp");
        for p in [&mine, &dead, &odd] {
            fs::write(p, b"x").unwrap();
        }
        let dry = sweep_tmp_files(d.path(), true).unwrap();
        assert_eq!(dry, vec![dead.clone(), odd.clone()]);
        assert!(dead.exists());
        let done = sweep_tmp_files(d.path(), false).unwrap();
        assert_eq!(done, vec![dead.clone(), odd.clone()]);
        assert!(!dead.exists() && !odd.exists() && mine.exists());
    }
}
