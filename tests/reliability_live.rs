//! Beside a live jvspatial (issue 5 §3): jvdb bulk-writes a collection, round after round,
//! while Python processes running jvspatial's real JsonDB start over and over on the same
//! store (every start sweeps the other processes' `*.jvtmp` files, jvdb's in-flight temp
//! files included) and write records of their own. Afterwards no write from either side is
//! lost (counts add up, every record is what its writer wrote last), no file is torn, no temp
//! file is left.

mod reliability_common;

#[path = "common/mod.rs"]
mod common;

use jvdb::value::Value;
use reliability_common::*;
use std::fs;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const JV_RECORDS: usize = 1200;
const PY_PROCS: usize = 4;
const PY_INSTANCES: usize = 30;
const PY_PER: usize = 4;

fn jv_record(i: usize, round: u64) -> Value {
    jvdb::json::parse_str(&format!(
        "{{\"id\": \"n.Thing.{i:05}\", \"entity\": \"Thing\", \"round\": {round}, \"big\": 123456789012345678901234567890, \"pad\": \"{}\"}}",
        "r".repeat(100 + (round as usize % 5) * 30)
    ))
    .unwrap()
}

fn py_record(p: usize, inst: usize, n: usize) -> Value {
    jvdb::json::parse_str(&format!(
        "{{\"id\": \"py.{p}.{inst}.{n}\", \"entity\": \"PyThing\", \"proc\": {p}, \"inst\": {inst}, \"n\": {n}, \"by\": \"jvspatial\"}}"
    ))
    .unwrap()
}

#[test]
fn jvdb_and_live_jvspatial_lose_nothing() {
    let python = common::python();
    let script = common::py_script("reliability_live_writer.py");
    let t = tempfile::tempdir().unwrap();
    let root = t.path().to_path_buf();
    let db = root.join("db");
    fs::create_dir_all(&db).unwrap();

    // Python side: PY_PROCS processes one after another (each with PY_INSTANCES fresh starts).
    let py_done = Arc::new(AtomicBool::new(false));
    let py = {
        let (db, done) = (db.clone(), py_done.clone());
        std::thread::spawn(move || {
            let mut total = 0usize;
            for p in 0..PY_PROCS {
                let o = Command::new(&python)
                    .arg(&script)
                    .arg(&db)
                    .arg("pyw")
                    .arg(p.to_string())
                    .arg(PY_INSTANCES.to_string())
                    .arg(PY_PER.to_string())
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                assert!(
                    o.status.success(),
                    "jvspatial writer {p}: {}",
                    text(&o.stderr)
                );
                total += text(&o.stdout).trim().parse::<usize>().unwrap();
            }
            done.store(true, Ordering::SeqCst);
            total
        })
    };

    // jvdb side: rounds of bulk saves over the same ids until the Python side is done
    // (and at least 3 rounds).
    let mut round = 0u64;
    while round < 3 || !py_done.load(Ordering::SeqCst) {
        round += 1;
        let mut jsonl = String::new();
        for i in 0..JV_RECORDS {
            jsonl.push_str(&jvdb::json::to_line(&jv_record(i, round)));
            jsonl.push('\n');
        }
        let input = root.join("in.jsonl");
        fs::write(&input, jsonl).unwrap();
        let o = jv(&root)
            .args([
                "--db",
                "db",
                "save",
                "node",
                "in.jsonl",
                "--batch-size",
                "50",
            ])
            .output()
            .unwrap();
        assert_no_panic(&o, "jvdb save");
        let err = text(&o.stderr);
        assert!(o.status.success(), "round {round}: {err}");
        assert!(
            err.contains(&format!("saved {JV_RECORDS} record(s)")),
            "round {round}: {err}"
        );
        assert!(round < 500, "the jvspatial writers never finished");
    }
    let py_total = py.join().expect("jvspatial writers");
    assert_eq!(py_total, PY_PROCS * PY_INSTANCES * PY_PER);

    // Nothing torn, nothing left over.
    for p in json_files(&db) {
        assert!(
            parses_as_record(&fs::read(&p).unwrap()),
            "{} torn",
            p.display()
        );
    }
    assert!(
        tmp_files(&db).is_empty(),
        "temp files left: {:?}",
        tmp_files(&db)
    );
    // jvdb's records: all there, each the last round's content, byte for byte.
    let node = db.join("node");
    assert_eq!(fs::read_dir(&node).unwrap().count(), JV_RECORDS);
    for i in 0..JV_RECORDS {
        let want = jvdb::json::to_python_indent2(&jv_record(i, round));
        let got = fs::read(node.join(format!("n.Thing.{i:05}.json"))).unwrap();
        assert!(
            got == want,
            "jvdb record {i} is not its last write (round {round})"
        );
    }
    // jvspatial's records: all there, each what jvspatial wrote.
    let pyw = db.join("pyw");
    assert_eq!(fs::read_dir(&pyw).unwrap().count(), py_total);
    for p in 0..PY_PROCS {
        for inst in 0..PY_INSTANCES {
            for n in 0..PY_PER {
                let want = py_record(p, inst, n);
                let path = pyw.join(format!("py.{p}.{inst}.{n}.json"));
                let got = jvdb::json::parse_bytes(&fs::read(&path).unwrap()).unwrap();
                assert_eq!(got, want, "{}", path.display());
            }
        }
    }
    // and jvdb counts agree
    for (coll, n) in [("node", JV_RECORDS), ("pyw", py_total)] {
        let o = jv(&root)
            .args(["--db", "db", "count", coll])
            .output()
            .unwrap();
        assert_eq!(text(&o.stdout).trim(), n.to_string());
    }
    eprintln!(
        "live: {round} jvdb rounds x {JV_RECORDS} records beside {} jvspatial starts writing {py_total} records: 0 lost",
        PY_PROCS * PY_INSTANCES
    );
}
