//! Interop with the real jvspatial 0.2.2: stores written by jvspatial are read by `jvdb`
//! exactly as jvspatial reads them, and records written by `jvdb` are read back by jvspatial
//! (JsonDB and the entity API) as meant, in files byte-identical to jvspatial's own.
//!
//! The oracle is Python (`tests/py/interop_*.py`, which import the real library), found through
//! `JVDB_TEST_PYTHON` or `<repo>/.venv/bin/python`; the binary is `JVDB_BIN`, else Cargo's.
mod common;

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
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

/// Run jvdb with `input` on stdin (none: stdin closed). jvspatial's environment is cleared so
/// only the arguments name stores.
fn jvdb_in<S: AsRef<OsStr>>(args: &[S], input: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(jvdb_bin());
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    for v in [
        "JVSPATIAL_DB",
        "JVSPATIAL_DB_TYPE",
        "JVSPATIAL_DB_PATH",
        "JVSPATIAL_JSONDB_PATH",
    ] {
        cmd.env_remove(v);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", jvdb_bin().display()));
    if let Some(bytes) = input {
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(bytes).expect("write jvdb stdin");
    }
    child.wait_with_output().expect("wait for jvdb")
}

fn jvdb<S: AsRef<OsStr>>(args: &[S]) -> Output {
    jvdb_in(args, None)
}

#[track_caller]
fn jvdb_ok<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let o = jvdb(args);
    assert!(
        o.status.success(),
        "jvdb {:?} failed:\n{}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        show(&o)
    );
    o
}

fn py<S: AsRef<OsStr>>(script: &str, args: &[S]) -> Output {
    Command::new(common::python())
        .arg(common::py_script(script))
        .args(args)
        .env("JVSPATIAL_TEXT_NORMALIZATION_ENABLED", "true")
        .stdin(Stdio::null())
        .output()
        .expect("run the Python oracle")
}

/// Run `interop_check.py` and fail the test with its list of differences unless it agrees.
#[track_caller]
fn oracle<S: AsRef<OsStr>>(args: &[S]) -> String {
    let o = py("interop_check.py", args);
    assert!(
        o.status.success(),
        "jvspatial disagrees ({:?}):\n{}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        show(&o)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
fn build_graph(dir: &Path) {
    let o = py("interop_build_graph.py", &[dir]);
    assert!(
        o.status.success(),
        "building the jvspatial graph failed:\n{}",
        show(&o)
    );
}

/// `(collection, id)` pairs of a store, in JsonDB.find order.
fn listing(dir: &Path) -> Vec<(String, String)> {
    oracle(&[OsStr::new("list"), dir.as_os_str()])
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(c, i)| (c.to_string(), i.to_string()))
        .collect()
}

fn collections(list: &[(String, String)]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|(c, _)| c.clone()).collect();
    v.dedup();
    v
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

fn write(path: &Path, text: &str) -> PathBuf {
    fs::write(path, text).expect("write file");
    path.to_path_buf()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Run jvdb's read commands over every collection of `dir` and have jvspatial compare.
fn read_check(dir: &Path, work: &Path) {
    let list = listing(dir);
    assert!(!list.is_empty(), "the store under test is empty");
    let db = dir.to_str().expect("utf-8 path");
    let out = work.join("out");
    fs::create_dir_all(&out).expect("mkdir out");
    let o = jvdb_ok(&["--db", db, "collections"]);
    fs::write(out.join("collections.txt"), &o.stdout).expect("write");
    for c in collections(&list) {
        let o = jvdb_ok(&["--db", db, "find", &c, "--format", "jsonl"]);
        fs::write(out.join(format!("find.{c}.jsonl")), &o.stdout).expect("write");
        let o = jvdb_ok(&["--db", db, "count", &c]);
        fs::write(out.join(format!("count.{c}.txt")), &o.stdout).expect("write");
        let mut args: Vec<String> = ["--db", db, "get", &c, "--format", "jsonl"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(list.iter().filter(|(k, _)| *k == c).map(|(_, i)| i.clone()));
        let o = jvdb_ok(&args);
        fs::write(out.join(format!("get.{c}.jsonl")), &o.stdout).expect("write");
    }
    oracle(&[OsStr::new("read-check"), dir.as_os_str(), out.as_os_str()]);
}

// ---------------------------------------------------------------------------------------------
// b. reads

#[test]
fn read_graph_built_by_jvspatial() {
    let t = tmp();
    let dir = t.path().join("db");
    build_graph(&dir);
    read_check(&dir, t.path());
}

#[test]
fn read_committed_sample_store() {
    let t = tmp();
    let dir = t.path().join("db");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store"),
        &dir,
    );
    read_check(&dir, t.path());
}

#[test]
fn read_legacy_0_0_17_store() {
    let t = tmp();
    let dir = t.path().join("db");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy-0.0.17/store"),
        &dir,
    );
    read_check(&dir, t.path());
}

/// Damaged and odd files: `count` counts `*.json` directory entries (even a directory named
/// `x.json`), `find` returns the records jvspatial can read, and reports the others (exit 1).
#[test]
fn read_malformed_files_like_jsondb() {
    let t = tmp();
    let dir = t.path().join("db");
    let m = dir.join("m");
    fs::create_dir_all(m.join("sub")).expect("mkdir");
    fs::create_dir_all(m.join("dir.json")).expect("mkdir");
    let files: &[(&str, &[u8])] = &[
        ("empty.json", b""),
        ("invalid.json", b"{nope"),
        ("list.json", b"[1, 2, 3]"),
        ("bom.json", b"\xef\xbb\xbf{\"id\": \"bom\", \"k\": 1}"),
        ("nan.json", b"{\"id\": \"nan\", \"k\": NaN}"),
        ("dup.json", b"{\"id\": \"dup\", \"k\": 0, \"k\": 1}"),
        (".hidden.json", b"{\"id\": \".hidden\", \"k\": 1}"),
        (
            "raw.json",
            "{\"id\": \"raw\", \"s\": \"Zürich \u{2028}\"}".as_bytes(),
        ),
        ("upper.JSON", b"{\"id\": \"upper\"}"),
        ("t.txt", b"{\"id\": \"t\"}"),
        ("sub/deep.json", b"{\"id\": \"deep\"}"),
    ];
    for (name, bytes) in files {
        fs::write(m.join(name), bytes).expect("write");
    }
    let utf16: Vec<u8> = {
        let mut v = vec![0xff, 0xfe];
        for u in "{\"id\": \"u16\", \"k\": 1}".encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    };
    fs::write(m.join("u16.json"), utf16).expect("write");
    let db = dir.to_str().expect("utf-8 path");
    let out = t.path().join("out");
    fs::create_dir_all(&out).expect("mkdir");

    let find = jvdb(&["--db", db, "find", "m", "--format", "jsonl"]);
    assert_eq!(
        find.status.code(),
        Some(1),
        "unreadable records must be reported with exit 1:\n{}",
        show(&find)
    );
    let err = String::from_utf8_lossy(&find.stderr);
    for bad in ["empty", "invalid", "list"] {
        assert!(
            err.contains(bad),
            "stderr does not name {bad}:\n{}",
            show(&find)
        );
    }
    fs::write(out.join("find.m.jsonl"), &find.stdout).expect("write");
    let count = jvdb_ok(&["--db", db, "count", "m"]);
    fs::write(out.join("count.m.txt"), &count.stdout).expect("write");
    let readable = listing(&dir);
    let mut args: Vec<String> = ["--db", db, "get", "m", "--format", "jsonl"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(readable.iter().map(|(_, i)| i.clone()));
    let get = jvdb_ok(&args);
    fs::write(out.join("get.m.jsonl"), &get.stdout).expect("write");
    let cols = jvdb_ok(&["--db", db, "collections"]);
    fs::write(out.join("collections.txt"), &cols.stdout).expect("write");
    oracle(&[OsStr::new("read-check"), dir.as_os_str(), out.as_os_str()]);
}

/// Python's `json.loads` accepts lone surrogate escapes, so JsonDB reads such a record
/// (jvspatial-0.2.2.md §10.5); jvdb must return it too, not report it unreadable.
#[test]
fn read_lone_surrogate_escape_like_jsondb() {
    let t = tmp();
    let dir = t.path().join("db");
    fs::create_dir_all(dir.join("m")).expect("mkdir");
    fs::write(
        dir.join("m/surr.json"),
        b"{\"id\": \"surr\", \"s\": \"a\\ud800b\", \"t\": \"\\udfff\"}",
    )
    .expect("write");
    read_check(&dir, t.path());
}

// ---------------------------------------------------------------------------------------------
// c. writes

const CITY_OBJECT: &str = r#"{"id": "n.City.000000000000000000000001", "entity": "City", "context": {"name": "Zürich 東京 😀 \u2028", "pop": 18446744073709551617, "big": -1180591620717411303424, "ratio": 1e-07, "flag": false, "nothing": null, "tags": ["x", 1, 2.5, null, -0.0], "meta": {"z": {"b": 1, "a": [{}]}, "a": 1e+16}}, "tenant_id": "t1"}"#;

const ARRAY_NODE: &str = r#"{"id": "n.City.arr000000000000000000001", "entity": "City", "context": {"name": "Array One", "pop": 1, "big": 170141183460469231731687303715884105727, "ratio": 0.1, "flag": true, "nothing": null, "tags": [], "meta": {}}}"#;

const ARRAY_EDGE: &str = r#"{"id": "e.Highway.arr0000000000000000001", "entity": "Highway", "context": {"name": "arr road", "distance_km": 12.5, "lanes": 3}, "source": "n.City.arr000000000000000000001", "target": "n.Root.root", "bidirectional": false}"#;

const JSONL_INPUT: &str = concat!(
    r#"{"id": "n.City.jsonl00000000000000001", "entity": "City", "context": {"name": "NaN city", "pop": 5, "big": 6, "ratio": NaN, "flag": false, "nothing": null, "tags": [Infinity, -Infinity], "meta": {"e": 5e-324}}}"#,
    "\n",
    r#"{"id": "o.Config.jsonl0000000000000001", "entity": "Config", "context": {"key": "ü-key", "value": {"nested": {"deeper": [1, [2, [3]]]}}}}"#,
    "\n"
);

fn spec_present(coll: &str, records_json: &str) -> String {
    format!(r#"{{"present": {{"{coll}": {records_json}}}}}"#)
}

#[test]
fn save_replace_object_array_and_jsonl_inputs() {
    let t = tmp();
    let dir = t.path().join("db");
    build_graph(&dir);
    let db = dir.to_str().expect("utf-8 path");
    // one object via --data (replaces a record jvspatial wrote)
    jvdb_ok(&["--db", db, "save", "node", "--data", CITY_OBJECT]);
    let spec = write(
        &t.path().join("s1.json"),
        &spec_present("node", &format!("[{CITY_OBJECT}]")),
    );
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    // a JSON array from a file, into node and (the same file) into edge
    let arr = write(
        &t.path().join("arr.json"),
        &format!("[\n {ARRAY_NODE},\n {ARRAY_EDGE}\n]"),
    );
    let arr_s = arr.to_str().expect("utf-8 path");
    jvdb_ok(&["--db", db, "save", "node", arr_s]);
    jvdb_ok(&["--db", db, "save", "edge", arr_s]);
    let spec = write(
        &t.path().join("s2.json"),
        &format!(
            r#"{{"present": {{"node": [{ARRAY_NODE}, {ARRAY_EDGE}], "edge": [{ARRAY_NODE}, {ARRAY_EDGE}]}}}}"#
        ),
    );
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    // JSONL on stdin, NaN and infinities included; a node and an object
    let o = jvdb_in(
        &["--db", db, "save", "node", "-"],
        Some(JSONL_INPUT.lines().next().expect("line 1").as_bytes()),
    );
    assert!(o.status.success(), "save JSONL from stdin:\n{}", show(&o));
    let o = jvdb_in(
        &["--db", db, "save", "object", "-"],
        Some(JSONL_INPUT.lines().nth(1).expect("line 2").as_bytes()),
    );
    assert!(o.status.success(), "save JSONL from stdin:\n{}", show(&o));
    let two_line = jvdb_in(
        &["--db", db, "save", "w", "-"],
        Some(JSONL_INPUT.as_bytes()),
    );
    assert!(
        two_line.status.success(),
        "save two JSONL lines from stdin:\n{}",
        show(&two_line)
    );
    let lines: Vec<&str> = JSONL_INPUT.lines().collect();
    let spec = write(
        &t.path().join("s3.json"),
        &format!(
            r#"{{"present": {{"node": [{a}], "object": [{b}], "w": [{a}, {b}]}}}}"#,
            a = lines[0],
            b = lines[1]
        ),
    );
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    oracle(&[OsStr::new("bytes-check"), dir.as_os_str()]);
}

#[test]
fn save_insert_mode_refuses_existing_ids() {
    let t = tmp();
    let dir = t.path().join("db");
    build_graph(&dir);
    let db = dir.to_str().expect("utf-8 path");
    let snap = t.path().join("snap.json");
    oracle(&[OsStr::new("snapshot"), dir.as_os_str(), snap.as_os_str()]);
    let o = jvdb(&[
        "--db",
        db,
        "save",
        "node",
        "--mode",
        "insert",
        "--data",
        CITY_OBJECT,
    ]);
    assert_eq!(
        o.status.code(),
        Some(5),
        "insert of an existing id:\n{}",
        show(&o)
    );
    oracle(&[OsStr::new("unchanged"), dir.as_os_str(), snap.as_os_str()]);
    let fresh = CITY_OBJECT.replace(
        "n.City.000000000000000000000001",
        "n.City.inserted0000000000000001",
    );
    jvdb_ok(&[
        "--db", db, "save", "node", "--mode", "insert", "--data", &fresh,
    ]);
    oracle(&[
        OsStr::new("unchanged"),
        dir.as_os_str(),
        snap.as_os_str(),
        OsStr::new("node/n.City.inserted0000000000000001.json"),
    ]);
    let spec = write(
        &t.path().join("s.json"),
        &spec_present("node", &format!("[{fresh}]")),
    );
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    oracle(&[OsStr::new("bytes-check"), dir.as_os_str()]);
}

#[test]
fn save_merge_mode_deep_merges_into_jvspatial_record() {
    let t = tmp();
    let dir = t.path().join("db");
    build_graph(&dir);
    let db = dir.to_str().expect("utf-8 path");
    let base = write(
        &t.path().join("base.json"),
        r#"[{"id": "o.Config.merge00000000000000001", "entity": "Config", "context": {"key": "k", "value": {"a": 1, "b": {"c": 2, "d": [1, 2]}}}, "tenant_id": "x"}]"#,
    );
    oracle(&[
        OsStr::new("py-save"),
        dir.as_os_str(),
        OsStr::new("object"),
        base.as_os_str(),
    ]);
    jvdb_ok(&[
        "--db",
        db,
        "save",
        "object",
        "--mode",
        "merge",
        "--data",
        r#"{"id": "o.Config.merge00000000000000001", "context": {"value": {"b": {"d": [3], "e": null}, "f": 1180591620717411303424}}}"#,
    ]);
    let want = r#"[{"id": "o.Config.merge00000000000000001", "entity": "Config", "context": {"key": "k", "value": {"a": 1, "b": {"c": 2, "d": [3], "e": null}, "f": 1180591620717411303424}}, "tenant_id": "x"}]"#;
    let spec = write(&t.path().join("s.json"), &spec_present("object", want));
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    oracle(&[OsStr::new("bytes-check"), dir.as_os_str()]);
}

#[test]
fn save_skip_existing_leaves_jvspatial_records_alone() {
    let t = tmp();
    let dir = t.path().join("db");
    build_graph(&dir);
    let db = dir.to_str().expect("utf-8 path");
    let snap = t.path().join("snap.json");
    oracle(&[OsStr::new("snapshot"), dir.as_os_str(), snap.as_os_str()]);
    let fresh = CITY_OBJECT.replace(
        "n.City.000000000000000000000001",
        "n.City.skipnew00000000000000001",
    );
    let input = write(
        &t.path().join("in.json"),
        &format!("[{CITY_OBJECT}, {fresh}]"),
    );
    jvdb_ok(&[
        "--db",
        db,
        "save",
        "node",
        "--mode",
        "skip-existing",
        input.to_str().expect("utf-8 path"),
    ]);
    oracle(&[
        OsStr::new("unchanged"),
        dir.as_os_str(),
        snap.as_os_str(),
        OsStr::new("node/n.City.skipnew00000000000000001.json"),
    ]);
    let spec = write(
        &t.path().join("s.json"),
        &spec_present("node", &format!("[{fresh}]")),
    );
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    oracle(&[OsStr::new("bytes-check"), dir.as_os_str()]);
}

/// Every record file under `a` has a byte-identical twin under `b`, and `b` has no others.
fn same_record_files(a: &Path, b: &Path, only: Option<&[&str]>) {
    let mut want = Vec::new();
    for c in fs::read_dir(a).expect("read_dir") {
        let c = c.expect("entry");
        let name = c.file_name().to_string_lossy().into_owned();
        if !c.path().is_dir() || only.is_some_and(|o| !o.contains(&name.as_str())) {
            continue;
        }
        for f in fs::read_dir(c.path()).expect("read_dir") {
            let f = f.expect("entry");
            if f.file_name().to_string_lossy().ends_with(".json") {
                want.push((name.clone(), f.file_name()));
            }
        }
    }
    assert!(!want.is_empty(), "nothing to compare under {}", a.display());
    for (c, f) in &want {
        let x = fs::read(a.join(c).join(f)).expect("read source");
        let y = fs::read(b.join(c).join(f))
            .unwrap_or_else(|e| panic!("{c}/{f:?} missing in the target: {e}"));
        assert!(x == y, "{c}/{f:?} differs between source and target");
    }
    let mut got = 0;
    if let Ok(rd) = fs::read_dir(b) {
        for c in rd.flatten() {
            if c.path().is_dir() {
                got += fs::read_dir(c.path())
                    .expect("read_dir")
                    .flatten()
                    .filter(|f| f.file_name().to_string_lossy().ends_with(".json"))
                    .count();
            }
        }
    }
    assert_eq!(got, want.len(), "the target has extra record files");
}

#[test]
fn copy_collection_is_byte_identical_and_readable() {
    let t = tmp();
    let a = t.path().join("a");
    let b = t.path().join("b");
    build_graph(&a);
    jvdb_ok(&[
        OsStr::new("copy"),
        OsStr::new("--from"),
        a.as_os_str(),
        OsStr::new("--to"),
        b.as_os_str(),
        OsStr::new("--collection"),
        OsStr::new("node"),
    ]);
    same_record_files(&a, &b, Some(&["node"]));
    let la: Vec<_> = listing(&a)
        .into_iter()
        .filter(|(c, _)| c == "node")
        .collect();
    assert_eq!(
        listing(&b),
        la,
        "jvspatial lists different nodes in the copy"
    );
    oracle(&[OsStr::new("bytes-check"), b.as_os_str()]);
    // a filtered copy into a third store: only the City nodes
    let c = t.path().join("c");
    jvdb_ok(&[
        OsStr::new("copy"),
        OsStr::new("--from"),
        a.as_os_str(),
        OsStr::new("--to"),
        c.as_os_str(),
        OsStr::new("--collection"),
        OsStr::new("node"),
        OsStr::new("--query"),
        OsStr::new(r#"{"entity": "City"}"#),
    ]);
    let lc = listing(&c);
    let want: Vec<_> = la
        .iter()
        .filter(|(_, i)| i != "n.Root.root")
        .cloned()
        .collect();
    assert_eq!(lc, want, "filtered copy");
    oracle(&[OsStr::new("bytes-check"), c.as_os_str()]);
}

#[test]
fn migrate_json_to_json_is_byte_identical_and_idempotent() {
    let t = tmp();
    let a = t.path().join("a");
    let b = t.path().join("b");
    build_graph(&a);
    let args = [
        OsStr::new("migrate"),
        OsStr::new("--from"),
        a.as_os_str(),
        OsStr::new("--to"),
        b.as_os_str(),
    ];
    jvdb_ok(&args);
    same_record_files(&a, &b, None);
    assert_eq!(listing(&a), listing(&b), "jvspatial sees different stores");
    oracle(&[OsStr::new("bytes-check"), b.as_os_str()]);
    let snap = t.path().join("snap.json");
    oracle(&[OsStr::new("snapshot"), b.as_os_str(), snap.as_os_str()]);
    jvdb_ok(&args);
    oracle(&[OsStr::new("unchanged"), b.as_os_str(), snap.as_os_str()]);
}

#[test]
fn migrate_upgrade_strips_legacy_edges_like_jvspatial() {
    let t = tmp();
    let legacy = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy-0.0.17/store");
    let a = t.path().join("a");
    copy_dir(&legacy, &a);
    let reference = t.path().join("reference");
    copy_dir(&legacy, &reference);
    let stripped = oracle(&[OsStr::new("strip"), reference.as_os_str()]);
    assert_eq!(
        stripped.trim(),
        "3",
        "jvspatial stripped a different number of nodes"
    );
    let b = t.path().join("b");
    jvdb_ok(&[
        OsStr::new("migrate"),
        OsStr::new("--from"),
        a.as_os_str(),
        OsStr::new("--to"),
        b.as_os_str(),
        OsStr::new("--upgrade"),
    ]);
    same_record_files(&reference, &b, None);
    oracle(&[OsStr::new("bytes-check"), b.as_os_str()]);
}

#[test]
fn delete_by_id_query_and_cascade() {
    let t = tmp();
    let dir = t.path().join("db");
    build_graph(&dir);
    let db = dir.to_str().expect("utf-8 path");
    let snap = t.path().join("snap.json");
    oracle(&[OsStr::new("snapshot"), dir.as_os_str(), snap.as_os_str()]);
    let o = jvdb(&[
        "--db",
        db,
        "delete",
        "node",
        "n.City.000000000000000000000006",
        "--dry-run",
    ]);
    assert!(o.status.success(), "delete --dry-run:\n{}", show(&o));
    oracle(&[OsStr::new("unchanged"), dir.as_os_str(), snap.as_os_str()]);
    jvdb_ok(&[
        "--db",
        db,
        "delete",
        "node",
        "n.City.000000000000000000000006",
        "weird id: ü € .json",
        "--yes",
    ]);
    jvdb_ok(&[
        "--db",
        db,
        "delete",
        "object",
        "--query",
        r#"{"context.key": "theme"}"#,
        "--yes",
    ]);
    let incident: Vec<String> = oracle(&[
        OsStr::new("incident"),
        dir.as_os_str(),
        OsStr::new("n.City.000000000000000000000001"),
    ])
    .lines()
    .map(str::to_string)
    .collect();
    assert!(
        incident.len() >= 4,
        "the test graph lost its edges: {incident:?}"
    );
    jvdb_ok(&[
        "--db",
        db,
        "delete",
        "node",
        "n.City.000000000000000000000001",
        "--cascade",
        "--yes",
    ]);
    let quoted = |v: &[String]| {
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let spec = write(
        &t.path().join("s.json"),
        &format!(
            r#"{{"absent": {{"node": ["n.City.000000000000000000000006", "weird id: \u00fc \u20ac .json", "n.City.000000000000000000000001"], "object": ["o.Config.000000000000000000000001"], "edge": [{}]}}, "present": {{"object": []}}}}"#,
            quoted(&incident)
        ),
    );
    oracle(&[OsStr::new("expect"), dir.as_os_str(), spec.as_os_str()]);
    // exactly those files are gone; nothing else was touched
    let mut gone: Vec<String> = vec![
        "node/n.City.000000000000000000000006.json".into(),
        "node/weird id: ü € .json.json".into(),
        "node/n.City.000000000000000000000001.json".into(),
        "object/o.Config.000000000000000000000001.json".into(),
    ];
    gone.extend(incident.iter().map(|i| format!("edge/{i}.json")));
    let mut args: Vec<std::ffi::OsString> =
        vec!["removed".into(), dir.clone().into(), snap.clone().into()];
    args.extend(gone.iter().map(Into::into));
    oracle(&args);
    oracle(&[OsStr::new("bytes-check"), dir.as_os_str()]);
}
