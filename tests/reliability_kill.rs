//! Kill safety and Ctrl-C (issue 5 §1, §2).
//!
//! SIGKILL lands at random moments (seeded; `JVDB_TEST_SEED` replays a run) during a bulk
//! `save` that overwrites existing records with new content and during `migrate` json→json.
//! After every kill: every `*.json` file parses and equals either its old or its new content
//! (byte for byte); leftover temp files are named `<name>.<pid of the killed jvdb>.<12 hex>.jvtmp`
//! (so jvspatial's start-up sweep and `cleanup --tmp-files` reap them) and
//! `cleanup --tmp-files --yes` removes them; a rerun of `migrate` completes and `verify` says
//! the stores are identical. SIGINT during `migrate` exits 130 after the batch in flight,
//! says how to resume, and the rerun completes.

mod reliability_common;

use jvdb::value::Value;
use reliability_common::*;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const N: usize = 800;
/// Kills that must land mid-run, per phase (save, migrate); rounds go on until they have.
const KILLS_PER_PHASE: usize = 11;
const MAX_ROUNDS: usize = 40;

fn record(id: &str, generation: u64) -> Value {
    jvdb::json::parse_str(&format!(
        "{{\"id\": \"{id}\", \"entity\": \"Thing\", \"gen\": {generation}, \"big\": 1{}, \"pad\": \"{}\", \"tags\": [\"é\", NaN, {{\"k\": {generation}}}]}}",
        "0".repeat(25),
        "g".repeat(150 + (generation as usize % 7) * 10)
    ))
    .unwrap()
}

fn id_of(i: usize) -> String {
    format!("n.Thing.{i:05}")
}

/// Bytes of every record file of a collection, by file name.
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(rd) = fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            out.insert(name, fs::read(e.path()).unwrap());
        }
    }
    out
}

/// Leftover temp files must be `<record file name>.<pid>.<12 lowercase hex>.jvtmp` with the
/// pid of the killed process.
fn check_tmp_names(dir: &Path, pid: u32) -> usize {
    let tmps = tmp_files(dir);
    for p in &tmps {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let parts: Vec<&str> = name.rsplitn(4, '.').collect();
        assert_eq!(parts.len(), 4, "{name}");
        assert_eq!(parts[0], "jvtmp", "{name}");
        assert!(
            parts[1].len() == 12
                && parts[1]
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{name}: token"
        );
        assert_eq!(parts[2], pid.to_string(), "{name}: pid");
        assert!(parts[3].ends_with(".json"), "{name}: target name");
    }
    tmps.len()
}

fn cleanup_tmp(cwd: &Path, db: &Path) {
    let o = jv(cwd)
        .args(["--db"])
        .arg(db)
        .args(["cleanup", "--tmp-files", "--yes"])
        .output()
        .unwrap();
    assert_no_panic(&o, "cleanup");
    assert!(o.status.success(), "cleanup: {}", text(&o.stderr));
    assert!(tmp_files(db).is_empty(), "cleanup left {:?}", tmp_files(db));
}

fn spawn_quiet(cwd: &Path, args: &[&str], stdin: Option<&Path>) -> Child {
    let mut c = jv(cwd);
    c.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    if let Some(p) = stdin {
        c.stdin(fs::File::open(p).unwrap());
    }
    c.spawn().unwrap()
}

/// Run to completion and return the duration (to spread kills over a whole run).
fn timed(cwd: &Path, args: &[&str], stdin: Option<&Path>) -> Duration {
    let start = Instant::now();
    let o = spawn_quiet(cwd, args, stdin).wait_with_output().unwrap();
    assert_no_panic(&o, "calibration");
    assert!(o.status.success(), "{args:?}: {}", text(&o.stderr));
    start.elapsed()
}

/// A random moment within 2%..90% of a full run (start-up included), in microseconds.
fn spread(rng: &mut Rng, full: Duration) -> Duration {
    let us = full.as_micros() as u64;
    Duration::from_micros(us / 50 + rng.below(us * 88 / 100 + 1))
}

/// Kill `child` after `delay`; returns true when it was still running (a real kill).
fn kill_after(mut child: Child, delay: Duration) -> bool {
    std::thread::sleep(delay);
    let alive = child.try_wait().unwrap().is_none();
    signal(child.id(), libc::SIGKILL);
    let st = child.wait().unwrap();
    if alive {
        use std::os::unix::process::ExitStatusExt;
        // It may have finished between try_wait and the kill.
        assert!(
            st.signal() == Some(libc::SIGKILL) || st.success(),
            "unexpected status {st:?}"
        );
        return st.signal() == Some(libc::SIGKILL);
    }
    false
}

#[test]
fn sigkill_during_bulk_save_and_migrate() {
    let mut rng = Rng(seed(0x5eed_0001));
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let db = root.join("db");
    let coll = db.join("node");
    // Generation 0 on disk, as jvspatial writes it.
    for i in 0..N {
        put_record(&db, "node", &id_of(i), &record(&id_of(i), 0));
    }
    let mut tmp_left = 0;
    let mut runs = 0;
    // ---- bulk save: each round overwrites every record with a new generation and adds
    // new ids; killed at a random moment.
    let mut calib = None;
    let mut save_kills = 0;
    for generation in 1..=MAX_ROUNDS as u64 {
        if save_kills >= KILLS_PER_PHASE {
            break;
        }
        let before = files_of(&coll);
        let input = root.join(format!("gen{generation}.jsonl"));
        let mut jsonl = String::new();
        let mut new: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for i in 0..N + 100 {
            let r = record(&id_of(i), generation);
            jsonl.push_str(&jvdb::json::to_line(&r));
            jsonl.push('\n');
            new.insert(
                format!("{}.json", id_of(i)),
                jvdb::json::to_python_indent2(&r),
            );
        }
        fs::write(&input, jsonl).unwrap();
        let args = ["--db", "db", "save", "node", "-", "--batch-size", "100"];
        let full = *calib.get_or_insert_with(|| {
            // first round: a full run (not killed) to learn how long a run takes
            timed(root, &args, Some(&input))
        });
        if generation == 1 {
            runs += 1;
        } else {
            let delay = spread(&mut rng, full);
            let child = spawn_quiet(root, &args, Some(&input));
            let pid = child.id();
            let hit = kill_after(child, delay);
            save_kills += hit as usize;
            if !hit {
                // The run was faster than calibrated (an idle machine): aim earlier.
                calib = Some(full * 7 / 10);
            }
            runs += 1;
            tmp_left += check_tmp_names(&db, pid);
        }
        let after = files_of(&coll);
        for (name, bytes) in &after {
            assert!(parses_as_record(bytes), "gen {generation}: {name} torn");
            let old_ok = before.get(name) == Some(bytes);
            let new_ok = new.get(name) == Some(bytes);
            assert!(
                old_ok || new_ok,
                "gen {generation}: {name} is neither its old nor its new content"
            );
        }
        for name in before.keys() {
            assert!(after.contains_key(name), "gen {generation}: {name} lost");
        }
        cleanup_tmp(root, &db);
    }
    // ---- migrate json→json into a target that holds older versions of half the records
    let dst = root.join("dst");
    for i in (0..N).step_by(2) {
        put_record(&dst, "node", &id_of(i), &record(&id_of(i), 99));
    }
    let src_files = files_of(&coll);
    let args = [
        "migrate",
        "--from",
        "db",
        "--to",
        "dst",
        "--batch-size",
        "100",
    ];
    // calibrate on a scratch copy
    let mut full = {
        let o = jv(root)
            .args(["migrate", "--from", "db", "--to", "scratch"])
            .output()
            .unwrap();
        assert!(o.status.success());
        let start = Instant::now();
        let _ = fs::remove_dir_all(root.join("scratch"));
        timed(root, &["migrate", "--from", "db", "--to", "scratch"], None).max(start.elapsed())
    };
    let mut migrate_kills = 0;
    for round in 0..MAX_ROUNDS {
        if migrate_kills >= KILLS_PER_PHASE {
            break;
        }
        let before = files_of(&dst.join("node"));
        let delay = spread(&mut rng, full);
        let child = spawn_quiet(root, &args, None);
        let pid = child.id();
        let hit = kill_after(child, delay);
        migrate_kills += hit as usize;
        if !hit {
            // The run was faster than calibrated (an idle machine): aim earlier.
            full = full * 7 / 10;
        }
        runs += 1;
        tmp_left += check_tmp_names(&dst, pid);
        for (name, bytes) in files_of(&dst.join("node")) {
            assert!(parses_as_record(&bytes), "migrate {round}: {name} torn");
            assert!(
                before.get(&name) == Some(&bytes) || src_files.get(&name) == Some(&bytes),
                "migrate {round}: {name} is neither its old nor its new content"
            );
        }
        cleanup_tmp(root, &dst);
        // undo part of the progress so later kills still find work
        if round % 3 == 2 {
            for i in (0..N).step_by(3) {
                put_record(&dst, "node", &id_of(i), &record(&id_of(i), 98));
            }
        }
    }
    // rerun completes and verifies
    let o = jv(root).args(args).output().unwrap();
    assert_no_panic(&o, "rerun migrate");
    assert!(o.status.success(), "rerun: {}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("verified 1 collection(s)"),
        "{}",
        text(&o.stderr)
    );
    let o = jv(root).args(["verify", "db", "dst"]).output().unwrap();
    assert_no_panic(&o, "verify");
    assert_eq!(o.status.code(), Some(0), "verify: {}", text(&o.stderr));
    assert_eq!(
        files_of(&dst.join("node")),
        src_files,
        "target differs after rerun"
    );
    assert_eq!(src_files.len(), N + 100, "records lost in the source");
    let kills = save_kills + migrate_kills;
    eprintln!(
        "kill safety: {runs} runs, {kills} killed mid-run ({save_kills} save, {migrate_kills} migrate), {tmp_left} temp file(s) reaped, 0 records lost"
    );
    assert!(kills >= 20, "only {kills} kills landed mid-run");
}

/// Spawn migrate and return it with a reader of its stderr lines.
fn spawn_migrate(root: &Path, args: &[&str]) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut c = jv(root);
    c.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

#[test]
fn sigint_during_migrate_exits_130_and_resumes() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let src = root.join("src");
    for coll in ["node", "edge"] {
        for i in 0..N {
            put_record(&src, coll, &id_of(i), &record(&id_of(i), 5));
        }
    }
    let args = [
        "migrate",
        "--from",
        "src",
        "--to",
        "dst",
        "--batch-size",
        "20",
    ];
    let (mut child, rx) = spawn_migrate(root, &args);
    // Wait until migrate has started (it prints before the transfer), then interrupt.
    let first = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(first.contains("migrating"), "{first}");
    std::thread::sleep(Duration::from_millis(300));
    signal(child.id(), libc::SIGINT);
    let status = child.wait().unwrap();
    let rest: Vec<String> = rx.iter().collect();
    let err = rest.join("\n");
    assert_eq!(status.code(), Some(130), "status {status:?}; stderr: {err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(err.contains("Rerun the same command to resume"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("jvdb:")).count(),
        1,
        "one error line: {err}"
    );
    // What was written is complete; the batch in flight was finished, not torn.
    let dst = root.join("dst");
    let written: usize = ["node", "edge"]
        .iter()
        .map(|c| files_of(&dst.join(c)).len())
        .sum();
    assert!(written < 2 * N, "nothing left to resume ({written})");
    for c in ["node", "edge"] {
        let s = files_of(&src.join(c));
        for (name, bytes) in files_of(&dst.join(c)) {
            assert_eq!(Some(&bytes), s.get(&name), "{c}/{name}");
        }
    }
    assert!(tmp_files(&dst).is_empty(), "{:?}", tmp_files(&dst));
    // resume
    let o = jv(root).args(args).output().unwrap();
    assert_no_panic(&o, "resume");
    assert!(o.status.success(), "resume: {}", text(&o.stderr));
    assert!(text(&o.stderr).contains("verified 2 collection(s)"));
    // The resume writes only what the interrupted run did not: the files already there are
    // complete (checked above), so they are compared and kept (`unchanged`), not rewritten.
    let field = |name: &str| -> usize {
        text(&o.stderr)
            .lines()
            .filter_map(|l| l.split(&format!(" {name} ")).nth(1))
            .map(|rest| rest.split(',').next().unwrap().parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(field("unchanged"), written, "{}", text(&o.stderr));
    assert_eq!(field("written"), 2 * N - written, "{}", text(&o.stderr));
    let o = jv(root).args(["verify", "src", "dst"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "verify: {}", text(&o.stderr));
    eprintln!(
        "ctrl-c: interrupted after {written} of {} records; resumed and verified",
        2 * N
    );
}

// ---- json → mongodb

#[path = "common/mod.rs"]
mod common;

/// Start tests/mongo_server/server.py (the project's MongoDB wire-protocol test server) on a
/// free port, or use `JVDB_TEST_MONGODB_URI`. The server dies with this test binary.
fn mongo_server() -> String {
    if let Some(u) = std::env::var("JVDB_TEST_MONGODB_URI")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        return u;
    }
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mongo_server/server.py");
    assert!(script.exists(), "{} is missing", script.display());
    let dir = tempfile::tempdir().unwrap().keep();
    let port_file = dir.join("port");
    let log = dir.join("server.log");
    let py = common::python();
    let (tx, rx) = std::sync::mpsc::channel();
    let (pf, lg) = (port_file.clone(), log.clone());
    std::thread::spawn(move || {
        let logf = fs::File::create(&lg).unwrap();
        let mut cmd = std::process::Command::new(py);
        cmd.arg(&script)
            .args(["--port", "0", "--port-file"])
            .arg(&pf)
            .stdin(Stdio::null())
            .stdout(logf.try_clone().unwrap())
            .stderr(logf);
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; sets this child's parent-death signal.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn();
        let ok = child.is_ok();
        let _ = tx.send(child.map(|_| ()).map_err(|e| e.to_string()));
        if ok {
            loop {
                std::thread::park();
            }
        }
    });
    rx.recv().unwrap().expect("start the MongoDB test server");
    let t = Instant::now();
    loop {
        if let Ok(p) = fs::read_to_string(&port_file)
            && let Ok(port) = p.trim().parse::<u16>()
        {
            return format!("mongodb://127.0.0.1:{port}");
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the MongoDB test server did not start: {}",
            fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Records of a collection as `jvdb find` prints them (jsonl), by id.
fn mongo_records(root: &Path, uri: &str, coll: &str) -> BTreeMap<String, Value> {
    let o = jv(root)
        .args(["--db", uri, "find", coll, "--format", "jsonl"])
        .output()
        .unwrap();
    assert_no_panic(&o, "find in mongodb");
    assert!(o.status.success(), "find: {}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .map(|l| {
            let v = jvdb::json::parse_str(l).unwrap();
            (v.record_id().unwrap().to_string(), v)
        })
        .collect()
}

#[test]
fn sigkill_during_migrate_json_to_mongodb() {
    const M: usize = 400;
    const KILLS: usize = 6;
    let mut rng = Rng(seed(0x5eed_0002));
    let server = mongo_server();
    let uri = format!("{server}/jvdb_reliability_kill_{}", std::process::id());
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let src = root.join("src");
    // MongoDB cannot hold integers above 64 bits: this test's records stay within i64.
    let rec = |i: usize, generation: u64| {
        jvdb::json::parse_str(&format!(
            "{{\"id\": \"n.Thing.{i:05}\", \"entity\": \"Thing\", \"gen\": {generation}, \"pad\": \"{}\", \"tags\": [\"é\", {{\"k\": {generation}}}]}}",
            "m".repeat(100)
        ))
        .unwrap()
    };
    for i in 0..M {
        put_record(&src, "node", &id_of(i), &rec(i, 1));
    }
    // the target holds old versions of every third record
    let mut old_jsonl = String::new();
    for i in (0..M).step_by(3) {
        old_jsonl.push_str(&jvdb::json::to_line(&rec(i, 0)));
        old_jsonl.push('\n');
    }
    fs::write(root.join("old.jsonl"), &old_jsonl).unwrap();
    let o = jv(root)
        .args(["--db", &uri, "save", "node", "old.jsonl"])
        .output()
        .unwrap();
    assert!(o.status.success(), "prefill: {}", text(&o.stderr));
    let src_files = files_of(&src.join("node"));
    let args = [
        "migrate",
        "--from",
        "src",
        "--to",
        &uri,
        "--batch-size",
        "20",
    ];
    // calibrate on another database
    let scratch = format!("{uri}_scratch");
    let mut full = timed(root, &["migrate", "--from", "src", "--to", &scratch], None);
    let (mut kills, mut runs) = (0, 0);
    while kills < KILLS && runs < 30 {
        let before = mongo_records(root, &uri, "node");
        let child = spawn_quiet(root, &args, None);
        let hit = kill_after(child, spread(&mut rng, full));
        kills += hit as usize;
        if !hit {
            // The run was faster than calibrated (an idle machine): aim earlier.
            full = full * 7 / 10;
        }
        runs += 1;
        let after = mongo_records(root, &uri, "node");
        for (id, v) in &after {
            let i: usize = id.rsplit('.').next().unwrap().parse().unwrap();
            assert!(
                before.get(id) == Some(v) || *v == rec(i, 1),
                "run {runs}: {id} is neither its old nor its new content: {v:?}"
            );
        }
        for id in before.keys() {
            assert!(after.contains_key(id), "run {runs}: {id} lost");
        }
        // the source is never touched
        assert_eq!(files_of(&src.join("node")), src_files);
        assert!(tmp_files(&src).is_empty());
    }
    let o = jv(root).args(args).output().unwrap();
    assert_no_panic(&o, "rerun");
    assert!(o.status.success(), "rerun: {}", text(&o.stderr));
    let o = jv(root).args(["verify", "src", &uri]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "verify: {}", text(&o.stderr));
    eprintln!("kill safety json→mongodb: {runs} runs, {kills} killed mid-run, 0 records lost");
    assert!(kills >= KILLS, "only {kills} kills landed");
}
