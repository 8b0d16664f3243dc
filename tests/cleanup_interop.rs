//! `jvdb cleanup` against jvspatial 0.2.2's own graph audit: on graphs made by jvspatial, the
//! dangling edges jvdb lists and deletes are exactly those `jvspatial.core.validate.validate_graph`
//! reports, orphan nodes are reported and kept, and the guards refuse with exit 6.
//!
//! Python (the oracle) comes from `JVDB_TEST_PYTHON` or `<repo>/.venv/bin/python`; the binary
//! from `JVDB_BIN`, else Cargo's.
mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn jvdb_bin() -> PathBuf {
    std::env::var_os("JVDB_BIN")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_jvdb")))
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `jvdb --db DIR cleanup ARGS…` with stdin closed and jvspatial's environment cleared.
fn cleanup(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(jvdb_bin());
    cmd.arg("--db").arg(dir).arg("cleanup").args(args);
    for v in [
        "JVSPATIAL_DB",
        "JVSPATIAL_DB_TYPE",
        "JVSPATIAL_DB_PATH",
        "JVSPATIAL_JSONDB_PATH",
    ] {
        cmd.env_remove(v);
    }
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", jvdb_bin().display()))
}

fn py(script: &str, args: &[&OsStr]) -> Output {
    Command::new(common::python())
        .arg(common::py_script(script))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the Python oracle")
}

#[track_caller]
fn oracle(args: &[&OsStr]) {
    let o = py("interop_check.py", args);
    assert!(
        o.status.success(),
        "jvspatial disagrees ({args:?}):\n{}",
        show(&o)
    );
}

#[track_caller]
fn build(dir: &Path, mode: &str) {
    let o = py(
        "interop_cleanup_graph.py",
        &[dir.as_os_str(), OsStr::new(mode)],
    );
    assert!(
        o.status.success(),
        "building the graph failed:\n{}",
        show(&o)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let e = e.expect("dir entry");
        let t = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            fs::copy(e.path(), &t).expect("copy file");
        }
    }
}

/// A store of `mode` (or a copy of a committed example) with its snapshot taken.
struct Case {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    snap: PathBuf,
    report: PathBuf,
}

impl Case {
    fn new(mode: &str) -> Case {
        let t = tempfile::tempdir().expect("tempdir");
        let dir = t.path().join("db");
        if let Some(example) = mode.strip_prefix("example:") {
            copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(example), &dir);
        } else {
            build(&dir, mode);
        }
        let snap = t.path().join("snap.json");
        let report = t.path().join("report.json");
        oracle(&[OsStr::new("snapshot"), dir.as_os_str(), snap.as_os_str()]);
        Case {
            _tmp: t,
            dir,
            snap,
            report,
        }
    }

    /// Run cleanup with `--format json`, keep its report, return the output.
    fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let o = cleanup(&self.dir, &all);
        fs::write(&self.report, &o.stdout).expect("write report");
        o
    }

    fn check(&self, mode: &str) {
        oracle(&[
            OsStr::new("cleanup-check"),
            self.dir.as_os_str(),
            self.snap.as_os_str(),
            self.report.as_os_str(),
            OsStr::new(mode),
        ]);
    }

    fn unchanged(&self) {
        oracle(&[
            OsStr::new("unchanged"),
            self.dir.as_os_str(),
            self.snap.as_os_str(),
        ]);
    }
}

#[track_caller]
fn assert_exit(o: &Output, code: i32, what: &str) {
    assert_eq!(o.status.code(), Some(code), "{what}:\n{}", show(o));
}

#[test]
fn dry_run_lists_exactly_validate_graphs_dangling_edges() {
    let c = Case::new("full");
    let o = c.run(&["--dry-run"]);
    assert_exit(&o, 0, "cleanup --dry-run");
    c.check("dry");
}

#[test]
fn yes_deletes_exactly_them_and_keeps_orphans() {
    let c = Case::new("full");
    let o = c.run(&["--yes"]);
    assert_exit(&o, 0, "cleanup --yes");
    c.check("applied");
    oracle(&[OsStr::new("bytes-check"), c.dir.as_os_str()]);
    // a second run finds nothing left to do
    let again = c.run(&["--yes"]);
    assert_exit(&again, 0, "second cleanup --yes");
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(
        text.contains("\"dangling_edges\": []") || text.contains("\"dangling_edges\":[]"),
        "second run still reports dangling edges:\n{}",
        show(&again)
    );
}

#[test]
fn text_format_prints_the_same_ids() {
    let c = Case::new("full");
    let json = c.run(&["--dry-run"]);
    assert_exit(&json, 0, "cleanup --dry-run --format json");
    c.check("dry");
    let text = cleanup(&c.dir, &["--dry-run"]);
    assert_exit(&text, 0, "cleanup --dry-run (text)");
    let mut ids: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    ids.sort();
    let report = String::from_utf8_lossy(&json.stdout).into_owned();
    assert!(!ids.is_empty(), "text report is empty");
    for id in &ids {
        assert!(
            report.contains(&format!("\"{id}\"")),
            "{id} is in the text report only"
        );
    }
    // count how many dangling ids the JSON report has, by the same ids
    let n_json = report
        .split("\"dangling_edges\"")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|list| list.matches('"').count() / 2)
        .unwrap_or(usize::MAX);
    assert_eq!(ids.len(), n_json, "text and JSON reports differ in length");
    c.unchanged();
}

#[test]
fn max_delete_guard_refuses_and_deletes_nothing() {
    let c = Case::new("three");
    let o = c.run(&["--yes", "--max-delete", "1"]);
    assert_exit(&o, 6, "cleanup --max-delete 1 with 3 dangling edges");
    c.unchanged();
    let o = c.run(&["--yes", "--max-delete", "3"]);
    assert_exit(&o, 0, "cleanup --max-delete 3 with 3 dangling edges");
    c.check("applied");
}

#[test]
fn missing_node_collection_is_refused_unless_forced() {
    let c = Case::new("no-nodes");
    let o = c.run(&["--yes"]);
    assert_exit(&o, 6, "cleanup without a node collection");
    c.unchanged();
    let o = c.run(&["--yes", "--force"]);
    assert_exit(&o, 0, "cleanup --force without a node collection");
    c.check("applied");
}

#[test]
fn empty_node_collection_is_refused_unless_forced() {
    let c = Case::new("empty-nodes");
    let o = c.run(&["--yes"]);
    assert_exit(&o, 6, "cleanup with an empty node collection");
    c.unchanged();
    let o = c.run(&["--yes", "--force"]);
    assert_exit(&o, 0, "cleanup --force with an empty node collection");
    c.check("applied");
}

#[test]
fn sample_store_dry_run_matches_validate_graph() {
    let c = Case::new("example:examples/sample-store");
    let o = c.run(&["--dry-run"]);
    assert_exit(&o, 0, "cleanup --dry-run on the sample store");
    c.check("dry");
}

#[test]
fn legacy_store_cleanup_matches_validate_graph() {
    let c = Case::new("example:examples/legacy-0.0.17/store");
    let o = c.run(&["--yes"]);
    assert_exit(&o, 0, "cleanup --yes on the 0.0.17 store");
    c.check("applied");
}
