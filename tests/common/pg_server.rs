//! The PostgreSQL server the tests use: `JVDB_TEST_POSTGRES_DSN` names one (the test command
//! starts a private cluster and sets it); otherwise a private cluster is started once per test
//! process with tests/pg/cluster.sh and stopped when the process exits. Every test gets its own
//! schema (`fresh_schema`), so tests never see each other's tables.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

static DSN: OnceLock<String> = OnceLock::new();
static CLUSTER_DIR: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn stop_cluster() {
    if let Some(dir) = CLUSTER_DIR.get() {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(dir)
            .status();
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/pg/cluster.sh")
}

/// The server's DSN (with its password).
pub fn dsn() -> String {
    DSN.get_or_init(|| {
        if let Ok(d) = std::env::var("JVDB_TEST_POSTGRES_DSN")
            && !d.trim().is_empty()
        {
            return d.trim().to_string();
        }
        let dir = tempfile::Builder::new()
            .prefix("jvdb-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&dir)
            .output()
            .expect("run tests/pg/cluster.sh");
        assert!(
            out.status.success(),
            "could not start a private PostgreSQL cluster: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        CLUSTER_DIR.set(dir).ok();
        // SAFETY: registering a plain extern "C" function with no captured state.
        unsafe {
            libc::atexit(stop_cluster);
        }
        String::from_utf8(out.stdout)
            .expect("utf-8 DSN")
            .trim()
            .to_string()
    })
    .clone()
}

/// Run SQL on the test server with psql (errors fail the test).
pub fn psql(sql: &str) -> String {
    let out = Command::new("psql")
        .arg(dsn())
        .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new, empty schema for one test: its name.
pub fn fresh_schema() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        rand_suffix()
    );
    psql(&format!("CREATE SCHEMA {name}"));
    name
}

fn rand_suffix() -> u32 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    t % 100_000
}

/// The DSN with jvdb's `schema` spec parameter for `schema`.
pub fn spec_for(schema: &str) -> String {
    let d = dsn();
    let sep = if d.contains('?') { '&' } else { '?' };
    format!("{d}{sep}schema={schema}")
}
