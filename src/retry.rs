//! Retries for stores whose operations fail for a while and then succeed: a database server
//! that drops connections, stalls, restarts or fails over (issue 11).
//!
//! [`RetryStore`] wraps such a store (one whose [`Store::transient_failures`] is set) when it is
//! opened with [`crate::store::OpenOptions::retry`]. Every operation runs under
//! [`RetryPolicy::io_timeout`]; a failure the backend marks [`Error::transient`] (or a timeout)
//! is retried with bounded exponential backoff (0.1 s doubling to 5 s, with jitter) until it
//! has failed for [`RetryPolicy::retry_for`], then given up with exit 4. Writes are safe to
//! repeat: jvdb's writes are upserts or inserts by id (a repeated insert of a record that is
//! stored exactly so counts as written), and deletes by id. Reads resume after the last record
//! seen ([`Store::scan_after`], in primary-key order) instead of from the start.

use crate::error::{Error, ErrorKind, Result};
use crate::query::Filter;
use crate::store::{
    AnyItem, AnyMap, Count, FindSpec, GetResult, Item, ItemStream, ReadCaps, SaveMode, Saved,
    Store, WriteCaps,
};
use crate::value::Value;
use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The first backoff delay; each retry doubles it up to [`MAX_DELAY`].
pub const FIRST_DELAY: Duration = Duration::from_millis(100);
/// The longest pause between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(5);
/// Default of `--retry-for`.
pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(60);
/// Default of `--io-timeout`.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(30);

/// A retry: what it says goes to the callback (the binary prints it with `-v`).
pub type RetryLog = Arc<dyn Fn(&str) + Send + Sync>;

/// How transient failures are retried.
#[derive(Clone)]
pub struct RetryPolicy {
    /// How long an operation may keep failing before it is given up (0 = no retries).
    pub retry_for: Duration,
    /// How long one operation, or a wait for the next record of a read, may take before it
    /// is abandoned as a (transient) failure.
    pub io_timeout: Duration,
    /// Called with one line per retry (already redacted).
    pub on_retry: Option<RetryLog>,
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("retry_for", &self.retry_for)
            .field("io_timeout", &self.io_timeout)
            .finish()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retry_for: DEFAULT_RETRY_FOR,
            io_timeout: DEFAULT_IO_TIMEOUT,
            on_retry: None,
        }
    }
}

/// The backoff state of one operation (or one read).
#[derive(Debug, Default)]
pub struct Backoff {
    failing_since: Option<Instant>,
    attempts: u32,
    timeouts: u32,
    seed: u64,
}

impl Backoff {
    /// A success: the next failure starts a new count.
    pub fn reset(&mut self) {
        self.failing_since = None;
        self.attempts = 0;
        self.timeouts = 0;
    }

    /// The time the next attempt may take: `io_timeout`, doubled after each attempt that timed
    /// out (up to 4×), so a server that is slow rather than gone (one working off the requests
    /// of abandoned attempts) gets the time it needs instead of a storm of retries.
    pub fn timeout(&self, policy: &RetryPolicy) -> Duration {
        policy.io_timeout.saturating_mul(1 << self.timeouts.min(2))
    }

    /// The attempt timed out: the error to retry with.
    pub fn timed_out(&mut self, policy: &RetryPolicy, store: &str, what: &str) -> Error {
        let limit = self.timeout(policy);
        self.timeouts += 1;
        Error::transient(format!(
            "{store}: {what}: no answer within {} (--io-timeout)",
            secs(limit)
        ))
    }

    /// After transient failure `e` of `what` on `store`: the pause before the next attempt,
    /// or the error to give up with (exit 4) when the failures have lasted past the policy's
    /// `retry_for`.
    pub fn next(
        &mut self,
        policy: &RetryPolicy,
        store: &str,
        what: &str,
        e: Error,
    ) -> Result<Duration> {
        let since = *self.failing_since.get_or_insert_with(Instant::now);
        let exp = FIRST_DELAY.saturating_mul(1u32 << self.attempts.min(10));
        let delay = exp.min(MAX_DELAY);
        // Jitter: between half and all of the delay, so processes that lost the same server
        // do not come back in step.
        self.seed = self
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407 ^ (since.elapsed().as_nanos() as u64));
        let frac = 0.5 + ((self.seed >> 33) as f64 / (1u64 << 31) as f64) / 2.0;
        let pause = delay.mul_f64(frac.clamp(0.5, 1.0));
        let elapsed = since.elapsed();
        // Give up only once the failures have lasted --retry-for; the last pause is cut to
        // the time left, so the last attempt comes at --retry-for (giving up when the next
        // pause would cross it gave up as much as 5 s early: after 3.1 s of --retry-for 6).
        if elapsed >= policy.retry_for {
            let attempts = self.attempts + 1;
            return Err(Error::new(
                ErrorKind::Unavailable,
                format!(
                    "{} (gave up after {attempts} attempt(s) over {:.1} s: the server stayed unavailable past --retry-for {})",
                    e.message,
                    elapsed.as_secs_f64(),
                    secs(policy.retry_for)
                ),
            ));
        }
        let pause = pause.min(policy.retry_for - elapsed);
        self.attempts += 1;
        if let Some(log) = &policy.on_retry {
            let _ = (store, what);
            log(&crate::store::redact(&format!(
                "jvdb: retry {} in {:.1} s{}: {}",
                self.attempts,
                pause.as_secs_f64(),
                what.split_once(" (resuming")
                    .map(|(_, r)| format!(" (resuming{r}"))
                    .unwrap_or_default(),
                e.message
            )));
        }
        Ok(pause)
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}s")
    } else {
        format!("{s}s")
    }
}

fn timeout_error(store: &str, what: &str, io: Duration) -> Error {
    Error::transient(format!(
        "{store}: {what}: no answer within {} (--io-timeout)",
        secs(io)
    ))
}

/// Run `op` under the policy: each attempt bounded by `io_timeout`; transient failures
/// retried until they have lasted `retry_for`.
pub async fn run<T, F, Fut>(policy: &RetryPolicy, store: &str, what: &str, mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut backoff = Backoff::default();
    loop {
        let e = match tokio::time::timeout(backoff.timeout(policy), op()).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) if !e.transient => return Err(e),
            Ok(Err(e)) => e,
            Err(_) => backoff.timed_out(policy, store, what),
        };
        let pause = backoff.next(policy, store, what, e)?;
        tokio::time::sleep(pause).await;
    }
}

/// A store behind the retry layer. See the module documentation.
pub struct RetryStore {
    inner: Arc<dyn Store>,
    policy: Arc<RetryPolicy>,
    shown: String,
}

impl RetryStore {
    pub fn new(inner: Arc<dyn Store>, policy: Arc<RetryPolicy>) -> RetryStore {
        let shown = inner.describe();
        RetryStore {
            inner,
            policy,
            shown,
        }
    }

    async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        run(&self.policy, &self.shown, what, op).await
    }

    /// A read in primary-key order that resumes after the last record seen when it fails;
    /// `None` when the store does not offer one for `spec` (a plain find).
    async fn resumable(&self, collection: &str, spec: FindSpec) -> Result<Option<ItemStream>> {
        let what = format!("collection {collection}: read");
        let first = self
            .run(&what, || {
                self.inner.scan_after(collection, spec.clone(), None)
            })
            .await?;
        let Some(first) = first else {
            return Ok(None);
        };
        let state = Resume {
            inner: self.inner.clone(),
            policy: self.policy.clone(),
            shown: self.shown.clone(),
            collection: collection.to_string(),
            what,
            spec,
            after: None,
            resumable: true,
            cur: Some(first),
            backoff: Backoff::default(),
            done: false,
        };
        Ok(Some(
            futures::stream::unfold(state, |mut s| async move { s.next().await.map(|r| (r, s)) })
                .boxed(),
        ))
    }

    /// A stream that cannot resume: each wait for its next item is bounded by `io_timeout`
    /// (a stalled read fails instead of hanging).
    fn guarded(&self, what: String, items: ItemStream) -> ItemStream {
        let io = self.policy.io_timeout;
        let shown = self.shown.clone();
        futures::stream::unfold((items, false), move |(mut items, done)| {
            let (what, shown) = (what.clone(), shown.clone());
            async move {
                if done {
                    return None;
                }
                match tokio::time::timeout(io, items.next()).await {
                    Ok(Some(r)) => Some((r, (items, false))),
                    Ok(None) => None,
                    Err(_) => Some((Err(timeout_error(&shown, &what, io)), (items, true))),
                }
            }
        })
        .boxed()
    }
}

/// The state of a resumable read.
struct Resume {
    inner: Arc<dyn Store>,
    policy: Arc<RetryPolicy>,
    shown: String,
    collection: String,
    what: String,
    spec: FindSpec,
    /// The resume key of the last item handed out.
    after: Option<String>,
    /// False once an item without a resume key was handed out.
    resumable: bool,
    cur: Option<ItemStream>,
    backoff: Backoff,
    done: bool,
}

impl Resume {
    async fn next(&mut self) -> Option<Result<Item>> {
        loop {
            if self.done {
                return None;
            }
            let io = self.backoff.timeout(&self.policy);
            let failure = match &mut self.cur {
                None => {
                    let open = self.inner.scan_after(
                        &self.collection,
                        self.spec.clone(),
                        self.after.clone(),
                    );
                    match tokio::time::timeout(io, open).await {
                        Ok(Ok(Some(s))) => {
                            self.cur = Some(s);
                            continue;
                        }
                        Ok(Ok(None)) => {
                            self.done = true;
                            return Some(Err(Error::unavailable(format!(
                                "{}: {}: the store no longer offers a resumable read",
                                self.shown, self.what
                            ))));
                        }
                        Ok(Err(e)) if !e.transient => {
                            self.done = true;
                            return Some(Err(e));
                        }
                        Ok(Err(e)) => e,
                        Err(_) => self
                            .backoff
                            .timed_out(&self.policy, &self.shown, &self.what),
                    }
                }
                Some(items) => match tokio::time::timeout(io, items.next()).await {
                    Ok(Some(Ok(item))) => {
                        self.backoff.reset();
                        match self.inner.resume_key(&item) {
                            Some(k) => self.after = Some(k),
                            None => self.resumable = false,
                        }
                        return Some(Ok(item));
                    }
                    Ok(None) => {
                        self.done = true;
                        return None;
                    }
                    Ok(Some(Err(e))) if !e.transient => return Some(Err(e)),
                    Ok(Some(Err(e))) => e,
                    Err(_) => self
                        .backoff
                        .timed_out(&self.policy, &self.shown, &self.what),
                },
            };
            self.cur = None;
            if !self.resumable {
                self.done = true;
                return Some(Err(failure.context(
                    "the read cannot resume past a record whose key is not a string",
                )));
            }
            let what = match &self.after {
                Some(k) => format!("{} (resuming after id {k:?})", self.what),
                None => self.what.clone(),
            };
            match self.backoff.next(&self.policy, &self.shown, &what, failure) {
                Ok(pause) => tokio::time::sleep(pause).await,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// A find that is a plain filtered read (no sort, skip, limit or projection; a partition is
/// fine) can resume.
fn plain(spec: &FindSpec) -> bool {
    spec.sort.is_empty() && spec.skip == 0 && spec.limit.is_none() && spec.projection.is_none()
}

#[async_trait]
impl Store for RetryStore {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    async fn collections(&self) -> Result<Vec<String>> {
        self.run("list collections", || self.inner.collections())
            .await
    }

    async fn get(&self, collection: &str, id: &str) -> Result<GetResult> {
        self.run(&format!("collection {collection}: get"), || {
            self.inner.get(collection, id)
        })
        .await
    }

    async fn save_many(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        self.save_with(collection, records, mode, false).await
    }

    async fn delete_many(&self, collection: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        let mut attempts = 0u32;
        let out = self
            .run(&format!("collection {collection}: delete"), || {
                attempts += 1;
                self.inner.delete_many(collection, ids.clone())
            })
            .await?;
        if attempts == 1 {
            return Ok(out);
        }
        // A retried delete: an id found missing was deleted by the attempt whose answer was
        // lost (the commands delete ids they have just seen stored), so it counts as deleted.
        Ok(out
            .into_iter()
            .map(|r| match r {
                Ok(false) => Ok(true),
                other => other,
            })
            .collect())
    }

    async fn scan(&self, collection: &str) -> Result<ItemStream> {
        let all = FindSpec::all(Filter::all(crate::query::Dialect::Mongo));
        if let Some(items) = self.resumable(collection, all).await? {
            return Ok(items);
        }
        let what = format!("collection {collection}: read");
        let items = self.run(&what, || self.inner.scan(collection)).await?;
        Ok(self.guarded(what, items))
    }

    async fn find(&self, collection: &str, spec: FindSpec) -> Result<ItemStream> {
        if plain(&spec) {
            if let Some(items) = self.resumable(collection, spec.clone()).await? {
                return Ok(items);
            }
            // The store cannot push this filter into a resumable read: resume the read of the
            // partition (or all) and filter here.
            let all = FindSpec::all(Filter::all(crate::query::Dialect::Mongo))
                .in_partition(spec.partition);
            if let Some(items) = self.resumable(collection, all).await? {
                return Ok(crate::find::find_in_stream(items, spec));
            }
        }
        let what = format!("collection {collection}: find");
        let items = self
            .run(&what, || self.inner.find(collection, spec.clone()))
            .await?;
        Ok(self.guarded(what, items))
    }

    async fn count(&self, collection: &str, filter: Option<Arc<Filter>>) -> Result<Count> {
        self.run(&format!("collection {collection}: count"), || {
            self.inner.count(collection, filter.clone())
        })
        .await
    }

    async fn prepare_collection(&self, collection: &str) -> Result<()> {
        self.run(&format!("collection {collection}: create indexes"), || {
            self.inner.prepare_collection(collection)
        })
        .await
    }

    fn id_key(&self) -> &'static str {
        self.inner.id_key()
    }

    fn stored_form(&self) -> Option<fn(&Value) -> Value> {
        self.inner.stored_form()
    }

    fn check_collection(&self, name: &str) -> Result<()> {
        self.inner.check_collection(name)
    }

    fn same_collection(&self, a: &str, b: &str) -> bool {
        self.inner.same_collection(a, b)
    }

    async fn incident_edge_candidates(
        &self,
        edge_collection: &str,
        node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        self.run(&format!("collection {edge_collection}: read"), || {
            self.inner
                .incident_edge_candidates(edge_collection, node_ids)
        })
        .await
    }

    async fn edges_touching(
        &self,
        edge_collection: &str,
        node_ids: &[String],
    ) -> Result<Option<Vec<Item>>> {
        self.run(&format!("collection {edge_collection}: read"), || {
            self.inner.edges_touching(edge_collection, node_ids)
        })
        .await
    }

    fn write_caps(&self) -> WriteCaps {
        self.inner.write_caps()
    }

    async fn save_file_bytes(
        &self,
        collection: &str,
        records: Vec<(Result<String>, Vec<u8>)>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        self.run(&format!("collection {collection}: write"), || {
            self.inner
                .save_file_bytes(collection, records.clone(), mode)
        })
        .await
    }

    async fn save_keeping_unchanged(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
    ) -> Result<Vec<Result<Saved>>> {
        self.save_with(collection, records, mode, true).await
    }

    fn read_caps(&self) -> ReadCaps {
        self.inner.read_caps()
    }

    async fn scan_map_any(
        &self,
        collection: &str,
        ordered: bool,
        map: Arc<AnyMap>,
    ) -> Result<Option<BoxStream<'static, Result<AnyItem>>>> {
        self.inner.scan_map_any(collection, ordered, map).await
    }

    async fn sweep_temp_files(&self, remove: bool) -> Result<Option<Vec<String>>> {
        self.inner.sweep_temp_files(remove).await
    }

    async fn scan_map_named_any(
        &self,
        collection: &str,
        ordered: bool,
        map: Arc<crate::store::NamedAnyMap>,
    ) -> Result<Option<BoxStream<'static, Result<AnyItem>>>> {
        self.inner
            .scan_map_named_any(collection, ordered, map)
            .await
    }

    fn write_limits(&self) -> Option<crate::store::WriteLimits> {
        self.inner.write_limits()
    }

    async fn disk_usage(&self, collection: &str) -> Result<Option<crate::store::DiskUsage>> {
        self.inner.disk_usage(collection).await
    }

    async fn scan_after(
        &self,
        collection: &str,
        spec: FindSpec,
        after: Option<String>,
    ) -> Result<Option<ItemStream>> {
        self.inner.scan_after(collection, spec, after).await
    }

    fn resume_key(&self, item: &Item) -> Option<String> {
        self.inner.resume_key(item)
    }

    async fn seal(&self, source: &str) -> Result<bool> {
        self.inner.seal(source).await
    }

    async fn commit(&self) -> Result<()> {
        self.inner.commit().await
    }

    async fn checked_digest(&self, collection: &str) -> Result<Option<crate::transfer::Digest>> {
        self.inner.checked_digest(collection).await
    }
}

impl RetryStore {
    /// `save_many` (or with `keep_unchanged`, `save_keeping_unchanged`) of the inner store,
    /// retried; an insert that had to be retried counts its own earlier attempt's records as
    /// created ([`RetryStore::own_inserts`]).
    async fn save_with(
        &self,
        collection: &str,
        records: Vec<Value>,
        mode: SaveMode,
        keep_unchanged: bool,
    ) -> Result<Vec<Result<Saved>>> {
        let what = format!("collection {collection}: write");
        let mut attempts = 0u32;
        let out = self
            .run(&what, || {
                attempts += 1;
                let batch = records.clone();
                async move {
                    if keep_unchanged {
                        self.inner
                            .save_keeping_unchanged(collection, batch, mode)
                            .await
                    } else {
                        self.inner.save_many(collection, batch, mode).await
                    }
                }
            })
            .await?;
        if attempts > 1 && mode == SaveMode::Insert {
            return self.own_inserts(collection, &records, out).await;
        }
        Ok(out)
    }

    /// After an insert that was retried: a conflict with a record stored exactly as this one
    /// is this run's own insert from the attempt that lost its answer, so it counts as
    /// created (an insert is refused only for records somebody else stored).
    async fn own_inserts(
        &self,
        collection: &str,
        records: &[Value],
        mut out: Vec<Result<Saved>>,
    ) -> Result<Vec<Result<Saved>>> {
        let conflicts: Vec<usize> = out
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Err(e) if e.kind == ErrorKind::Conflict))
            .map(|(i, _)| i)
            .collect();
        if conflicts.is_empty() {
            return Ok(out);
        }
        // One lookup by id for all of them (through the retry layer).
        let stored = crate::transfer::stored_hashes(
            self,
            collection,
            conflicts.iter().map(|&i| &records[i]),
        )
        .await?;
        let norm = crate::transfer::norm_of(&[self.inner.as_ref()]);
        for i in conflicts {
            let same = records[i]
                .record_id()
                .and_then(|id| stored.get(id))
                .is_some_and(|h| *h == crate::transfer::record_hash_as(&records[i], &norm));
            if same {
                out[i] = Ok(Saved::Created);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(retry_for: f64) -> RetryPolicy {
        RetryPolicy {
            retry_for: Duration::from_secs_f64(retry_for),
            io_timeout: Duration::from_millis(200),
            on_retry: None,
        }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_they_pass() {
        let mut n = 0;
        let p = policy(10.0);
        let r: Result<u32> = run(&p, "s", "op", || {
            n += 1;
            let k = n;
            async move {
                if k < 3 {
                    Err(Error::transient("dropped"))
                } else {
                    Ok(k)
                }
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        let mut n = 0;
        let r: Result<()> = run(&policy(10.0), "s", "op", || {
            n += 1;
            async { Err(Error::invalid("bad")) }
        })
        .await;
        assert_eq!(r.unwrap_err().kind, ErrorKind::Invalid);
        assert_eq!(n, 1);
    }

    #[tokio::test]
    async fn a_server_that_stays_away_is_given_up_within_the_bound() {
        let start = Instant::now();
        let r: Result<()> = run(&policy(1.0), "s", "op", || async {
            Err(Error::transient("refused"))
        })
        .await;
        let e = r.unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::UNAVAILABLE);
        assert!(e.message.contains("gave up after"), "{}", e.message);
        // not before --retry-for has passed (a server back at 0.9 s is still caught)
        assert!(
            start.elapsed() >= Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        // no retries at all
        let mut n = 0;
        let _ = run(&policy(0.0), "s", "op", || {
            n += 1;
            async { Err::<(), _>(Error::transient("refused")) }
        })
        .await;
        assert_eq!(n, 1);
    }

    #[tokio::test]
    async fn a_stalled_operation_times_out_and_is_retried() {
        let mut n = 0;
        let r: Result<u32> = run(&policy(10.0), "s", "op", || {
            n += 1;
            let k = n;
            async move {
                if k == 1 {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                Ok(k)
            }
        })
        .await;
        assert_eq!(r.unwrap(), 2);
    }

    /// A store whose reads break after `every` records, `breaks` times in all (the real
    /// servers are exercised through a fault-injecting proxy in tests/faults.rs).
    struct Flaky {
        inner: crate::store::memory::MemoryStore,
        every: usize,
        breaks: std::sync::atomic::AtomicUsize,
        opened_after: std::sync::Mutex<Vec<Option<String>>>,
    }

    #[async_trait]
    impl Store for Flaky {
        fn backend(&self) -> &'static str {
            "flaky"
        }
        fn describe(&self) -> String {
            "flaky:".into()
        }
        async fn collections(&self) -> Result<Vec<String>> {
            self.inner.collections().await
        }
        async fn get(&self, c: &str, id: &str) -> Result<GetResult> {
            self.inner.get(c, id).await
        }
        async fn save_many(
            &self,
            c: &str,
            r: Vec<Value>,
            m: SaveMode,
        ) -> Result<Vec<Result<Saved>>> {
            self.inner.save_many(c, r, m).await
        }
        async fn delete_many(&self, c: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
            self.inner.delete_many(c, ids).await
        }
        async fn scan(&self, c: &str) -> Result<ItemStream> {
            self.inner.scan(c).await
        }
        fn transient_failures(&self) -> bool {
            true
        }
        async fn scan_after(
            &self,
            c: &str,
            _spec: FindSpec,
            after: Option<String>,
        ) -> Result<Option<ItemStream>> {
            self.opened_after.lock().unwrap().push(after.clone());
            let all: Vec<Result<Item>> = self.inner.scan(c).await?.collect().await;
            let items: Vec<Item> = all
                .into_iter()
                .filter_map(|r| r.ok())
                .filter(|i| match (i, &after) {
                    (Item::Record(r), Some(a)) => r.record_id().unwrap_or("") > a.as_str(),
                    _ => true,
                })
                .collect();
            let breaks = self
                .breaks
                .fetch_update(
                    std::sync::atomic::Ordering::SeqCst,
                    std::sync::atomic::Ordering::SeqCst,
                    |b| b.checked_sub(1),
                )
                .is_ok();
            let every = self.every;
            let mut out: Vec<Result<Item>> = Vec::new();
            for (k, i) in items.into_iter().enumerate() {
                if breaks && k == every {
                    out.push(Err(Error::transient("connection reset by peer")));
                    break;
                }
                out.push(Ok(i));
            }
            Ok(Some(futures::stream::iter(out).boxed()))
        }
    }

    #[tokio::test]
    async fn a_broken_read_resumes_after_the_last_id_seen() {
        let inner = crate::store::memory::MemoryStore::new();
        let recs: Vec<Value> = (0..100)
            .map(|i| crate::json::parse_str(&format!("{{\"id\": \"r{i:03}\"}}")).unwrap())
            .collect();
        inner.save_many("c", recs, SaveMode::Replace).await.unwrap();
        let flaky = Arc::new(Flaky {
            inner,
            every: 30,
            breaks: std::sync::atomic::AtomicUsize::new(3),
            opened_after: Default::default(),
        });
        let store = RetryStore::new(flaky.clone(), Arc::new(policy(10.0)));
        let ids: Vec<String> = store
            .scan("c")
            .await
            .unwrap()
            .map(|r| match r.unwrap() {
                Item::Record(v) => v.record_id().unwrap().to_string(),
                other => panic!("{other:?}"),
            })
            .collect()
            .await;
        let want: Vec<String> = (0..100).map(|i| format!("r{i:03}")).collect();
        assert_eq!(ids, want, "every record once, in order");
        // Opened four times: from the start, then after the last id of each broken read.
        let opened = flaky.opened_after.lock().unwrap().clone();
        assert_eq!(
            opened,
            vec![
                None,
                Some("r029".to_string()),
                Some("r059".to_string()),
                Some("r089".to_string())
            ]
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = policy(1000.0);
        let mut b = Backoff::default();
        let mut last = Duration::ZERO;
        for i in 0..12 {
            let d = b.next(&p, "s", "op", Error::transient("x")).unwrap();
            assert!(d <= MAX_DELAY, "{d:?}");
            let full = FIRST_DELAY.saturating_mul(1 << i).min(MAX_DELAY);
            assert!(d >= full / 2 && d <= full, "{i}: {d:?} vs {full:?}");
            last = d;
        }
        assert!(last >= MAX_DELAY / 2);
    }
}
