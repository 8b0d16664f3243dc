//! The store contract: one set of tests, run against every backend (memory and JSON) through
//! the `Store` trait, followed by JSON-only tests of the on-disk format (jvspatial's JsonDB).

mod common;
#[path = "common/contract_suite.rs"]
mod contract_suite;

use common::*;
use contract_suite::*;
use jvdb::error::ErrorKind;
use jvdb::query::{Dialect, Filter};
use jvdb::store::json::JsonStore;
use jvdb::store::memory::MemoryStore;
use jvdb::store::{GetResult, Item, OpenOptions, SaveMode, Saved, Store, StoreSpec};
use jvdb::value::Value;
use std::sync::Arc;

/// A store under test plus whatever keeps it alive (a temp dir).
struct Harness {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

fn memory() -> Harness {
    Harness {
        store: Arc::new(MemoryStore::new()),
        _dir: None,
    }
}

fn json() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = JsonStore::open(
        &dir.path().join("jvdb"),
        &OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .expect("open json store");
    Harness {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

macro_rules! contract {
    ($backend:ident: $($t:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $t() {
                    let h = super::$backend();
                    super::$t(&*h.store).await;
                }
            )*
        }
    };
}

macro_rules! contract_all {
    ($($t:ident),* $(,)?) => {
        contract!(memory: $($t),*);
        contract!(json: $($t),*);
    };
}

contract_all!(
    t_replace_and_get,
    t_insert_conflict,
    t_skip_existing,
    t_merge,
    t_duplicates_in_batch,
    t_bad_records,
    t_invalid_names,
    t_accepted_names,
    t_delete,
    t_scan_order,
    t_scan_drop_early,
    t_find,
    t_count_and_collections,
    t_value_fidelity,
    t_inner_id_kept,
    t_edges_touching,
);

#[tokio::test]
async fn registry_opens_both_backends() {
    let m = StoreSpec::parse("memory:")
        .unwrap()
        .open(&OpenOptions::default())
        .await
        .unwrap();
    assert_eq!(m.backend(), "memory");
    assert!(StoreSpec::parse("memory:").unwrap().local_path().is_none());
    assert!(!m.read_caps().parallel_map && !m.write_caps().file_bytes);
    let d = tempfile::tempdir().unwrap();
    let spec = format!("json:{}", d.path().join("db").display());
    let j = StoreSpec::parse(&spec)
        .unwrap()
        .open(&OpenOptions {
            create: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(j.backend(), "json");
    let local = StoreSpec::parse(&spec).unwrap().local_path().unwrap();
    assert_eq!((local.path, local.dir), (d.path().join("db"), true));
    assert!(j.read_caps().parallel_map && j.write_caps().file_bytes);
    assert!(d.path().join("db").is_dir());
    assert!(j.describe().contains("db"));
}

// ---------------------------------------------------------------------------------------------
// JSON-only: the on-disk format

mod json_only {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};
    use std::path::{Path, PathBuf};

    fn open(base: &Path, create: bool) -> JsonStore {
        JsonStore::open(
            base,
            &OpenOptions {
                create,
                ..Default::default()
            },
        )
        .expect("open")
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn umask() -> u32 {
        // SAFETY: umask only swaps the process file-mode mask; restored immediately.
        unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m as u32
        }
    }

    #[tokio::test]
    async fn byte_layout() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path().join("jvdb");
        let s = open(&base, true);
        let recs = vec![
            awkward("n.City.0000000000000000000000a1"),
            rec(".hidden", &[("v", i(1))]),
            rec("weird id: ü €", &[]),
        ];
        save_ok(&s, "node", recs.clone()).await;
        let dir = base.join("node");
        assert_eq!(
            names(&dir),
            vec![
                ".hidden.json",
                "n.City.0000000000000000000000a1.json",
                "weird id: ü €.json"
            ]
        );
        for r in &recs {
            let p = dir.join(format!("{}.json", r.record_id().unwrap()));
            let bytes = fs::read(&p).unwrap();
            assert_eq!(bytes, jvdb::json::to_python_indent2(r), "{}", p.display());
            assert!(bytes.ends_with(b"}"), "no trailing newline");
            assert!(bytes.is_ascii(), "ensure_ascii output");
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644 & !umask());
        }
        // a record with a NaN is written as the bare token, as Python does
        let text =
            String::from_utf8(fs::read(dir.join("n.City.0000000000000000000000a1.json")).unwrap())
                .unwrap();
        assert!(text.contains("\"nan\": NaN"), "{text}");
        assert!(text.contains("\"big\": 18446744073709551617"), "{text}");
        assert!(text.starts_with("{\n  \"id\": "), "{text}");
    }

    #[tokio::test]
    async fn failed_write_leaves_no_temp_and_temp_names_match_jvspatial() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("ok", &[])]).await;
        // a non-empty directory where the record file should go makes the rename fail
        fs::create_dir_all(d.path().join("c/blocked.json/inner")).unwrap();
        let r = save(
            &s,
            "c",
            vec![rec("blocked", &[]), rec("fine", &[])],
            SaveMode::Replace,
        )
        .await;
        let e = r[0].clone().expect_err("rename over a directory fails");
        assert!(e.message.contains("blocked"), "{}", e.message);
        assert_eq!(r[1], Ok(Saved::Created));
        assert!(
            names(&d.path().join("c"))
                .iter()
                .all(|n| !n.ends_with(".jvtmp")),
            "temp file removed after failure"
        );
        // temp names: <name>.<pid>.<12 lowercase hex>.jvtmp in the same directory
        let t = jvdb::store::json::atomic::temp_path(&d.path().join("c/x.y.json"));
        assert_eq!(t.parent(), Some(d.path().join("c").as_path()));
        let name = t.file_name().unwrap().to_str().unwrap();
        let parts: Vec<&str> = name.rsplitn(4, '.').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], "jvtmp");
        assert!(
            parts[1].len() == 12
                && parts[1]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(parts[2], std::process::id().to_string());
        assert_eq!(parts[3], "x.y.json");
    }

    #[tokio::test]
    async fn sweep_removes_dead_and_odd_temp_files_only() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("a", &[])]).await;
        let c = d.path().join("c");
        let live = c.join(format!("a.json.{}.00112233aabb.jvtmp", std::process::id()));
        let dead = c.join("a.json.2147483600.00112233aabb.jvtmp");
        let odd = c.join("junk.jvtmp");
        for p in [&live, &dead, &odd] {
            fs::write(p, b"{}").unwrap();
        }
        // temp files are never records
        assert_eq!(scan_ids(&s, "c").await, vec!["a"]);
        assert_eq!(s.count("c", None).await.unwrap().count, 1);
        let dry = jvdb::store::json::sweep_tmp_files(d.path(), true).unwrap();
        assert_eq!(dry, vec![dead.clone(), odd.clone()]);
        assert!(dead.exists());
        let gone = jvdb::store::json::sweep_tmp_files(d.path(), false).unwrap();
        assert_eq!(gone, vec![dead.clone(), odd.clone()]);
        assert!(live.exists() && !dead.exists() && !odd.exists());
        assert!(
            jvdb::store::json::sweep_tmp_files(&d.path().join("missing"), false)
                .unwrap()
                .is_empty()
        );
    }

    fn write(p: PathBuf, bytes: &[u8]) {
        fs::write(p, bytes).unwrap();
    }

    #[tokio::test]
    async fn unreadable_files_are_reported_with_reasons() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("good", &[])]).await;
        let c = d.path().join("c");
        write(c.join("trunc.json"), b"{\"id\": \"trunc\", \"a\": ");
        write(c.join("empty.json"), b"");
        write(c.join("binary.json"), &[0xff, 0x00, 0x13, 0x80]);
        write(c.join("list.json"), b"[1, 2, 3]");
        write(
            c.join("bom.json"),
            b"\xef\xbb\xbf{\"id\": \"bom\", \"v\": NaN}",
        );
        let mut utf16 = vec![0xff, 0xfe];
        for u in "{\"id\": \"u16\", \"s\": \"\u{e9}\"}".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        write(c.join("u16.json"), &utf16);
        write(c.join("other.json"), b"{\"id\": \"not-other\"}");

        let reason = |g: GetResult| match g {
            GetResult::Unreadable(r) => r,
            other => panic!("expected unreadable, got {other:?}"),
        };
        assert!(reason(get(&s, "c", "trunc").await).contains("invalid JSON"));
        assert_eq!(reason(get(&s, "c", "empty").await), "empty file");
        assert!(reason(get(&s, "c", "binary").await).contains("invalid JSON"));
        assert!(reason(get(&s, "c", "list").await).contains("array"));
        assert_eq!(found(&s, "c", "bom").await.get("id"), Some(&s_("bom")));
        assert_same(&found(&s, "c", "u16").await, &rec("u16", &[("s", s_("é"))]));
        // inner id differs from the file name: returned as stored
        assert_same(
            &found(&s, "c", "other").await,
            &obj(&[("id", s_("not-other"))]),
        );

        let got = items(s.scan("c").await.unwrap()).await;
        assert_eq!(
            ids_of(&got),
            vec![
                "!binary",
                "bom",
                "!empty",
                "good",
                "!list",
                "not-other",
                "!trunc",
                "u16"
            ]
        );
        // jvspatial's count() counts directory entries, malformed files included
        assert_eq!(s.count("c", None).await.unwrap().count, 8);
        // the default find-based count reports the unreadable ones
        let q = Arc::new(
            Filter::compile(
                &obj(&[("id", obj(&[("$exists", Value::Bool(true))]))]),
                Dialect::Mongo,
            )
            .unwrap(),
        );
        let cnt = s.count("c", Some(q)).await.unwrap();
        assert_eq!(cnt.unreadable.len(), 4);
        assert_eq!(cnt.count, 4);
        // merging into an unreadable file is refused and leaves it alone
        let r = save(&s, "c", vec![rec("trunc", &[("x", i(1))])], SaveMode::Merge).await;
        let e = r[0].clone().expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Refused);
        assert!(e.message.contains("trunc"), "{}", e.message);
        assert_eq!(
            fs::read(c.join("trunc.json")).unwrap(),
            b"{\"id\": \"trunc\", \"a\": "
        );
    }

    #[tokio::test]
    async fn which_entries_are_records() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("a", &[])]).await;
        let c = d.path().join("c");
        write(c.join(".hidden.json"), b"{\"id\": \".hidden\"}");
        write(c.join("X.JSON"), b"{\"id\": \"X\"}");
        write(c.join("foo.txt"), b"{\"id\": \"foo\"}");
        write(c.join("y.json.123.0123456789ab.jvtmp"), b"{\"id\": \"y\"}");
        fs::create_dir(c.join("sub")).unwrap();
        write(c.join("sub/z.json"), b"{\"id\": \"z\"}");
        fs::create_dir(c.join("dir.json")).unwrap();
        // a file directly in the base is not a collection
        write(d.path().join("stray.json"), b"{}");
        assert_eq!(scan_ids(&s, "c").await, vec![".hidden", "a", "!dir"]);
        // jvspatial's count() counts every `*.json` entry (the directory too)
        assert_eq!(s.count("c", None).await.unwrap().count, 3);
        assert_eq!(s.collections().await.unwrap(), vec!["c"]);
        assert_eq!(get(&s, "c", "X").await, GetResult::Missing);
    }

    #[tokio::test]
    async fn odd_entries_are_reported_not_skipped() {
        use std::os::unix::ffi::OsStrExt;
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        save_ok(&s, "c", vec![rec("a", &[]), rec("z", &[])]).await;
        let c = d.path().join("c");
        // a file name that is not UTF-8 cannot be a jvspatial id: reported by its lossy name
        write(
            c.join(std::ffi::OsStr::from_bytes(b"bad\xff.json")),
            b"{\"id\": \"x\"}",
        );
        // a FIFO named like a record is not read (it would block)
        let fifo = std::ffi::CString::new(c.join("pipe.json").as_os_str().as_bytes()).unwrap();
        // SAFETY: valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        // a dangling symlink inside the store
        symlink(c.join("gone.json"), c.join("dangling.json")).unwrap();
        let got = items(s.scan("c").await.unwrap()).await;
        assert_eq!(
            ids_of(&got),
            vec!["a", "!bad\u{fffd}", "!dangling", "!pipe", "z"]
        );
        for it in &got {
            if let Item::Unreadable { reason, .. } = it {
                assert!(!reason.is_empty());
            }
        }
        assert_eq!(s.count("c", None).await.unwrap().count, 5);
    }

    #[tokio::test]
    async fn overlong_ids_fail_by_id() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path(), true);
        let long = "x".repeat(240); // <id>.json.<pid>.<12 hex>.jvtmp exceeds 255 bytes
        let ok = "y".repeat(200);
        let r = save(
            &s,
            "c",
            vec![rec(&long, &[]), rec(&ok, &[])],
            SaveMode::Replace,
        )
        .await;
        let e = r[0].clone().expect_err("too long");
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(
            e.message.contains("too long") && e.message.contains(&long),
            "{}",
            e.message
        );
        assert_eq!(r[1], Ok(Saved::Created));
        assert!(
            names(&d.path().join("c"))
                .iter()
                .all(|n| !n.ends_with(".jvtmp"))
        );
    }

    #[tokio::test]
    async fn reading_never_creates_directories() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path().join("not-there");
        // Opening a missing store to read is an error (exit 4) that names the path; it is not
        // an empty store and creates nothing.
        let e = JsonStore::open(&base, &OpenOptions::default())
            .err()
            .expect("missing base");
        assert_eq!(e.exit_code(), 4);
        assert!(
            e.message.contains("not-there: no such directory"),
            "{}",
            e.message
        );
        assert!(!base.exists());
        // The target of a dry run reads a missing base as empty, and still creates nothing.
        let s = JsonStore::open(
            &base,
            &OpenOptions {
                missing_is_empty: true,
                ..Default::default()
            },
        )
        .expect("open");
        assert_eq!(s.collections().await.unwrap(), Vec::<String>::new());
        assert_eq!(get(&s, "node", "a").await, GetResult::Missing);
        assert!(scan_ids(&s, "node").await.is_empty());
        assert_eq!(s.count("node", None).await.unwrap().count, 0);
        assert_eq!(
            s.delete_many("node", vec!["a".into()]).await.unwrap(),
            vec![Ok(false)]
        );
        assert!(
            items(s.find("node", spec(obj(&[]))).await.unwrap())
                .await
                .is_empty()
        );
        assert!(!base.exists());
        // writing creates what it needs
        save_ok(&s, "node", vec![rec("a", &[])]).await;
        assert!(base.join("node/a.json").is_file());
        let _ = get(&s, "edge", "a").await;
        assert!(!base.join("edge").exists());
    }

    #[tokio::test]
    async fn open_errors() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("file");
        fs::write(&file, b"x").unwrap();
        let e = JsonStore::open(&file, &OpenOptions::default())
            .err()
            .expect("a file is not a store");
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(
            e.message.contains("file") && e.message.contains("not a directory"),
            "{}",
            e.message
        );
        let e = JsonStore::open(
            &file.join("sub"),
            &OpenOptions {
                create: true,
                ..Default::default()
            },
        )
        .err()
        .expect("below a file");
        assert_eq!(e.kind, ErrorKind::Unavailable);
        let created = d.path().join("a/b/c");
        open(&created, true);
        assert!(created.is_dir());
    }

    #[tokio::test]
    async fn symlink_escapes_are_rejected() {
        let d = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(outside.path().join("secret.json"), b"{\"id\": \"secret\"}");
        let s = open(&d.path().join("db"), true);
        save_ok(&s, "node", vec![rec("a", &[])]).await;
        symlink(outside.path(), d.path().join("db/evil")).unwrap();
        for e in [
            s.get("evil", "secret").await.map(|_| ()).unwrap_err(),
            s.save_many("evil", vec![rec("x", &[])], SaveMode::Replace)
                .await
                .map(|_| ())
                .unwrap_err(),
            s.scan("evil").await.map(|_| ()).unwrap_err(),
            s.delete_many("evil", vec!["secret".into()])
                .await
                .map(|_| ())
                .unwrap_err(),
        ] {
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert!(
                e.message.contains("evil") && e.message.contains("escapes"),
                "{}",
                e.message
            );
        }
        // Listed (never silently skipped); every access to it fails as above.
        assert!(s.collections().await.unwrap().contains(&"evil".to_string()));
        assert!(outside.path().join("secret.json").exists());
        assert!(!outside.path().join("x.json").exists());
        // a record file symlinked outside
        symlink(
            outside.path().join("secret.json"),
            d.path().join("db/node/leak.json"),
        )
        .unwrap();
        let e = s.get("node", "leak").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("leak"), "{}", e.message);
        let got = items(s.scan("node").await.unwrap()).await;
        assert!(
            matches!(&got[1], Item::Unreadable { id, reason } if id == "leak" && reason.contains("outside")),
            "{got:?}"
        );
        let r = save(&s, "node", vec![rec("leak", &[])], SaveMode::Replace).await;
        assert_eq!(r[0].clone().map_err(|e| e.kind), Err(ErrorKind::Invalid));
        assert_eq!(
            fs::read(outside.path().join("secret.json")).unwrap(),
            b"{\"id\": \"secret\"}"
        );
        // a symlink that stays inside the store is fine (jvspatial resolves and accepts it)
        symlink(d.path().join("db/node"), d.path().join("db/alias")).unwrap();
        assert_eq!(found(&s, "alias", "a").await.get("id"), Some(&s_("a")));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn insert_does_not_overwrite_under_concurrent_writers() {
        let d = tempfile::tempdir().unwrap();
        // separate store instances: no shared in-process locks, like separate processes
        let stores: Vec<Arc<JsonStore>> = (0..8).map(|_| Arc::new(open(d.path(), true))).collect();
        for round in 0..5 {
            let id = format!("contended{round}");
            let mut tasks = Vec::new();
            for (w, s) in stores.iter().enumerate() {
                let (s, id) = (s.clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    let r = s
                        .save_many(
                            "c",
                            vec![rec(&id, &[("writer", i(w as i64))])],
                            SaveMode::Insert,
                        )
                        .await;
                    (w, r.unwrap().remove(0))
                }));
            }
            let mut winners = Vec::new();
            for t in tasks {
                let (w, r) = t.await.unwrap();
                match r {
                    Ok(Saved::Created) => winners.push(w),
                    Ok(other) => panic!("unexpected {other:?}"),
                    Err(e) => assert_eq!(e.kind, ErrorKind::Conflict, "{}", e.message),
                }
            }
            assert_eq!(winners.len(), 1, "exactly one insert wins");
            let v = found(&*stores[0], "c", &id).await;
            assert_eq!(v.get("writer"), Some(&i(winners[0] as i64)));
        }
        assert!(
            names(&d.path().join("c"))
                .iter()
                .all(|n| !n.ends_with(".jvtmp"))
        );
    }

    /// Throughput of save_many (run with `--ignored --nocapture`); prints records/s.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore]
    async fn save_many_throughput() {
        let d =
            tempfile::tempdir_in(std::env::var("JVDB_BENCH_DIR").unwrap_or_else(|_| "/tmp".into()))
                .unwrap();
        let s = open(d.path(), true);
        let n = 5000;
        let recs: Vec<Value> = (0..n)
            .map(|k| {
                rec(
                    &format!("n.City.{k:024x}"),
                    &[
                        ("entity", s_("City")),
                        ("context", obj(&[("name", s_("x")), ("pop", i(k))])),
                    ],
                )
            })
            .collect();
        let t = std::time::Instant::now();
        let r = s.save_many("node", recs, SaveMode::Replace).await.unwrap();
        let el = t.elapsed().as_secs_f64();
        assert!(r.iter().all(|x| *x == Ok(Saved::Created)));
        assert_eq!(s.count("node", None).await.unwrap().count, n as u64);
        eprintln!(
            "save_many: {n} records in {el:.2}s = {:.0} records/s",
            n as f64 / el
        );
        let t = std::time::Instant::now();
        let got = items(s.scan("node").await.unwrap()).await;
        assert_eq!(got.len() as i64, n);
        eprintln!("scan: {n} records in {:.2}s", t.elapsed().as_secs_f64());
    }
}
