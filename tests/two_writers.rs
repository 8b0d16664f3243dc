//! Two writers on one store (issue 11 §3): two jvdb processes migrating the same source into the
//! same target, and jvdb migrating while an application writes other records through
//! jvspatial 0.2.2's own database API, on MongoDB (the test server), PostgreSQL and SQLite.
//! No write from either side is lost, the counts add up, and jvdb's verification tells the
//! other writer's records apart from its own instead of failing.

#[path = "common/mod.rs"]
mod common;

use common::bin::{code, err, jv, out};
use common::mongo_server::TestServer;
use jvdb::value::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const NODES: usize = 2000;
const EDGES: usize = 2000;
const APP_RECORDS: usize = 300;
/// Every child process is killed (and the test fails) past this.
const LIMIT: Duration = Duration::from_secs(300);

/// A JSON source store of NODES nodes and EDGES edges, written by `jvdb save`.
fn source(root: &Path) -> PathBuf {
    let dir = root.join("src");
    let mut nodes = String::new();
    for i in 0..NODES {
        nodes.push_str(&format!(
            "{{\"id\": \"n:City:{i:05}\", \"entity\": \"City\", \"context\": {{\"name\": \"city {i}\", \"population\": {}}}}}\n",
            i * 37
        ));
    }
    let mut edges = String::new();
    for i in 0..EDGES {
        edges.push_str(&format!(
            "{{\"id\": \"e:Road:{i:05}\", \"entity\": \"Road\", \"source\": \"n:City:{:05}\", \"target\": \"n:City:{:05}\", \"bidirectional\": true, \"context\": {{\"km\": {i}}}}}\n",
            i % NODES,
            (i * 7 + 1) % NODES
        ));
    }
    for (coll, data) in [("node", nodes), ("edge", edges)] {
        let f = root.join(format!("{coll}.jsonl"));
        std::fs::write(&f, data).unwrap();
        let o = jv(root)
            .args(["save", coll])
            .arg(&f)
            .arg("--db")
            .arg(format!("json:{}", dir.display()))
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", err(&o));
    }
    dir
}

/// The JSON text of the value at dot path `path` of `v` ("" when absent).
fn field(v: &Value, path: &str) -> String {
    let mut cur = v;
    for k in path.split('.') {
        match cur.get(k) {
            Some(x) => cur = x,
            None => return String::new(),
        }
    }
    jvdb::json::to_line(cur)
}

/// Wait for `child` at most until `deadline`; kill it and fail past that.
fn wait(mut child: Child, what: &str, deadline: Instant) -> Output {
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "{what} did not finish within {LIMIT:?}; stderr: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn_migrate(root: &Path, src: &Path, target: &str) -> Child {
    jv(root)
        .args(["migrate", "--from"])
        .arg(format!("json:{}", src.display()))
        .args(["--to", target, "--batch-size", "250"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn count(root: &Path, target: &str, coll: &str) -> u64 {
    let o = jv(root)
        .args(["count", coll, "--db", target])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", err(&o));
    out(&o).trim().parse().unwrap()
}

/// The `verify --list --format jsonl` lines between the source and the target.
fn differences(root: &Path, src: &Path, target: &str) -> Vec<Value> {
    let o = jv(root)
        .arg("verify")
        .arg(format!("json:{}", src.display()))
        .args([target, "--list", "--format", "jsonl"])
        .output()
        .unwrap();
    out(&o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| jvdb::json::parse_str(l).unwrap())
        .collect()
}

/// The targets: (name, spec, what jvspatial's app writer is given for it). Each gets its own
/// database, schema or file.
fn targets(root: &Path, mongo: &TestServer, tag: &str) -> Vec<(String, String, String, String)> {
    let schema = common::pg_server::fresh_schema();
    let pg = common::pg_server::spec_for(&schema);
    let sqlite = root.join(format!("{tag}.db"));
    let muri = mongo.uri(&format!("two_{tag}"));
    vec![
        ("mongodb".into(), muri.clone(), "mongodb".into(), muri),
        (
            "postgres".into(),
            pg,
            "postgres".into(),
            format!("{}#{schema}", common::pg_server::dsn()),
        ),
        (
            "sqlite".into(),
            format!("sqlite:{}", sqlite.display()),
            "sqlite".into(),
            sqlite.display().to_string(),
        ),
    ]
}

#[test]
fn two_jvdb_migrations_into_one_target_lose_and_duplicate_nothing() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let src = source(root);
    let mongo = TestServer::start(0);
    for (name, target, _, _) in targets(root, &mongo, "jj") {
        let deadline = Instant::now() + LIMIT;
        let a = spawn_migrate(root, &src, &target);
        let b = spawn_migrate(root, &src, &target);
        let (mut a, mut b) = (
            wait(a, "first migrate", deadline),
            wait(b, "second migrate", deadline),
        );
        // SQLite allows one writer: on a loaded machine the other can wait past jvdb's 5 s
        // busy timeout and exit 4 ("database is locked"), which says to rerun; the rerun
        // must then complete and verify like any other.
        for o in [&mut a, &mut b] {
            if code(o) == 4 && err(o).contains("database is locked") {
                *o = wait(
                    spawn_migrate(root, &src, &target),
                    "rerun migrate",
                    deadline,
                );
            }
        }
        for (w, o) in [("first", &a), ("second", &b)] {
            assert_eq!(code(o), 0, "{name}: {w} migrate: {}", err(o));
            assert!(
                err(o).contains("counts and content hashes match"),
                "{name}: {w} migrate: {}",
                err(o)
            );
        }
        assert_eq!(count(root, &target, "node"), NODES as u64, "{name}");
        assert_eq!(count(root, &target, "edge"), EDGES as u64, "{name}");
        let d = differences(root, &src, &target);
        assert!(d.is_empty(), "{name}: {d:?}");
        eprintln!(
            "two jvdb writers into {name}: {} + {} records, 0 lost, 0 duplicated",
            NODES, EDGES
        );
    }
}

#[test]
fn jvdb_and_a_jvspatial_application_writing_one_store_lose_nothing() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let src = source(root);
    let mongo = TestServer::start(0);
    let python = common::python();
    let script = common::py_script("app_writer.py");
    for (name, target, kind, app_target) in targets(root, &mongo, "app") {
        let deadline = Instant::now() + LIMIT;
        let start = root.join(format!("{name}.start"));
        let done = root.join(format!("{name}.done"));
        let app = Command::new(&python)
            .arg(&script)
            .args([&kind, &app_target, &APP_RECORDS.to_string()])
            .arg(&start)
            .arg(&done)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The application writes half of its records, then jvdb starts while it writes the rest.
        std::fs::write(&start, "go").unwrap();
        let ready = root.join(format!("{name}.start.ready"));
        while !ready.exists() {
            assert!(
                Instant::now() < deadline,
                "{name}: the application never got ready"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let jvdb = spawn_migrate(root, &src, &target);
        let jo = wait(jvdb, "jvdb migrate", deadline);
        let ao = wait(app, "the jvspatial application", deadline);
        assert!(ao.status.success(), "{name}: app: {}", err(&ao));
        let saved = jvdb::json::parse_str(&std::fs::read_to_string(&done).unwrap()).unwrap();
        assert_eq!(field(&saved, "saved"), APP_RECORDS.to_string(), "{name}");
        let e = err(&jo);
        assert_eq!(code(&jo), 0, "{name}: jvdb: {e}");
        // jvdb says what it verified: the other writer's records are named as not its own
        // instead of failing the verification.
        assert!(
            e.contains("not in the source (written by another writer")
                && e.contains("every record read is in the target as read"),
            "{name}: {e}"
        );
        // Counts add up: every record from both writers is there, once.
        assert_eq!(
            count(root, &target, "node"),
            (NODES + APP_RECORDS) as u64,
            "{name}"
        );
        assert_eq!(count(root, &target, "edge"), EDGES as u64, "{name}");
        // The only differences from the source are the application's records, as it wrote them.
        let d = differences(root, &src, &target);
        let mut app_ids: Vec<String> = d
            .iter()
            .map(|x| {
                assert_eq!(field(x, "change"), "\"only_b\"", "{name}: {x:?}");
                assert_eq!(field(x, "collection"), "\"node\"", "{name}: {x:?}");
                field(x, "id").trim_matches('"').to_string()
            })
            .collect();
        app_ids.sort();
        let want: Vec<String> = (0..APP_RECORDS).map(|i| format!("app.{i:05}")).collect();
        assert_eq!(app_ids, want, "{name}");
        let o = jv(root)
            .args(["get", "node", "app.00123", "--db", &target])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{name}: {}", err(&o));
        let rec = jvdb::json::parse_str(&out(&o)).unwrap();
        assert_eq!(field(&rec, "context.n"), "123", "{name}: {rec:?}");
        assert_eq!(
            field(&rec, "context.by"),
            "\"jvspatial\"",
            "{name}: {rec:?}"
        );
        eprintln!(
            "jvdb + jvspatial into {name}: {} jvdb + {APP_RECORDS} app records, 0 lost; jvdb's verification: {}",
            NODES + EDGES,
            e.lines()
                .filter(|l| l.contains("not in the source") || l.contains("verified"))
                .collect::<Vec<_>>()
                .join(" / ")
        );
    }
}
