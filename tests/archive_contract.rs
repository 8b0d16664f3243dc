//! The store contract's read scenarios, run unchanged against the archive store.
//!
//! An archive is written once, whole, by a transfer (it has no save or delete of its own), so
//! the scenarios' writes go to a staging store (the JSON store) and every read is answered by
//! a real archive: the staging store is transferred into a new `archive:FILE.tar.zst` (the
//! archive writer, seal, read-back check, commit) and the read runs on that file, opened
//! afresh (the full check against the manifest). Every scan, find, get, count and
//! collections answer of these scenarios therefore comes from a tar file on disk.

mod common;
#[path = "common/contract_suite.rs"]
mod contract_suite;

use async_trait::async_trait;
use jvdb::Result;
use jvdb::query::Filter;
use jvdb::store::json::JsonStore;
use jvdb::store::{
    Count, FindSpec, GetResult, ItemStream, OpenOptions, SaveMode, Saved, Store, StoreSpec,
};
use jvdb::transfer::{NoProgress, TransferOptions};
use jvdb::value::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

struct Staged {
    stage: Arc<dyn Store>,
    dir: tempfile::TempDir,
    n: AtomicU64,
}

impl Staged {
    fn new() -> Staged {
        let dir = tempfile::tempdir().expect("temp dir");
        let stage = JsonStore::open(
            &dir.path().join("stage"),
            &OpenOptions {
                create: true,
                ..Default::default()
            },
        )
        .expect("open json store");
        Staged {
            stage: Arc::new(stage),
            dir,
            n: AtomicU64::new(0),
        }
    }

    /// The staging store as it is now, as an archive on disk, opened for reading.
    async fn archive(&self) -> Arc<dyn Store> {
        let n = self.n.fetch_add(1, Ordering::SeqCst);
        let file = self.dir.path().join(format!("{n}.tar.zst"));
        let spec = StoreSpec {
            backend: "archive",
            location: file.display().to_string(),
        };
        let w = spec
            .open(&OpenOptions {
                create: true,
                sink: true,
                ..Default::default()
            })
            .await
            .expect("open archive for writing");
        let opts = TransferOptions::default();
        let colls = jvdb::transfer::plan(self.stage.as_ref(), &opts)
            .await
            .unwrap();
        let r = jvdb::transfer::transfer(
            self.stage.as_ref(),
            w.as_ref(),
            &colls,
            &opts,
            &NoProgress,
            &AtomicBool::new(false),
        )
        .await
        .expect("transfer into the archive");
        assert!(r.iter().all(|c| c.failed.is_empty()), "{r:?}");
        assert!(w.seal("staging").await.unwrap(), "a file is read back");
        w.commit().await.unwrap();
        drop(w);
        let a = spec
            .open(&OpenOptions::default())
            .await
            .expect("open archive for reading");
        assert_eq!(a.backend(), "archive");
        a
    }
}

#[async_trait]
impl Store for Staged {
    fn backend(&self) -> &'static str {
        "archive"
    }
    fn describe(&self) -> String {
        "staged archive".into()
    }
    async fn collections(&self) -> Result<Vec<String>> {
        self.archive().await.collections().await
    }
    async fn get(&self, c: &str, id: &str) -> Result<GetResult> {
        self.archive().await.get(c, id).await
    }
    async fn save_many(&self, c: &str, r: Vec<Value>, m: SaveMode) -> Result<Vec<Result<Saved>>> {
        self.stage.save_many(c, r, m).await
    }
    async fn delete_many(&self, c: &str, ids: Vec<String>) -> Result<Vec<Result<bool>>> {
        self.stage.delete_many(c, ids).await
    }
    async fn scan(&self, c: &str) -> Result<ItemStream> {
        self.archive().await.scan(c).await
    }
    async fn find(&self, c: &str, spec: FindSpec) -> Result<ItemStream> {
        self.archive().await.find(c, spec).await
    }
    async fn count(&self, c: &str, f: Option<Arc<Filter>>) -> Result<Count> {
        self.archive().await.count(c, f).await
    }
    async fn edges_touching(
        &self,
        c: &str,
        ids: &[String],
    ) -> Result<Option<Vec<jvdb::store::Item>>> {
        self.archive().await.edges_touching(c, ids).await
    }
}

macro_rules! contract {
    ($($t:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $t() {
                let s = Staged::new();
                contract_suite::$t(&s).await;
            }
        )*
    };
}

// The read scenarios (the others test save and delete modes, which an archive does not have:
// they would test the staging store).
contract!(
    t_scan_order,
    t_scan_drop_early,
    t_find,
    t_count_and_collections,
    t_value_fidelity,
    t_inner_id_kept,
    t_edges_touching,
);
