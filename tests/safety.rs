//! Safety and everyday use (issue 9): the real binary on scratch copies of the sample store.
//! Bulk deletes off a terminal, missing sources, overlapping stores, unknown schemes, honest
//! dry runs, `info` as a health check, and dangling edges left by `delete`.

mod common;

use common::bin::{bin, code, copy_dir, err, jv, out, run, sample_in};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temp dir holding a copy of examples/sample-store as `s`.
fn sample() -> tempfile::TempDir {
    sample_in("s")
}

/// Every file under `dir` with its bytes (to prove nothing changed).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v = Vec::new();
    fn walk(d: &Path, v: &mut Vec<(PathBuf, Vec<u8>)>) {
        let mut es: Vec<_> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        es.sort();
        for p in es {
            if p.is_dir() {
                walk(&p, v);
            } else {
                v.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    walk(dir, &mut v);
    v
}

fn count(dir: &Path, coll: &str) -> usize {
    match fs::read_dir(dir.join(coll)) {
        Ok(r) => r
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".json")
            })
            .count(),
        Err(_) => 0,
    }
}

/// One stderr line starting `jvdb: ` that contains `needle`.
fn one_line_with(o: &Output, needle: &str) {
    let e = err(o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr: {e}");
    assert!(lines[0].starts_with("jvdb: "), "{e}");
    assert!(lines[0].contains(needle), "{needle:?} not in: {e}");
}

// ------------------------------------------------------------ 2. a missing source is an error

#[test]
fn reading_a_missing_json_store_is_exit_4_naming_the_path() {
    let t = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["find", "node"],
        &["get", "node", "n.Root.root"],
        &["count", "node"],
        &["collections"],
        &["delete", "node", "n.Root.root"],
        &["delete", "node", "--query", "{}", "--yes"],
        &["cleanup", "--yes"],
        &["cleanup", "--dry-run"],
    ];
    for args in cases {
        let o = run(jv(t.path()).args(["--db", "nosuchdir"]).args(*args));
        assert_eq!(code(&o), 4, "{args:?}: {}", err(&o));
        one_line_with(&o, "nosuchdir: no such directory");
        assert_eq!(out(&o), "", "{args:?}");
    }
    let o = run(jv(t.path()).args(["verify", "nosuchdir", "other"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(err(&o).contains("nosuchdir"), "{}", err(&o));
    assert!(!t.path().join("nosuchdir").exists());
    assert!(!t.path().join("other").exists());
}

#[test]
fn migrate_and_copy_from_a_missing_source_create_nothing() {
    let t = tempfile::tempdir().unwrap();
    for cmd in ["migrate", "copy"] {
        for extra in [&[][..], &["--dry-run"]] {
            let o = run(jv(t.path())
                .args([cmd, "--from", "nosuchdir", "--to", "out"])
                .args(extra));
            assert_eq!(code(&o), 4, "{cmd} {extra:?}: {}", err(&o));
            one_line_with(&o, "--from: json:nosuchdir: no such directory");
            assert!(
                err(&o).contains("nosuchdir: no such directory"),
                "{}",
                err(&o)
            );
            assert!(!t.path().join("out").exists(), "{cmd} created the target");
        }
    }
}

#[test]
fn an_empty_directory_is_an_empty_store_and_writers_create_a_missing_target() {
    let t = sample();
    fs::create_dir(t.path().join("empty")).unwrap();
    let o = run(jv(t.path()).args(["--db", "empty", "count", "node"]));
    assert_eq!((code(&o), out(&o)), (0, "0\n".to_string()), "{}", err(&o));
    let o = run(jv(t.path()).args(["--db", "empty", "collections"]));
    assert_eq!((code(&o), out(&o)), (0, String::new()), "{}", err(&o));
    let o = run(jv(t.path()).args([
        "--db",
        "new",
        "save",
        "object",
        "--data",
        r#"{"id":"o.X.1"}"#,
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(count(&t.path().join("new"), "object"), 1);
    let o = run(jv(t.path()).args(["migrate", "--from", "s", "--to", "m"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(count(&t.path().join("m"), "node"), 19);
    // A dry run into a missing target reads it as empty and creates nothing.
    let o = run(jv(t.path()).args(["migrate", "--from", "s", "--to", "dry", "--dry-run"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!t.path().join("dry").exists());
}

// ------------------------------------------------------------ 3. overlapping stores

#[test]
fn overlapping_or_identical_json_stores_are_refused_before_anything_is_created() {
    let t = sample();
    std::os::unix::fs::symlink("s", t.path().join("link")).unwrap();
    fs::create_dir(t.path().join("outer")).unwrap();
    let before = snapshot(&t.path().join("s"));
    let cases: &[(&str, &str, &str)] = &[
        ("s", "s/sub", "is inside --from"),
        ("s", "s/sub/deeper", "is inside --from"),
        ("link", "s/sub", "is inside --from"),
        ("s", "link/sub", "is inside --from"),
        ("s/node", "s", "is inside --to"),
        ("s", "./s/", "the same directory"),
        ("link", "s", "the same directory"),
        ("s", "json:s", "the same store"),
    ];
    for cmd in ["migrate", "copy"] {
        for (from, to, msg) in cases {
            for extra in [&[][..], &["--dry-run"]] {
                let o = run(jv(t.path())
                    .args([cmd, "--from", from, "--to", to])
                    .args(extra));
                assert_eq!(code(&o), 2, "{cmd} {from} {to}: {}", err(&o));
                one_line_with(&o, msg);
            }
        }
    }
    assert_eq!(snapshot(&t.path().join("s")), before, "the source changed");
    assert!(!t.path().join("s/sub").exists());
    // Siblings with a common name prefix do not overlap.
    let o = run(jv(t.path()).args(["migrate", "--from", "s", "--to", "s2"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
}

// ------------------------------------------------------------ 4. unknown schemes

#[test]
fn an_unknown_scheme_is_exit_2_listing_the_known_ones() {
    let t = sample();
    for spec in [
        "sqlit:x.db",
        "jvspatial:dynamodb?table=t",
        "weird:dir",
        "ftp://h/x",
    ] {
        let o = run(jv(t.path()).args(["--db", spec, "count", "node"]));
        assert_eq!(code(&o), 2, "{spec}: {}", err(&o));
        one_line_with(&o, "known: json:, memory:, mongodb://, mongodb+srv://");
        assert!(err(&o).contains("./a:b or json:a:b"), "{}", err(&o));
        let o = run(jv(t.path()).args(["migrate", "--from", "s", "--to", spec]));
        assert_eq!(code(&o), 2, "{spec}: {}", err(&o));
        one_line_with(&o, "--to: unknown store scheme");
    }
    let names: Vec<String> = fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["s"], "nothing may be created");
    // A directory with a colon in its name, written the two documented ways.
    for spec in ["./a:b", "json:a:b"] {
        let o = run(jv(t.path()).args([
            "--db",
            spec,
            "save",
            "object",
            "--data",
            r#"{"id":"o.X.1"}"#,
        ]));
        assert_eq!(code(&o), 0, "{spec}: {}", err(&o));
        assert_eq!(count(&t.path().join("a:b"), "object"), 1);
    }
}

// ------------------------------------------------------------ 9. info as a health check

#[test]
fn info_format_json_and_exit_4_when_missing() {
    let t = sample();
    let o = run(jv(t.path()).args(["--db", "s", "info", "--format", "json"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(err(&o), "");
    let v = out(&o);
    for want in [
        r#""store": "json:s""#,
        r#""backend": "json""#,
        r#""why": "from --db""#,
        r#""state": "readable""#,
        "\"name\": \"node\",\n      \"count\": 19",
        "\"name\": \"edge\",\n      \"count\": 25",
    ] {
        assert!(v.contains(want), "{want:?} not in {v}");
    }
    // Missing: the report still prints (state missing), one line on stderr, exit 4.
    let o = run(jv(t.path()).args(["--db", "nope", "info", "--format", "json"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(out(&o).contains(r#""state": "missing""#), "{}", out(&o));
    assert!(out(&o).contains(r#""collections": []"#), "{}", out(&o));
    one_line_with(&o, "store json:nope is missing");
    let o = run(jv(t.path()).args(["--db", "nope", "info"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(out(&o).contains("state:   missing"), "{}", out(&o));
    assert!(!t.path().join("nope").exists());
    // Cannot be opened (a file, not a directory): exit 4.
    fs::write(t.path().join("file"), "x").unwrap();
    let o = run(jv(t.path()).args(["--db", "file", "info", "--format", "json"]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(out(&o).contains(r#""state": "cannot open""#), "{}", out(&o));
    // An unreachable server: exit 4, password redacted.
    let o = run(jv(t.path()).args([
        "--db",
        "mongodb://u:pw7secret@127.0.0.1:1/x",
        "--connect-timeout",
        "1",
        "info",
        "--format",
        "json",
    ]));
    assert_eq!(code(&o), 4, "{}", err(&o));
    assert!(!out(&o).contains("pw7secret") && !err(&o).contains("pw7secret"));
    // Text for a readable store stays as it was.
    let o = run(jv(t.path()).args(["--db", "s", "info"]));
    assert_eq!(code(&o), 0);
    assert!(
        out(&o).contains("state:   readable, 5 collection(s)"),
        "{}",
        out(&o)
    );
}

// ------------------------------------------------------------ 1. bulk deletes off a terminal

#[test]
fn bulk_delete_without_yes_and_no_terminal_is_refused() {
    let t = sample();
    let s = t.path().join("s");
    let before = snapshot(&s);
    let cases: &[&[&str]] = &[
        &["delete", "node", "--query", "{}"],
        // One match is still a delete by query.
        &[
            "delete",
            "node",
            "--query",
            r#"{"id":"n.City.000000000000000000000001"}"#,
        ],
        &[
            "delete",
            "node",
            "n.City.000000000000000000000001",
            "n.City.000000000000000000000002",
        ],
        // One id, but with its edges (--cascade) more than one record.
        &[
            "delete",
            "node",
            "n.City.000000000000000000000001",
            "--cascade",
        ],
    ];
    for args in cases {
        let o = run(jv(t.path()).args(["--db", "s"]).args(*args));
        assert_eq!(code(&o), 6, "{args:?}: {}", err(&o));
        one_line_with(
            &o,
            "without --yes: there is no terminal to ask for confirmation",
        );
        assert!(
            err(&o).contains("--dry-run") && err(&o).contains("nothing deleted"),
            "{}",
            err(&o)
        );
        assert_eq!(out(&o), "", "{args:?}");
    }
    let o = run(jv(t.path()).args(["--db", "s", "cleanup"]));
    assert_eq!(code(&o), 6, "{}", err(&o));
    one_line_with(&o, "refusing to clean up json:");
    assert!(
        err(&o).contains("3 dangling edge(s) to delete); pass --yes, or --dry-run"),
        "{}",
        err(&o)
    );
    assert_eq!(out(&o), "");
    assert_eq!(snapshot(&s), before, "a refused delete changed the store");

    // --dry-run needs no --yes.
    let o = run(jv(t.path()).args(["--db", "s", "delete", "node", "--query", "{}", "--dry-run"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o).lines().count(), 19);
    assert_eq!(snapshot(&s), before);
    // With --yes the bulk deletes run.
    let o = run(jv(t.path()).args(["--db", "s", "cleanup", "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(count(&s, "edge"), 22);
    let o = run(jv(t.path()).args(["--db", "s", "delete", "node", "--query", "{}", "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(count(&s, "node"), 0);
}

#[test]
fn one_id_is_deleted_without_yes() {
    let t = sample();
    let s = t.path().join("s");
    let id = "n.City.000000000000000000000014";
    let o = run(jv(t.path()).args(["--db", "s", "delete", "node", id, id]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), format!("{id}\n"));
    assert_eq!(count(&s, "node"), 18);
}

#[test]
fn help_says_when_yes_is_needed() {
    let t = tempfile::tempdir().unwrap();
    let o = run(jv(t.path()).args(["delete", "--help"]));
    let h = out(&o);
    assert!(
        h.contains("One id named on the command line is deleted without a prompt"),
        "{h}"
    );
    assert!(
        h.contains("stdin is not") && h.contains("a terminal"),
        "{h}"
    );
    let o = run(jv(t.path()).args(["cleanup", "--help"]));
    assert!(
        out(&o).contains("Needed when stdin is not a terminal"),
        "{}",
        out(&o)
    );
}

/// A terminal still gets the `[y/N]` prompt (run under `script`, which gives jvdb a pty).
#[test]
fn a_terminal_is_asked() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no script(1) to make a terminal");
        return;
    }
    let t = sample();
    let s = t.path().join("s");
    let ask = |answer: &str| {
        let cmdline = format!(
            "{} --db s delete node --query '{{\"context.country\":\"JP\"}}'",
            bin().display()
        );
        let mut c = Command::new("script");
        c.current_dir(t.path())
            .args(["-qec", &cmdline, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(500));
        stdin.write_all(answer.as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    };
    let o = ask("n\n");
    let shown = out(&o);
    assert!(shown.contains("[y/N]"), "{shown} {}", err(&o));
    assert!(shown.contains("not confirmed; nothing deleted"), "{shown}");
    assert_eq!(count(&s, "node"), 19);
    let o = ask("y\n");
    assert!(out(&o).contains("deleted 2 record(s)"), "{}", out(&o));
    assert_eq!(count(&s, "node"), 17);
}

// ------------------------------------------------------------ 13. dangling edges after delete

#[test]
fn deleting_nodes_without_cascade_reports_dangling_edges() {
    let t = sample();
    let s = t.path().join("s");
    let q = r#"{"context.country":"JP"}"#;
    let o = run(jv(t.path()).args(["--db", "s", "delete", "node", "--query", q, "--dry-run"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("jvdb: dry run: 3 edge(s) would dangle (their source or target would be deleted); add --cascade to delete them too, or run jvdb cleanup afterwards"),
        "{e}"
    );
    // With --cascade nothing would dangle: no such line.
    let o = run(jv(t.path()).args([
        "--db",
        "s",
        "delete",
        "node",
        "--query",
        q,
        "--cascade",
        "--dry-run",
    ]));
    assert!(!err(&o).contains("dangle"), "{}", err(&o));
    let o = run(jv(t.path()).args(["--db", "s", "delete", "node", "--query", q, "--yes"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let lines: Vec<String> = err(&o).lines().map(str::to_string).collect();
    assert_eq!(
        lines.last().map(String::as_str),
        Some(
            "jvdb: 3 edge(s) now dangle (their source or target was deleted); run jvdb cleanup to remove them, or use --cascade next time"
        ),
        "{lines:?}"
    );
    assert_eq!(count(&s, "edge"), 25);
    // A node without edges: no line.
    let o = run(jv(t.path()).args([
        "--db",
        "s",
        "delete",
        "node",
        "n.City.000000000000000000000014",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!err(&o).contains("dangle"), "{}", err(&o));
}

// ------------------------------------------------------------ 5. cleanup --dry-run says "would"

#[test]
fn cleanup_dry_run_reports_what_it_would_do_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let s = t.path().join("s");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/legacy-0.0.17/store"),
        &s,
    );
    // A stale temp file of a process that is not running (jvspatial's temp name pattern).
    let tmp = s.join("node/n.City.x.json.999999999.0123456789ab.jvtmp");
    fs::write(&tmp, "{").unwrap();
    let before = snapshot(&s);
    let args = [
        "--db",
        "s",
        "cleanup",
        "--dry-run",
        "--strip-node-edges",
        "--tmp-files",
    ];
    let o = run(jv(t.path()).args(args));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("; would strip legacy edges arrays: 3; would remove temp files: 1"),
        "{e}"
    );
    assert!(!e.contains("stripped:") && !e.contains("removed:"), "{e}");
    let o = run(jv(t.path()).args(args).args(["--format", "json"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let j = out(&o);
    for want in [
        "\"dry_run\": true",
        "\"deleted_ids\": []",
        "\"stripped_node_edges\": []",
        "\"tmp_files_removed\": []",
        "\"would_strip_node_edges\": [\n    \"n.City.aaaaaaaaaaaaaaaaaaaaaaaa\"",
        "\"would_remove_tmp_files\": [\n    \"",
    ] {
        assert!(j.contains(want), "{want:?} not in {j}");
    }
    assert!(
        j.contains("n.City.x.json.999999999.0123456789ab.jvtmp"),
        "{j}"
    );
    assert_eq!(snapshot(&s), before, "a dry run changed the store");
    assert!(tmp.exists());

    // The real run: the same keys the other way round.
    let o = run(jv(t.path()).args([
        "--db",
        "s",
        "cleanup",
        "--yes",
        "--strip-node-edges",
        "--tmp-files",
        "--format",
        "json",
    ]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    let j = out(&o);
    assert!(j.contains("\"would_strip_node_edges\": []"), "{j}");
    assert!(j.contains("\"would_remove_tmp_files\": []"), "{j}");
    assert!(
        j.contains("\"stripped_node_edges\": [\n    \"n.City.aaaaaaaaaaaaaaaaaaaaaaaa\""),
        "{j}"
    );
    assert!(
        err(&o).contains("; legacy edges arrays stripped: 3; temp files removed: 1"),
        "{}",
        err(&o)
    );
    assert!(!tmp.exists());
}
