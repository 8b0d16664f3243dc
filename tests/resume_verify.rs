//! Issue 9, items 7 and 11, with the real binary: a rerun of `migrate`/`copy` skips the records
//! the target already holds exactly (reported as `unchanged N`, files untouched), and
//! `verify` prints a header and, with `--list`, names every id that differs.

mod common;

use assert_cmd::Command;
use common::mongo_server::TestServer;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A temp dir holding `src`, a copy of the sample store.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    copy_dir(&sample(), &src);
    (t, src)
}

fn jvdb(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("jvdb").unwrap();
    c.current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("JVSPATIAL_") {
            c.env_remove(k);
        }
    }
    c
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cwd: &Path, args: &[&str]) -> Out {
    let o = jvdb(cwd).args(args).output().unwrap();
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(
        !out.stderr.contains("panicked"),
        "jvdb panicked: {}",
        out.stderr
    );
    for line in out.stderr.lines() {
        assert!(
            line.starts_with("jvdb: ") || line.starts_with(' '),
            "stderr line without the jvdb: prefix: {line:?}"
        );
    }
    out
}

/// The summary line of collection `coll` (stderr of copy/migrate).
fn summary<'a>(o: &'a Out, coll: &str) -> &'a str {
    let head = format!("{coll}: read ");
    o.stderr
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("no summary line for {coll}: {}", o.stderr))
}

/// (inode, mtime ns) of every file under `dir`, by relative path.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64)> {
    let mut out = BTreeMap::new();
    for c in fs::read_dir(dir).unwrap() {
        let c = c.unwrap().path();
        for f in fs::read_dir(&c).unwrap() {
            let f = f.unwrap().path();
            let m = fs::symlink_metadata(&f).unwrap();
            let rel = f.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.insert(rel, (m.ino(), m.mtime() * 1_000_000_000 + m.mtime_nsec()));
        }
    }
    out
}

const COLLS: [(&str, u64); 5] = [
    ("edge", 25),
    ("node", 19),
    ("object", 3),
    ("w", 1),
    ("walker_trail", 2),
];

#[test]
fn migrate_rerun_writes_only_what_differs() {
    let (t, src) = setup();
    let dst = t.path().join("dst");
    let (s, d) = (src.to_str().unwrap(), dst.to_str().unwrap());
    let first = run(t.path(), &["migrate", "--from", s, "--to", d]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    for (c, n) in COLLS {
        assert_eq!(
            summary(&first, c),
            format!("{c}: read {n}, written {n}, unchanged 0, skipped 0, failed 0, unreadable 0")
        );
    }
    // Older mtimes make a rewrite visible even on a coarse clock.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let before = stamps(&dst);

    let again = run(t.path(), &["migrate", "--from", s, "--to", d]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    for (c, n) in COLLS {
        assert_eq!(
            summary(&again, c),
            format!("{c}: read {n}, written 0, unchanged {n}, skipped 0, failed 0, unreadable 0")
        );
    }
    assert!(
        again
            .stderr
            .contains("verified 5 collection(s), 50 record(s)"),
        "{}",
        again.stderr
    );
    assert_eq!(stamps(&dst), before, "a rerun rewrote files");

    // One target file changed behind jvdb's back, one source record changed.
    let tampered = "node/n.City.000000000000000000000003.json";
    fs::write(
        dst.join(tampered),
        b"{\n  \"id\": \"n.City.000000000000000000000003\"\n}",
    )
    .unwrap();
    let changed = run(
        t.path(),
        &[
            "--db",
            s,
            "save",
            "object",
            "--data",
            r#"{"id":"o.Config.000000000000000000000c01","entity":"Config","context":{"key":"changed"}}"#,
        ],
    );
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let before = stamps(&dst);
    let third = run(t.path(), &["migrate", "--from", s, "--to", d]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(
        summary(&third, "node"),
        "node: read 19, written 1, unchanged 18, skipped 0, failed 0, unreadable 0"
    );
    assert_eq!(
        summary(&third, "object"),
        "object: read 3, written 1, unchanged 2, skipped 0, failed 0, unreadable 0"
    );
    assert_eq!(
        summary(&third, "edge"),
        "edge: read 25, written 0, unchanged 25, skipped 0, failed 0, unreadable 0"
    );
    let after = stamps(&dst);
    let rewritten: Vec<&String> = after.keys().filter(|k| after[*k] != before[*k]).collect();
    assert_eq!(
        rewritten,
        vec![
            "node/n.City.000000000000000000000003.json",
            "object/o.Config.000000000000000000000c01.json"
        ]
    );
    assert_eq!(
        fs::read(dst.join(tampered)).unwrap(),
        fs::read(src.join(tampered)).unwrap()
    );
    let v = run(t.path(), &["verify", s, d]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

#[test]
fn copy_rerun_is_unchanged_in_replace_and_merge_modes() {
    let (t, src) = setup();
    let dst = t.path().join("dst");
    let (s, d) = (src.to_str().unwrap(), dst.to_str().unwrap());
    let args = ["copy", "--from", s, "--to", d, "-c", "node,object"];
    let first = run(t.path(), &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = stamps(&dst);
    let again = run(t.path(), &args);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        summary(&again, "node"),
        "node: read 19, written 0, unchanged 19, skipped 0, failed 0, unreadable 0"
    );
    let merge: Vec<&str> = args.iter().copied().chain(["--mode", "merge"]).collect();
    let merged = run(t.path(), &merge);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert_eq!(
        summary(&merged, "object"),
        "object: read 3, written 0, unchanged 3, skipped 0, failed 0, unreadable 0"
    );
    let skip: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--mode", "skip-existing"])
        .collect();
    let skipped = run(t.path(), &skip);
    assert_eq!(
        summary(&skipped, "node"),
        "node: read 19, written 0, unchanged 0, skipped 19, failed 0, unreadable 0"
    );
    assert_eq!(stamps(&dst), before, "a rerun rewrote files");
}

#[test]
fn json_to_mongodb_rerun_replaces_only_what_differs() {
    let (t, src) = setup();
    // This record holds an integer beyond 64 bits, which MongoDB cannot store.
    fs::remove_file(src.join("node/n.City.000000000000000000000006.json")).unwrap();
    let s = src.to_str().unwrap();
    let server = match std::env::var("JVDB_TEST_MONGODB_URI") {
        Ok(u) if !u.trim().is_empty() => None,
        _ => Some(TestServer::start(0)),
    };
    let uri = match &server {
        Some(srv) => srv.uri("resume"),
        None => format!(
            "{}/jvdbresume_{}",
            std::env::var("JVDB_TEST_MONGODB_URI")
                .unwrap()
                .trim_end_matches('/'),
            std::process::id()
        ),
    };
    let first = run(t.path(), &["migrate", "--from", s, "--to", &uri]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let again = run(t.path(), &["migrate", "--from", s, "--to", &uri]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    for (c, n) in COLLS {
        let n = if c == "node" { n - 1 } else { n };
        assert_eq!(
            summary(&again, c),
            format!("{c}: read {n}, written 0, unchanged {n}, skipped 0, failed 0, unreadable 0")
        );
    }
    let changed = run(
        t.path(),
        &[
            "--db",
            s,
            "save",
            "node",
            "--data",
            r#"{"id":"n.City.000000000000000000000001","entity":"City","context":{"name":"Sao Paulo","population":1}}"#,
        ],
    );
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let third = run(t.path(), &["migrate", "--from", s, "--to", &uri]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(
        summary(&third, "node"),
        "node: read 18, written 1, unchanged 17, skipped 0, failed 0, unreadable 0"
    );
    assert!(third.stderr.contains("counts and content hashes match"));
    let v = run(t.path(), &["verify", s, &uri]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}

/// `dst`: a migrated copy of `src` with one record only in the source, one only in the
/// target, one different and one unreadable in the target.
fn damaged_copy(t: &Path, src: &Path) -> PathBuf {
    let dst = t.join("dst");
    let o = run(
        t,
        &[
            "-q",
            "migrate",
            "--from",
            src.to_str().unwrap(),
            "--to",
            dst.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    fs::remove_file(dst.join("edge/e.Edge.000000000000000000000001.json")).unwrap();
    fs::write(
        dst.join("node/n.City.extra.json"),
        "{\n  \"id\": \"n.City.extra\",\n  \"entity\": \"City\",\n  \"context\": {}\n}",
    )
    .unwrap();
    fs::write(
        dst.join("node/n.City.000000000000000000000003.json"),
        "{\n  \"id\": \"n.City.000000000000000000000003\",\n  \"context\": {}\n}",
    )
    .unwrap();
    fs::write(
        dst.join("object/o.Config.000000000000000000000c01.json"),
        "{",
    )
    .unwrap();
    dst
}

#[test]
fn verify_prints_a_header_and_lists_every_difference() {
    let (t, src) = setup();
    let dst = damaged_copy(t.path(), &src);
    let (s, d) = (src.to_str().unwrap(), dst.to_str().unwrap());

    let v = run(t.path(), &["verify", s, d]);
    assert_eq!(v.code, 6, "{}", v.stderr);
    assert_eq!(
        v.stdout,
        "collection\tcount_a\tcount_b\tresult\n\
         edge\t25\t24\tDIFFERENT\n\
         node\t19\t20\tDIFFERENT\n\
         object\t3\t2\tDIFFERENT\n\
         w\t1\t1\tequal\n\
         walker_trail\t2\t2\tequal\n"
    );
    assert!(v.stderr.contains("verify --list"), "{}", v.stderr);

    let expected = "- edge/e.Edge.000000000000000000000001\n\
                    * node/n.City.000000000000000000000003\n\
                    + node/n.City.extra\n\
                    ! object/o.Config.000000000000000000000c01\n";
    let l = run(t.path(), &["verify", "--list", s, d]);
    assert_eq!(l.code, 6, "{}", l.stderr);
    assert_eq!(l.stdout, expected);
    assert!(
        l.stderr
            .contains("jvdb: node: 0 only in A, 1 only in B, 1 different, 0 unreadable"),
        "{}",
        l.stderr
    );
    // `diff` is the same as `verify --list`
    let df = run(t.path(), &["diff", s, d]);
    assert_eq!((df.code, df.stdout.as_str()), (6, expected));

    let j = run(t.path(), &["verify", "--list", "--format", "jsonl", s, d]);
    assert_eq!(j.code, 6);
    assert_eq!(
        j.stdout,
        "{\"collection\":\"edge\",\"id\":\"e.Edge.000000000000000000000001\",\"change\":\"only_a\"}\n\
         {\"collection\":\"node\",\"id\":\"n.City.000000000000000000000003\",\"change\":\"differs\"}\n\
         {\"collection\":\"node\",\"id\":\"n.City.extra\",\"change\":\"only_b\"}\n\
         {\"collection\":\"object\",\"id\":\"o.Config.000000000000000000000c01\",\"change\":\"unreadable_b\"}\n"
    );
    // A and B swapped: the signs swap.
    let r = run(t.path(), &["verify", "--list", "-c", "edge,node", d, s]);
    assert_eq!(
        r.stdout,
        "+ edge/e.Edge.000000000000000000000001\n\
         * node/n.City.000000000000000000000003\n\
         - node/n.City.extra\n"
    );
    // Equal stores: nothing listed, exit 0.
    let e = run(t.path(), &["verify", "--list", "-c", "w", s, d]);
    assert_eq!((e.code, e.stdout.as_str()), (0, ""));
    let js = run(
        t.path(),
        &["verify", "--format", "json", "--list", "-c", "node", s, d],
    );
    assert!(
        js.stdout.contains("\"change\": \"only_b\""),
        "{}",
        js.stdout
    );
}

#[test]
fn failed_migrate_verification_names_the_differing_ids() {
    let (t, src) = setup();
    let dst = t.path().join("dst");
    fs::create_dir_all(dst.join("node")).unwrap();
    // Records in the target that cannot be read: the verification cannot say the target holds
    // what was read, so it fails and names them.
    for k in 0..12 {
        fs::write(
            dst.join(format!("node/n.Stale.{k:02}.json")),
            format!("{{\n  \"id\": \"n.Stale.{k:02}\",\n  \"context\": {{"),
        )
        .unwrap();
    }
    let (s, d) = (src.to_str().unwrap(), dst.to_str().unwrap());
    let o = run(t.path(), &["migrate", "--from", s, "--to", d]);
    assert_eq!(o.code, 6, "{}", o.stderr);
    let named: Vec<&str> = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("jvdb: ! node/"))
        .collect();
    assert_eq!(named.len(), 10, "{}", o.stderr);
    assert_eq!(
        named[0],
        "jvdb: ! node/n.Stale.00 (unreadable in the target)"
    );
    assert!(
        o.stderr.contains(&format!(
            "jvdb: 10 of 12 differing id(s) shown; list them all with `jvdb verify --list {s} {d}`"
        )),
        "{}",
        o.stderr
    );
    let l = run(t.path(), &["verify", "--list", s, d]);
    assert_eq!(l.stdout.lines().count(), 12, "{}", l.stdout);
}

#[test]
fn records_only_the_target_holds_are_named_not_failed() {
    let (t, src) = setup();
    let dst = t.path().join("dst");
    fs::create_dir_all(dst.join("node")).unwrap();
    for k in 0..12 {
        fs::write(
            dst.join(format!("node/n.Stale.{k:02}.json")),
            format!("{{\n  \"id\": \"n.Stale.{k:02}\",\n  \"context\": {{}}\n}}"),
        )
        .unwrap();
    }
    let (s, d) = (src.to_str().unwrap(), dst.to_str().unwrap());
    let o = run(t.path(), &["migrate", "--from", s, "--to", d]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("node: the target also holds 12 record(s) that are not in the source"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("every record read is in the target as read"),
        "{}",
        o.stderr
    );
    // They are left alone.
    assert!(dst.join("node/n.Stale.07.json").exists());
    let l = run(t.path(), &["verify", "--list", s, d]);
    assert_eq!(l.stdout.lines().count(), 12, "{}", l.stdout);
    assert!(
        l.stdout.lines().all(|x| x.starts_with("+ node/n.Stale.")),
        "{}",
        l.stdout
    );
}
