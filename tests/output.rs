//! Output formats driven through the real binary: CSV carries every field (one pass or two),
//! `count` vs `find --count` on a corrupt record, the TTY table fits the terminal, progress
//! bars print integer rates and separated totals, and `get` prints one JSON document.

use assert_cmd::Command;
use jvdb::json;
use jvdb::value::Value;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_jvdb"))
}

/// jvdb inside `cwd`, with no inherited JVSPATIAL_* or COLUMNS.
fn jv(cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(cwd);
    for (k, _) in std::env::vars() {
        if k.starts_with("JVSPATIAL_") || k == "COLUMNS" {
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

fn run(c: &mut Command) -> Out {
    let o = c.output().expect("run jvdb");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A scratch copy of examples/sample-store.
fn sample(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store");
    let dst = dir.join("store");
    copy_dir(&src, &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A store with `n` city nodes; `extra(i)` adds context fields to city i.
fn cities(dir: &Path, n: usize, extra: impl Fn(usize) -> String) -> PathBuf {
    let db = dir.join("cities");
    let d = db.join("node");
    fs::create_dir_all(&d).unwrap();
    for i in 0..n {
        let id = format!("n.City.{i:024x}");
        let text = format!(
            "{{\n  \"id\": \"{id}\",\n  \"entity\": \"City\",\n  \"context\": {{\n    \"name\": \"c{i}\",\n    \"population\": {i}{}\n  }}\n}}",
            extra(i)
        );
        fs::write(d.join(format!("{id}.json")), text).unwrap();
    }
    db
}

/// A small RFC 4180 reader: rows of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "CSV must end with a newline"
    );
    rows
}

/// Every (dot path, cell text) down to non-object values, as the CSV should show them.
fn leaves(v: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    if let Value::Object(m) = v {
        for (k, child) in m {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match child {
                Value::Object(_) => leaves(child, &p, out),
                Value::Str(s) => out.push((p, s.clone())),
                other => out.push((p, json::to_line(other))),
            }
        }
    }
}

/// Check that the CSV holds every leaf of every JSONL record, row for row.
fn assert_csv_carries(csv: &str, jsonl: &str) {
    let rows = parse_csv(csv);
    let header = &rows[0];
    assert_eq!(&header[..2], ["id", "entity"], "{header:?}");
    let recs: Vec<Value> = jsonl.lines().map(|l| json::parse_str(l).unwrap()).collect();
    assert_eq!(rows.len() - 1, recs.len());
    for (row, rec) in rows[1..].iter().zip(&recs) {
        assert_eq!(row.len(), header.len(), "{row:?}");
        let mut ls = Vec::new();
        leaves(rec, "", &mut ls);
        for (path, text) in ls {
            let col = header
                .iter()
                .position(|h| *h == path)
                .unwrap_or_else(|| panic!("column {path} missing from {header:?}"));
            assert_eq!(row[col], text, "{path} of {row:?}");
        }
    }
}

#[test]
fn csv_find_carries_every_leaf_path_of_nodes_and_edges() {
    let t = tempfile::tempdir().unwrap();
    let db = sample(t.path());
    for coll in ["node", "edge", "object"] {
        let csv = run(jv(t.path())
            .arg("--db")
            .arg(&db)
            .args(["find", coll, "--format", "csv"]));
        assert_eq!(csv.code, 0, "{}", csv.stderr);
        assert_eq!(csv.stderr, "");
        let jsonl = run(jv(t.path())
            .arg("--db")
            .arg(&db)
            .args(["find", coll, "--format", "jsonl"]));
        assert_csv_carries(&csv.stdout, &jsonl.stdout);
    }
    // Nodes: nested context fields are dot paths, arrays are JSON cells.
    let csv = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--format", "csv", "--limit", "1"]));
    assert_eq!(
        csv.stdout,
        "id,entity,context.name,context.country,context.population,context.area_km2,\
         context.is_capital,context.elevation_m,context.tags,context.meta.geo.lat,\
         context.meta.geo.lon,context.founded,context.checksum\n\
         n.City.000000000000000000000001,City,Sao Paulo,BR,12325232,1521.11,false,760,\
         \"[\"\"metro\"\",\"\"inland\"\"]\",-23.55,-46.63,1554-01-01T00:00:00+00:00,0\n"
    );
    // Edges keep their context and their endpoints.
    let csv = run(jv(t.path()).arg("--db").arg(&db).args([
        "find", "edge", "--format", "csv", "--entity", "Highway", "--limit", "1",
    ]));
    assert_eq!(
        csv.stdout,
        "id,entity,context.name,context.distance_km,context.lanes,context.toll,source,target,bidirectional\n\
         e.Highway.00000000000000000000000a,Highway,BR-116,429.0,4,true,\
         n.City.000000000000000000000001,n.City.000000000000000000000002,false\n"
    );
    // --fields: exactly those columns.
    let csv = run(jv(t.path()).arg("--db").arg(&db).args([
        "find",
        "node",
        "--format",
        "csv",
        "--fields",
        "context.name,context.meta",
        "--limit",
        "2",
    ]));
    assert_eq!(
        csv.stdout,
        "id,context.name,context.meta\n\
         n.City.000000000000000000000001,Sao Paulo,\"{\"\"geo\"\":{\"\"lat\"\":-23.55,\"\"lon\"\":-46.63}}\"\n\
         n.City.000000000000000000000002,Rio de Janeiro,\"{\"\"geo\"\":{\"\"lat\"\":-22.91,\"\"lon\"\":-43.17}}\"\n"
    );
    // No match: nothing (no record, no field), or the header of the --fields alone.
    let csv = run(jv(t.path()).arg("--db").arg(&db).args([
        "find",
        "node",
        "--format",
        "csv",
        "--query",
        r#"{"entity":"Nope"}"#,
    ]));
    assert_eq!((csv.code, csv.stdout.as_str()), (0, ""));
    let csv = run(jv(t.path()).arg("--db").arg(&db).args([
        "find",
        "node",
        "--format",
        "csv",
        "--fields",
        "context.name",
        "--query",
        r#"{"entity":"Nope"}"#,
    ]));
    assert_eq!((csv.code, csv.stdout.as_str()), (0, "id,context.name\n"));
}

#[test]
fn csv_longer_than_the_look_ahead_reads_twice_and_keeps_a_late_field() {
    let t = tempfile::tempdir().unwrap();
    // 1,500 records; only number 1,400 has `late`, far past the 1,000-record look-ahead.
    let db = cities(t.path(), 1500, |i| {
        if i == 1400 {
            ",\n    \"late\": {\n      \"x\": [1, 2]\n    }".into()
        } else {
            String::new()
        }
    });
    let csv = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["-v", "find", "node", "--format", "csv"]));
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    assert!(
        csv.stderr.contains(
            "jvdb: more than 1000 records: CSV header from a first pass, rows from a second"
        ),
        "{}",
        csv.stderr
    );
    let rows = parse_csv(&csv.stdout);
    assert_eq!(
        rows[0],
        [
            "id",
            "entity",
            "context.name",
            "context.population",
            "context.late.x"
        ]
    );
    assert_eq!(rows.len(), 1501);
    assert_eq!(rows[1401][4], "[1,2]");
    assert_eq!(rows[1400][4], "");
    let jsonl = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--format", "jsonl"]));
    assert_csv_carries(&csv.stdout, &jsonl.stdout);
}

#[test]
fn csv_stops_with_exit_1_when_a_record_gains_a_field_between_the_passes() {
    let t = tempfile::tempdir().unwrap();
    let n = 6000;
    let db = cities(t.path(), n, |_| String::new());
    let mut child = std::process::Command::new(bin())
        .current_dir(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--format", "csv"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The header line means the second pass has started; the pipe (not read meanwhile)
    // soon holds it there, long before the last record.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut header = String::new();
    stdout.read_line(&mut header).unwrap();
    assert_eq!(header, "id,entity,context.name,context.population\n");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let last = format!("n.City.{:024x}", n - 1);
    fs::write(
        db.join("node").join(format!("{last}.json")),
        format!(
            "{{\n  \"id\": \"{last}\",\n  \"entity\": \"City\",\n  \"context\": {{\n    \"added\": 1\n  }}\n}}"
        ),
    )
    .unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "jvdb: record node/{last} has field context.added, which is not in the CSV header \
             (the store changed while it was read); output stopped there: run again\n"
        )
    );
    assert_eq!(rest.lines().count(), n - 1);
}

#[test]
fn csv_get_has_the_union_of_the_records_fields() {
    let t = tempfile::tempdir().unwrap();
    let db = sample(t.path());
    let o = run(jv(t.path()).arg("--db").arg(&db).args([
        "get",
        "node",
        "n.Root.root",
        "n.City.000000000000000000000003",
        "--format",
        "csv",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let rows = parse_csv(&o.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][..2], ["n.Root.root", "Root"]);
    assert!(rows[1][2..].iter().all(String::is_empty), "{:?}", rows[1]);
    assert!(rows[0].contains(&"context.meta.architect".to_string()));
    let jsonl = run(jv(t.path()).arg("--db").arg(&db).args([
        "get",
        "node",
        "n.Root.root",
        "n.City.000000000000000000000003",
        "--format",
        "jsonl",
    ]));
    assert_csv_carries(&o.stdout, &jsonl.stdout);
}

#[test]
fn count_without_query_counts_files_find_count_reads_and_names_the_corrupt_one() {
    let t = tempfile::tempdir().unwrap();
    let db = sample(t.path());
    fs::write(db.join("node/n.City.bad.json"), "{\"id\": broken").unwrap();
    let reason = "jvdb: unreadable record node/n.City.bad: invalid JSON: Expecting value: line 1 column 8\n\
                  jvdb: 1 unreadable record(s) in collection node (listed above)\n";
    // jvspatial's own count: the *.json entries, unparsed.
    let o = run(jv(t.path()).arg("--db").arg(&db).args(["count", "node"]));
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "20\n", "")
    );
    // Anything that reads the records names the bad one and exits 1.
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--count"]));
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (1, "19\n", reason)
    );
    let o = run(jv(t.path()).arg("--db").arg(&db).args([
        "count",
        "node",
        "--query",
        r#"{"entity":{"$ne":"x"}}"#,
    ]));
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (1, "19\n", reason)
    );
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--format", "ids"]));
    assert_eq!((o.code, o.stdout.lines().count()), (1, 19));
    assert_eq!(o.stderr, reason);
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["get", "node", "n.City.bad"]));
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (
            1,
            "",
            "jvdb: unreadable record node/n.City.bad: invalid JSON: Expecting value: line 1 column 8\n"
        )
    );
    // The help says so.
    let o = run(jv(t.path()).args(["count", "--help"]));
    assert!(
        o.stdout.contains("without parsing them") && o.stdout.contains("find --count"),
        "{}",
        o.stdout
    );
}

/// Run jvdb on a pseudo-terminal (util-linux `script`); None when `script` is missing.
fn on_tty(cwd: &Path, args: &[&str], columns: Option<&str>) -> Option<Out> {
    let which = std::process::Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .ok()?;
    if !which.status.success() {
        eprintln!("skipped: util-linux `script` is not installed");
        return None;
    }
    let mut line = shell_quote(bin().to_str().unwrap());
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    let mut c = std::process::Command::new("script");
    c.current_dir(cwd)
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("JVSPATIAL_") || k == "COLUMNS" {
            c.env_remove(k);
        }
    }
    if let Some(w) = columns {
        c.env("COLUMNS", w);
    }
    let o = c.output().unwrap();
    Some(Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n"),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    })
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn tty_table_fits_the_width_and_says_what_it_left_out() {
    let t = tempfile::tempdir().unwrap();
    let db = sample(t.path());
    let db = db.to_str().unwrap();
    let Some(o) = on_tty(
        t.path(),
        &["--db", db, "find", "node", "--limit", "3"],
        Some("100"),
    ) else {
        return;
    };
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert_eq!(
        o.stdout,
        "\
┌─────────────────────────────────┬────────┬────────────────┬─────────────────┬────────────────────┐
│ id                              ┆ entity ┆ context.name   ┆ context.country ┆ context.population │
╞═════════════════════════════════╪════════╪════════════════╪═════════════════╪════════════════════╡
│ n.City.000000000000000000000001 ┆ City   ┆ Sao Paulo      ┆ BR              ┆ 12325232           │
│ n.City.000000000000000000000002 ┆ City   ┆ Rio de Janeiro ┆ BR              ┆ 6747815            │
│ n.City.000000000000000000000003 ┆ City   ┆ Brasilia       ┆ BR              ┆ 3055149            │
└─────────────────────────────────┴────────┴────────────────┴─────────────────┴────────────────────┘
jvdb: 7 more column(s) not shown: use --fields or --format jsonl
"
    );
    // Narrow: values are cut, headers stay whole, nothing wraps.
    let o = on_tty(t.path(), &["--db", db, "find", "edge"], Some("72")).unwrap();
    assert_eq!(o.code, 0, "{}", o.stdout);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 4 + 25 + 1, "{}", o.stdout);
    for l in &lines[..lines.len() - 1] {
        assert!(l.chars().count() <= 72, "{l}");
    }
    assert!(lines[1].starts_with("│ id "), "{}", lines[1]);
    // The context fields (of the Highway edges) lead, after id and entity.
    assert!(
        lines[1].contains("┆ entity  ┆ context.name "),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].starts_with("│ e.Edge.000000000000000000000001 "),
        "{}",
        lines[3]
    );
    assert!(
        lines[29].starts_with("jvdb: ")
            && lines[29].ends_with(" more column(s) not shown: use --fields or --format jsonl"),
        "{}",
        lines[29]
    );
    // --fields: those columns, cut to fit, none left out.
    let o = on_tty(
        t.path(),
        &[
            "--db",
            db,
            "find",
            "edge",
            "--fields",
            "source,target",
            "--limit",
            "1",
        ],
        Some("40"),
    )
    .unwrap();
    assert_eq!(
        o.stdout,
        "\
┌────────────┬────────────┬────────────┐
│ id         ┆ source     ┆ target     │
╞════════════╪════════════╪════════════╡
│ e.Edge.00… ┆ n.Root.ro… ┆ n.City.00… │
└────────────┴────────────┴────────────┘
"
    );
    // No $COLUMNS and an unknown terminal size: 100 columns.
    let o = on_tty(
        t.path(),
        &["--db", db, "find", "node", "--limit", "1"],
        None,
    )
    .unwrap();
    assert!(
        o.stdout.lines().all(|l| l.chars().count() <= 100)
            && o.stdout.contains("context.population"),
        "{}",
        o.stdout
    );
    // An empty result says so on stderr (stdout stays empty).
    let o = on_tty(
        t.path(),
        &[
            "--db",
            db,
            "find",
            "node",
            "--query",
            r#"{"entity":"Nope"}"#,
        ],
        Some("100"),
    )
    .unwrap();
    assert_eq!((o.code, o.stdout.as_str()), (0, "jvdb: (0 records)\n"));
    let o = run(jv(t.path()).args([
        "--db",
        db,
        "find",
        "node",
        "--query",
        r#"{"entity":"Nope"}"#,
        "--format",
        "table",
    ]));
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str()),
        ("", "jvdb: (0 records)\n")
    );
    // In a pipe, --format table uses $COLUMNS too.
    let o = run(jv(t.path())
        .env("COLUMNS", "60")
        .args(["--db", db, "find", "node", "--format", "table"]));
    assert!(
        o.stdout.lines().all(|l| l.chars().count() <= 60),
        "{}",
        o.stdout
    );
    assert_eq!(
        o.stderr,
        "jvdb: 9 more column(s) not shown: use --fields or --format jsonl\n"
    );
}

#[test]
fn progress_bar_shows_integer_rate_and_separated_totals() {
    let t = tempfile::tempdir().unwrap();
    let db = cities(t.path(), 2500, |_| String::new());
    let to = t.path().join("target-store");
    let Some(o) = on_tty(
        t.path(),
        &[
            "migrate",
            "--from",
            db.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ],
        None,
    ) else {
        return;
    };
    assert_eq!(o.code, 0, "{}", o.stdout);
    // Each draw of the bar: separated totals, a whole rate, an ETA.
    let re = regex::Regex::new(
        r"node \[[=> ]{30}\] (0|[1-9]\d{0,2}(,\d{3})*)/2,500 (\d{1,3}(,\d{3})*)/s eta \d+s",
    )
    .unwrap();
    assert!(re.is_match(&o.stdout), "{:?}", o.stdout);
    assert!(
        !regex::Regex::new(r"\d\.\d+/s").unwrap().is_match(&o.stdout),
        "{:?}",
        o.stdout
    );
}

#[test]
fn get_prints_one_json_document() {
    let t = tempfile::tempdir().unwrap();
    let db = sample(t.path());
    let get = |args: &[&str]| {
        run(jv(t.path())
            .arg("--db")
            .arg(&db)
            .args(["get", "node"])
            .args(args))
    };
    let root = "{\n  \"id\": \"n.Root.root\",\n  \"entity\": \"Root\",\n  \"context\": {}\n}\n";
    // One id: the object, as before, with or without --format json.
    assert_eq!(get(&["n.Root.root"]).stdout, root);
    assert_eq!(get(&["n.Root.root", "--format", "json"]).stdout, root);
    // Several ids: one array, in the order asked, by default and with --format json.
    let two = ["n.City.000000000000000000000002", "n.Root.root"];
    for fmt in [&[][..], &["--format", "json"][..]] {
        let o = get(&[&two[..], fmt].concat());
        assert_eq!(o.code, 0, "{}", o.stderr);
        let v = json::parse_str(&o.stdout).unwrap();
        let Value::Array(a) = v else {
            panic!("not an array: {}", o.stdout)
        };
        assert_eq!(a.len(), 2);
        assert_eq!(
            a[0].get("id"),
            Some(&Value::Str("n.City.000000000000000000000002".into()))
        );
        assert!(o.stdout.ends_with("  {\n    \"id\": \"n.Root.root\",\n    \"entity\": \"Root\",\n    \"context\": {}\n  }\n]\n"), "{}", o.stdout);
    }
    // jsonl: one per line.
    let o = get(&[two[0], two[1], "--format", "jsonl"]);
    assert_eq!(o.stdout.lines().count(), 2);
    assert_eq!(
        o.stdout.lines().nth(1),
        Some("{\"id\":\"n.Root.root\",\"entity\":\"Root\",\"context\":{}}")
    );
    // A missing id among several: still one array (of those found), exit 3.
    let o = get(&["n.Root.root", "n.City.missing"]);
    assert_eq!(o.code, 3);
    assert_eq!(o.stderr, "jvdb: not found: node/n.City.missing\n");
    let v = json::parse_str(&o.stdout).unwrap();
    assert!(
        matches!(v, Value::Array(ref a) if a.len() == 1),
        "{}",
        o.stdout
    );
    // None found among several: an empty array.
    let o = get(&["n.City.missing", "n.City.gone"]);
    assert_eq!((o.code, o.stdout.as_str()), (3, "[]\n"));
    // One missing id alone: nothing on stdout.
    let o = get(&["n.City.missing"]);
    assert_eq!((o.code, o.stdout.as_str()), (3, ""));
}

#[test]
fn csv_names_a_record_whose_key_a_column_cannot_name() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("db");
    fs::create_dir_all(db.join("node")).unwrap();
    fs::write(
        db.join("node/n.City.dot.json"),
        "{\n  \"id\": \"n.City.dot\",\n  \"entity\": \"City\",\n  \"context\": {\n    \"a.b\": 1\n  }\n}",
    )
    .unwrap();
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&db)
        .args(["find", "node", "--format", "csv"]));
    assert_eq!((o.code, o.stdout.as_str()), (1, ""));
    assert_eq!(
        o.stderr,
        "jvdb: record node/n.City.dot has field \"context.a.b\" whose key holds a '.', which a CSV \
         column cannot name: use --format jsonl\n"
    );
}
