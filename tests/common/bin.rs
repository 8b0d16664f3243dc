//! Driving the real `jvdb` binary: a clean command, its output, and scratch copies of stores.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_jvdb"))
}

/// A command run in `cwd`, with no inherited JVSPATIAL_* variables and stdin not a terminal.
pub fn jv(cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("JVSPATIAL_") {
            c.env_remove(k);
        }
    }
    c.stdin(Stdio::null());
    c
}

pub fn run(c: &mut Command) -> Output {
    c.output().expect("run jvdb")
}

/// Run with `input` on stdin (a pipe, so not a terminal).
pub fn run_stdin(c: &mut Command, input: &str) -> Output {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn jvdb");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait jvdb")
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Copy a directory tree (files and directories only).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &p);
        } else {
            fs::copy(e.path(), &p).unwrap();
        }
    }
}

/// A temp dir holding a copy of examples/sample-store (made by jvspatial) named `name`.
pub fn sample_in(name: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store"),
        &t.path().join(name),
    );
    t
}
