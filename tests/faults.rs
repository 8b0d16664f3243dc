//! Network faults and server restarts (issue 11): jvdb against MongoDB and PostgreSQL servers
//! that drop connections, stall, refuse, restart, or stay away.
//!
//! * A fault-injecting TCP proxy (tests/common/fault_proxy.rs) sits between jvdb and the
//!   project's MongoDB test server or the suite's PostgreSQL server. While jvdb runs, the test
//!   resets connections (at random byte offsets and all at once), stalls them past jvdb's
//!   `--io-timeout`, and refuses new ones for a while; a fault budget and a deadline keep it
//!   bounded. Afterwards nothing may be lost or duplicated: jvdb's own verification passes and
//!   `jvdb verify` of source and target, straight to the server, says identical.
//! * Restarts: the MongoDB test server with a state file restarted on the same port, and a
//!   private PostgreSQL cluster restarted with pg_ctl. jvdb must ride them out within
//!   `--retry-for`. A server that stays down past `--retry-for` must make jvdb exit 4 with a
//!   one-line "gave up after" error naming how to resume, within a measured bound, and the rerun
//!   after the server is back completes and verifies.
//!
//! Every child has a hard time limit (killed and failed when exceeded). Each test prints one
//! `faults:` summary line (run with `--nocapture` to see it): faults by kind, retries logged by
//! `-v` (`jvdb: retry …` lines), records lost. `JVDB_TEST_SEED` replays a run's random choices.

mod common;

use common::fault_proxy::{FaultProxy, RandomFault};
use common::mongo_server::TestServer;
use common::pg_server;
use jvdb::value::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// jvdb's `--io-timeout` in these tests (seconds); stalls last longer.
const IO_TIMEOUT: u64 = 2;
/// jvdb's `--retry-for` where a server comes back (seconds).
const RETRY_FOR: u64 = 30;
/// `--retry-for` where the server stays down (seconds).
const GIVE_UP_AFTER: u64 = 6;
const STALL: Duration = Duration::from_secs(IO_TIMEOUT + 2);

// ---------------------------------------------------------------------------------------------
// running jvdb with a hard limit
// ---------------------------------------------------------------------------------------------

struct Done {
    code: i32,
    out: String,
    err: String,
    elapsed: Duration,
}

impl Done {
    fn retries(&self) -> usize {
        self.err
            .lines()
            .filter(|l| l.starts_with("jvdb: retry "))
            .count()
    }

    /// stderr without the retry lines (for failure messages).
    fn errors(&self) -> String {
        self.err
            .lines()
            .filter(|l| !l.starts_with("jvdb: retry "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[track_caller]
    fn ok(&self, what: &str) {
        assert_eq!(
            self.code,
            0,
            "{what}: exit {} after {:?}; stderr (retry lines left out, {} of them):\n{}",
            self.code,
            self.elapsed,
            self.retries(),
            self.errors()
        );
    }
}

struct Running {
    child: Child,
    start: Instant,
    limit: Duration,
    what: String,
    out: Option<JoinHandle<Vec<u8>>>,
    err: Option<JoinHandle<Vec<u8>>>,
}

fn reader(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

impl Running {
    fn spawn(cwd: &Path, args: &[String], limit: Duration) -> Running {
        let mut c = Command::new(env!("CARGO_BIN_EXE_jvdb"));
        for (k, _) in std::env::vars() {
            if k.starts_with("JVSPATIAL_") {
                c.env_remove(k);
            }
        }
        c.current_dir(cwd)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn jvdb");
        let out = reader(child.stdout.take().unwrap());
        let err = reader(child.stderr.take().unwrap());
        Running {
            child,
            start: Instant::now(),
            limit,
            what: format!("jvdb {}", args.join(" ")),
            out: Some(out),
            err: Some(err),
        }
    }

    /// Still running (and within its limit: past it the child is killed and the test fails).
    fn running(&mut self) -> bool {
        if self.child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        if self.start.elapsed() > self.limit {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let err = self
                .err
                .take()
                .map(|h| h.join().unwrap())
                .unwrap_or_default();
            panic!(
                "{}: still running after the hard limit {:?} (killed); stderr:\n{}",
                self.what,
                self.limit,
                String::from_utf8_lossy(&err)
            );
        }
        true
    }

    /// Sleep up to `d`, returning early when the child exits; true while it runs.
    fn sleep(&mut self, d: Duration) -> bool {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if !self.running() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
        }
        self.running()
    }

    fn wait(mut self) -> Done {
        while self.running() {
            std::thread::sleep(Duration::from_millis(20));
        }
        let st = self.child.wait().expect("wait");
        let elapsed = self.start.elapsed();
        let out = self.out.take().unwrap().join().unwrap();
        let err = self.err.take().unwrap().join().unwrap();
        Done {
            code: st.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
            elapsed,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Run to the end (limit 120 s), no faults.
fn jvdb(cwd: &Path, args: &[&str]) -> Done {
    Running::spawn(cwd, &strings(args), Duration::from_secs(120)).wait()
}

/// jvdb's retry flags and -v.
fn retry_flags(retry_for: u64) -> Vec<String> {
    strings(&[
        "--retry-for",
        &retry_for.to_string(),
        "--io-timeout",
        &IO_TIMEOUT.to_string(),
        "-v",
    ])
}

fn with_flags(args: &[&str], retry_for: u64) -> Vec<String> {
    let mut v = strings(args);
    v.extend(retry_flags(retry_for));
    v
}

// ---------------------------------------------------------------------------------------------
// chaos: faults injected from the test thread while jvdb runs
// ---------------------------------------------------------------------------------------------

struct Chaos {
    /// Pause between two actions (ms, drawn uniformly).
    gap_ms: (u64, u64),
    /// Faults this run may inject (added to what the proxy counted so far).
    budget: u64,
}

/// Drive faults into `proxy` while `run` runs: close every connection, stall every connection
/// past the io timeout, refuse new connections for a second; per-connection random resets are
/// configured by the caller. Stops once `budget` faults are in, then lets the run finish.
fn drive(proxy: &FaultProxy, mut run: Running, chaos: &Chaos) -> Done {
    let cap = proxy.counts().faults() + chaos.budget;
    proxy.set_max_faults(cap);
    // leave the store's opening alone (see random_resets)
    if !run.sleep(Duration::from_millis(400)) {
        let done = run.wait();
        return done;
    }
    let mut seen = proxy.counts().bytes;
    loop {
        let gap = proxy.rand_range(chaos.gap_ms.0, chaos.gap_ms.1);
        if !run.sleep(Duration::from_millis(gap)) {
            break;
        }
        // Aim at traffic: a fault on connections that carried nothing since the last tick
        // meets only idle pooled sockets, which the drivers replace without an error (a CI
        // run once counted 8 such faults in a mongodb -> json migrate and 0 retries).
        let now = proxy.counts().bytes;
        let busy = now > seen;
        seen = now;
        if !busy || proxy.counts().faults() >= cap {
            continue;
        }
        match proxy.rand_range(0, 100) {
            0..45 => {
                proxy.close_all();
            }
            45..65 => {
                proxy.stall_open(STALL);
            }
            65..85 => {
                proxy.refuse_for(Duration::from_millis(1000));
            }
            _ => {}
        }
    }
    let done = run.wait();
    // a refusal window must not spill into the next command's start
    proxy.stop_refusing();
    done
}

/// Per-connection resets at random byte offsets. They start past the first 64 kB of a
/// connection (and the chaos in `drive` waits 400 ms): jvdb does not retry the opening of a PostgreSQL store (its first connection and
/// the schema checks), so a reset or refusal there ends the command with exit 4 at once, by
/// design for now (a mistyped port should not wait out --retry-for); see the report of issue 11.
fn random_resets(prob: f64, hi: u64) -> Option<RandomFault> {
    Some(RandomFault {
        prob,
        bytes: (64_000, hi),
    })
}

// ---------------------------------------------------------------------------------------------
// stores
// ---------------------------------------------------------------------------------------------

fn city(i: usize) -> String {
    format!("n.City.{i:024x}")
}

fn node(i: usize) -> Value {
    jvdb::json::parse_str(&format!(
        r#"{{"id": "{}", "entity": "City", "context": {{"name": "city {i} Zürich", "population": {}, "area_km2": {}, "is_capital": {}, "tags": ["coastal", "é{}"], "meta": {{"geo": {{"lat": {}, "lon": {}}}}}}}}}"#,
        city(i),
        i * 37,
        i as f64 * 0.5 + 0.25,
        i.is_multiple_of(50),
        i % 7,
        (i % 180) as f64 - 89.5,
        (i % 360) as f64 - 179.75
    ))
    .unwrap()
}

fn edge(j: usize, source: &str, target: &str) -> Value {
    jvdb::json::parse_str(&format!(
        r#"{{"id": "e.Highway.{j:024x}", "entity": "Highway", "context": {{"name": "road {j}", "distance_km": {}, "lanes": {}}}, "source": "{source}", "target": "{target}", "bidirectional": {}}}"#,
        j as f64 * 0.25 + 1.5,
        2 + j % 3,
        j.is_multiple_of(3)
    ))
    .unwrap()
}

/// A graph: a Root node, `nodes - 1` cities, `edges` highways (unique source/target pairs);
/// the first `dangling` edges point at cities that do not exist.
struct Graph {
    nodes: Vec<Value>,
    edges: Vec<Value>,
}

fn graph(nodes: usize, edges: usize, dangling: usize) -> Graph {
    let cities = nodes - 1;
    let mut g = Graph {
        nodes: vec![
            jvdb::json::parse_str(r#"{"id": "n.Root.root", "entity": "Root", "context": {}}"#)
                .unwrap(),
        ],
        edges: Vec::new(),
    };
    g.nodes.extend((0..cities).map(node));
    for j in 0..edges {
        let s = j % cities;
        let k = j / cities;
        let t = if j < dangling {
            format!("n.City.ffff{j:020x}")
        } else {
            city((s + 1 + 97 * k) % cities)
        };
        g.edges.push(edge(j, &city(s), &t));
    }
    g
}

fn id_of(v: &Value) -> String {
    v.record_id().unwrap().to_string()
}

/// Write `g` as a JSON store in jvspatial's JsonDB layout (one indented file per record).
fn write_store(dir: &Path, g: &Graph) {
    for (coll, recs) in [("node", &g.nodes), ("edge", &g.edges)] {
        let d = dir.join(coll);
        fs::create_dir_all(&d).unwrap();
        for r in recs {
            fs::write(
                d.join(format!("{}.json", id_of(r))),
                jvdb::json::to_python_indent2(r),
            )
            .unwrap();
        }
    }
}

fn write_jsonl(path: &Path, recs: &[Value]) {
    let mut s = String::new();
    for r in recs {
        s.push_str(&jvdb::json::to_line(r));
        s.push('\n');
    }
    fs::write(path, s).unwrap();
}

/// The ids of a collection, read straight from the server (no proxy).
fn ids(cwd: &Path, spec: &str, coll: &str) -> BTreeSet<String> {
    let d = jvdb(cwd, &["--db", spec, "find", coll, "--format", "ids"]);
    d.ok("find --format ids");
    d.out.lines().map(str::to_string).collect()
}

fn count(cwd: &Path, spec: &str, coll: &str) -> usize {
    let d = jvdb(cwd, &["--db", spec, "count", coll]);
    d.ok("count");
    d.out.trim().parse().unwrap()
}

#[track_caller]
fn verify(cwd: &Path, a: &str, b: &str) {
    let d = jvdb(cwd, &["verify", a, b]);
    d.ok(&format!("verify {a} {b}"));
}

/// Every file under `dir`, relative path -> bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------------
// servers
// ---------------------------------------------------------------------------------------------

fn real_mongo() -> bool {
    std::env::var("JVDB_TEST_MONGODB_URI").is_ok_and(|u| !u.trim().is_empty())
}

/// `dsn` with its port replaced by `port` (the proxy's); returns (new dsn, old port).
fn dsn_via(dsn: &str, port: u16) -> (String, u16) {
    let at = dsn
        .rfind('@')
        .map(|i| i + 1)
        .unwrap_or("postgresql://".len());
    let rest = &dsn[at..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let hostport = &rest[..end];
    let (host, old) = hostport.rsplit_once(':').expect("DSN with host:port");
    assert!(
        host == "127.0.0.1" || host == "localhost",
        "the fault proxy is loopback only; DSN host is {host}"
    );
    (
        format!("{}127.0.0.1:{port}{}", &dsn[..at], &rest[end..]),
        old.parse().expect("port"),
    )
}

fn pg_password(dsn: &str) -> Option<String> {
    let creds = dsn.split("://").nth(1)?.split('@').next()?;
    creds.split_once(':').map(|(_, p)| p.to_string())
}

/// A private PostgreSQL cluster (tests/pg/cluster.sh) that this test may stop and restart;
/// stopped on drop.
struct Cluster {
    dir: PathBuf,
    dsn: String,
}

fn cluster_sh(verb: &str, dir: &Path) -> String {
    let out = Command::new("bash")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pg/cluster.sh"))
        .arg(verb)
        .arg(dir)
        .output()
        .expect("run tests/pg/cluster.sh");
    assert!(
        out.status.success(),
        "cluster.sh {verb}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Cluster {
    fn start() -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("jvdb-pg-faults-")
            .tempdir()
            .unwrap()
            .keep();
        let dsn = cluster_sh("start", &dir);
        Cluster { dir, dsn }
    }
    fn stop(&self) {
        cluster_sh("stop", &self.dir);
    }
    fn start_again(&self) {
        let d = cluster_sh("start-again", &self.dir);
        assert_eq!(d, self.dsn, "the cluster came back with another DSN");
    }
    fn restart(&self) {
        cluster_sh("restart", &self.dir);
    }
    fn spec(&self, schema: &str) -> String {
        let out = Command::new("psql")
            .arg(&self.dsn)
            .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c"])
            .arg(format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "create schema: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("{}?schema={schema}", self.dsn)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pg/cluster.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

// ---------------------------------------------------------------------------------------------
// the proxy itself
// ---------------------------------------------------------------------------------------------

/// An echo server on 127.0.0.1: every connection gets its bytes back.
fn echo_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut r = s.try_clone().unwrap();
                let mut w = s;
                let _ = std::io::copy(&mut r, &mut w);
            });
        }
    });
    port
}

/// Send `data` through a connection and read the echo back; what came back before EOF/error.
fn echo_through(port: u16, data: &[u8]) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut w = s.try_clone().unwrap();
    let data = data.to_vec();
    let writer = std::thread::spawn(move || {
        for c in data.chunks(8192) {
            if w.write_all(c).is_err() {
                return;
            }
        }
        let _ = w.shutdown(std::net::Shutdown::Write);
    });
    let mut got = Vec::new();
    let mut r = s;
    let mut buf = [0u8; 65536];
    let err = loop {
        match r.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => break Some(e.kind()),
        }
    };
    let _ = writer.join();
    (got, err)
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn proxy_forwards_bytes_intact_without_faults() {
    let proxy = FaultProxy::start(echo_server(), 1);
    let data = pattern(3 << 20);
    for _ in 0..3 {
        let (got, err) = echo_through(proxy.port(), &data);
        assert_eq!(err, None);
        assert_eq!(got.len(), data.len());
        assert!(got == data, "bytes changed on the way");
    }
    let c = proxy.counts();
    assert_eq!(c.faults(), 0);
    assert_eq!(c.connections, 3);
    assert_eq!(c.bytes, 2 * 3 * data.len() as u64);
}

#[test]
fn proxy_faults_are_seen_by_the_client() {
    let proxy = FaultProxy::start(echo_server(), 2);
    let data = pattern(1 << 20);
    // a reset at a byte offset: the client gets less than it sent, then EOF or a reset
    proxy.set_resets(Some(RandomFault {
        prob: 1.0,
        bytes: (10_000, 20_000),
    }));
    let (got, _err) = echo_through(proxy.port(), &data);
    assert!(
        got.len() < 20_000,
        "{} bytes came back after a reset",
        got.len()
    );
    assert_eq!(
        got[..],
        data[..got.len()],
        "the bytes before the reset are intact"
    );
    assert_eq!(proxy.counts().resets, 1);
    proxy.set_resets(None);

    // refusing: a new connection is accepted and reset at once
    assert!(proxy.refuse_for(Duration::from_millis(600)));
    let t = Instant::now();
    let (got, _) = echo_through(proxy.port(), b"hello");
    assert!(got.is_empty());
    assert!(t.elapsed() < Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(700));
    let (got, err) = echo_through(proxy.port(), b"hello again");
    assert_eq!((got.as_slice(), err), (&b"hello again"[..], None));
    let c = proxy.counts();
    assert_eq!((c.refusals, c.refused_connections), (1, 1));

    // a stall holds the data back for its duration; close_all ends open connections
    let s = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut r = s;
    w.write_all(b"x").unwrap();
    let mut one = [0u8; 1];
    r.read_exact(&mut one).unwrap();
    // (the earlier connections' pumps may still be winding down)
    let t = Instant::now();
    while proxy.open_connections() > 1 && t.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(proxy.stall_open(Duration::from_millis(800)), 1);
    let t = Instant::now();
    w.write_all(b"y").unwrap();
    r.read_exact(&mut one).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(700),
        "no stall: {:?}",
        t.elapsed()
    );
    assert_eq!(proxy.close_all(), 1);
    let mut rest = Vec::new();
    let gone = r.read_to_end(&mut rest);
    assert!(
        gone.is_err() || rest.is_empty(),
        "the connection survived close_all"
    );

    // the budget caps everything
    proxy.set_max_faults(proxy.counts().faults());
    assert!(!proxy.refuse_for(Duration::from_secs(5)));
    let (got, _) = echo_through(proxy.port(), b"still fine");
    assert_eq!(got, b"still fine");
    eprintln!("faults: proxy self-test: {}", proxy.counts().summary());
}

#[test]
fn mongodb_test_server_state_file_survives_a_graceful_restart() {
    if real_mongo() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let g = graph(300, 400, 0);
    write_store(&root.join("src"), &g);
    let mut server = TestServer::start_persistent(0);
    let uri = server.uri("persist");
    jvdb(root, &["migrate", "--from", "src", "--to", &uri]).ok("migrate");
    let port = server.port;
    server.restart();
    assert_eq!(server.port, port);
    verify(root, "src", &uri);
    // and a SIGKILL loses what came after the last graceful stop, like an unsynced server:
    // the state file still holds the data from before
    server.kill();
    server.start_again();
    verify(root, "src", &uri);
}

// ---------------------------------------------------------------------------------------------
// migrate through faults
// ---------------------------------------------------------------------------------------------

const NODES: usize = 8_000;
const EDGES: usize = 12_000;

#[test]
fn migrate_json_mongodb_json_through_faults() {
    if real_mongo() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let g = graph(NODES, EDGES, 0);
    write_store(&root.join("src"), &g);
    let server = TestServer::start(0);
    let proxy = FaultProxy::start(server.port, 0xfa17_0001);
    proxy.set_resets(random_resets(0.3, 600_000));
    proxy.set_deadline(Duration::from_secs(300));
    let via = format!("mongodb://127.0.0.1:{}/faults_mig", proxy.port());
    let direct = server.uri("faults_mig");
    let chaos = Chaos {
        gap_ms: (300, 900),
        budget: 15,
    };

    // json -> mongodb
    let run = Running::spawn(
        root,
        &with_flags(
            &[
                "migrate",
                "--from",
                "src",
                "--to",
                &via,
                "--batch-size",
                "500",
            ],
            RETRY_FOR,
        ),
        Duration::from_secs(240),
    );
    let a = drive(&proxy, run, &chaos);
    let ca = proxy.counts();
    a.ok("migrate json -> mongodb through faults");
    assert!(
        a.err.contains("counts and content hashes match"),
        "{}",
        a.errors()
    );
    verify(root, "src", &direct);
    assert_eq!(count(root, &direct, "node"), NODES);
    assert_eq!(count(root, &direct, "edge"), EDGES);

    // mongodb -> json: the reads take a fraction of the run (the durable JSON writes take the
    // rest), so the clock-driven chaos alone can miss them; every connection past its first
    // 64 kB is reset with probability 0.9 (the budget caps the resets), which lands on reads.
    proxy.set_resets(random_resets(0.9, 600_000));
    let run = Running::spawn(
        root,
        &with_flags(
            &[
                "migrate",
                "--from",
                &via,
                "--to",
                "back",
                "--batch-size",
                "500",
            ],
            RETRY_FOR,
        ),
        Duration::from_secs(240),
    );
    let b = drive(&proxy, run, &chaos);
    let cb = proxy.counts();
    b.ok("migrate mongodb -> json through faults");
    verify(root, &direct, "back");
    // byte-identical to the source: nothing lost, duplicated or changed
    let (src, back) = (tree(&root.join("src")), tree(&root.join("back")));
    assert_eq!(src.len(), NODES + EDGES);
    assert!(src == back, "the round trip changed the store");

    let fa = ca.faults();
    let fb = cb.faults() - fa;
    println!(
        "faults: migrate json->mongodb 20000 records: {fa} faults, {} retries, {:.1} s; mongodb->json: {fb} faults, {} retries, {:.1} s; all: {}; records lost 0, duplicated 0",
        a.retries(),
        a.elapsed.as_secs_f64(),
        b.retries(),
        b.elapsed.as_secs_f64(),
        cb.summary()
    );
    // The faults come on a clock, so a fast migrate meets fewer of them (a loaded CI machine
    // once saw 9 + 9); what matters is that several landed in each direction and were ridden out.
    assert!(fa >= 5 && fb >= 5, "too few faults landed: {fa} + {fb}");
    assert!(a.retries() > 0 && b.retries() > 0, "no retry was logged");
}

#[test]
fn migrate_json_postgresql_through_faults() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let g = graph(NODES, EDGES, 0);
    write_store(&root.join("src"), &g);
    let schema = pg_server::fresh_schema();
    let direct = pg_server::spec_for(&schema);
    let (_, upstream) = dsn_via(&direct, 1);
    let proxy = FaultProxy::start(upstream, 0xfa17_0002);
    let (via, _) = dsn_via(&direct, proxy.port());
    proxy.set_resets(random_resets(0.3, 600_000));
    proxy.set_deadline(Duration::from_secs(300));
    // Small batches, one at a time, and faults every 0.15-0.5 s: on an idle machine a
    // 20,000-record migrate into PostgreSQL is over in seconds, and with --batch-size 500 and
    // faults every 0.3-0.9 s a clean-clone CI run saw only 8 land.
    let chaos = Chaos {
        gap_ms: (150, 500),
        budget: 15,
    };
    let run = Running::spawn(
        root,
        &with_flags(
            &[
                "migrate",
                "--from",
                "src",
                "--to",
                &via,
                "--batch-size",
                "100",
                "-j",
                "1",
            ],
            RETRY_FOR,
        ),
        Duration::from_secs(240),
    );
    let a = drive(&proxy, run, &chaos);
    let c = proxy.counts();
    a.ok("migrate json -> postgresql through faults");
    if let Some(pw) = pg_password(&direct) {
        assert!(!a.err.contains(&pw), "the password leaked into stderr");
    }
    verify(root, "src", &direct);
    assert_eq!(count(root, &direct, "node"), NODES);
    assert_eq!(count(root, &direct, "edge"), EDGES);
    println!(
        "faults: migrate json->postgresql 20000 records: {}, {} retries, {:.1} s; records lost 0, duplicated 0",
        c.summary(),
        a.retries(),
        a.elapsed.as_secs_f64()
    );
    assert!(c.faults() >= 10, "too few faults landed: {}", c.faults());
    assert!(a.retries() > 0, "no retry was logged");
}

// ---------------------------------------------------------------------------------------------
// save / delete / cleanup / copy through faults
// ---------------------------------------------------------------------------------------------

/// save, delete, cleanup and copy against `via` (through `proxy`), checked on `direct`.
fn everyday_ops_through_faults(name: &str, proxy: &FaultProxy, via: &str, direct: &str) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let g = graph(3_000, 3_000, 150);
    write_jsonl(&root.join("nodes.jsonl"), &g.nodes);
    write_jsonl(&root.join("edges.jsonl"), &g.edges);
    write_store(&root.join("expected"), &g);
    // Steps of a second or two (cleanup, copy) meet few clock-driven faults, so the resets
    // by byte offset carry them: probability 0.8 per connection past its first 64 kB (a CI
    // run at 0.5 landed 7 faults in all, 0 in cleanup and copy).
    proxy.set_resets(random_resets(0.8, 200_000));
    proxy.set_deadline(Duration::from_secs(300));
    let chaos = Chaos {
        gap_ms: (150, 500),
        budget: 6,
    };
    let limit = Duration::from_secs(150);
    let mut report = Vec::new();
    let mut retries = 0;
    let mut step = |what: &str, args: Vec<String>| -> Done {
        let before = proxy.counts().faults();
        let d = drive(proxy, Running::spawn(root, &args, limit), &chaos);
        d.ok(&format!("{name}: {what} through faults"));
        let n = proxy.counts().faults() - before;
        retries += d.retries();
        report.push(format!("{what} {n} faults/{} retries", d.retries()));
        d
    };

    // save writes everything
    step(
        "save node",
        with_flags(&["--db", via, "save", "node", "nodes.jsonl"], RETRY_FOR),
    );
    step(
        "save edge",
        with_flags(&["--db", via, "save", "edge", "edges.jsonl"], RETRY_FOR),
    );
    verify(root, "expected", direct);

    // delete removes exactly the ids asked for (every 10th city)
    let gone: Vec<String> = g.nodes.iter().skip(1).step_by(10).map(id_of).collect();
    let mut args = strings(&["--db", via, "delete", "node", "--yes"]);
    args.extend(gone.iter().cloned());
    args.extend(retry_flags(RETRY_FOR));
    step("delete", args);
    let want: BTreeSet<String> = g
        .nodes
        .iter()
        .map(id_of)
        .filter(|i| !gone.contains(i))
        .collect();
    assert_eq!(
        ids(root, direct, "node"),
        want,
        "delete removed other ids than asked"
    );

    // cleanup removes exactly the dangling edges: the 150 made so, and those of deleted nodes
    let keep: BTreeSet<String> = g
        .edges
        .iter()
        .filter(|e| {
            let end = |k: &str| match e.get(k) {
                Some(Value::Str(s)) => want.contains(s.as_str()),
                _ => false,
            };
            end("source") && end("target")
        })
        .map(id_of)
        .collect();
    assert!(keep.len() < g.edges.len() - 150);
    step(
        "cleanup",
        with_flags(&["--db", via, "cleanup", "--yes"], RETRY_FOR),
    );
    assert_eq!(
        ids(root, direct, "edge"),
        keep,
        "cleanup removed other edges than the dangling ones"
    );
    assert_eq!(ids(root, direct, "node"), want, "cleanup touched nodes");

    // copy reads everything
    step(
        "copy",
        with_flags(
            &[
                "copy",
                "--from",
                via,
                "--to",
                "copied",
                "-c",
                "node,edge",
                "--batch-size",
                "300",
            ],
            RETRY_FOR,
        ),
    );
    verify(root, direct, "copied");
    println!(
        "faults: {name} save/delete/cleanup/copy: {}; {retries} retries; {}; records lost 0",
        report.join(", "),
        proxy.counts().summary()
    );
    assert!(proxy.counts().faults() >= 8, "too few faults landed");
}

#[test]
fn save_delete_cleanup_copy_mongodb_through_faults() {
    if real_mongo() {
        return;
    }
    let server = TestServer::start(0);
    let proxy = FaultProxy::start(server.port, 0xfa17_0003);
    let via = format!("mongodb://127.0.0.1:{}/faults_ops", proxy.port());
    everyday_ops_through_faults("mongodb", &proxy, &via, &server.uri("faults_ops"));
}

#[test]
fn save_delete_cleanup_copy_postgresql_through_faults() {
    let direct = pg_server::spec_for(&pg_server::fresh_schema());
    let (_, upstream) = dsn_via(&direct, 1);
    let proxy = FaultProxy::start(upstream, 0xfa17_0004);
    let (via, _) = dsn_via(&direct, proxy.port());
    everyday_ops_through_faults("postgresql", &proxy, &via, &direct);
}

// ---------------------------------------------------------------------------------------------
// restarts and outages
// ---------------------------------------------------------------------------------------------

/// Check a give-up: exit 4, one error line with "gave up after" and the resume hint, within
/// `--retry-for` plus one timeout and slack after the server went away.
#[track_caller]
fn assert_gave_up(d: &Done, since_down: Duration, what: &str) {
    assert_eq!(
        d.code,
        4,
        "{what}: want exit 4 when the server stays down; got {} after {:?}:\n{}",
        d.code,
        d.elapsed,
        d.errors()
    );
    let line = d
        .err
        .lines()
        .find(|l| l.contains("gave up after"))
        .unwrap_or_else(|| panic!("{what}: no 'gave up after' line:\n{}", d.errors()));
    assert!(
        line.contains("rerun the same command to resume"),
        "{what}: the give-up line does not say how to resume: {line}"
    );
    // the last attempt may take up to 4 x --io-timeout (src/retry.rs doubles the timeout of
    // an attempt after each one that timed out, up to 4x), plus slack for a loaded machine
    let bound = Duration::from_secs(GIVE_UP_AFTER + 4 * IO_TIMEOUT + 3);
    assert!(
        since_down <= bound,
        "{what}: gave up {since_down:?} after the server went down (bound {bound:?})"
    );
    assert!(
        since_down >= Duration::from_secs(GIVE_UP_AFTER),
        "{what}: gave up after {since_down:?}, before --retry-for {GIVE_UP_AFTER} s had passed"
    );
}

#[test]
fn mongodb_restart_mid_migrate_is_ridden_out_and_an_outage_gives_up_then_resumes() {
    if real_mongo() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write_store(&root.join("src"), &graph(NODES, EDGES, 0));
    let mut server = TestServer::start_persistent(0);

    // a graceful restart on the same port mid-run
    let uri = server.uri("restart");
    let mut run = Running::spawn(
        root,
        &with_flags(
            &[
                "migrate",
                "--from",
                "src",
                "--to",
                &uri,
                "--batch-size",
                "200",
                "-j",
                "1",
            ],
            RETRY_FOR,
        ),
        Duration::from_secs(240),
    );
    assert!(
        run.sleep(Duration::from_secs(2)),
        "migrate ended before the restart"
    );
    let t0 = Instant::now();
    server.restart();
    let gap = t0.elapsed();
    let still = run.running();
    let a = run.wait();
    a.ok("migrate across a server restart");
    assert!(
        still,
        "migrate ended during the restart: the restart was not mid-run"
    );
    verify(root, "src", &uri);

    // the server goes down and stays down past --retry-for
    let uri = server.uri("outage");
    let args = with_flags(
        &[
            "migrate",
            "--from",
            "src",
            "--to",
            &uri,
            "--batch-size",
            "200",
            "-j",
            "1",
        ],
        GIVE_UP_AFTER,
    );
    let mut run = Running::spawn(root, &args, Duration::from_secs(120));
    assert!(
        run.sleep(Duration::from_secs(2)),
        "migrate ended before the outage"
    );
    let down = Instant::now();
    server.stop();
    let b = run.wait();
    let since_down = down.elapsed();
    assert_gave_up(&b, since_down, "mongodb outage");
    // back up: the same command finishes the job
    server.start_again();
    let c = Running::spawn(root, &args, Duration::from_secs(240)).wait();
    c.ok("rerun after the outage");
    verify(root, "src", &uri);
    assert_eq!(count(root, &uri, "node"), NODES);
    assert_eq!(count(root, &uri, "edge"), EDGES);
    println!(
        "faults: mongodb restart mid-migrate (20000 records): down {:.1} s, {} retries, exit 0 in {:.1} s; outage: exit 4 {:.1} s after the stop (--retry-for {GIVE_UP_AFTER}), {} retries, rerun exit 0 in {:.1} s; records lost 0",
        gap.as_secs_f64(),
        a.retries(),
        a.elapsed.as_secs_f64(),
        since_down.as_secs_f64(),
        b.retries(),
        c.elapsed.as_secs_f64()
    );
    assert!(a.retries() > 0, "no retry was logged across the restart");
}

#[test]
fn postgresql_restart_mid_migrate_is_ridden_out_and_an_outage_gives_up_then_resumes() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    write_store(&root.join("src"), &graph(NODES, EDGES, 0));
    let cluster = Cluster::start();

    let spec = cluster.spec("restart");
    let mut run = Running::spawn(
        root,
        &with_flags(
            &[
                "migrate",
                "--from",
                "src",
                "--to",
                &spec,
                "--batch-size",
                "100",
                "-j",
                "1",
            ],
            RETRY_FOR,
        ),
        Duration::from_secs(240),
    );
    assert!(
        run.sleep(Duration::from_millis(1500)),
        "migrate ended before the restart"
    );
    let t0 = Instant::now();
    cluster.restart();
    let gap = t0.elapsed();
    let still = run.running();
    let a = run.wait();
    a.ok("migrate across a PostgreSQL restart");
    assert!(
        still,
        "migrate ended during the restart: the restart was not mid-run"
    );
    verify(root, "src", &spec);
    if let Some(pw) = pg_password(&cluster.dsn) {
        assert!(!a.err.contains(&pw), "the password leaked into stderr");
    }

    let spec = cluster.spec("outage");
    let args = with_flags(
        &[
            "migrate",
            "--from",
            "src",
            "--to",
            &spec,
            "--batch-size",
            "100",
            "-j",
            "1",
        ],
        GIVE_UP_AFTER,
    );
    let mut run = Running::spawn(root, &args, Duration::from_secs(120));
    assert!(
        run.sleep(Duration::from_millis(1500)),
        "migrate ended before the outage"
    );
    let down = Instant::now();
    cluster.stop();
    let b = run.wait();
    let since_down = down.elapsed();
    assert_gave_up(&b, since_down, "postgresql outage");
    cluster.start_again();
    let c = Running::spawn(root, &args, Duration::from_secs(240)).wait();
    c.ok("rerun after the PostgreSQL outage");
    verify(root, "src", &spec);
    assert_eq!(count(root, &spec, "node"), NODES);
    assert_eq!(count(root, &spec, "edge"), EDGES);
    println!(
        "faults: postgresql restart mid-migrate (20000 records): restart took {:.1} s, {} retries, exit 0 in {:.1} s; outage: exit 4 {:.1} s after the stop (--retry-for {GIVE_UP_AFTER}), {} retries, rerun exit 0 in {:.1} s; records lost 0",
        gap.as_secs_f64(),
        a.retries(),
        a.elapsed.as_secs_f64(),
        since_down.as_secs_f64(),
        b.retries(),
        c.elapsed.as_secs_f64()
    );
    assert!(a.retries() > 0, "no retry was logged across the restart");
}
