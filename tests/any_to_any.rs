//! `migrate`, `copy` and `verify` between any two of json, sqlite, postgresql, mongodb and
//! memory (issue 10), with the real binary, real servers (the MongoDB test server, a private
//! PostgreSQL cluster) and real files:
//! - every ordered pair moves the sample store (made by jvspatial) and verifies;
//! - json → sqlite → mongodb → json ends byte-identical to the start (every hop keeps key order);
//! - json → sqlite → postgresql → mongodb → json is verified at each hop and ends value-equal
//!   (PostgreSQL's JSONB keeps no key order), checked by Python's own `json` module.

mod common;

use common::bin::{code, copy_dir, err, jv, run};
use common::mongo_server::TestServer;
use common::pg_server;
use std::fs;
use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store")
}

/// The sample record with an integer beyond 64 bits, which BSON cannot hold (tests/mongo_migrate.rs
/// checks that it fails by id); the stores here leave it out when MongoDB is on the way.
const BIG: &str = "node/n.City.000000000000000000000006.json";

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in fs::read_dir(dir).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("rel").display().to_string();
                out.push((rel, fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

struct Stores {
    _mongo: Option<TestServer>,
    mongo_base: String,
    dir: tempfile::TempDir,
    n: std::cell::Cell<u32>,
}

impl Stores {
    fn new() -> Stores {
        let (mongo, base) = match std::env::var("JVDB_TEST_MONGODB_URI") {
            Ok(u) if !u.trim().is_empty() => (None, u.trim().trim_end_matches('/').to_string()),
            _ => {
                let s = TestServer::start(0);
                let base = format!("mongodb://127.0.0.1:{}", s.port);
                (Some(s), base)
            }
        };
        Stores {
            _mongo: mongo,
            mongo_base: base,
            dir: tempfile::tempdir().expect("tmp"),
            n: std::cell::Cell::new(0),
        }
    }

    /// A new, empty store of `kind`, as a spec.
    fn fresh(&self, kind: &str) -> String {
        let n = self.n.get();
        self.n.set(n + 1);
        let pid = std::process::id();
        match kind {
            "json" => self.dir.path().join(format!("j{n}")).display().to_string(),
            "sqlite" => format!(
                "sqlite:{}",
                self.dir.path().join(format!("s{n}.db")).display()
            ),
            "postgresql" => pg_server::spec_for(&pg_server::fresh_schema()),
            "mongodb" => format!("{}/jvdbany_{pid}_{n}", self.mongo_base),
            other => panic!("{other}"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn migrate(cwd: &Path, from: &str, to: &str) {
    let o = run(jv(cwd).args(["migrate", "--from", from, "--to", to]));
    assert_eq!(code(&o), 0, "migrate {from} -> {to}: {}", err(&o));
    assert!(err(&o).contains("verified"), "{}", err(&o));
    let o = run(jv(cwd).args(["verify", from, to]));
    assert_eq!(code(&o), 0, "verify {from} {to}: {}", err(&o));
}

/// The sample store without the record BSON cannot hold, as a JSON directory.
fn sample_without_big(dir: &Path) -> String {
    let src = dir.join("start");
    copy_dir(&sample(), &src);
    fs::remove_file(src.join(BIG)).expect("rm big");
    src.display().to_string()
}

#[test]
fn every_pair_of_backends_migrates_and_verifies() {
    let st = Stores::new();
    let start = sample_without_big(st.path());
    let kinds = ["json", "sqlite", "postgresql", "mongodb"];
    // One loaded store of each kind, then every ordered pair into a fresh target.
    let mut loaded = Vec::new();
    for k in kinds {
        let s = if k == "json" {
            start.clone()
        } else {
            let s = st.fresh(k);
            migrate(st.path(), &start, &s);
            s
        };
        loaded.push((k, s));
    }
    for (a, from) in &loaded {
        for b in kinds {
            if *a == b {
                continue;
            }
            let to = st.fresh(b);
            migrate(st.path(), from, &to);
            // copy of one collection, then verify of that collection.
            let to2 = st.fresh(b);
            let o = run(jv(st.path()).args(["copy", "--from", from, "--to", &to2, "-c", "edge"]));
            assert_eq!(code(&o), 0, "copy {a} -> {b}: {}", err(&o));
            let o = run(jv(st.path()).args(["verify", from, &to2, "-c", "edge"]));
            assert_eq!(code(&o), 0, "verify edge {a} {b}: {}", err(&o));
        }
        // memory: is in-process, so a migrate into it verifies in the same run.
        let o = run(jv(st.path()).args(["migrate", "--from", from, "--to", "memory:"]));
        assert_eq!(code(&o), 0, "migrate {a} -> memory: {}", err(&o));
        assert!(err(&o).contains("verified"), "{}", err(&o));
    }
}

#[test]
fn json_sqlite_mongodb_json_is_byte_identical() {
    let st = Stores::new();
    let start = sample_without_big(st.path());
    let (s, m) = (st.fresh("sqlite"), st.fresh("mongodb"));
    let end = st.path().join("end").display().to_string();
    migrate(st.path(), &start, &s);
    migrate(st.path(), &s, &m);
    migrate(st.path(), &m, &end);
    let (a, z) = (tree(Path::new(&start)), tree(Path::new(&end)));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        z.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&z) {
        assert!(
            x == y,
            "{name} differs after json -> sqlite -> mongodb -> json"
        );
    }
    // The big integer survives a hop that can hold it: json -> sqlite -> json, byte-identical.
    let full = st.path().join("full");
    copy_dir(&sample(), &full);
    let s2 = st.fresh("sqlite");
    let back = st.path().join("back");
    migrate(st.path(), full.to_str().unwrap(), &s2);
    migrate(st.path(), &s2, back.to_str().unwrap());
    assert_eq!(tree(&full), tree(&back));
}

#[test]
fn json_sqlite_postgresql_mongodb_json_is_value_equal() {
    let st = Stores::new();
    let start = sample_without_big(st.path());
    let (s, p, m) = (
        st.fresh("sqlite"),
        st.fresh("postgresql"),
        st.fresh("mongodb"),
    );
    let end = st.path().join("end").display().to_string();
    migrate(st.path(), &start, &s);
    migrate(st.path(), &s, &p);
    migrate(st.path(), &p, &m);
    migrate(st.path(), &m, &end);
    // Same files; each parses (Python's json) to an equal value; and the end is what
    // jvspatial's JsonDB writes for that value (jvdb writes only JsonDB's bytes).
    let script = r#"
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
def files(d):
    return sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
fa, fb = files(a), files(b)
assert fa == fb, (fa, fb)
for f in fa:
    x = json.load(open(os.path.join(a, f)))
    y = json.load(open(os.path.join(b, f)))
    assert x == y, f
    assert open(os.path.join(b, f)).read() == json.dumps(y, indent=2), f
print(len(fa))
"#;
    let o = std::process::Command::new(common::python())
        .args(["-c", script, &start, &end])
        .output()
        .expect("python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let n: usize = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    assert_eq!(n, tree(Path::new(&start)).len());
    assert!(n > 40, "{n}");
}

/// `delete --cascade` finds incident edges with the store's own lookup on SQLite and
/// PostgreSQL (a superset, then validate_graph's rule): the same records go as on JSON, and
/// the stores stay equal.
#[test]
fn delete_cascade_is_the_same_on_every_backend() {
    let st = Stores::new();
    let start = st.path().join("start");
    copy_dir(&sample(), &start);
    let start = start.display().to_string();
    let node = "n.City.000000000000000000000001";
    let mut stores = Vec::new();
    for kind in ["json", "sqlite", "postgresql"] {
        let s = if kind == "json" {
            start.clone()
        } else {
            let s = st.fresh(kind);
            migrate(st.path(), &start, &s);
            s
        };
        stores.push((kind, s));
    }
    let mut outputs = Vec::new();
    for (kind, s) in stores {
        let o = run(jv(st.path()).args(["--db", &s, "delete", "node", node, "--cascade", "--yes"]));
        assert_eq!(code(&o), 0, "{kind}: {}", err(&o));
        let mut ids: Vec<String> = common::bin::out(&o).lines().map(str::to_string).collect();
        ids.sort();
        assert!(ids.len() >= 3, "{kind}: {ids:?}");
        outputs.push((kind, s, ids));
    }
    let (_, json, want) = &outputs[0];
    for (kind, s, ids) in &outputs[1..] {
        assert_eq!(ids, want, "{kind}");
        let o = run(jv(st.path()).args(["verify", json, s]));
        assert_eq!(code(&o), 0, "verify json {kind}: {}", err(&o));
    }
}
