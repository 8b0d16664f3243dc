//! Everyday use from the shell (issue 9): typo'd collections warn, `--query @FILE`/`@-`, store
//! options only where they mean something, clap's errors in jvdb's shape, error wording, and
//! the man pages' extra sections. Every test drives the real binary on a copy of the sample
//! store made by jvspatial.

mod common;

use common::bin::{code, err, jv, out, run, run_stdin, sample_in};
use std::fs;
use std::path::Path;
use std::process::Command;

/// A temp dir holding `store/`, a copy of examples/sample-store.
fn sample() -> tempfile::TempDir {
    sample_in("store")
}

/// Item 8: a collection that does not exist is still empty (jvspatial's rule) but warned about
/// on stderr, with the nearest existing name first; `-q` silences the warning.
#[test]
fn misspelled_collections_warn_with_the_nearest_name() {
    let t = sample();
    let o = run(jv(t.path()).args(["--db", "store", "count", "objcet"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o), "0\n");
    let e = err(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with("jvdb: warning: collection \"objcet\" does not exist in json:")
            && e.contains("did you mean \"object\"?")
            && e.contains("(the store has: object, "),
        "{e}"
    );
    let o = run(jv(t.path()).args(["--db", "store", "find", "nosuch"]));
    assert_eq!((code(&o), out(&o).as_str()), (0, ""));
    assert!(err(&o).contains("\"nosuch\" does not exist"), "{}", err(&o));
    assert!(!err(&o).contains("did you mean"), "{}", err(&o));
    let o = run(jv(t.path()).args(["--db", "store", "get", "nodes", "n.Root.root"]));
    assert_eq!(code(&o), 3);
    assert!(err(&o).contains("did you mean \"node\"?"), "{}", err(&o));
    let o = run(jv(t.path()).args(["copy", "--from", "store", "--to", "out", "-c", "objcet"]));
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("did you mean \"object\"?"), "{}", err(&o));
    // A collection that exists: no warning. -q: no warning either.
    let o = run(jv(t.path()).args(["--db", "store", "count", "node"]));
    assert_eq!((out(&o).as_str(), err(&o).as_str()), ("19\n", ""));
    let o = run(jv(t.path()).args(["--db", "store", "-q", "count", "objcet"]));
    assert_eq!((out(&o).as_str(), err(&o).as_str()), ("0\n", ""));
}

/// Item 10: `--query @FILE` and `--query @-` read the query from a file or stdin.
#[test]
fn query_from_a_file_or_stdin() {
    let t = sample();
    fs::write(t.path().join("q.json"), "{\"context.country\": \"JP\"}\n").unwrap();
    let direct = run(jv(t.path()).args([
        "--db",
        "store",
        "find",
        "node",
        "--query",
        "{\"context.country\":\"JP\"}",
        "--format",
        "ids",
    ]));
    assert_eq!(code(&direct), 0);
    assert_eq!(out(&direct).lines().count(), 2, "{}", out(&direct));
    let file = run(jv(t.path()).args([
        "--db", "store", "find", "node", "--query", "@q.json", "--format", "ids",
    ]));
    assert_eq!((code(&file), out(&file)), (0, out(&direct)));
    let stdin = run_stdin(
        jv(t.path()).args(["--db", "store", "count", "node", "-f", "@-"]),
        "{\"context.country\": \"JP\"}",
    );
    assert_eq!(
        (code(&stdin), out(&stdin).as_str()),
        (0, "2\n"),
        "{}",
        err(&stdin)
    );
    // delete --query @FILE: same matches (dry run: nothing deleted).
    let del = run(jv(t.path()).args([
        "--db",
        "store",
        "delete",
        "node",
        "--query",
        "@q.json",
        "--dry-run",
    ]));
    assert_eq!((code(&del), out(&del)), (0, out(&direct)));
    // Errors: a missing file, a bare '@', bad JSON in the file: one line, exit 2.
    for (q, want) in [
        (
            "@nofile.json",
            "--query @nofile.json: cannot read the file: No such file",
        ),
        ("@", "--query @: name a file"),
    ] {
        let o = run(jv(t.path()).args(["--db", "store", "count", "node", "--query", q]));
        assert_eq!(code(&o), 2, "{q}: {}", err(&o));
        assert!(
            err(&o).starts_with(&format!("jvdb: {want}")),
            "{q}: {}",
            err(&o)
        );
        assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));
    }
    fs::write(t.path().join("bad.json"), "{\"a\": ").unwrap();
    let o = run(jv(t.path()).args(["--db", "store", "count", "node", "--query", "@bad.json"]));
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("invalid --query JSON"), "{}", err(&o));
}

/// Item 16: store options are offered only where they mean something; given before a command
/// that does not take them, they are refused with one line (exit 2). Global -q/-v have their
/// own heading, and no help text says "see below" without a footer.
#[test]
fn options_only_where_they_mean_something() {
    let t = sample();
    let help = |args: &[&str]| out(&run(jv(t.path()).args(args)));
    let cleanup = help(&["cleanup", "--help"]);
    assert!(!cleanup.contains("--dialect"), "{cleanup}");
    assert!(cleanup.contains("--db <SPEC>") && cleanup.contains("Global options:"));
    let migrate = help(&["migrate", "--help"]);
    assert!(
        !migrate.contains("--db ") && !migrate.contains("--dialect"),
        "{migrate}"
    );
    assert!(migrate.contains("--connect-timeout"), "{migrate}");
    let find = help(&["find", "--help"]);
    assert!(
        find.contains("--dialect") && find.contains("--db <SPEC>"),
        "{find}"
    );
    let top = help(&["--help"]);
    assert!(top.contains("Global options:") && top.contains("Store options:"));
    for h in [&top, &cleanup, &migrate, &find] {
        assert!(!h.contains("see below"), "{h}");
    }
    // Before the command name or after it: the same.
    for args in [
        vec!["--db", "store", "count", "node"],
        vec!["count", "node", "--db", "store"],
    ] {
        let o = run(jv(t.path()).args(&args));
        assert_eq!(out(&o), "19\n", "{args:?}: {}", err(&o));
    }
    let o = run(jv(t.path()).args([
        "count",
        "node",
        "--db",
        "store",
        "--dialect",
        "jvspatial",
        "-q",
    ]));
    assert_eq!(out(&o), "19\n", "{}", err(&o));
    for (args, want) in [
        (
            vec!["--db", "store", "migrate", "--from", "store", "--to", "x"],
            "jvdb: --db does not apply to `jvdb migrate` (it takes --from and --to)",
        ),
        (
            vec![
                "--dialect",
                "jvspatial",
                "cleanup",
                "--db",
                "store",
                "--dry-run",
            ],
            "jvdb: --dialect does not apply to `jvdb cleanup` (it takes no --query)",
        ),
        (
            vec!["--db", "a", "count", "node", "--db", "b"],
            "jvdb: --db given twice, before and after `count`; give it once",
        ),
    ] {
        let o = run(jv(t.path()).args(&args));
        assert_eq!(code(&o), 2, "{args:?}");
        assert_eq!(err(&o), format!("{want}\n"), "{args:?}");
    }
    assert!(
        !t.path().join("x").exists(),
        "a refused migrate wrote nothing"
    );
}

/// Item 18: clap's own errors start like every other jvdb error; messages do not repeat
/// their prefix or their position.
#[test]
fn error_wording() {
    let t = sample();
    let o = run(jv(t.path()).args(["find", "node", "--bogus"]));
    assert_eq!(code(&o), 2);
    let e = err(&o);
    let mut lines = e.lines();
    assert_eq!(
        lines.next(),
        Some(
            "jvdb: unexpected argument '--bogus' found (tip: to pass '--bogus' as a value, use '-- --bogus')"
        )
    );
    assert_eq!(
        lines.next(),
        Some("usage: jvdb find <COLLECTION>; see 'jvdb find --help'")
    );
    assert_eq!(lines.next(), None);
    let o = run(jv(t.path()).args(["migrate"]));
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).starts_with(
            "jvdb: the following required arguments were not provided: --from <SPEC> --to <SPEC>\n"
        ),
        "{}",
        err(&o)
    );
    let o = run(jv(t.path()).args(["--db", "store", "find", "node", "--fields", "a,,b"]));
    assert_eq!(code(&o), 2);
    assert_eq!(err(&o), "jvdb: invalid --fields 'a,,b': empty field name\n");
    // A JSONL save error names its line once, with the column inside it.
    let o = run_stdin(
        jv(t.path()).args(["--db", "store", "save", "object"]),
        "{\"id\":\"o.X.1\",\"entity\":\"X\",\"context\":{}}\n{\"id\": broken}\n",
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        err(&o).starts_with("jvdb: line 2: invalid JSON: Expecting value at column 8\n"),
        "{}",
        err(&o)
    );
    // A typo in JVSPATIAL_DB_TYPE lists the type names, not spec syntax.
    let o = run(jv(t.path())
        .arg("count")
        .arg("node")
        .env("JVSPATIAL_DB_TYPE", "jsno"));
    assert_eq!(code(&o), 2);
    assert_eq!(
        err(&o),
        "jvdb: JVSPATIAL_DB_TYPE=jsno: not a store type; the types are json, mongodb, sqlite, postgres, postgresql (this build), dynamodb (jvspatial)\n"
    );
}

/// Item 17: the man pages have EXAMPLES (from the README tour), ENVIRONMENT (every variable the
/// README lists) and EXIT STATUS (every code of the README table). tests/docs_fresh.rs keeps
/// the checked-in pages equal to what the binary generates.
#[test]
fn man_pages_have_examples_environment_and_exit_status() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let section = |title: &str| -> String {
        let start = readme
            .find(&format!("## {title}\n"))
            .unwrap_or_else(|| panic!("{title}"));
        let rest = &readme[start + 3..];
        rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
    };
    // `| `VAR` |` or `| `VAR`, `VAR2` |` rows of the README's environment table.
    let mut vars: Vec<String> = Vec::new();
    for line in section("Environment variables").lines() {
        let Some(cell) = line.strip_prefix("| ").and_then(|l| l.split(" |").next()) else {
            continue;
        };
        for v in cell.split(", ") {
            if let Some(v) = v.strip_prefix('`').and_then(|v| v.strip_suffix('`')) {
                vars.push(v.to_string());
            }
        }
    }
    assert!(vars.len() >= 8, "{vars:?}");
    let codes: Vec<String> = section("Exit codes")
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|c| c.parse::<u32>().is_ok())
        .map(str::to_string)
        .collect();
    assert!(codes.len() >= 8, "{codes:?}");
    for page in ["jvdb.1", "jvdb-find.1", "jvdb-cleanup.1", "jvdb-migrate.1"] {
        let man = fs::read_to_string(root.join("man").join(page)).unwrap();
        for s in [".SH EXAMPLES", ".SH ENVIRONMENT", ".SH \"EXIT STATUS\""] {
            assert!(man.contains(s), "{page} lacks {s}");
        }
        let env =
            &man[man.find(".SH ENVIRONMENT").unwrap()..man.find(".SH \"EXIT STATUS\"").unwrap()];
        for v in &vars {
            assert!(
                env.contains(&format!("\\fB{v}\\fR")),
                "{page}: ENVIRONMENT lacks {v}"
            );
        }
        assert_eq!(
            env.matches(".TP").count(),
            vars.len(),
            "{page}: README and man list the same variables"
        );
        let exit = &man[man.find(".SH \"EXIT STATUS\"").unwrap()..];
        for c in &codes {
            assert!(
                exit.contains(&format!("\\fB{c}\\fR")),
                "{page}: EXIT STATUS lacks {c}"
            );
        }
    }
    // Examples are the tour's commands: the find page has the tour's find lines, not cleanup's.
    let find = fs::read_to_string(root.join("man/jvdb-find.1")).unwrap();
    let examples = &find[find.find(".SH EXAMPLES").unwrap()..find.find(".SH ENVIRONMENT").unwrap()];
    assert!(examples.contains("$ jvdb find node"), "{examples}");
    assert!(!examples.contains("cleanup"), "{examples}");
}

/// Item 20: the committed sample store is exactly what `examples/make_sample_store.py` makes
/// with the real jvspatial 0.2.2, file for file and byte for byte, and Tokyo's alias "東京"
/// survives (jvspatial's text folding is off for it, as the script says).
#[test]
fn sample_store_is_what_the_script_makes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = tempfile::tempdir().unwrap();
    let made = t.path().join("made");
    let o = Command::new(common::python())
        .arg(root.join("examples/make_sample_store.py"))
        .arg(&made)
        .env_remove("JVSPATIAL_TEXT_NORMALIZATION_ENABLED")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    fn files(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = format!("{rel}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                files(&e.path(), &format!("{name}/"), out);
            } else {
                out.push((name, fs::read(e.path()).unwrap()));
            }
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    files(&root.join("examples/sample-store"), "", &mut a);
    files(&made, "", &mut b);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((n, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{n} differs from what the script makes");
    }
    let tokyo = run(jv(root).args([
        "--db",
        "examples/sample-store",
        "get",
        "node",
        "n.City.000000000000000000000006",
        "--format",
        "jsonl",
    ]));
    assert!(
        out(&tokyo).contains("\"alias\":\"東京\""),
        "{}",
        out(&tokyo)
    );
}
