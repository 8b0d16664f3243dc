//! Archives (issue 13): `dump`/`restore` round trips and the archive store read like any other,
//! against stores jvspatial 0.2.2 built and the standard tools alone.
//!
//! - JSON → archive → JSON is byte-identical (`diff -r`), for zstd, gzip and plain tar, at
//!   chosen levels; each restore verified against the manifest.
//! - JSON → archive → GNU `tar -x` (no jvdb) → `diff -r` equal but for the manifest, and
//!   jvspatial's own JsonDB reads every record of the extracted directory equal.
//! - MongoDB (the project's test server) → archive → JSON, byte-identical to the store it was
//!   loaded from; `dump -o - | restore -` through a pipe into SQLite.
//! - `collections`, `count`, `get`, `find`, `stats`, `check`, `verify` and `export` read an
//!   archive and say what they say of the store it was made from.
//! - `cleanup --backup`, `delete --backup` and `migrate --upgrade --backup`, then `restore
//!   --mode replace`, give back the store byte-identical to before.

mod common;

use common::bin::{code, copy_dir, err, jv, out, run};
use common::mongo_server::TestServer;
use common::{py_script, python};
use jvdb::value::Value;
use std::path::Path;
use std::process::Command;

fn build_graph(dir: &Path) {
    let o = Command::new(python())
        .arg(py_script("stats_build_graph.py"))
        .arg(dir)
        .output()
        .expect("run python");
    assert!(
        o.status.success(),
        "build: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `diff -r a b` (GNU diffutils), optionally leaving out the manifest: true when equal.
fn same_tree(a: &Path, b: &Path, without_manifest: bool) -> bool {
    let mut c = Command::new("diff");
    c.arg("-r");
    if without_manifest {
        c.args(["-x", "jvdb-manifest.json"]);
    }
    let o = c.arg(a).arg(b).output().expect("run diff");
    if !o.status.success() {
        eprintln!("diff -r {} {}:\n{}", a.display(), b.display(), out(&o));
    }
    o.status.success()
}

fn ok(o: &std::process::Output, what: &str) {
    assert_eq!(code(o), 0, "{what}: {}", err(o));
}

/// The manifest of an archive, read with GNU tar alone.
fn manifest(archive: &Path) -> Value {
    let o = Command::new("tar")
        .arg("-xOf")
        .arg(archive)
        .arg("jvdb-manifest.json")
        .output()
        .expect("run tar");
    assert!(o.status.success(), "tar -xOf: {}", err(&o));
    jvdb::json::parse_str(&out(&o)).expect("manifest is JSON")
}

fn count_of(m: &Value, coll: &str) -> i64 {
    match m
        .get("collections")
        .and_then(|c| c.get(coll))
        .and_then(|c| c.get("count"))
    {
        Some(Value::Int(n)) => *n,
        other => panic!("manifest count of {coll}: {other:?}"),
    }
}

/// Record files per collection of a JSON store directory.
fn files_per_collection(dir: &Path) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| {
            let n = std::fs::read_dir(e.path())
                .unwrap()
                .filter(|f| {
                    f.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .ends_with(".json")
                })
                .count();
            (e.file_name().to_string_lossy().into_owned(), n)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn json_round_trips_are_byte_identical_for_every_compression() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build_graph(&store);
    let src = format!("json:{}", store.display());
    let cases: &[(&str, &[&str])] = &[
        ("a.tar.zst", &[]),
        ("b.tar.zst", &["--level", "19"]),
        ("c.tar.gz", &[]),
        ("d.tar.gz", &["--level", "1"]),
        ("e.tar", &[]),
        ("f.backup", &["--compress", "gzip"]),
    ];
    let magic: &[(&str, &[u8])] = &[
        ("a.tar.zst", &[0x28, 0xB5, 0x2F, 0xFD]),
        ("b.tar.zst", &[0x28, 0xB5, 0x2F, 0xFD]),
        ("c.tar.gz", &[0x1F, 0x8B]),
        ("d.tar.gz", &[0x1F, 0x8B]),
        ("f.backup", &[0x1F, 0x8B]),
    ];
    for (name, extra) in cases {
        let file = d.path().join(name);
        let o = run(jv(d.path())
            .args(["dump", "--db", &src, "-o"])
            .arg(&file)
            .args(*extra));
        ok(&o, &format!("dump {name}"));
        assert!(
            err(&o).contains("counts and content hashes match"),
            "{}",
            err(&o)
        );
        assert_eq!(out(&o), "", "dump to a file prints nothing on stdout");
        let bytes = std::fs::read(&file).unwrap();
        match magic.iter().find(|(n, _)| n == name) {
            Some((_, m)) => assert!(bytes.starts_with(m), "{name}: compression by name/flag"),
            // A plain tar: the ustar/GNU magic at offset 257.
            None => assert_eq!(&bytes[257..262], b"ustar", "{name}: a plain tar"),
        }
        let back = d.path().join(format!("r-{name}"));
        let o = run(jv(d.path())
            .arg("restore")
            .arg(&file)
            .arg("--to")
            .arg(format!("json:{}", back.display())));
        ok(&o, &format!("restore {name}"));
        assert!(
            err(&o).contains("counts and content hashes match"),
            "{}",
            err(&o)
        );
        assert!(
            same_tree(&store, &back, false),
            "{name}: JSON → archive → JSON"
        );
    }
    // Higher zstd levels make smaller archives of the same store.
    let a = std::fs::metadata(d.path().join("a.tar.zst")).unwrap().len();
    let b = std::fs::metadata(d.path().join("b.tar.zst")).unwrap().len();
    assert!(
        b <= a,
        "level 19 ({b} bytes) is not larger than level 3 ({a})"
    );
    // Bad choices are refused before anything is written.
    for (args, needle) in [
        (
            ["-o", "x.tar.gz", "--compress", "zstd"],
            "disagrees with the name",
        ),
        (["-o", "y.tar.zst", "--level", "30"], "zstd takes 1 to 22"),
    ] {
        let o = run(jv(d.path()).args(["dump", "--db", &src]).args(args));
        assert_eq!(code(&o), 2, "{args:?}: {}", err(&o));
        assert!(err(&o).contains(needle), "{args:?}: {}", err(&o));
        assert_eq!(err(&o).lines().count(), 1, "one line: {}", err(&o));
    }
    assert!(!d.path().join("x.tar.gz").exists() && !d.path().join("y.tar.zst").exists());
    let o = run(jv(d.path()).args(["dump", "--db", &src, "-o", "p.tar", "--level", "3"]));
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("has no level"), "{}", err(&o));
}

#[test]
fn gnu_tar_alone_extracts_a_store_that_jvspatial_reads() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build_graph(&store);
    let src = format!("json:{}", store.display());
    for (name, flag) in [("s.tar.zst", "--zstd"), ("s.tar.gz", "-z"), ("s.tar", "")] {
        let file = d.path().join(name);
        ok(
            &run(jv(d.path()).args(["dump", "--db", &src, "-o"]).arg(&file)),
            name,
        );
        let x = d.path().join(format!("x-{name}"));
        std::fs::create_dir(&x).unwrap();
        let mut tar = Command::new("tar");
        if !flag.is_empty() {
            tar.arg(flag);
        }
        let o = tar
            .arg("-xf")
            .arg(&file)
            .arg("-C")
            .arg(&x)
            .output()
            .unwrap();
        assert!(o.status.success(), "tar -x {name}: {}", err(&o));
        // Every record file with JsonDB's exact bytes; only the manifest is added.
        assert!(
            same_tree(&store, &x, true),
            "{name}: tar -x gives the store"
        );
        assert!(x.join("jvdb-manifest.json").is_file());
        // jvspatial 0.2.2's JsonDB opens it and reads every record equal.
        let o = Command::new(python())
            .arg(py_script("archive_jsondb_read.py"))
            .arg(&x)
            .arg(&store)
            .output()
            .unwrap();
        assert!(o.status.success(), "jvspatial reads {name}: {}", err(&o));
        let counts = jvdb::json::parse_str(&out(&o)).unwrap();
        for (coll, n) in files_per_collection(&store) {
            assert_eq!(counts.get(&coll), Some(&Value::Int(n as i64)), "{coll}");
        }
        // jvdb lists the same collections in the extracted directory: the manifest is no
        // collection.
        let a = run(jv(d.path()).args(["collections", "--db", &src]));
        let b = run(jv(d.path())
            .arg("collections")
            .arg("--db")
            .arg(format!("json:{}", x.display())));
        assert_eq!(out(&a), out(&b));
        // The manifest: counts per collection, version, the source.
        let m = manifest(&file);
        assert_eq!(m.get("format"), Some(&Value::Str("jvdb-archive".into())));
        assert_eq!(m.get("version"), Some(&Value::Int(1)));
        assert_eq!(m.get("source"), Some(&Value::Str(src.clone())));
        for (coll, n) in files_per_collection(&store) {
            assert_eq!(count_of(&m, &coll), n as i64, "{coll}");
        }
    }
}

#[test]
fn mongodb_to_archive_to_json_and_a_pipe_into_sqlite() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build_graph(&store);
    let src = format!("json:{}", store.display());
    let server = TestServer::start(0);
    let uri = server.uri("jvdb_archive");
    ok(
        &run(jv(d.path()).args(["migrate", "--from", &src, "--to", &uri])),
        "load mongodb",
    );
    let file = d.path().join("m.tar.zst");
    let o = run(jv(d.path()).args(["dump", "--db", &uri, "-o"]).arg(&file));
    ok(&o, "dump mongodb");
    assert!(err(&o).contains("counts and content hashes match"));
    let m = manifest(&file);
    let source = m.get("source").and_then(Value::as_str).unwrap_or("");
    assert!(source.starts_with(&uri), "manifest source {source:?}");
    let back = d.path().join("back");
    let o = run(jv(d.path())
        .arg("restore")
        .arg(&file)
        .arg("--to")
        .arg(format!("json:{}", back.display())));
    ok(&o, "restore into json");
    // Key order survives MongoDB, so the files are the ones jvspatial wrote.
    assert!(same_tree(&store, &back, false), "MongoDB → archive → JSON");

    // dump -o - | restore - : one stream, no file in between.
    let db = d.path().join("p.db");
    let line = format!(
        "'{bin}' dump --db '{uri}' -o - | '{bin}' restore - --to 'sqlite:{db}'",
        bin = common::bin::bin().display(),
        db = db.display()
    );
    let o = Command::new("bash")
        .args(["-o", "pipefail", "-c", &line])
        .current_dir(d.path())
        .output()
        .unwrap();
    ok(&o, "dump | restore");
    assert!(err(&o).contains("archive:- (stdin)"), "{}", err(&o));
    let o = run(jv(d.path())
        .arg("verify")
        .arg(&src)
        .arg(format!("sqlite:{}", db.display())));
    ok(&o, "verify json vs sqlite after the pipe");
}

#[test]
fn read_commands_treat_an_archive_like_its_store() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build_graph(&store);
    let src = format!("json:{}", store.display());
    let file = d.path().join("s.tar.zst");
    ok(
        &run(jv(d.path()).args(["dump", "--db", &src, "-o"]).arg(&file)),
        "dump",
    );
    let arc = format!("archive:{}", file.display());
    let first_node = std::fs::read_dir(store.join("node"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .min()
        .unwrap();
    let id = first_node.trim_end_matches(".json").to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["collections"],
        vec!["count", "node"],
        vec!["count", "edge", "--query", r#"{"bidirectional": true}"#],
        vec!["get", "node", &id],
        vec!["find", "node", "--format", "jsonl"],
        vec![
            "find",
            "edge",
            "--query",
            r#"{"entity": "Highway"}"#,
            "--sort",
            "id:-1",
            "--format",
            "jsonl",
        ],
        vec!["check", "--format", "json"],
        vec!["export", "--format", "dot"],
    ];
    for args in cases {
        let a = run(jv(d.path()).args(&args).args(["--db", &src]));
        let b = run(jv(d.path()).args(&args).args(["--db", &arc]));
        assert_eq!(code(&a), code(&b), "{args:?}: {} / {}", err(&a), err(&b));
        let (oa, ob) = (out(&a), out(&b));
        assert!(!oa.is_empty(), "{args:?} prints something");
        // check names the store it read; everything else is the same.
        assert_eq!(
            oa.replace(&src, "STORE"),
            ob.replace(&arc, "STORE"),
            "{args:?} on the archive"
        );
    }
    // stats: the same numbers (the JSON store also reports its disk usage).
    let a = jvdb::json::parse_str(&out(&run(
        jv(d.path()).args(["stats", "--format", "json", "--db", &src])
    )))
    .unwrap();
    let b = jvdb::json::parse_str(&out(&run(
        jv(d.path()).args(["stats", "--format", "json", "--db", &arc])
    )))
    .unwrap();
    // The JSON store also reports its disk usage; an archive has none of its own.
    let no_disk = |v: &Value| -> Value {
        let mut v = v.get("collections").cloned().expect("collections");
        if let Value::Array(cs) = &mut v {
            for c in cs {
                c.as_object_mut().unwrap().shift_remove("disk");
            }
        }
        v
    };
    assert_eq!(no_disk(&a), no_disk(&b), "stats collections");
    assert!(a.get("graph").is_some(), "stats has a graph section");
    assert_eq!(a.get("graph"), b.get("graph"), "stats graph");
    let o = run(jv(d.path()).args(["verify", &src, &arc]));
    ok(&o, "verify store vs archive");
    // An archive is read-only, and a missing one is an error, not an empty store.
    let o = run(jv(d.path()).args(["delete", "node", &id, "--db", &arc]));
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("read-only"), "{}", err(&o));
    let o = run(jv(d.path()).args(["save", "node", "--data", r#"{"id":"n.X.1"}"#, "--db", &arc]));
    assert_eq!(code(&o), 2, "{}", err(&o));
    let o = run(jv(d.path()).args(["count", "node", "--db", "archive:nope.tar.zst"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(err(&o).contains("does not exist"), "{}", err(&o));
    // copy writes an archive of chosen collections.
    let part = d.path().join("nodes.tar");
    let o = run(jv(d.path())
        .args(["copy", "--from", &src, "-c", "node", "--to"])
        .arg(format!("archive:{}", part.display())));
    ok(&o, "copy -c node into an archive");
    let m = manifest(&part);
    let colls = m.get("collections").and_then(Value::as_object).unwrap();
    assert_eq!(colls.keys().collect::<Vec<_>>(), vec!["node"]);
}

/// Everything under `dir`, path → bytes (to compare a store before and after).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                out.push((
                    p.strip_prefix(base).unwrap().display().to_string() + "/",
                    vec![],
                ));
                walk(base, &p, out);
            } else {
                out.push((
                    p.strip_prefix(base).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn cleanup_backup_then_restore_gives_back_the_store_byte_identical() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build_graph(&store);
    let src = format!("json:{}", store.display());
    let before = snapshot(&store);
    // A dry run writes no backup and changes nothing.
    let o = run(jv(d.path()).args([
        "cleanup",
        "--dry-run",
        "--backup",
        "b.tar.zst",
        "--db",
        &src,
    ]));
    ok(&o, "cleanup --dry-run");
    assert!(err(&o).contains("would back up"), "{}", err(&o));
    assert!(!d.path().join("b.tar.zst").exists());
    assert_eq!(snapshot(&store), before);
    // The backup exists already: refused before anything is deleted.
    std::fs::write(d.path().join("old.tar.zst"), b"keep").unwrap();
    let o = run(jv(d.path()).args(["cleanup", "--yes", "--backup", "old.tar.zst", "--db", &src]));
    assert_eq!(code(&o), 6, "{}", err(&o));
    assert_eq!(
        std::fs::read(d.path().join("old.tar.zst")).unwrap(),
        b"keep"
    );
    assert_eq!(snapshot(&store), before, "nothing deleted");
    // The real run: the backup first, then the deletions.
    let o = run(jv(d.path()).args([
        "cleanup",
        "--yes",
        "--backup",
        "b.tar.zst",
        "--format",
        "json",
        "--db",
        &src,
    ]));
    ok(&o, "cleanup --backup");
    let rep = jvdb::json::parse_str(&out(&o)).unwrap();
    let deleted = match rep.get("deleted_ids") {
        Some(Value::Array(a)) => a.len(),
        other => panic!("deleted_ids: {other:?}"),
    };
    assert!(deleted > 0, "the test graph has dangling edges");
    assert_eq!(
        rep.get("backup").and_then(|b| b.get("records")),
        Some(&Value::Int(deleted as i64))
    );
    assert_ne!(snapshot(&store), before, "cleanup changed the store");
    let m = manifest(&d.path().join("b.tar.zst"));
    assert_eq!(count_of(&m, "edge"), deleted as i64);
    // restore --mode replace puts them back: the store is as it was, byte for byte.
    let o = run(jv(d.path()).args(["restore", "b.tar.zst", "--to", &src]));
    assert_eq!(code(&o), 6, "a non-empty target needs --mode: {}", err(&o));
    let o = run(jv(d.path()).args(["restore", "b.tar.zst", "--to", &src, "--mode", "replace"]));
    ok(&o, "restore --mode replace");
    assert_eq!(
        snapshot(&store),
        before,
        "cleanup --backup + restore = no change"
    );
}

#[test]
fn delete_and_upgrade_backups_restore_what_they_changed() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    build_graph(&store);
    let src = format!("json:{}", store.display());
    let before = snapshot(&store);
    let node = std::fs::read_dir(store.join("node"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("n.City."))
        .min()
        .unwrap();
    let id = node.trim_end_matches(".json");
    let o = run(jv(d.path()).args([
        "delete",
        "node",
        id,
        "--cascade",
        "--yes",
        "--backup",
        "del.tar.gz",
        "--db",
        &src,
    ]));
    ok(&o, "delete --cascade --backup");
    assert!(err(&o).contains("backed up"), "{}", err(&o));
    assert!(!store.join("node").join(&node).exists());
    let m = manifest(&d.path().join("del.tar.gz"));
    assert_eq!(count_of(&m, "node"), 1);
    assert!(count_of(&m, "edge") > 0, "the city had edges");
    let o = run(jv(d.path()).args(["restore", "del.tar.gz", "--to", &src, "--mode", "replace"]));
    ok(&o, "restore the deleted records");
    assert_eq!(
        snapshot(&store),
        before,
        "delete --backup + restore = no change"
    );

    // migrate --upgrade --backup: the nodes whose legacy edges arrays it drops, as they were.
    let legacy = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy-0.0.17/store");
    let old = d.path().join("legacy");
    copy_dir(&legacy, &old);
    let with_edges: Vec<String> = std::fs::read_dir(old.join("node"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let v = jvdb::json::parse_bytes(&std::fs::read(p).unwrap()).unwrap();
            v.get("edges").is_some()
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(!with_edges.is_empty());
    let up = d.path().join("up");
    let o = run(jv(d.path())
        .arg("migrate")
        .arg("--from")
        .arg(format!("json:{}", old.display()))
        .arg("--to")
        .arg(format!("json:{}", up.display()))
        .args(["--upgrade", "--backup", "up.tar.zst"]));
    ok(&o, "migrate --upgrade --backup");
    let m = manifest(&d.path().join("up.tar.zst"));
    assert_eq!(count_of(&m, "node"), with_edges.len() as i64);
    for n in &with_edges {
        let v = jvdb::json::parse_bytes(&std::fs::read(up.join("node").join(n)).unwrap()).unwrap();
        assert!(v.get("edges").is_none(), "{n} upgraded");
    }
    let o = run(jv(d.path())
        .args(["restore", "up.tar.zst", "--mode", "replace", "--to"])
        .arg(format!("json:{}", up.display())));
    ok(&o, "restore the pre-upgrade nodes");
    for n in &with_edges {
        assert_eq!(
            std::fs::read(up.join("node").join(n)).unwrap(),
            std::fs::read(old.join("node").join(n)).unwrap(),
            "{n} back as it was"
        );
    }
    // --backup needs --upgrade.
    let o = run(jv(d.path())
        .arg("migrate")
        .arg("--from")
        .arg(format!("json:{}", old.display()))
        .args(["--to", "memory:", "--backup", "x.tar.zst"]));
    assert_eq!(code(&o), 2, "{}", err(&o));
}

#[test]
fn dump_never_writes_an_archive_to_a_terminal() {
    let have_script = Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_script {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store");
    let line = format!(
        "'{}' dump --db '{}'",
        common::bin::bin().display(),
        store.display()
    );
    // stdout is the pseudo-terminal: the default `-o -` is refused, nothing binary printed.
    let o = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(d.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("refusing to write an archive to a terminal"),
        "{shown}"
    );
    assert!(!shown.contains("ustar"), "no tar bytes on the terminal");
}

#[test]
fn a_dump_removes_the_temp_files_of_killed_dumps_of_its_name_only() {
    let d = tempfile::tempdir().unwrap();
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store");
    // pid 4194304 is above Linux's pid_max: no such process. pid 1 is always running.
    let dead = d.path().join("b.tar.zst.4194304.0123456789ab.jvtmp");
    let live = d.path().join("b.tar.zst.1.0123456789ab.jvtmp");
    let other = d.path().join("c.tar.zst.4194304.0123456789ab.jvtmp");
    for p in [&dead, &live, &other] {
        std::fs::write(p, b"partial").unwrap();
    }
    let o = run(jv(d.path())
        .args(["dump", "-o", "b.tar.zst", "--db"])
        .arg(&store));
    ok(&o, "dump");
    assert!(!dead.exists(), "the dead process's temp file is gone");
    assert!(live.exists(), "a live process's temp file is kept");
    assert!(other.exists(), "another archive's temp file is kept");
    assert!(d.path().join("b.tar.zst").is_file());
}
