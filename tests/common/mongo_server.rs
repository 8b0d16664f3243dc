//! The project's MongoDB test server (tests/mongo_server/server.py: the wire protocol, with
//! query semantics from mongomock) as a handle that tests can start, kill and restart on the
//! same port. `JVDB_TEST_MONGODB_URI` names a real server instead (then kill/restart tests
//! are skipped by the caller). `start_persistent` gives the server a state file (written on a
//! graceful stop, loaded at start), so `restart` keeps the data like a real server.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TestServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    state_file: Option<PathBuf>,
}

impl TestServer {
    /// Start on `port` (0 = a free one) and wait until it listens. The child is reaped in
    /// `kill`/`Drop`.
    pub fn start(port: u16) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let (child, port) = Self::spawn(port, &dir, None);
        TestServer {
            child: Some(child),
            port,
            dir,
            state_file: None,
        }
    }

    /// Start with a state file in the server's own temp dir: a graceful `stop` writes every
    /// database there and the next start (`restart`, `start_again`) loads it.
    pub fn start_persistent(port: u16) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let state = dir.join("state.bson");
        let (child, port) = Self::spawn(port, &dir, Some(&state));
        TestServer {
            child: Some(child),
            port,
            dir,
            state_file: Some(state),
        }
    }

    #[allow(clippy::zombie_processes)]
    fn spawn(port: u16, dir: &Path, state_file: Option<&Path>) -> (Child, u16) {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mongo_server/server.py");
        let port_file = dir.join("port");
        let _ = std::fs::remove_file(&port_file);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .expect("server log");
        let mut cmd = Command::new(super::python());
        cmd.arg(&script)
            .args(["--port", &port.to_string(), "--port-file"])
            .arg(&port_file);
        if let Some(s) = state_file {
            cmd.arg("--state-file").arg(s);
        }
        cmd.stdin(Stdio::null())
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
                return (child, port);
            }
            if let Ok(Some(st)) = child.try_wait() {
                panic!(
                    "the MongoDB test server exited at start ({st:?}): {}",
                    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
                );
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

    /// Stop gracefully (SIGTERM; with a state file the server writes its data first) and wait
    /// for the exit, at most 60 s (then SIGKILL and fail).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill(2) on the pid of our own, not yet reaped child.
            unsafe {
                libc::kill(c.id() as libc::pid_t, libc::SIGTERM);
            }
            let t = Instant::now();
            loop {
                if let Ok(Some(st)) = c.try_wait() {
                    assert!(st.success(), "the MongoDB test server exited with {st:?}");
                    return;
                }
                if t.elapsed() > Duration::from_secs(60) {
                    let _ = c.kill();
                    let _ = c.wait();
                    panic!("the MongoDB test server did not stop within 60s after SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Start again on the same port (and state file) after `stop`/`kill`. Call it from a thread
    /// that outlives the server (the test's own): the child's parent-death signal fires when the
    /// spawning thread exits.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "start_again: the server is running");
        let (child, port) = Self::spawn(self.port, &self.dir, self.state_file.as_deref());
        assert_eq!(port, self.port, "restarted on another port");
        self.child = Some(child);
    }

    /// A graceful restart on the same port: `stop` then `start_again`.
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// The server's log (its stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
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
