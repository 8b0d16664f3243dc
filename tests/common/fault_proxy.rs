//! A fault-injecting TCP proxy for the network-fault tests (issue 11): it listens on
//! 127.0.0.1, forwards every connection to a server on 127.0.0.1:UPSTREAM, and on demand
//! breaks things the way real networks and servers do:
//!
//! * resets a connection at a random byte offset (chosen per connection with a probability and
//!   a byte range; the socket gets SO_LINGER 0, so the close is a TCP RST);
//! * stalls a connection (stops forwarding both ways for a while) at a random byte offset, or
//!   every open connection right now;
//! * refuses new connections for a while (accepts and resets them at once);
//! * closes every open connection right now.
//!
//! Faults stop once `max_faults` have been injected or the deadline has passed, so a test
//! cannot be starved forever. Random choices come from a seeded RNG (`rand`'s StdRng); the
//! seed is printed, and `JVDB_TEST_SEED` replays a run. Counters report what was injected.
//! std threads and std::net only; loopback only.
#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Per-connection random faults: with probability `prob`, a connection gets the fault once,
/// when the bytes it has carried (both directions) pass an offset drawn from `bytes`.
#[derive(Clone, Debug)]
pub struct RandomFault {
    pub prob: f64,
    pub bytes: (u64, u64),
}

#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Connections reset at a byte offset.
    pub resets: u64,
    /// Connections stalled (by offset or by `stall_open`).
    pub stalls: u64,
    /// Refusal windows opened by `refuse_for`.
    pub refusals: u64,
    /// Connections refused during those windows.
    pub refused_connections: u64,
    /// `close_all` calls that closed at least one connection.
    pub close_alls: u64,
    /// Connections closed by `close_all`.
    pub closed_connections: u64,
    /// Connections accepted in all.
    pub connections: u64,
    /// Bytes forwarded, both directions.
    pub bytes: u64,
}

impl Counts {
    /// Fault events: resets + stalls + refusal windows + close-alls.
    pub fn faults(&self) -> u64 {
        self.resets + self.stalls + self.refusals + self.close_alls
    }

    pub fn summary(&self) -> String {
        format!(
            "faults {} (resets {}, stalls {}, refusals {} [{} connections], close-alls {} [{} connections]), {} connections, {} bytes",
            self.faults(),
            self.resets,
            self.stalls,
            self.refusals,
            self.refused_connections,
            self.close_alls,
            self.closed_connections,
            self.connections,
            self.bytes
        )
    }
}

struct Config {
    reset: Option<RandomFault>,
    stall: Option<RandomFault>,
    stall_for: Duration,
    refuse_until: Option<Instant>,
    max_faults: u64,
    deadline: Option<Instant>,
    upstream_port: u16,
}

struct Conn {
    client: TcpStream,
    upstream: TcpStream,
    bytes: AtomicU64,
    reset_at: Option<u64>,
    stall_at: Option<u64>,
    stall_until: Mutex<Option<Instant>>,
    dead: AtomicBool,
    /// Pumps finished (the second one forgets the connection).
    finished: AtomicU64,
}

impl Conn {
    /// Abortive close: SO_LINGER 0 on both sockets (the last close sends RST), then wake the
    /// pumps (a read returns 0 after shutdown(Read); their drops are the last closes).
    fn abort(&self) {
        if self.dead.swap(true, Ordering::SeqCst) {
            return;
        }
        for s in [&self.client, &self.upstream] {
            set_linger0(s);
            let _ = s.shutdown(Shutdown::Read);
        }
    }

    /// Graceful close of both sides (FIN).
    fn close(&self) {
        if self.dead.swap(true, Ordering::SeqCst) {
            return;
        }
        for s in [&self.client, &self.upstream] {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn wait_stall(&self) {
        loop {
            let until = *self.stall_until.lock().unwrap();
            match until {
                Some(t) if Instant::now() < t && !self.dead.load(Ordering::SeqCst) => {
                    std::thread::sleep(Duration::from_millis(20).min(t - Instant::now()));
                }
                _ => return,
            }
        }
    }
}

fn set_linger0(s: &TcpStream) {
    let l = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt on a socket we own, with a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &l as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

struct Shared {
    cfg: Mutex<Config>,
    counts: Mutex<Counts>,
    rng: Mutex<StdRng>,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    /// Take one fault from the budget; false when the cap or the deadline is reached.
    fn take_fault(&self) -> bool {
        let cfg = self.cfg.lock().unwrap();
        if cfg.deadline.is_some_and(|d| Instant::now() >= d) {
            return false;
        }
        let c = self.counts.lock().unwrap();
        c.faults() < cfg.max_faults
    }
}

pub struct FaultProxy {
    shared: Arc<Shared>,
    port: u16,
    seed: u64,
    accept: Option<std::thread::JoinHandle<()>>,
}

/// The seed: `JVDB_TEST_SEED`, else `default`; printed so a failing run can be replayed.
pub fn seed_from_env(default: u64) -> u64 {
    let s = std::env::var("JVDB_TEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    eprintln!("fault proxy seed {s} (replay with JVDB_TEST_SEED={s})");
    s
}

impl FaultProxy {
    /// Listen on 127.0.0.1:0 and forward to 127.0.0.1:`upstream_port`, with no faults until
    /// they are configured. Seeded from `JVDB_TEST_SEED` or `seed`.
    pub fn start(upstream_port: u16, seed: u64) -> FaultProxy {
        let seed = seed_from_env(seed);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            cfg: Mutex::new(Config {
                reset: None,
                stall: None,
                stall_for: Duration::from_secs(3),
                refuse_until: None,
                max_faults: u64::MAX,
                deadline: None,
                upstream_port,
            }),
            counts: Mutex::new(Counts::default()),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            stop: AtomicBool::new(false),
        });
        let sh = shared.clone();
        let accept = std::thread::spawn(move || accept_loop(listener, sh));
        FaultProxy {
            shared,
            port,
            seed,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Reset connections at random byte offsets (None: no more random resets).
    pub fn set_resets(&self, f: Option<RandomFault>) {
        self.shared.cfg.lock().unwrap().reset = f;
    }

    /// Stall connections for `dur` at random byte offsets (None: no more random stalls).
    pub fn set_stalls(&self, f: Option<RandomFault>, dur: Duration) {
        let mut c = self.shared.cfg.lock().unwrap();
        c.stall = f;
        c.stall_for = dur;
    }

    /// At most `n` faults in all (resets, stalls, refusal windows, close-alls).
    pub fn set_max_faults(&self, n: u64) {
        self.shared.cfg.lock().unwrap().max_faults = n;
    }

    /// No faults after `d` from now.
    pub fn set_deadline(&self, d: Duration) {
        self.shared.cfg.lock().unwrap().deadline = Some(Instant::now() + d);
    }

    /// Forward new connections to another upstream port (e.g. a restarted server).
    pub fn set_upstream(&self, port: u16) {
        self.shared.cfg.lock().unwrap().upstream_port = port;
    }

    /// Stop injecting anything (random faults off, refusal window closed); counters stay.
    pub fn calm(&self) {
        let mut c = self.shared.cfg.lock().unwrap();
        c.reset = None;
        c.stall = None;
        c.refuse_until = None;
    }

    /// End a refusal window now (new connections are forwarded again).
    pub fn stop_refusing(&self) {
        self.shared.cfg.lock().unwrap().refuse_until = None;
    }

    /// Refuse (accept and reset at once) every new connection for `d`. Counts one fault.
    pub fn refuse_for(&self, d: Duration) -> bool {
        if !self.shared.take_fault() {
            return false;
        }
        self.shared.cfg.lock().unwrap().refuse_until = Some(Instant::now() + d);
        self.shared.counts.lock().unwrap().refusals += 1;
        true
    }

    /// Stall every open connection for `d` from now. Counts one fault per connection stalled.
    pub fn stall_open(&self, d: Duration) -> u64 {
        let conns: Vec<Arc<Conn>> = self
            .shared
            .conns
            .lock()
            .unwrap()
            .values()
            .cloned()
            .collect();
        let mut n = 0;
        for c in conns {
            if c.dead.load(Ordering::SeqCst) || !self.shared.take_fault() {
                continue;
            }
            *c.stall_until.lock().unwrap() = Some(Instant::now() + d);
            self.shared.counts.lock().unwrap().stalls += 1;
            n += 1;
        }
        n
    }

    /// Reset every open connection now (RST). Counts one fault when any was open.
    pub fn close_all(&self) -> u64 {
        let conns: Vec<Arc<Conn>> = self
            .shared
            .conns
            .lock()
            .unwrap()
            .values()
            .cloned()
            .collect();
        let live: Vec<_> = conns
            .into_iter()
            .filter(|c| !c.dead.load(Ordering::SeqCst))
            .collect();
        if live.is_empty() || !self.shared.take_fault() {
            return 0;
        }
        for c in &live {
            c.abort();
        }
        let mut k = self.shared.counts.lock().unwrap();
        k.close_alls += 1;
        k.closed_connections += live.len() as u64;
        live.len() as u64
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.shared
            .conns
            .lock()
            .unwrap()
            .values()
            .filter(|c| !c.dead.load(Ordering::SeqCst))
            .count()
    }

    pub fn counts(&self) -> Counts {
        self.shared.counts.lock().unwrap().clone()
    }

    /// A random number in `lo..hi` from the proxy's seeded RNG (for tests' own choices).
    pub fn rand_range(&self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        self.shared.rng.lock().unwrap().random_range(lo..hi)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // wake the accept loop
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        let conns: Vec<Arc<Conn>> = self
            .shared
            .conns
            .lock()
            .unwrap()
            .drain()
            .map(|(_, c)| c)
            .collect();
        for c in conns {
            c.close();
        }
    }
}

fn accept_loop(listener: TcpListener, sh: Arc<Shared>) {
    for s in listener.incoming() {
        if sh.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = s else { continue };
        let _ = client.set_nodelay(true);
        sh.counts.lock().unwrap().connections += 1;
        let (refuse, upstream_port, reset, stall) = {
            let c = sh.cfg.lock().unwrap();
            (
                c.refuse_until.is_some_and(|t| Instant::now() < t),
                c.upstream_port,
                c.reset.clone(),
                c.stall.clone(),
            )
        };
        if refuse {
            set_linger0(&client);
            drop(client);
            sh.counts.lock().unwrap().refused_connections += 1;
            continue;
        }
        let upstream = match TcpStream::connect_timeout(
            &std::net::SocketAddr::from(([127, 0, 0, 1], upstream_port)),
            Duration::from_secs(5),
        ) {
            Ok(u) => u,
            Err(_) => {
                // the server is down: so is the proxy, for this connection
                set_linger0(&client);
                drop(client);
                continue;
            }
        };
        let _ = upstream.set_nodelay(true);
        let (reset_at, stall_at) = {
            let mut rng = sh.rng.lock().unwrap();
            let mut draw = |f: &Option<RandomFault>| {
                f.as_ref().and_then(|f| {
                    if f.prob > 0.0 && rng.random::<f64>() < f.prob {
                        let (lo, hi) = f.bytes;
                        Some(if hi > lo {
                            rng.random_range(lo..hi)
                        } else {
                            lo
                        })
                    } else {
                        None
                    }
                })
            };
            (draw(&reset), draw(&stall))
        };
        let (Ok(c2), Ok(u2)) = (client.try_clone(), upstream.try_clone()) else {
            continue;
        };
        for s in [&client, &upstream] {
            let _ = s.set_write_timeout(Some(Duration::from_secs(30)));
        }
        let conn = Arc::new(Conn {
            client,
            upstream,
            bytes: AtomicU64::new(0),
            reset_at,
            stall_at,
            stall_until: Mutex::new(None),
            dead: AtomicBool::new(false),
            finished: AtomicU64::new(0),
        });
        let id = sh.next_id.fetch_add(1, Ordering::SeqCst);
        sh.conns.lock().unwrap().insert(id, conn.clone());
        let (sh1, conn1) = (sh.clone(), conn.clone());
        let (sh2, conn2) = (sh.clone(), conn);
        // client -> upstream reads c2 writes the upstream; upstream -> client the reverse
        let u_w = u2.try_clone();
        let c_w = c2.try_clone();
        let (Ok(u_w), Ok(c_w)) = (u_w, c_w) else {
            continue;
        };
        std::thread::spawn(move || pump(c2, u_w, &conn1, &sh1, id));
        std::thread::spawn(move || pump(u2, c_w, &conn2, &sh2, id));
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, conn: &Conn, sh: &Shared, id: u64) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if conn.dead.load(Ordering::SeqCst) {
            break;
        }
        let before = conn.bytes.fetch_add(n as u64, Ordering::SeqCst);
        let after = before + n as u64;
        let mut chunk = &buf[..n];
        // a stall whose offset falls in this chunk: forward up to it, then hold
        if let Some(at) = conn.stall_at
            && before < at
            && at <= after
            && sh.take_fault()
        {
            let cut = (at - before) as usize;
            if to.write_all(&chunk[..cut]).is_err() {
                break;
            }
            chunk = &chunk[cut..];
            let dur = sh.cfg.lock().unwrap().stall_for;
            *conn.stall_until.lock().unwrap() = Some(Instant::now() + dur);
            sh.counts.lock().unwrap().stalls += 1;
        }
        conn.wait_stall();
        if let Some(at) = conn.reset_at
            && before < at
            && at <= after
            && sh.take_fault()
        {
            let cut = (at - before) as usize;
            let _ = to.write_all(&chunk[..cut]);
            sh.counts.lock().unwrap().resets += 1;
            sh.counts.lock().unwrap().bytes += cut as u64;
            conn.abort();
            break;
        }
        if conn.dead.load(Ordering::SeqCst) || to.write_all(chunk).is_err() {
            break;
        }
        sh.counts.lock().unwrap().bytes += chunk.len() as u64;
    }
    // one side ended: end the other too (FIN unless an abort already set linger 0)
    if !conn.dead.load(Ordering::SeqCst) {
        let _ = to.shutdown(Shutdown::Write);
        let _ = from.shutdown(Shutdown::Read);
    }
    // the second pump to finish forgets the connection (its sockets close when the last
    // reference goes)
    if conn.finished.fetch_add(1, Ordering::SeqCst) == 1 {
        conn.dead.store(true, Ordering::SeqCst);
        sh.conns.lock().unwrap().remove(&id);
    }
}
