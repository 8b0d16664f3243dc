//! Helpers shared by the reliability tests (hostile corpus, kill/Ctrl-C safety, live writers):
//! running the real binary, walking a store, the invariants every run must keep.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_jvdb"))
}

/// `jvdb` with no inherited JVSPATIAL_* variables, run inside `cwd`, stdin closed.
pub fn jv(cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("JVSPATIAL_") {
            c.env_remove(k);
        }
    }
    c.env_remove("RUST_BACKTRACE");
    c.stdin(Stdio::null());
    c
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every path under `dir` (files, dirs, symlinks), never following symlinks.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            out.push(p.clone());
            if is_dir {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn is_tmp(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with(".jvtmp"))
}

/// Temp files left under `dir`.
pub fn tmp_files(dir: &Path) -> Vec<PathBuf> {
    walk(dir).into_iter().filter(|p| is_tmp(p)).collect()
}

/// Regular `*.json` files under `dir` (symlinks not followed, not included).
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
        })
        .collect()
}

/// True when `bytes` is a complete record (a JSON object) as the store reads it.
pub fn parses_as_record(bytes: &[u8]) -> bool {
    matches!(
        jvdb::json::parse_bytes(bytes),
        Ok(jvdb::value::Value::Object(_))
    )
}

/// The invariants of every run: it ended with an exit code (no signal), not Rust's panic code
/// 101, and nothing on stderr looks like a panic or abort.
#[track_caller]
pub fn assert_no_panic(o: &Output, what: &str) {
    let err = text(&o.stderr);
    assert!(
        o.status.code().is_some(),
        "{what}: killed by a signal ({:?}); stderr: {err}",
        o.status
    );
    assert_ne!(
        o.status.code(),
        Some(101),
        "{what}: panicked; stderr: {err}"
    );
    for bad in ["panicked", "RUST_BACKTRACE", "stack overflow", "Aborted"] {
        assert!(!err.contains(bad), "{what}: stderr has {bad:?}: {err}");
    }
}

/// Lines of stderr that report an error (`jvdb: …` from us, `error: …` from the argument
/// parser; clap adds usage hints after its one `error:` line).
pub fn error_lines(o: &Output) -> Vec<String> {
    text(&o.stderr)
        .lines()
        .filter(|l| l.starts_with("jvdb:") || l.starts_with("error:"))
        .map(str::to_string)
        .collect()
}

/// A tmpfs mounted for the test, unmounted on drop. `None` when mounting is not possible
/// (not root, no mount binary, inside a restricted container).
pub struct Tmpfs {
    pub dir: PathBuf,
}

impl Tmpfs {
    pub fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs {
            dir: dir.to_path_buf(),
        })
    }

    /// Remount read-only.
    pub fn make_readonly(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A record file exactly as jvspatial writes it (`json.dumps(rec, indent=2)`).
pub fn put_record(db: &Path, coll: &str, id: &str, rec: &jvdb::value::Value) {
    let d = db.join(coll);
    fs::create_dir_all(&d).unwrap();
    fs::write(
        d.join(format!("{id}.json")),
        jvdb::json::to_python_indent2(rec),
    )
    .unwrap();
}

/// Send a signal to a child.
pub fn signal(pid: u32, sig: i32) {
    // SAFETY: plain kill(2) on a pid we spawned.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

/// A small deterministic PRNG (SplitMix64) so runs are reproducible from a seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The seed for randomized tests: `JVDB_TEST_SEED`, else a fixed default (printed, so a
/// failure can be replayed).
pub fn seed(default: u64) -> u64 {
    let s = std::env::var("JVDB_TEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    eprintln!("seed {s} (replay with JVDB_TEST_SEED={s})");
    s
}
