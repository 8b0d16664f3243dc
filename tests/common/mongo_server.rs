//! The project's MongoDB test server (tests/mongo_server/server.py: the wire protocol, with
//! query semantics from mongomock) as a handle that tests can start, kill and restart on the
//! same port. `JVDB_TEST_MONGODB_URI` names a real server instead (then kill/restart tests
//! are skipped by the caller).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TestServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl TestServer {
    /// Start on `port` (0 = a free one) and wait until it listens. The child is reaped in
    /// `kill`/`Drop`.
    #[allow(clippy::zombie_processes)]
    pub fn start(port: u16) -> TestServer {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mongo_server/server.py");
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let port_file = dir.join("port");
        let log = std::fs::File::create(dir.join("server.log")).expect("server log");
        let mut cmd = Command::new(super::python());
        cmd.arg(&script)
            .args(["--port", &port.to_string(), "--port-file"])
            .arg(&port_file)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl only sets this child's parent-death signal; it is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("start the MongoDB test server");
        let t = Instant::now();
        loop {
            if let Ok(p) = std::fs::read_to_string(&port_file)
                && let Ok(port) = p.trim().parse::<u16>()
            {
                return TestServer {
                    child: Some(child),
                    port,
                    dir,
                };
            }
            if t.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the MongoDB test server did not start within 60s: {}",
                    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `mongodb://127.0.0.1:PORT/DB`
    pub fn uri(&self, db: &str) -> String {
        format!("mongodb://127.0.0.1:{}/{db}", self.port)
    }

    /// SIGKILL the server (its in-memory data is gone).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
