//! Integration tests that run the real `jvdb` binary against real stores in temp dirs: every
//! command, its options, and its error paths with their documented exit codes.

mod common;

use common::bin::{code, err, jv, out, run, run_stdin};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Write a record file the way jvspatial does (the caller gives the exact text).
fn put(db: &Path, coll: &str, id: &str, text: &str) {
    let d = db.join(coll);
    fs::create_dir_all(&d).unwrap();
    fs::write(d.join(format!("{id}.json")), text).unwrap();
}

fn node(id: &str, entity: &str, ctx: &str) -> String {
    format!("{{\n  \"id\": \"{id}\",\n  \"entity\": \"{entity}\",\n  \"context\": {ctx}\n}}")
}

fn edge(id: &str, src: &str, tgt: &str) -> String {
    format!(
        "{{\n  \"id\": \"{id}\",\n  \"entity\": \"Edge\",\n  \"context\": {{}},\n  \"source\": \"{src}\",\n  \"target\": \"{tgt}\",\n  \"bidirectional\": false\n}}"
    )
}

/// A small graph: Root, three cities, edges root->a, a->b, one edge to a missing node,
/// one with a missing source, and c unreachable (orphan).
fn graph(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    put(
        &db,
        "node",
        "n.Root.root",
        &node("n.Root.root", "Root", "{}"),
    );
    for (id, name, pop) in [
        ("n.City.a", "Alpha", 10),
        ("n.City.b", "Beta", 2000000),
        ("n.City.c", "Gamma", 300),
    ] {
        put(
            &db,
            "node",
            id,
            &node(
                id,
                "City",
                &format!("{{\n    \"name\": \"{name}\",\n    \"population\": {pop}\n  }}"),
            ),
        );
    }
    put(
        &db,
        "edge",
        "e.Edge.1",
        &edge("e.Edge.1", "n.Root.root", "n.City.a"),
    );
    put(
        &db,
        "edge",
        "e.Edge.2",
        &edge("e.Edge.2", "n.City.a", "n.City.b"),
    );
    put(
        &db,
        "edge",
        "e.Edge.3",
        &edge("e.Edge.3", "n.City.b", "n.City.gone"),
    );
    put(
        &db,
        "edge",
        "e.Edge.4",
        "{\n  \"id\": \"e.Edge.4\",\n  \"entity\": \"Edge\",\n  \"context\": {},\n  \"target\": \"n.City.a\",\n  \"bidirectional\": false\n}",
    );
    db
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

// ---------------------------------------------------------------- info, specs, env

#[test]
fn info_default_store_and_reason() {
    let t = tmp();
    let o = run(jv(t.path()).arg("info"));
    // ./jvdb does not exist here: info still says which store and why, then state missing
    // and exit 4 (a health check).
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(out(&o).contains("state:   missing"), "{}", out(&o));
    assert!(out(&o).contains("./jvdb"), "{}", out(&o));
    assert!(out(&o).contains("default"), "{}", out(&o));
    assert!(
        !t.path().join("jvdb").exists(),
        "info must not create the store"
    );
}

#[test]
fn info_uses_jvspatial_env_vars_in_order() {
    let t = tmp();
    let o = run(jv(t.path())
        .arg("info")
        .env("JVSPATIAL_DB_PATH", "/srv/a")
        .env("JVSPATIAL_JSONDB_PATH", "/srv/b"));
    assert!(
        out(&o).contains("/srv/a") && out(&o).contains("JVSPATIAL_DB_PATH"),
        "{}",
        out(&o)
    );
    let o = run(jv(t.path())
        .arg("info")
        .env("JVSPATIAL_JSONDB_PATH", "/srv/b"));
    assert!(
        out(&o).contains("/srv/b") && out(&o).contains("JVSPATIAL_JSONDB_PATH"),
        "{}",
        out(&o)
    );
    let o = run(jv(t.path())
        .arg("info")
        .env("JVSPATIAL_DB", "memory:")
        .env("JVSPATIAL_DB_PATH", "/srv/a"));
    assert!(
        out(&o).contains("memory:") && out(&o).contains("JVSPATIAL_DB"),
        "{}",
        out(&o)
    );
    let o = run(jv(t.path())
        .args(["--db", "json:./x", "info"])
        .env("JVSPATIAL_DB", "memory:"));
    assert!(
        out(&o).contains("./x") && out(&o).contains("--db"),
        "{}",
        out(&o)
    );
}

#[test]
fn unknown_db_type_and_bad_specs_exit_2_listing_backends() {
    let t = tmp();
    let o = run(jv(t.path())
        .arg("info")
        .env("JVSPATIAL_DB_TYPE", "dynamodb"));
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("JVSPATIAL_DB_TYPE=dynamodb") && err(&o).contains("json, mongodb"),
        "{}",
        err(&o)
    );
    for spec in [
        "",
        "json:",
        "sqlite:",
        "sqlite://x.db",
        "ftp://host/x",
        "memory:extra",
    ] {
        let o = run(jv(t.path()).args(["--db", spec, "count", "node"]));
        assert_eq!(code(&o), 2, "spec {spec:?}: {}", err(&o));
        assert_eq!(
            err(&o).lines().count(),
            1,
            "one line for {spec:?}: {}",
            err(&o)
        );
    }
}

#[test]
fn passwords_are_redacted() {
    let t = tmp();
    let o = run(jv(t.path()).args([
        "--db",
        "mongodb://alice:s3cr3t@db.example/x",
        "count",
        "node",
    ]));
    assert_ne!(code(&o), 0);
    assert!(
        !err(&o).contains("s3cr3t") && !out(&o).contains("s3cr3t"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("***"), "{}", err(&o));
}

// ---------------------------------------------------------------- save

#[test]
fn save_writes_jvspatial_bytes() {
    let t = tmp();
    let o = run(jv(t.path()).args([
        "--db",
        "db",
        "save",
        "node",
        "--data",
        r#"{"id":"n.City.1","entity":"City","context":{"name":"Zürich 😀","pop":18446744073709551617,"f":1e16,"g":1e-7,"n":null,"l":[],"d":{}}}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let bytes = fs::read(t.path().join("db/node/n.City.1.json")).unwrap();
    let expected = "{\n  \"id\": \"n.City.1\",\n  \"entity\": \"City\",\n  \"context\": {\n    \"name\": \"Z\\u00fcrich \\ud83d\\ude00\",\n    \"pop\": 18446744073709551617,\n    \"f\": 1e+16,\n    \"g\": 1e-07,\n    \"n\": null,\n    \"l\": [],\n    \"d\": {}\n  }\n}";
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(t.path().join("db/node/n.City.1.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644 & !umask());
    }
    let leftovers: Vec<_> = fs::read_dir(t.path().join("db/node"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".jvtmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[cfg(unix)]
fn umask() -> u32 {
    // The test process's umask, read from /proc (0022 when unknown).
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Umask:"))
                .and_then(|l| u32::from_str_radix(l.split_whitespace().nth(1)?, 8).ok())
        })
        .unwrap_or(0o022)
}

#[test]
fn save_array_and_jsonl_with_a_bad_line() {
    let t = tmp();
    let o = run(jv(t.path()).args([
        "--db",
        "db",
        "save",
        "object",
        "--data",
        r#"[{"id":"o.A.1","entity":"A","context":{}},{"id":"o.A.2","entity":"A","context":{}}]"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(t.path().join("db/object/o.A.2.json").exists());

    let input = "{\"id\":\"o.B.1\",\"entity\":\"B\",\"context\":{}}\n{\"id\": oops}\n\n{\"id\":\"o.B.3\",\"entity\":\"B\",\"context\":{}}\n";
    let errors = t.path().join("failed.jsonl");
    let o = run_stdin(
        jv(t.path())
            .args(["--db", "db", "save", "object", "-", "--errors"])
            .arg(&errors),
        input,
    );
    assert_eq!(code(&o), 1, "partial failure: {}", err(&o));
    assert!(err(&o).contains("line 2"), "{}", err(&o));
    assert!(t.path().join("db/object/o.B.1.json").exists());
    assert!(t.path().join("db/object/o.B.3.json").exists());
    assert_eq!(fs::read_to_string(&errors).unwrap(), "{\"id\": oops}\n");
}

#[test]
fn save_modes() {
    let t = tmp();
    let db = ["--db", "db"];
    let save = |data: &str, mode: &str| {
        run(jv(t.path())
            .args(db)
            .args(["save", "node", "--mode", mode, "--data", data]))
    };
    assert_eq!(
        code(&save(
            r#"{"id":"n.A.1","entity":"A","context":{"a":1,"k":{"x":1}}}"#,
            "insert"
        )),
        0
    );
    // insert of an existing id: conflict, named.
    let o = save(r#"{"id":"n.A.1","entity":"A","context":{}}"#, "insert");
    assert_eq!(code(&o), 5, "{}", err(&o));
    assert!(err(&o).contains("n.A.1"), "{}", err(&o));
    // skip-existing leaves it alone.
    assert_eq!(
        code(&save(
            r#"{"id":"n.A.1","entity":"A","context":{}}"#,
            "skip-existing"
        )),
        0
    );
    let path = t.path().join("db/node/n.A.1.json");
    assert!(fs::read_to_string(&path).unwrap().contains("\"a\": 1"));
    // merge deep-merges.
    assert_eq!(
        code(&save(
            r#"{"id":"n.A.1","context":{"b":2,"k":{"y":2}}}"#,
            "merge"
        )),
        0
    );
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "{\n  \"id\": \"n.A.1\",\n  \"entity\": \"A\",\n  \"context\": {\n    \"a\": 1,\n    \"k\": {\n      \"x\": 1,\n      \"y\": 2\n    },\n    \"b\": 2\n  }\n}"
    );
    // replace replaces the whole record.
    assert_eq!(
        code(&save(
            r#"{"id":"n.A.1","entity":"A","context":{}}"#,
            "replace"
        )),
        0
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), node("n.A.1", "A", "{}"));
}

#[test]
fn save_generate_id_and_record_errors() {
    let t = tmp();
    let o = run(jv(t.path()).args([
        "--db",
        "db",
        "save",
        "node",
        "--generate-id",
        "--data",
        r#"{"entity":"City","context":{}}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let names: Vec<String> = fs::read_dir(t.path().join("db/node"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1);
    let id = names[0].strip_suffix(".json").unwrap();
    let hex = id.strip_prefix("n.City.").expect("n.City. prefix");
    assert!(
        hex.len() == 24
            && hex
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
        "{id}"
    );
    let text = fs::read_to_string(t.path().join("db/node").join(&names[0])).unwrap();
    assert!(
        text.starts_with(&format!("{{\n  \"id\": \"{id}\",\n  \"entity\": \"City\"")),
        "{text}"
    );

    // No id without --generate-id; invalid ids; non-objects: each a named failure, exit 1.
    for data in [
        r#"{"entity":"City"}"#,
        r#"{"id":"../evil"}"#,
        r#"{"id":"a/b"}"#,
        r#"{"id":7}"#,
        "[1]",
    ] {
        let o = run(jv(t.path()).args(["--db", "db", "save", "node", "--data", data]));
        assert_eq!(code(&o), 1, "{data}: {}", err(&o));
    }
    assert!(!t.path().join("evil.json").exists());
    // Bad JSON is invalid input: exit 2, one line.
    let o = run(jv(t.path()).args(["--db", "db", "save", "node", "--data", "{nope"]));
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert_eq!(err(&o).trim().lines().count(), 1, "{}", err(&o));
}

#[test]
fn save_dry_run_writes_nothing() {
    let t = tmp();
    let o = run(jv(t.path()).args([
        "--db",
        "db",
        "save",
        "node",
        "--dry-run",
        "--data",
        r#"{"id":"n.A.1"}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!t.path().join("db").exists());
}

// ---------------------------------------------------------------- get, find, count

#[test]
fn get_prints_found_and_names_missing() {
    let t = tmp();
    let db = graph(t.path());
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["get", "node", "n.City.a", "n.City.zz"]));
    assert_eq!(code(&o), 3);
    assert!(out(&o).contains("\"Alpha\""), "{}", out(&o));
    assert!(err(&o).contains("n.City.zz"), "{}", err(&o));
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["get", "no/de", "x"]));
    assert_eq!(code(&o), 2);
}

#[test]
fn find_filters_sorts_limits_projects() {
    let t = tmp();
    let db = graph(t.path());
    let find = |args: &[&str]| run(jv(t.path()).arg("--db").arg(&db).arg("find").args(args));
    let o = find(&[
        "node",
        "--query",
        r#"{"context.population":{"$gt":100}}"#,
        "--format",
        "ids",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "n.City.b\nn.City.c\n");
    let o = find(&[
        "node",
        "--entity",
        "City",
        "--sort",
        "context.population:-1",
        "--skip",
        "1",
        "--limit",
        "1",
        "--format",
        "ids",
    ]);
    assert_eq!(out(&o), "n.City.c\n", "{}", err(&o));
    let o = find(&[
        "node",
        "-f",
        r#"{"entity":"City"}"#,
        "--fields",
        "context.name",
        "--limit",
        "1",
    ]);
    assert_eq!(
        out(&o),
        "{\"id\":\"n.City.a\",\"context\":{\"name\":\"Alpha\"}}\n"
    );
    let o = find(&["node", "--entity", "City", "--count"]);
    assert_eq!(out(&o), "3\n");
    let o = find(&[
        "node",
        "--entity",
        "City",
        "--fields",
        "context.name",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out(&o),
        "id,context.name\nn.City.a,Alpha\nn.City.b,Beta\nn.City.c,Gamma\n"
    );
    let o = find(&["edge", "--format", "json", "--limit", "1"]);
    let text = out(&o);
    assert!(
        text.starts_with("[\n  {\n    \"id\": \"e.Edge.1\""),
        "{text}"
    );
    assert!(text.trim_end().ends_with(']'));
    let o = find(&["node", "--format", "table", "--limit", "2"]);
    assert!(
        out(&o).contains("n.City.a") && out(&o).contains("entity"),
        "{}",
        out(&o)
    );
    // Piped default is JSONL.
    let o = find(&["node", "--limit", "1"]);
    assert_eq!(out(&o).lines().count(), 1);
    assert!(out(&o).starts_with("{\"id\":\"n.City.a\""), "{}", out(&o));
}

#[test]
fn find_bad_queries_exit_2() {
    let t = tmp();
    let db = graph(t.path());
    for q in ["{bad", "[1]", r#"{"a":{"$where":"x"}}"#, r#"{"$bogus":1}"#] {
        let o = run(jv(t.path())
            .arg("--db")
            .arg(&db)
            .args(["find", "node", "--query", q]));
        assert_eq!(code(&o), 2, "query {q}: {}", err(&o));
        assert_eq!(err(&o).trim().lines().count(), 1, "{}", err(&o));
    }
    for s in ["a:2", ":1", "a,,b"] {
        let o = run(jv(t.path())
            .arg("--db")
            .arg(&db)
            .args(["find", "node", "--sort", s]));
        assert_eq!(code(&o), 2, "sort {s}: {}", err(&o));
    }
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--limit", "-1"]));
    assert_eq!(code(&o), 2);
    // The jvspatial dialect raises where Python raises (mixed-type comparison).
    let o = run(jv(t.path()).arg("--db").arg(&db).args([
        "--dialect",
        "jvspatial",
        "find",
        "node",
        "--query",
        r#"{"context.name":{"$gt":5}}"#,
    ]));
    assert_eq!(code(&o), 2, "{}", err(&o));
    assert!(err(&o).contains("not supported between"), "{}", err(&o));
}

#[test]
fn dialects_differ_on_arrays() {
    let t = tmp();
    let db = t.path().join("db");
    put(
        &db,
        "node",
        "n.A.1",
        &node(
            "n.A.1",
            "A",
            "{\n    \"tags\": [\n      \"x\",\n      \"y\"\n    ]\n  }",
        ),
    );
    let q = r#"{"context.tags":"x"}"#;
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--count", "--query", q]));
    assert_eq!(out(&o), "1\n");
    let o = run(jv(t.path()).arg("--db").arg(&db).args([
        "--dialect",
        "jvspatial",
        "find",
        "node",
        "--count",
        "--query",
        q,
    ]));
    assert_eq!(out(&o), "0\n");
}

#[test]
fn unreadable_records_are_reported_not_skipped() {
    let t = tmp();
    let db = graph(t.path());
    fs::write(db.join("node/n.City.broken.json"), "{\"id\": ").unwrap();
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--format", "ids"]));
    assert_eq!(code(&o), 1);
    assert_eq!(out(&o).lines().count(), 4);
    assert!(err(&o).contains("n.City.broken"), "{}", err(&o));
    // count with no filter counts directory entries, like jvspatial.
    let o = run(jv(t.path()).arg("--db").arg(&db).args(["count", "node"]));
    assert_eq!(out(&o), "5\n");
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["count", "node", "--query", "{}"]));
    assert_eq!(
        out(&o),
        "5\n",
        "an empty query counts entries too, as jvspatial does"
    );
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--count"]));
    assert_eq!(out(&o), "4\n", "find --count counts readable records");
    assert_eq!(code(&o), 1);
}

#[test]
fn reading_never_creates_directories() {
    let t = tmp();
    for args in [
        &["count", "node"][..],
        &["find", "node"],
        &["collections"],
        &["get", "node", "x"],
    ] {
        // A store that does not exist is an error (exit 4), never an empty store.
        let o = run(jv(t.path()).args(["--db", "missing"]).args(args));
        assert_eq!(code(&o), 4, "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("missing: no such directory"),
            "{}",
            err(&o)
        );
    }
    assert!(!t.path().join("missing").exists());
}

#[test]
fn collections_lists_names_and_counts() {
    let t = tmp();
    let db = graph(t.path());
    let o = run(jv(t.path()).arg("--db").arg(&db).arg("collections"));
    assert_eq!(out(&o), "edge\nnode\n");
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["collections", "--format", "jsonl"]));
    assert_eq!(
        out(&o),
        "{\"collection\":\"edge\",\"count\":4}\n{\"collection\":\"node\",\"count\":4}\n"
    );
}

#[test]
fn broken_pipe_ends_quietly() {
    let t = tmp();
    let db = t.path().join("db");
    let mut lines = String::new();
    for i in 0..3000 {
        lines.push_str(&format!(
            "{{\"id\":\"o.X.{i:05}\",\"entity\":\"X\",\"context\":{{\"pad\":\"{}\"}}}}\n",
            "p".repeat(100)
        ));
    }
    assert_eq!(
        code(&run_stdin(
            jv(t.path())
                .arg("--db")
                .arg(&db)
                .args(["save", "object", "-"]),
            &lines
        )),
        0
    );
    let mut child = jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "object"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).is_empty(), "{}", err(&o));
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_by_id_query_dry_run_max_delete_cascade() {
    let t = tmp();
    let db = graph(t.path());
    let del = |args: &[&str]| run(jv(t.path()).arg("--db").arg(&db).arg("delete").args(args));
    let o = del(&["node", "--query", r#"{"entity":"City"}"#, "--dry-run"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "n.City.a\nn.City.b\nn.City.c\n");
    assert!(db.join("node/n.City.a.json").exists());
    let o = del(&[
        "node",
        "--query",
        r#"{"entity":"City"}"#,
        "--max-delete",
        "2",
    ]);
    assert_eq!(code(&o), 6, "{}", err(&o));
    assert!(db.join("node/n.City.a.json").exists());
    let o = del(&["node", "n.City.zz"]);
    assert_eq!(code(&o), 3);
    let o = del(&["node"]);
    assert_eq!(code(&o), 2);
    let o = del(&["node", "n.City.a", "--cascade", "--yes"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!db.join("node/n.City.a.json").exists());
    for e in ["e.Edge.1", "e.Edge.2", "e.Edge.4"] {
        assert!(
            !db.join(format!("edge/{e}.json")).exists(),
            "{e} should be gone"
        );
    }
    assert!(db.join("edge/e.Edge.3.json").exists());
}

// ---------------------------------------------------------------- cleanup

#[test]
fn cleanup_dry_run_report_and_delete() {
    let t = tmp();
    let db = graph(t.path());
    let o =
        run(jv(t.path())
            .arg("--db")
            .arg(&db)
            .args(["cleanup", "--dry-run", "--format", "json"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let rep = out(&o);
    assert!(
        rep.contains("\"dangling_edges\": [\n    \"e.Edge.3\",\n    \"e.Edge.4\"\n  ]"),
        "{rep}"
    );
    assert!(
        rep.contains("\"orphan_nodes\": [\n    \"n.City.c\"\n  ]"),
        "{rep}"
    );
    assert!(db.join("edge/e.Edge.3.json").exists());
    // --max-delete guard.
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["cleanup", "--max-delete", "1"]));
    assert_eq!(code(&o), 6);
    assert!(db.join("edge/e.Edge.3.json").exists());
    // Real run.
    let o = run(jv(t.path()).arg("--db").arg(&db).args(["cleanup", "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "e.Edge.3\ne.Edge.4\n");
    assert!(!db.join("edge/e.Edge.3.json").exists() && !db.join("edge/e.Edge.4.json").exists());
    assert!(db.join("edge/e.Edge.1.json").exists() && db.join("node/n.City.c.json").exists());
}

#[test]
fn cleanup_refuses_without_nodes() {
    let t = tmp();
    let db = t.path().join("db");
    put(&db, "edge", "e.Edge.1", &edge("e.Edge.1", "n.A.1", "n.A.2"));
    let o = run(jv(t.path()).arg("--db").arg(&db).arg("cleanup"));
    assert_eq!(code(&o), 6, "{}", err(&o));
    assert!(db.join("edge/e.Edge.1.json").exists());
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["cleanup", "--force", "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!db.join("edge/e.Edge.1.json").exists());
}

#[test]
fn cleanup_strips_legacy_node_edges_and_tmp_files() {
    let t = tmp();
    let db = t.path().join("db");
    put(
        &db,
        "node",
        "n.City.old",
        "{\n  \"id\": \"n.City.old\",\n  \"entity\": \"City\",\n  \"context\": {},\n  \"edges\": [\n    \"e.Edge.1\"\n  ]\n}",
    );
    // A temp file of a process that cannot exist (pid 0 is never a user process).
    fs::write(
        db.join("node/n.City.x.json.999999999.0123456789ab.jvtmp"),
        "{",
    )
    .unwrap();
    let o = run(jv(t.path()).arg("--db").arg(&db).args([
        "cleanup",
        "--strip-node-edges",
        "--tmp-files",
        "--yes",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        fs::read_to_string(db.join("node/n.City.old.json")).unwrap(),
        node("n.City.old", "City", "{}")
    );
    assert!(
        !db.join("node/n.City.x.json.999999999.0123456789ab.jvtmp")
            .exists()
    );
}

// ---------------------------------------------------------------- copy, migrate, verify

#[test]
fn migrate_verifies_and_reruns_idempotently() {
    let t = tmp();
    let db = graph(t.path());
    let dst = t.path().join("dst");
    let o = run(jv(t.path())
        .args(["migrate", "--from"])
        .arg(&db)
        .arg("--to")
        .arg(&dst));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("verified"), "{}", err(&o));
    for f in [
        "node/n.City.a.json",
        "edge/e.Edge.4.json",
        "node/n.Root.root.json",
    ] {
        assert_eq!(
            fs::read(db.join(f)).unwrap(),
            fs::read(dst.join(f)).unwrap(),
            "{f}"
        );
    }
    let o = run(jv(t.path())
        .args(["migrate", "--from"])
        .arg(&db)
        .arg("--to")
        .arg(&dst));
    assert_eq!(code(&o), 0, "rerun: {}", err(&o));
    let o = run(jv(t.path()).arg("verify").arg(&db).arg(&dst));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        "collection\tcount_a\tcount_b\tresult\nedge\t4\t4\tequal\nnode\t4\t4\tequal\n"
    );
    // An extra record in the target makes verify differ (exit 6).
    put(&dst, "node", "n.X.extra", &node("n.X.extra", "X", "{}"));
    let o = run(jv(t.path()).arg("verify").arg(&db).arg(&dst));
    assert_eq!(code(&o), 6);
    // Same store on both sides is refused.
    let o = run(jv(t.path())
        .args(["migrate", "--from"])
        .arg(&db)
        .arg("--to")
        .arg(&db));
    assert_eq!(code(&o), 2);
}

#[test]
fn migrate_dry_run_and_upgrade() {
    let t = tmp();
    let db = t.path().join("db");
    put(
        &db,
        "node",
        "n.City.old",
        "{\n  \"id\": \"n.City.old\",\n  \"entity\": \"City\",\n  \"context\": {},\n  \"edges\": []\n}",
    );
    let dst = t.path().join("dst");
    let o = run(jv(t.path())
        .args(["migrate", "--dry-run", "--from"])
        .arg(&db)
        .arg("--to")
        .arg(&dst));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!dst.exists());
    let o = run(jv(t.path())
        .args(["migrate", "--upgrade", "--from"])
        .arg(&db)
        .arg("--to")
        .arg(&dst));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        fs::read_to_string(dst.join("node/n.City.old.json")).unwrap(),
        node("n.City.old", "City", "{}")
    );
}

#[test]
fn copy_collections_query_and_insert_conflicts() {
    let t = tmp();
    let db = graph(t.path());
    let dst = t.path().join("dst");
    let o = run(jv(t.path())
        .args([
            "copy",
            "--collection",
            "node",
            "--query",
            r#"{"entity":"City"}"#,
            "--from",
        ])
        .arg(&db)
        .arg("--to")
        .arg(&dst));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let mut names: Vec<String> = fs::read_dir(dst.join("node"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["n.City.a.json", "n.City.b.json", "n.City.c.json"]);
    assert!(!dst.join("edge").exists());
    let o = run(jv(t.path())
        .args(["copy", "--collection", "node", "--mode", "insert", "--from"])
        .arg(&db)
        .arg("--to")
        .arg(&dst));
    assert_eq!(code(&o), 5, "{}", err(&o));
    assert!(err(&o).contains("n.City.a"), "{}", err(&o));
    assert!(
        dst.join("node/n.Root.root.json").exists(),
        "new ids are still inserted"
    );
}

/// A JSON target takes encoded records for replace/insert/skip-existing and values for merge:
/// every mode gives the same files as `save` would.
#[test]
fn copy_modes_into_a_json_store() {
    let t = tmp();
    let src = t.path().join("src");
    let dst = t.path().join("dst");
    put(
        &src,
        "object",
        "o.A.1",
        r#"{"id": "o.A.1", "entity": "A", "context": {"x": 1, "new": true}}"#,
    );
    put(
        &src,
        "object",
        "o.A.2",
        r#"{"id": "o.A.2", "entity": "A", "context": {"x": 2}}"#,
    );
    put(
        &dst,
        "object",
        "o.A.1",
        r#"{"id": "o.A.1", "entity": "A", "context": {"x": 0, "kept": "yes"}}"#,
    );
    let copy = |mode: &str| {
        run(jv(t.path())
            .args(["copy", "--collection", "object", "--mode", mode, "--from"])
            .arg(&src)
            .arg("--to")
            .arg(&dst))
    };
    let read = |id: &str| fs::read_to_string(dst.join(format!("object/{id}.json"))).unwrap();
    // skip-existing: the stored o.A.1 stays, o.A.2 is created
    let o = copy("skip-existing");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        read("o.A.1").contains("\"kept\": \"yes\""),
        "{}",
        read("o.A.1")
    );
    assert_eq!(
        read("o.A.2"),
        "{\n  \"id\": \"o.A.2\",\n  \"entity\": \"A\",\n  \"context\": {\n    \"x\": 2\n  }\n}"
    );
    // merge: deep-merged into the stored record, key order of the stored record first
    let o = copy("merge");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        read("o.A.1"),
        "{\n  \"id\": \"o.A.1\",\n  \"entity\": \"A\",\n  \"context\": {\n    \"x\": 1,\n    \"kept\": \"yes\",\n    \"new\": true\n  }\n}"
    );
    // replace: the source record as it is
    let o = copy("replace");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        read("o.A.1"),
        "{\n  \"id\": \"o.A.1\",\n  \"entity\": \"A\",\n  \"context\": {\n    \"x\": 1,\n    \"new\": true\n  }\n}"
    );
    let names: Vec<_> = fs::read_dir(dst.join("object")).unwrap().collect();
    assert_eq!(names.len(), 2, "no temp files left behind");
}

// ---------------------------------------------------------------- completions, usage

#[test]
fn completions_and_usage_errors() {
    let t = tmp();
    for sh in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(jv(t.path()).args(["completions", sh]));
        assert_eq!(code(&o), 0);
        assert!(out(&o).contains("jvdb"), "{sh}");
    }
    let o = run(jv(t.path()).args(["find"]));
    assert_eq!(code(&o), 2);
    let o = run(jv(t.path()).args(["frobnicate"]));
    assert_eq!(code(&o), 2);
    let o = run(jv(t.path()).args(["--help"]));
    assert_eq!(code(&o), 0);
    assert!(out(&o).contains("Exit codes"));
}
