//! `jvdb check` against stores built through jvspatial 0.2.2's own API and then damaged with
//! low-level writes (tests/py/check_build.py): every damage is found, exactly, on every backend
//! that can hold it; the dangling and orphan sets are exactly those jvspatial's
//! `validate_graph` reports on the same store; a clean store exits 0, findings exit 7.
//! `--for` names what a target would refuse, and `migrate` says it before writing.
mod common;

use common::bin::{code, err, jv, out, run};
use jvdb::value::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

type Triple = (String, String, String);

/// Run the builder; returns (expected findings, validate_graph's dangling, its orphans).
fn build(
    backend: &str,
    mode: &str,
    loc: &str,
    name: &str,
) -> (Vec<Triple>, Vec<String>, Vec<String>) {
    let o = Command::new(common::python())
        .arg(common::py_script("check_build.py"))
        .args([backend, mode, loc, name])
        .stdin(Stdio::null())
        .output()
        .expect("run check_build.py");
    assert!(
        o.status.success(),
        "check_build.py {backend} {mode} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = jvdb::json::parse_str(String::from_utf8_lossy(&o.stdout).trim()).expect("builder JSON");
    let strs = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let expected = v
        .get("expected")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let t = strs(t);
            (t[0].clone(), t[1].clone(), t[2].clone())
        })
        .collect();
    let vg = v.get("validate_graph").unwrap();
    (
        expected,
        strs(vg.get("dangling").unwrap()),
        strs(vg.get("orphans").unwrap()),
    )
}

/// `jvdb --db SPEC check ARGS… --format jsonl`: (exit code, findings as objects).
fn check_jsonl(cwd: &Path, spec: &str, args: &[&str]) -> (i32, Vec<Value>) {
    let o = run(jv(cwd)
        .args(["--db", spec, "check", "--format", "jsonl"])
        .args(args));
    assert!(
        code(&o) == 0 || code(&o) == 7,
        "check failed: exit {}: {}",
        code(&o),
        err(&o)
    );
    let found = out(&o)
        .lines()
        .map(|l| jvdb::json::parse_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect();
    (code(&o), found)
}

fn triple(f: &Value) -> Triple {
    let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap().to_string();
    (s("kind"), s("collection"), s("id"))
}

fn of_kind(found: &[Value], kind: &str) -> Vec<String> {
    let mut v: Vec<String> = found
        .iter()
        .map(triple)
        .filter(|t| t.0 == kind)
        .map(|t| t.2)
        .collect();
    v.sort();
    v
}

/// Build clean and damaged stores on `backend` and check both; `spec(name)` is jvdb's spec for
/// the store the builder made at `loc(name)`.
fn damaged_store_is_reported_exactly(
    backend: &str,
    cwd: &Path,
    clean: (&str, &str, &str),
    damaged: (&str, &str, &str),
) {
    let (loc, name, spec) = clean;
    let (exp, dangling, orphans) = build(backend, "clean", loc, name);
    assert!(exp.is_empty());
    assert!(dangling.is_empty() && orphans.len() == 3, "{orphans:?}");
    let (c, found) = check_jsonl(cwd, spec, &[]);
    // The clean graph's only findings are its orphans (validate_graph's own).
    assert_eq!(of_kind(&found, "orphan_node"), orphans);
    assert_eq!(found.len(), orphans.len(), "{found:?}");
    assert_eq!(c, 7);

    let (loc, name, spec) = damaged;
    let (exp, dangling, orphans) = build(backend, "damaged", loc, name);
    let (c, found) = check_jsonl(cwd, spec, &[]);
    assert_eq!(c, 7, "findings exit 7");
    // Exactly validate_graph's dangling and orphan sets.
    assert_eq!(
        of_kind(&found, "dangling_edge"),
        dangling,
        "dangling vs validate_graph"
    );
    assert_eq!(
        of_kind(&found, "orphan_node"),
        orphans,
        "orphans vs validate_graph"
    );
    // Exactly the damage made, each once, nothing else.
    let got: BTreeSet<Triple> = found.iter().map(triple).collect();
    let want: BTreeSet<Triple> = exp.iter().cloned().collect();
    assert_eq!(got.len(), found.len(), "a finding twice: {found:?}");
    assert_eq!(got, want, "{backend}: findings differ from the damage made");
    // The text report: a summary line per kind, exit 7.
    let o = run(jv(cwd).args(["--db", spec, "check"]));
    assert_eq!(code(&o), 7, "{}", err(&o));
    let text = out(&o);
    for (k, _, _) in &want {
        assert!(
            text.contains(&format!("\n  {k} ")),
            "no summary line for {k}:\n{text}"
        );
    }
}

#[test]
fn json_store_every_kind_of_damage() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("clean"), t.path().join("damaged"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    damaged_store_is_reported_exactly("json", t.path(), (a, "", a), (b, "", b));
    // The damage of the JSON store covers every structural kind.
    let (_, found) = check_jsonl(t.path(), b, &[]);
    let kinds: BTreeSet<String> = found.iter().map(|f| triple(f).0).collect();
    for k in [
        "unreadable",
        "missing_id",
        "missing_entity",
        "entity_mismatch",
        "file_name_mismatch",
        "dangling_edge",
        "orphan_node",
        "duplicate_edge",
        "legacy_edges_array",
        "stale_temp_file",
    ] {
        assert!(kinds.contains(k), "no {k} finding");
    }
    // check is read-only: the temp file is still there, and a second run says the same.
    assert_eq!(check_jsonl(t.path(), b, &[]).1, found);
}

#[test]
fn sqlite_store_damage() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("clean.db"), t.path().join("damaged.db"));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let (sa, sb) = (format!("sqlite:{a}"), format!("sqlite:{b}"));
    damaged_store_is_reported_exactly("sqlite", t.path(), (a, "", &sa), (b, "", &sb));
}

#[test]
fn postgres_store_damage() {
    use common::pg_server::{dsn, fresh_schema, spec_for};
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (fresh_schema(), fresh_schema());
    let d = dsn();
    damaged_store_is_reported_exactly(
        "postgres",
        t.path(),
        (&d, &a, &spec_for(&a)),
        (&d, &b, &spec_for(&b)),
    );
}

#[test]
fn mongodb_store_damage() {
    let server = common::mongo_server::TestServer::start(0);
    let t = tempfile::tempdir().unwrap();
    let base = format!("mongodb://127.0.0.1:{}", server.port);
    damaged_store_is_reported_exactly(
        "mongodb",
        t.path(),
        (&base, "check_clean", &server.uri("check_clean")),
        (&base, "check_damaged", &server.uri("check_damaged")),
    );
}

/// `--for`: values a JSON store holds that PostgreSQL's JSONB or MongoDB's BSON refuse.
#[test]
fn for_targets_name_unstorable_values() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("values");
    let d = dir.to_str().unwrap();
    let (exp, dangling, orphans) = build("json", "values", d, "");
    assert!(dangling.is_empty());
    // Without --for the store is healthy apart from the clean graph's orphans.
    let (_, plain) = check_jsonl(t.path(), d, &[]);
    assert_eq!(of_kind(&plain, "orphan_node"), orphans);
    assert_eq!(plain.len(), orphans.len(), "{plain:?}");
    let (c, pg) = check_jsonl(t.path(), d, &["--for", "postgres"]);
    assert_eq!(c, 7);
    let want_pg: BTreeSet<Triple> = exp
        .iter()
        .filter(|t| t.0 != "int_beyond_64_bits")
        .cloned()
        .collect();
    let got_pg: BTreeSet<Triple> = pg
        .iter()
        .filter(|f| f.get("for").is_some())
        .map(triple)
        .collect();
    assert_eq!(got_pg, want_pg);
    let nan = pg.iter().find(|f| triple(f).0 == "nan_infinity").unwrap();
    assert_eq!(
        nan.get("field").and_then(Value::as_str),
        Some("context.pop")
    );
    assert_eq!(nan.get("for").and_then(Value::as_str), Some("PostgreSQL"));
    let (_, mongo) = check_jsonl(t.path(), d, &["--for", "mongodb"]);
    let got_mongo: BTreeSet<Triple> = mongo
        .iter()
        .filter(|f| f.get("for").is_some())
        .map(triple)
        .collect();
    let want_mongo: BTreeSet<Triple> = [
        (
            "int_beyond_64_bits",
            "node",
            "n.City.000000000000000000000021",
        ),
        ("lone_surrogate", "node", "n.City.000000000000000000000022"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert!(want_mongo.iter().all(|t| exp.contains(t)));
    assert_eq!(got_mongo, want_mongo);
    let big = mongo
        .iter()
        .find(|f| triple(f).0 == "int_beyond_64_bits")
        .unwrap();
    assert!(
        big.get("reason")
            .and_then(Value::as_str)
            .unwrap()
            .contains(&(1u128 << 70).to_string()),
        "{big:?}"
    );
    // SQLite stores every value: nothing more than without --for.
    let (_, sqlite) = check_jsonl(t.path(), d, &["--for", "sqlite"]);
    assert_eq!(sqlite, plain);
}

/// `--for`: collection names the target cannot hold (each backend's own rule).
#[test]
fn for_targets_name_collections_they_cannot_hold() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("s");
    for (coll, id) in [("my-things", "o.Thing.1"), ("$odd", "o.Thing.2")] {
        std::fs::create_dir_all(d.join(coll)).unwrap();
        std::fs::write(
            d.join(coll).join(format!("{id}.json")),
            format!("{{\"id\": \"{id}\", \"entity\": \"Thing\"}}"),
        )
        .unwrap();
    }
    let d = d.to_str().unwrap();
    let (c, plain) = check_jsonl(t.path(), d, &[]);
    assert_eq!((c, plain.len()), (0, 0), "{plain:?}");
    let names = |args: &[&str]| -> BTreeSet<(String, String)> {
        check_jsonl(t.path(), d, args)
            .1
            .iter()
            .filter(|f| triple(f).0 == "collection_name")
            .map(|f| {
                (
                    triple(f).1,
                    f.get("for").and_then(Value::as_str).unwrap().to_string(),
                )
            })
            .collect()
    };
    let pair = |c: &str, t: &str| (c.to_string(), t.to_string());
    assert_eq!(
        names(&["--for", "postgres"]),
        [pair("$odd", "PostgreSQL"), pair("my-things", "PostgreSQL")].into()
    );
    assert_eq!(
        names(&["--for", "mongodb"]),
        [pair("$odd", "MongoDB")].into()
    );
    assert_eq!(names(&["--for", "sqlite"]), BTreeSet::new());
    assert_eq!(
        names(&["--for", "postgres,mongodb"]).len(),
        3,
        "both targets' rules"
    );
}

#[test]
fn exit_codes_and_formats() {
    let t = tempfile::tempdir().unwrap();
    // A clean store: exit 0, and the JSON report says so.
    let clean = t.path().join("clean");
    std::fs::create_dir_all(clean.join("node")).unwrap();
    std::fs::write(
        clean.join("node/n.Root.root.json"),
        r#"{"id": "n.Root.root", "entity": "Root", "context": {}}"#,
    )
    .unwrap();
    let o = run(jv(t.path()).args(["--db", "clean", "check", "--format", "json"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v = jvdb::json::parse_str(&out(&o)).expect("one JSON object");
    assert_eq!(v.get("clean"), Some(&Value::Bool(true)));
    assert_eq!(v.get("findings"), Some(&Value::Array(vec![])));
    assert_eq!(v.get("store").and_then(Value::as_str), Some("json:clean"));
    let o = run(jv(t.path()).args(["--db", "clean", "check"]));
    assert_eq!(code(&o), 0);
    assert!(out(&o).contains("no findings"), "{}", out(&o));
    // A store that does not exist: exit 4, as everywhere.
    let o = run(jv(t.path()).args(["--db", "missing", "check"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    // 30 orphans: the text report shows 20 and says how to get them all.
    for i in 0..30 {
        std::fs::write(
            clean.join(format!("node/n.City.{i:024x}.json")),
            format!(r#"{{"id": "n.City.{i:024x}", "entity": "City", "context": {{}}}}"#),
        )
        .unwrap();
    }
    let o = run(jv(t.path()).args(["--db", "clean", "check"]));
    assert_eq!(code(&o), 7);
    let text = out(&o);
    assert!(text.contains("orphan_node (30)"), "{text}");
    assert!(text.contains("… 10 more"), "{text}");
    assert!(text.contains("--format jsonl"), "{text}");
    assert_eq!(text.matches("\n  node/n.City.").count(), 20);
    let o = run(jv(t.path()).args(["--db", "clean", "check", "--format", "json"]));
    let v = jvdb::json::parse_str(&out(&o)).unwrap();
    assert_eq!(v.get("findings").unwrap().as_array().unwrap().len(), 30);
    assert_eq!(
        v.get("counts").unwrap().get("orphan_node"),
        Some(&Value::Int(30))
    );
    let (c, lines) = check_jsonl(t.path(), "clean", &[]);
    assert_eq!((c, lines.len()), (7, 30));
    // Nodes and no Root.
    std::fs::remove_file(clean.join("node/n.Root.root.json")).unwrap();
    let (_, lines) = check_jsonl(t.path(), "clean", &[]);
    assert_eq!(
        of_kind(&lines, "missing_root"),
        vec!["n.Root.root".to_string()]
    );
    assert_eq!(lines.len(), 1, "no Root: validate_graph reports no orphans");
}

/// `migrate` says what the target will refuse before it writes anything.
#[test]
fn migrate_preflight_says_what_will_fail_first() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("values");
    let d = dir.to_str().unwrap();
    build("json", "values", d, "");
    // Into PostgreSQL: NaN/Infinity, \u0000 and the lone surrogate.
    let schema = common::pg_server::fresh_schema();
    let to = common::pg_server::spec_for(&schema);
    let o = run(jv(t.path()).args(["migrate", "--from", d, "--to", &to]));
    let e = err(&o);
    let pre = e
        .find("jvdb: pre-flight: ")
        .unwrap_or_else(|| panic!("no pre-flight line:\n{e}"));
    let line = e[pre..].lines().next().unwrap();
    assert!(line.contains("4 record(s) cannot be written to"), "{line}");
    assert!(line.contains("2 NaN/Infinity (e.g. node/"), "{line}");
    assert!(line.contains("1 \\u0000"), "{line}");
    assert!(line.contains("1 lone surrogate"), "{line}");
    assert!(
        !line.contains("s3cret") && !line.contains(":postgres@"),
        "{line}"
    );
    let first_failure = e.find("not written").expect("records fail by id");
    assert!(pre < first_failure, "the pre-flight comes first:\n{e}");
    assert_eq!(e.matches("jvdb: not written").count(), 4, "{e}");
    assert_eq!(code(&o), 1);
    // Into SQLite: a JSON store's duplicate edge.
    let dmg = t.path().join("damaged");
    let dm = dmg.to_str().unwrap();
    build("json", "damaged", dm, "");
    let o = run(jv(t.path()).args(["migrate", "--from", dm, "--to", "sqlite:out.db"]));
    let e = err(&o);
    let line = e
        .lines()
        .find(|l| l.starts_with("jvdb: pre-flight: "))
        .unwrap_or_else(|| panic!("no pre-flight line:\n{e}"));
    assert!(
        line.contains(
            "1 duplicate edge(s) on (source, target, entity) (e.g. edge/e.Highway.000000000000000000000099)"
        ),
        "{line}"
    );
    assert!(
        e.contains("not written edge/e.Highway.000000000000000000000099"),
        "{e}"
    );
    // A target that holds everything: no pre-flight line.
    let o = run(jv(t.path()).args(["migrate", "--from", d, "--to", "json:copy"]));
    assert!(!err(&o).contains("pre-flight"), "{}", err(&o));
}
