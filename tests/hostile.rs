//! The hostile input corpus (issue 5 §4/§5): every case runs the real binary against a fresh
//! store in a temp dir and states its exit code and a message substring. Every case also
//! asserts the invariants: no panic or abort (exit code present, not 101, nothing like a panic
//! on stderr), exactly one error line for usage errors, no `*.jvtmp` left anywhere, every
//! `*.json` file of the store that was a good record before is still one (no half-written
//! file), and nothing outside the store changed (the `outside/` tree is byte-compared).
//!
//! Large cases (a 100 MB record, a full and a read-only file system) are separate tests below.

mod reliability_common;

use reliability_common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// One fresh playground: `db/` (the store), `outside/` (must never change), `root` (cwd).
struct Env {
    root: PathBuf,
    db: PathBuf,
    outside: PathBuf,
}

type Setup = Box<dyn Fn(&Env)>;
type After = Box<dyn Fn(&Env, &Output)>;

struct Case {
    name: &'static str,
    class: &'static str,
    args: Vec<String>,
    setup: Option<Setup>,
    stdin: Option<Vec<u8>>,
    env: Vec<(&'static str, String)>,
    code: i32,
    msg: String,
    /// A usage error: exactly one error line on stderr.
    usage: bool,
    after: Option<After>,
}

/// `{db}`, `{root}` and `{outside}` in arguments are replaced by the case's paths.
fn case(class: &'static str, name: &'static str, args: &[&str], code: i32, msg: &str) -> Case {
    Case {
        name,
        class,
        args: args.iter().map(|s| s.to_string()).collect(),
        setup: None,
        stdin: None,
        env: Vec::new(),
        code,
        msg: msg.to_string(),
        usage: code == 2,
        after: None,
    }
}

impl Case {
    fn setup(mut self, f: impl Fn(&Env) + 'static) -> Self {
        self.setup = Some(Box::new(f));
        self
    }
    fn stdin(mut self, s: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(s.into());
        self
    }
    fn env(mut self, k: &'static str, v: &str) -> Self {
        self.env.push((k, v.to_string()));
        self
    }
    /// Add a check run after the invariants (checks accumulate).
    fn after(mut self, f: impl Fn(&Env, &Output) + 'static) -> Self {
        let prev = self.after.take();
        self.after = Some(Box::new(move |e, o| {
            if let Some(p) = &prev {
                p(e, o);
            }
            f(e, o);
        }));
        self
    }
    fn not_usage(mut self) -> Self {
        self.usage = false;
        self
    }
}

fn write(p: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(d) = p.parent() {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(p, bytes).unwrap();
}

fn rec_text(id: &str, x: i64) -> String {
    format!("{{\n  \"id\": \"{id}\",\n  \"x\": {x}\n}}")
}

fn new_env() -> (tempfile::TempDir, Env) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().to_path_buf();
    let env = Env {
        db: root.join("db"),
        outside: root.join("outside"),
        root,
    };
    write(&env.db.join("node/a.json"), rec_text("a", 1));
    write(&env.db.join("node/b.json"), rec_text("b", 2));
    write(
        &env.outside.join("secret.json"),
        "{\n  \"id\": \"secret\",\n  \"pw\": \"hunter2\"\n}",
    );
    write(&env.outside.join("coll/o.json"), rec_text("o", 9));
    (t, env)
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    walk(dir)
        .into_iter()
        .map(|p| {
            let b = fs::symlink_metadata(&p)
                .is_ok_and(|m| m.is_file())
                .then(|| fs::read(&p).unwrap_or_default());
            (p, b)
        })
        .collect()
}

fn bad_json_files(db: &Path) -> BTreeSet<PathBuf> {
    json_files(db)
        .into_iter()
        .filter(|p| !parses_as_record(&fs::read(p).unwrap_or_default()))
        .collect()
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn run_case(c: &Case) -> Output {
    let (_t, env) = new_env();
    if let Some(s) = &c.setup {
        s(&env);
    }
    let outside_before = snapshot(&env.outside);
    let bad_before = bad_json_files(&env.db);
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| {
            a.replace("{db}", &env.db.to_string_lossy())
                .replace("{root}", &env.root.to_string_lossy())
                .replace("{outside}", &env.outside.to_string_lossy())
        })
        .collect();
    let mut cmd = jv(&env.root);
    cmd.args(&args);
    for (k, v) in &c.env {
        cmd.env(k, v);
    }
    let o = match &c.stdin {
        None => cmd.output().unwrap(),
        Some(input) => {
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            let mut sin = child.stdin.take().unwrap();
            let input = input.clone();
            let w = std::thread::spawn(move || {
                let _ = sin.write_all(&input);
            });
            let o = child.wait_with_output().unwrap();
            let _ = w.join();
            o
        }
    };
    let what = format!("[{}] {}", c.class, c.name);
    let err = text(&o.stderr);
    assert_no_panic(&o, &what);
    assert_eq!(
        o.status.code(),
        Some(c.code),
        "{what}: exit code; stderr: {err}"
    );
    assert!(
        err.contains(&c.msg),
        "{what}: stderr lacks {:?}: {err}",
        c.msg
    );
    if c.usage {
        let lines = error_lines(&o);
        assert_eq!(lines.len(), 1, "{what}: one error line expected: {err}");
    }
    let mut tmp = tmp_files(&env.db);
    tmp.extend(tmp_files(&env.root.join("t2")));
    assert!(tmp.is_empty(), "{what}: temp files left: {tmp:?}");
    for p in json_files(&env.db) {
        if !bad_before.contains(&p) {
            assert!(
                parses_as_record(&fs::read(&p).unwrap()),
                "{what}: {} is not a complete record",
                p.display()
            );
        }
    }
    assert_eq!(
        snapshot(&env.outside),
        outside_before,
        "{what}: something outside the store changed"
    );
    if let Some(a) = &c.after {
        a(&env, &o);
    }
    o
}

fn stdout_has(s: &'static str) -> impl Fn(&Env, &Output) {
    move |_, o| {
        let out = text(&o.stdout);
        assert!(out.contains(s), "stdout lacks {s:?}: {out}")
    }
}

fn stdout_empty() -> impl Fn(&Env, &Output) {
    |_, o| assert!(o.stdout.is_empty(), "stdout: {}", text(&o.stdout))
}

/// Every record file (`db/C/ID.json`) that must hold `x` afterwards.
fn holds(coll: &'static str, id: &'static str, x: i64) -> impl Fn(&Env, &Output) {
    move |env, _| {
        let p = env.db.join(coll).join(format!("{id}.json"));
        let got = fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(got, rec_text(id, x), "{}", p.display());
    }
}

fn absent(path: &'static str) -> impl Fn(&Env, &Output) {
    move |env, _| {
        let p = env.root.join(path);
        assert!(
            fs::symlink_metadata(&p).is_err(),
            "{} should not exist",
            p.display()
        );
    }
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        // ---- corrupt store files: reported by id, the good records still come out (exit 1)
        case("store file", "truncated record", &["--db", "{db}", "find", "node"], 1,
            "unreadable record node/t: invalid JSON: Unterminated string")
            .setup(|e| write(&e.db.join("node/t.json"), "{\n  \"id\": \"t\",\n  \"x"))
            .after(stdout_has("\"id\":\"a\"")),
        case("store file", "empty record file", &["--db", "{db}", "find", "node"], 1,
            "unreadable record node/e: empty file")
            .setup(|e| write(&e.db.join("node/e.json"), ""))
            .after(stdout_has("\"id\":\"b\"")),
        case("store file", "binary record file", &["--db", "{db}", "get", "node", "bin"], 1,
            "bin")
            .setup(|e| {
                let bytes: Vec<u8> = (0..=255u8).rev().cycle().take(700).collect();
                write(&e.db.join("node/bin.json"), bytes)
            })
            .after(stdout_empty()),
        case("store file", "invalid UTF-8 in a string", &["--db", "{db}", "find", "node"], 1,
            "'utf-8' codec can't decode byte 0xff")
            .setup(|e| write(&e.db.join("node/u.json"), b"{\"id\": \"u\xff\"}")),
        case("store file", "top level is an array", &["--db", "{db}", "find", "node", "--query", "{\"x\":1}"], 1,
            "unreadable record node/arr: top level is an array")
            .setup(|e| write(&e.db.join("node/arr.json"), "[1, 2]"))
            .after(stdout_has("\"id\":\"a\"")),
        case("store file", "top level is a string", &["--db", "{db}", "count", "node", "--query", "{\"x\":2}"], 1,
            "node/str")
            .setup(|e| write(&e.db.join("node/str.json"), "\"just a string\""))
            .after(stdout_has("1")),
        case("store file", "top level is null", &["--db", "{db}", "get", "node", "nul"], 1, "node")
            .setup(|e| write(&e.db.join("node/nul.json"), "null")),
        case("store file", "UTF-16 record (Python reads it too)", &["--db", "{db}", "get", "node", "w"], 0, "")
            .setup(|e| {
                let t = rec_text("w", 7);
                let mut b = vec![0xFF, 0xFE];
                for u in t.encode_utf16() {
                    b.extend_from_slice(&u.to_le_bytes());
                }
                write(&e.db.join("node/w.json"), b)
            })
            .after(stdout_has("\"x\": 7")),
        case("store file", "id differs from the file name (returned as stored, like jvspatial)",
            &["--db", "{db}", "get", "node", "mism"], 0, "")
            .setup(|e| write(&e.db.join("node/mism.json"), rec_text("other", 5)))
            .after(stdout_has("\"id\": \"other\"")),
        case("store file", "a directory named like a record", &["--db", "{db}", "find", "node"], 1,
            "node/dir")
            .setup(|e| fs::create_dir_all(e.db.join("node/dir.json")).unwrap()),
        case("store file", "nesting 100,000 deep on disk", &["--db", "{db}", "find", "node"], 1,
            "nesting deeper than 1000 levels")
            .setup(|e| write(&e.db.join("node/deep.json"), format!("{{\"id\": \"deep\", \"x\": {}}}", nested(100_000))))
            .after(stdout_has("\"id\":\"b\"")),
        case("store file", "a FIFO named like a record (must not block)", &["--db", "{db}", "find", "node"], 1,
            "node/fifo")
            .setup(|e| {
                let p = std::ffi::CString::new(e.db.join("node/fifo.json").to_string_lossy().as_bytes()).unwrap();
                // SAFETY: valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o644) }, 0);
            }),
        // ---- deep input through every entry point
        case("deep input", "save: a record nested 100,000 deep from a file", &["--db", "{db}", "save", "node", "{root}/deep.json"], 1,
            "nesting deeper than 1000 levels")
            .setup(|e| write(&e.root.join("deep.json"), format!("{{\"id\": \"d\", \"x\": {}}}", nested(100_000))))
            .after(absent("db/node/d.json")),
        case("deep input", "save --data nested 60,000 deep (argv limit)", &["--db", "{db}", "save", "node", "--data", &format!("{{\"id\": \"d\", \"x\": {}}}", nested(60_000))], 1,
            "nesting deeper than 1000 levels")
            .after(absent("db/node/d.json")),
        case("deep input", "--query nested 60,000 deep", &["--db", "{db}", "find", "node", "--query", &format!("{{\"x\": {}}}", nested(60_000))], 2,
            "nesting deeper than 1000 levels"),
        case("deep input", "--query with 150 nested $not (operator depth bound)", &["--db", "{db}", "find", "node", "--query", &format!("{{\"x\": {}{{\"$eq\": 1}}{}}}", "{\"$not\": ".repeat(150), "}".repeat(150))], 2,
            "maximum query tree depth"),
        case("deep input", "delete --query with 400 nested $and", &["--db", "{db}", "delete", "node", "--yes", "--query", &format!("{}{{\"x\": 1}}{}", "{\"$and\": [".repeat(400), "]}".repeat(400))], 2,
            "maximum query tree depth")
            .after(holds("node", "a", 1)),
        case("deep input", "a JSON array of 100,000-deep items on stdin", &["--db", "{db}", "save", "node", "-"], 2,
            "nesting deeper than 1000 levels")
            .stdin(format!("[\n{}\n]", nested(100_000))),
        // ---- path components
        case("path", "record id '..'", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"..\"}"], 1,
            "invalid record id \"..\"").not_usage(),
        case("path", "record id with '/'", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"../../outside/secret\"}"], 1,
            "invalid record id").not_usage(),
        case("path", "record id with '\\'", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"a\\\\b\"}"], 1,
            "invalid record id").not_usage(),
        case("path", "record id with NUL", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"a\\u0000b\"}"], 1,
            "invalid record id \"a\\0b\"").not_usage(),
        case("path", "record id empty", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"\"}"], 1,
            "invalid record id").not_usage(),
        case("path", "get an absolute id", &["--db", "{db}", "get", "node", "{outside}/secret"], 2,
            "invalid record id"),
        case("path", "delete id '..'", &["--db", "{db}", "delete", "node", "..", "--yes"], 2,
            "invalid record id").not_usage(),
        case("path", "collection '..'", &["--db", "{db}", "save", "..", "--data", "{\"id\": \"x\"}"], 2,
            "invalid collection \"..\""),
        case("path", "collection with '/'", &["--db", "{db}", "find", "../outside"], 2,
            "invalid collection"),
        case("path", "collection absolute", &["--db", "{db}", "count", "{outside}/coll"], 2,
            "invalid collection"),
        case("path", "collection '.'", &["--db", "{db}", "get", ".", "a"], 2,
            "invalid collection"),
        case("path", "copy --collection '..'", &["copy", "--from", "{db}", "--to", "{root}/t2", "--collection", ".."], 2,
            "invalid collection"),
        // ---- symlinks out of the store
        case("symlink", "find over a record symlinked outside", &["--db", "{db}", "find", "node"], 1,
            "symbolic link pointing outside the store")
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("secret.json"), e.db.join("node/s.json")).unwrap())
            .after(|_, o| assert!(!text(&o.stdout).contains("hunter2"))),
        case("symlink", "get a record symlinked outside", &["--db", "{db}", "get", "node", "s"], 2,
            "escapes the store")
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("secret.json"), e.db.join("node/s.json")).unwrap())
            .after(stdout_empty()),
        case("symlink", "save over a record symlinked outside", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"s\", \"pw\": \"overwritten\"}"], 1,
            "escapes the store")
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("secret.json"), e.db.join("node/s.json")).unwrap()),
        case("symlink", "delete a record symlinked outside", &["--db", "{db}", "delete", "node", "s", "--yes"], 2,
            "escapes the store").not_usage()
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("secret.json"), e.db.join("node/s.json")).unwrap()),
        case("symlink", "find in a collection symlinked outside", &["--db", "{db}", "find", "evil"], 2,
            "escapes the store directory")
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("coll"), e.db.join("evil")).unwrap())
            .after(stdout_empty()),
        case("symlink", "save into a collection symlinked outside", &["--db", "{db}", "save", "evil", "--data", "{\"id\": \"z\"}"], 2,
            "escapes the store directory")
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("coll"), e.db.join("evil")).unwrap()),
        case("symlink", "collections lists a collection symlinked outside (never a silent skip)", &["--db", "{db}", "collections"], 0, "")
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("coll"), e.db.join("evil")).unwrap())
            .after(|_, o| assert_eq!(text(&o.stdout), "evil\nnode\n")),
        case("symlink", "migrate refuses a collection symlinked outside (not copied)", &["migrate", "--from", "{db}", "--to", "{root}/t2"], 2,
            "escapes the store directory").not_usage()
            .setup(|e| std::os::unix::fs::symlink(e.outside.join("coll"), e.db.join("node2")).unwrap())
            .after(absent("t2/node2")),
        case("symlink", "cleanup --tmp-files does not follow a symlinked collection", &["--db", "{db}", "cleanup", "--tmp-files", "--yes"], 0, "")
            .setup(|e| {
                write(&e.outside.join("coll/o.json.2147483646.0123456789ab.jvtmp"), "keep me");
                write(&e.db.join("node/a.json.2147483646.0123456789ab.jvtmp"), "stale");
                std::os::unix::fs::symlink(e.outside.join("coll"), e.db.join("evil")).unwrap()
            }),
        // ---- the store directory itself
        case("store dir", "missing store: find is an error and creates nothing", &["--db", "{root}/nope", "find", "node"], 4, "nope: no such directory")
            .after(absent("nope")),
        case("store dir", "missing store: get", &["--db", "{root}/nope", "get", "node", "a"], 4, "nope: no such directory")
            .after(absent("nope")),
        case("store dir", "store path is a regular file (find)", &["--db", "{root}/file", "find", "node"], 4,
            "exists but is not a directory")
            .setup(|e| write(&e.root.join("file"), "x")),
        case("store dir", "store path is a regular file (save)", &["--db", "{root}/file", "save", "node", "--data", "{\"id\":\"a\"}"], 4,
            "exists but is not a directory")
            .setup(|e| write(&e.root.join("file"), "x")),
        case("store dir", "a parent of the store is a file", &["--db", "{root}/file/sub", "save", "node", "--data", "{\"id\":\"a\"}"], 4,
            "a parent of it is not a directory")
            .setup(|e| write(&e.root.join("file"), "x")),
        case("store dir", "collection path is a file", &["--db", "{db}", "save", "edge", "--data", "{\"id\":\"e\"}"], 4,
            "collection edge: creating")
            .setup(|e| write(&e.db.join("edge"), "x")),
        // ---- specs and URIs
        case("spec", "empty --db", &["--db", "", "find", "node"], 2, "empty store spec"),
        case("spec", "json: without a directory", &["--db", "json:", "find", "node"], 2, "needs a directory"),
        case("spec", "unknown backend", &["--db", "sqlit:x.db", "find", "node"], 2, "unknown store scheme 'sqlit:'"),
        case("spec", "sqlite URI with two slashes", &["--db", "sqlite://x.db", "find", "node"], 2, "a sqlite URI takes an absolute path"),
        case("spec", "unknown URI scheme with a password", &["--db", "ftp://user:pw9secret@h/x", "find", "node"], 2,
            "unknown store scheme 'ftp:'")
            .after(|_, o| assert!(!text(&o.stderr).contains("pw9secret"))),
        case("spec", "unreachable MongoDB", &["--db", "mongodb://user:pw5ecret@127.0.0.1:1/x", "--connect-timeout", "1", "count", "node"], 4,
            "127.0.0.1:1")
            .after(|_, o| {
                let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
                assert!(!all.contains("pw5ecret"), "password printed: {all}");
                assert_eq!(error_lines(o).len(), 1, "one error line: {all}");
            }),
        case("spec", "unreachable MongoDB as a migrate target", &["migrate", "--from", "{db}", "--to", "mongodb://user:pw5ecret@127.0.0.1:1/x", "--connect-timeout", "1"], 4,
            "127.0.0.1:1")
            .after(|_, o| assert!(!text(&o.stderr).contains("pw5ecret"))),
        case("spec", "memory: with a location", &["--db", "memory:x", "find", "node"], 2, "takes no location"),
        case("spec", "JVSPATIAL_DB_TYPE unknown", &["find", "node"], 2, "JVSPATIAL_DB_TYPE=oracle")
            .env("JVSPATIAL_DB_TYPE", "oracle"),
        case("spec", "JVSPATIAL_DB invalid", &["find", "node"], 2, "JVSPATIAL_DB")
            .env("JVSPATIAL_DB", "json:"),
        case("spec", "migrate to the same store", &["migrate", "--from", "{db}", "--to", "json:{db}"], 2,
            "same"),
        case("spec", "unknown subcommand", &["--db", "{db}", "frobnicate"], 2, "unrecognized subcommand"),
        // ---- queries
        case("query", "unknown operator", &["--db", "{db}", "find", "node", "--query", "{\"x\": {\"$foo\": 1}}"], 2,
            "unknown operator: $foo"),
        case("query", "unknown top-level operator", &["--db", "{db}", "count", "node", "--query", "{\"$where\": \"1\"}"], 2,
            "$where"),
        case("query", "$in with a number", &["--db", "{db}", "find", "node", "--query", "{\"x\": {\"$in\": 1}}"], 2,
            "$in needs an array"),
        case("query", "$and with an object", &["--db", "{db}", "find", "node", "--query", "{\"$and\": {}}"], 2,
            "must be a nonempty array"),
        case("query", "$regex that does not compile", &["--db", "{db}", "find", "node", "--query", "{\"x\": {\"$regex\": \"(\"}}"], 2,
            "invalid query"),
        case("query", "$size negative", &["--db", "{db}", "find", "node", "--query", "{\"x\": {\"$size\": -1}}"], 2,
            "$size"),
        case("query", "$mod by zero", &["--db", "{db}", "find", "node", "--query", "{\"x\": {\"$mod\": [0, 1]}}"], 2,
            "divisor cannot be 0"),
        case("query", "query is an array", &["--db", "{db}", "find", "node", "--query", "[1]"], 2,
            "a query must be a JSON object"),
        case("query", "query is not JSON", &["--db", "{db}", "find", "node", "--query", "{x: 1"], 2,
            "invalid --query JSON"),
        case("query", "delete --query with a bad operator deletes nothing", &["--db", "{db}", "delete", "node", "--query", "{\"x\": {\"$gt\": {\"$foo\": 1}}}", "--yes"], 0, "")
            .not_usage()
            .after(holds("node", "a", 1)),
        // ---- sort and numbers
        case("numbers", "--sort direction 2", &["--db", "{db}", "find", "node", "--sort", "x:2"], 2,
            "invalid --sort 'x:2'"),
        case("numbers", "--sort empty", &["--db", "{db}", "find", "node", "--sort", ""], 2, "invalid --sort"),
        case("numbers", "--sort empty field", &["--db", "{db}", "find", "node", "--sort", ":1"], 2, "empty field"),
        case("numbers", "--limit -1", &["--db", "{db}", "find", "node", "--limit", "-1"], 2, "unexpected argument '-1'"),
        case("numbers", "--limit beyond u64", &["--db", "{db}", "find", "node", "--limit", "99999999999999999999999"], 2,
            "number too large"),
        case("numbers", "--skip 1e30", &["--db", "{db}", "find", "node", "--skip", "1e30"], 2, "invalid value '1e30'"),
        case("numbers", "--batch-size 0", &["--db", "{db}", "save", "node", "--batch-size", "0", "--data", "{}"], 2,
            "0 is not in 1..=1000000"),
        case("numbers", "--max-delete abc", &["--db", "{db}", "delete", "node", "--max-delete", "abc"], 2,
            "invalid value 'abc'"),
        case("numbers", "--connect-timeout nan", &["--db", "{db}", "--connect-timeout", "nan", "find", "node"], 2,
            "--connect-timeout"),
        case("numbers", "migrate --batch-size 0", &["migrate", "--from", "{db}", "--to", "{root}/t2", "--batch-size", "0"], 2,
            "--batch-size"),
        case("numbers", "--max-delete 1 refuses deleting 2", &["--db", "{db}", "delete", "node", "--query", "{}", "--max-delete", "1", "--yes"], 6,
            "max-delete")
            .after(holds("node", "a", 1))
            .after(holds("node", "b", 2)),
        // ---- input streams
        case("input", "JSONL with a bad line 3: the good lines are saved", &["--db", "{db}", "save", "node", "-"], 1,
            "line 3")
            .not_usage()
            .stdin("{\"id\": \"l1\"}\n{\"id\": \"l2\"}\n{\"id\": \"l3\", oops}\n{\"id\": \"l4\"}\n\n{\"id\": \"l6\"}\n")
            .after(|e, o| {
                for id in ["l1", "l2", "l4", "l6"] {
                    assert!(e.db.join(format!("node/{id}.json")).exists(), "{id} not saved");
                }
                assert!(!e.db.join("node/l3.json").exists());
                assert!(text(&o.stderr).contains("saved 4 record(s)"), "{}", text(&o.stderr));
            }),
        case("input", "JSON array with a non-object item 2", &["--db", "{db}", "save", "node", "-"], 1, "item 2")
            .not_usage()
            .stdin("[\n{\"id\": \"i1\"},\n 7,\n{\"id\": \"i3\"}\n]\n")
            .after(|e, _| assert!(e.db.join("node/i1.json").exists() && e.db.join("node/i3.json").exists())),
        case("input", "truncated JSON array document", &["--db", "{db}", "save", "node", "-"], 2,
            "invalid JSON input")
            .stdin("[\n{\"id\": \"i1\"},\n"),
        case("input", "input file missing", &["--db", "{db}", "save", "node", "{root}/missing.jsonl"], 2,
            "cannot read input"),
        case("input", "input is invalid UTF-8 JSONL", &["--db", "{db}", "save", "node", "-"], 1, "line 1")
            .not_usage()
            .stdin(b"{\"id\": \"\xc3\x28\"}\n".to_vec()),
        case("input", "record id is a number", &["--db", "{db}", "save", "node", "--data", "{\"id\": 5}"], 1,
            "'id' must be a string").not_usage(),
        case("input", "record without id", &["--db", "{db}", "save", "node", "--data", "{\"x\": 5}"], 1,
            "no 'id'").not_usage(),
        case("input", "insert over an existing id", &["--db", "{db}", "save", "node", "--mode", "insert", "--data", "{\"id\": \"a\", \"x\": 99}"], 5,
            "a")
            .after(holds("node", "a", 1)),
        case("input", "--generate-id for an unknown collection", &["--db", "{db}", "save", "thing", "--generate-id", "--data", "{\"entity\": \"X\"}"], 1,
            "--generate-id").not_usage(),
        case("input", "lone surrogate escape in a value (kept, as json.loads keeps it)", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"s\", \"x\": \"\\ud800\"}"], 0,
            "saved 1 record(s)"),
        case("input", "lone surrogate escape in a key", &["--db", "{db}", "save", "node", "--data", "{\"id\": \"s\", \"\\ud800\": 1}"], 1,
            "lone surrogate \\ud800 in an object key").not_usage(),
        case("input", "integer of 5000 digits", &["--db", "{db}", "save", "node", "--data", &format!("{{\"id\": \"n\", \"x\": {}}}", "9".repeat(5000))], 1,
            "n").not_usage(),
        case("input", "--errors file in a missing directory", &["--db", "{db}", "save", "node", "--errors", "{root}/no/such/err.jsonl", "--data", "{\"id\":\"q\"}"], 2,
            "--errors"),
    ];
    for c in &mut v {
        if c.code != 2 {
            c.usage = false;
        }
    }
    v
}

/// An unreachable MongoDB fails fast: exit 4 within the connect timeout (plus start-up).
#[test]
fn unreachable_mongodb_fails_fast() {
    let t = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let o = jv(t.path())
        .args([
            "--db",
            "mongodb://user:pw5ecret@127.0.0.1:1/x",
            "--connect-timeout",
            "1",
            "find",
            "node",
        ])
        .output()
        .unwrap();
    assert_no_panic(&o, "unreachable mongodb");
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(8),
        "took {:?}",
        start.elapsed()
    );
    assert!(!text(&o.stderr).contains("pw5ecret"));
}

#[test]
fn hostile_corpus() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut names = BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate case name {}", c.name);
    }
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    // Every case runs even when one fails; the failures are listed together at the end.
    let mut failures = Vec::<String>::new();
    for c in &cases {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(c)));
        if let Err(e) = r {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg);
        }
        *per_class.entry(c.class).or_default() += 1;
    }
    eprintln!("hostile corpus: {} cases: {per_class:?}", cases.len());
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Run jvdb in `cwd` and check the invariants; returns the output.
fn run_checked(cwd: &Path, args: &[&str], stdin: Option<&[u8]>, what: &str) -> Output {
    let mut cmd = jv(cwd);
    cmd.args(args);
    let o = match stdin {
        None => cmd.output().unwrap(),
        Some(input) => {
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            let mut sin = child.stdin.take().unwrap();
            let input = input.to_vec();
            let w = std::thread::spawn(move || {
                let _ = sin.write_all(&input);
            });
            let o = child.wait_with_output().unwrap();
            let _ = w.join();
            o
        }
    };
    assert_no_panic(&o, what);
    o
}

/// A full file system (a 256 KiB tmpfs): a record that does not fit fails by id (exit 1), no
/// temp file is left, the record already there is intact; a stream that fills the disk half
/// way saves what fits, reports the rest, and every file on disk is a complete record.
#[test]
fn full_store_directory() {
    let t = tempfile::tempdir().unwrap();
    let Some(fs_) = Tmpfs::mount(&t.path().join("full"), "256k") else {
        eprintln!(
            "SKIPPED full_store_directory: cannot mount a tmpfs here (needs root; euid root = {})",
            is_root()
        );
        assert!(!is_root(), "running as root but mount -t tmpfs failed");
        return;
    };
    let db = fs_.dir.join("db");
    write(&db.join("node/a.json"), rec_text("a", 1));
    let big = format!("{{\"id\": \"big\", \"x\": \"{}\"}}", "y".repeat(400_000));
    let o = run_checked(
        t.path(),
        &["--db", db.to_str().unwrap(), "save", "node", "-"],
        Some(big.as_bytes()),
        "full: one big record",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("No space left on device"));
    assert!(tmp_files(&db).is_empty(), "{:?}", tmp_files(&db));
    assert!(!db.join("node/big.json").exists());
    assert_eq!(
        fs::read_to_string(db.join("node/a.json")).unwrap(),
        rec_text("a", 1)
    );
    // overwrite `a` with something that does not fit: the old content stays
    let o = run_checked(
        t.path(),
        &["--db", db.to_str().unwrap(), "save", "node", "-"],
        Some(big.replace("\"big\"", "\"a\"").as_bytes()),
        "full: overwrite",
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        fs::read_to_string(db.join("node/a.json")).unwrap(),
        rec_text("a", 1)
    );
    // a JSONL stream that fills the disk
    let mut jsonl = String::new();
    for i in 0..400 {
        jsonl.push_str(&format!(
            "{{\"id\": \"r{i}\", \"pad\": \"{}\"}}\n",
            "z".repeat(2000)
        ));
    }
    let o = run_checked(
        t.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "save",
            "node",
            "-",
            "--batch-size",
            "50",
        ],
        Some(jsonl.as_bytes()),
        "full: stream",
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(tmp_files(&db).is_empty());
    let files = json_files(&db);
    let saved = files.len() - 1;
    assert!(saved > 0 && saved < 400, "saved {saved}");
    for p in &files {
        assert!(
            parses_as_record(&fs::read(p).unwrap()),
            "{} torn",
            p.display()
        );
    }
    let failed = err.lines().filter(|l| l.contains("No space left")).count();
    assert_eq!(
        saved + failed,
        400,
        "every record is either saved or reported: {err}"
    );
    assert!(err.contains(&format!("saved {saved} record(s)")), "{err}");
}

/// A read-only store. As root, permissions are ignored, so the store lives on a tmpfs that is
/// remounted read-only; otherwise the directory is made 0555.
#[test]
fn read_only_store_directory() {
    let t = tempfile::tempdir().unwrap();
    let (db, _guard) = if is_root() {
        let Some(m) = Tmpfs::mount(&t.path().join("ro"), "1m") else {
            panic!("running as root but mount -t tmpfs failed");
        };
        let db = m.dir.join("db");
        write(&db.join("node/a.json"), rec_text("a", 1));
        assert!(m.make_readonly(), "remount,ro failed");
        (db, Some(m))
    } else {
        let db = t.path().join("db");
        write(&db.join("node/a.json"), rec_text("a", 1));
        for d in [db.join("node"), db.clone()] {
            fs::set_permissions(&d, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
        }
        (db, None)
    };
    let dbs = db.to_str().unwrap();
    // A migrate target that cannot be created (a target inside the source is refused with
    // exit 2 before anything is opened, so the read-only target lives beside it).
    let ro_target = if is_root() {
        db.parent().unwrap().join("sub")
    } else {
        let d = t.path().join("rodir");
        fs::create_dir(&d).unwrap();
        fs::set_permissions(&d, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
        d.join("sub")
    };
    let ro_target = ro_target.to_str().unwrap();
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &[
                "--db",
                dbs,
                "save",
                "node",
                "--data",
                "{\"id\": \"a\", \"x\": 2}",
            ],
            1,
            "writing",
        ),
        (
            &["--db", dbs, "save", "edge", "--data", "{\"id\": \"e\"}"],
            4,
            "creating",
        ),
        (
            &["--db", dbs, "delete", "node", "a", "--yes"],
            1,
            "cannot delete node/a",
        ),
        (&["--db", dbs, "find", "node"], 0, ""),
        (&["--db", dbs, "cleanup", "--tmp-files", "--yes"], 0, ""),
        (&["migrate", "--from", dbs, "--to", ro_target], 4, ""),
        (
            &["migrate", "--from", dbs, "--to", &format!("{dbs}/sub")],
            2,
            "is inside --from",
        ),
    ];
    for (args, code, msg) in cases {
        let o = run_checked(t.path(), args, None, &format!("{args:?}"));
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    assert_eq!(
        fs::read_to_string(db.join("node/a.json")).unwrap(),
        rec_text("a", 1)
    );
    assert!(tmp_files(&db).is_empty());
    if !is_root() {
        for d in [db.clone(), db.join("node")] {
            let _ = fs::set_permissions(&d, std::os::unix::fs::PermissionsExt::from_mode(0o755));
        }
    }
}

/// A 100 MB record (generated here, never committed): saved, read back byte-identical in
/// content, found by a query, copied.
#[test]
fn hundred_megabyte_record() {
    let t = tempfile::tempdir().unwrap();
    let blob = "x".repeat(100 * 1024 * 1024);
    let input = t.path().join("huge.json");
    fs::write(
        &input,
        format!("{{\"id\": \"huge\", \"blob\": \"{blob}\", \"n\": 7}}"),
    )
    .unwrap();
    let o = run_checked(
        t.path(),
        &["--db", "db", "save", "node", "huge.json"],
        None,
        "save 100MB",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    fs::remove_file(&input).unwrap();
    let file = t.path().join("db/node/huge.json");
    let expect = format!("{{\n  \"id\": \"huge\",\n  \"blob\": \"{blob}\",\n  \"n\": 7\n}}");
    assert!(
        fs::read(&file).unwrap() == expect.as_bytes(),
        "stored bytes differ"
    );
    drop(expect);
    let o = run_checked(
        t.path(),
        &[
            "--db",
            "db",
            "find",
            "node",
            "--query",
            "{\"n\": 7}",
            "--format",
            "ids",
        ],
        None,
        "find 100MB",
    );
    assert_eq!(text(&o.stdout), "huge\n", "{}", text(&o.stderr));
    let o = run_checked(
        t.path(),
        &["--db", "db", "get", "node", "huge", "--format", "jsonl"],
        None,
        "get 100MB",
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        o.stdout.len(),
        blob.len() + "{\"id\":\"huge\",\"blob\":\"\",\"n\":7}\n".len()
    );
    assert!(tmp_files(t.path()).is_empty());
}
