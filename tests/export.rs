//! `jvdb export` against the formats' real tools and jvspatial's own export: Graphviz's `dot`
//! parses the dot (and renders it to SVG that Python's XML parser reads), networkx's
//! `read_graphml`/`read_gexf` read the GraphML and GEXF with the right counts and typed
//! attributes, and on a graph built through jvspatial 0.2.2's API the dot and Mermaid exports
//! have the same nodes and edges as jvspatial's `export_graph(format="dot"|"mermaid")`.
//!
//! Needs Graphviz (`dot`, Debian's package graphviz: tests/run.sh installs it) and a Python
//! with jvspatial 0.2.2 and networkx 3.6.1 (`JVDB_TEST_PYTHON`, tests/py/requirements.txt).
mod common;

use common::bin::{code, err, jv, out, run, sample_in};
use jvdb::value::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        out(o),
        err(o)
    )
}

#[track_caller]
fn ok(o: Output) -> Output {
    assert_eq!(code(&o), 0, "{}", show(&o));
    o
}

fn py(args: &[&str]) -> String {
    let o = Command::new(common::python())
        .arg(common::py_script("export_graph.py"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run tests/py/export_graph.py");
    assert!(o.status.success(), "python {args:?}: {}", show(&o));
    out(&o)
}

fn parse(text: &str) -> Value {
    jvdb::json::parse_str(text).unwrap_or_else(|e| panic!("bad JSON ({e}): {text}"))
}

/// A graph built through jvspatial's API (tests/py/export_graph.py build): the store at
/// `<dir>/store`, jvspatial's own dot and Mermaid exports in `<dir>/oracle`.
fn built() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let store = t.path().join("store");
    let oracle = t.path().join("oracle");
    py(&["build", store.to_str().unwrap(), oracle.to_str().unwrap()]);
    t
}

/// `jvdb --db DIR export ARGS…` in `cwd`.
fn export(cwd: &Path, db: &Path, args: &[&str]) -> Output {
    run(jv(cwd).arg("--db").arg(db).arg("export").args(args))
}

fn cid(i: u32) -> String {
    format!("n.City.{i:024x}")
}

/// Graphviz's own reading of a dot file (`dot -Tjson`): node names, and edges as
/// (tail name, head name, dir).
fn graphviz_graph(dot_file: &Path) -> (BTreeSet<String>, Vec<(String, String, String)>) {
    let o = Command::new("dot")
        .arg("-Tjson")
        .arg(dot_file)
        .output()
        .expect("Graphviz `dot` (apt-get install graphviz)");
    assert!(o.status.success(), "dot -Tjson: {}", show(&o));
    let g = parse(&out(&o));
    let objects = g
        .get("objects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names: Vec<String> = objects
        .iter()
        .map(|o| o.get("name").and_then(Value::as_str).unwrap().to_string())
        .collect();
    let by_gvid = |v: &Value| -> String {
        let Value::Int(i) = v else {
            panic!("gvid {v:?}")
        };
        names[*i as usize].clone()
    };
    let mut edges: Vec<(String, String, String)> = g
        .get("edges")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                by_gvid(e.get("tail").unwrap()),
                by_gvid(e.get("head").unwrap()),
                e.get("dir")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    edges.sort();
    (names.into_iter().collect(), edges)
}

/// A Mermaid flowchart as jvspatial writes it: node identifiers, and edges as
/// (source, connector, target).
fn mermaid_graph(text: &str) -> (BTreeSet<String>, Vec<(String, String, String)>) {
    let node = regex::Regex::new(r#"^    (\S+)\["(.*)"\](:::root)?$"#).unwrap();
    let edge = regex::Regex::new(r#"^    (\S+) (-->|<-->)(\|"[^"]*"\|)? (\S+)$"#).unwrap();
    let mut nodes = BTreeSet::new();
    let mut edges = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            assert_eq!(line, "graph TB");
        } else if let Some(c) = node.captures(line) {
            assert!(nodes.insert(c[1].to_string()), "identifier twice: {line}");
        } else if let Some(c) = edge.captures(line) {
            edges.push((c[1].to_string(), c[2].to_string(), c[4].to_string()));
        } else {
            assert!(
                line.starts_with("    classDef root "),
                "unexpected line {line:?}"
            );
        }
    }
    edges.sort();
    (nodes, edges)
}

/// The networkx summary of a GraphML/GEXF file.
fn networkx(format: &str, file: &Path) -> Value {
    parse(&py(&["nx", format, file.to_str().unwrap()]))
}

/// `[python type name, value]` of attribute `k` of node `id` in a networkx summary.
fn nattr<'a>(g: &'a Value, id: &str, k: &str) -> Option<&'a Value> {
    g.get("node_attrs")?.get(id)?.get(k)
}

fn typed(t: &str, v: Value) -> Value {
    Value::Array(vec![Value::from(t), v])
}

#[test]
fn dot_has_jvspatials_nodes_and_edges_and_parses_with_graphviz() {
    let t = built();
    let store = t.path().join("store");
    let mine = t.path().join("jvdb.dot");
    let o = ok(export(t.path(), &store, &["-o", mine.to_str().unwrap()]));
    assert_eq!(out(&o), "", "-o: nothing on stdout");
    let (my_nodes, my_edges) = graphviz_graph(&mine);
    let (jv_nodes, jv_edges) = graphviz_graph(&t.path().join("oracle/jv.dot"));
    assert_eq!(
        my_nodes, jv_nodes,
        "same node ids as jvspatial's export_graph"
    );
    assert_eq!(
        my_edges, jv_edges,
        "same edges (and dir) as jvspatial's export_graph"
    );
    assert_eq!(my_nodes.len(), 14);
    assert_eq!(my_edges.len(), 16);
    assert!(my_nodes.contains("n.City.Zürich-東京"));
    assert!(my_nodes.contains("n.City.with\"quote"));
    assert_eq!(my_edges.iter().filter(|e| e.2 == "both").count(), 3);
    // The same text on stdout, and Graphviz renders it.
    let o = ok(export(t.path(), &store, &[]));
    assert_eq!(out(&o), fs::read_to_string(&mine).unwrap());
    let svg = Command::new("dot")
        .arg("-Tsvg")
        .arg(&mine)
        .output()
        .unwrap();
    assert!(svg.status.success(), "{}", show(&svg));
}

#[test]
fn mermaid_has_jvspatials_identifiers_and_edges() {
    let t = built();
    let store = t.path().join("store");
    let o = ok(export(t.path(), &store, &["--format", "mermaid"]));
    let mine = mermaid_graph(&out(&o));
    let theirs = mermaid_graph(&fs::read_to_string(t.path().join("oracle/jv.mmd")).unwrap());
    assert_eq!(
        mine.0, theirs.0,
        "node identifiers (jvspatial's _sanitize_mermaid_id)"
    );
    assert_eq!(
        mine.1, theirs.1,
        "edges and connectors (<--> for bidirectional)"
    );
    assert_eq!((mine.0.len(), mine.1.len()), (14, 16));
    assert!(mine.0.contains("n_City_Zürich-東京"));
    assert!(out(&o).contains("n_Root_root[\"n.Root.root\"]:::root"));
}

#[test]
fn graphml_and_gexf_read_by_networkx_with_typed_attributes() {
    let t = built();
    let store = t.path().join("store");
    for format in ["graphml", "gexf"] {
        let file = t.path().join(format!("g.{format}"));
        let o = ok(export(
            t.path(),
            &store,
            &["--format", format, "-o", file.to_str().unwrap()],
        ));
        let e = err(&o);
        assert!(
            e.contains(&format!(
                "jvdb: {format}: node attribute \"context.note\" widened to string (its values are int, float, string)"
            )),
            "{e}"
        );
        let g = networkx(format, &file);
        assert_eq!(g.get("nodes"), Some(&Value::Int(14)), "{format}");
        assert_eq!(g.get("edges"), Some(&Value::Int(16)), "{format}");
        assert_eq!(g.get("directed"), Some(&Value::Bool(true)));
        let c1 = cid(1);
        let want = [
            ("label", typed("str", "Quote \"q\" city".into())),
            ("entity", typed("str", "City".into())),
            ("context.name", typed("str", "Quote \"q\" city".into())),
            ("context.population", typed("int", Value::Int(1000))),
            ("context.area", typed("float", Value::Float(1.5))),
            ("context.capital", typed("bool", Value::Bool(false))),
            ("context.tags", typed("str", r#"["t1","x"]"#.into())),
            ("context.note", typed("str", "seven".into())),
        ];
        for (k, v) in want {
            assert_eq!(nattr(&g, &c1, k), Some(&v), "{format} {c1} {k}");
        }
        assert_eq!(
            nattr(&g, &cid(2), "context.note"),
            Some(&typed("str", "7.5".into()))
        );
        assert_eq!(
            nattr(&g, &cid(3), "context.note"),
            Some(&typed("str", "7".into()))
        );
        // Awkward text arrives exactly.
        for (i, name) in [
            (2, "Back\\slash town"),
            (3, "Zürich 東京 😀"),
            (4, "a<b>&c"),
            (5, "two\nlines"),
            (6, "tab\there"),
            (7, "apos ' city"),
        ] {
            assert_eq!(
                nattr(&g, &cid(i), "context.name"),
                Some(&typed("str", name.into())),
                "{format}"
            );
        }
        for id in ["n.City.with\"quote", "n.City.new\nline", "n.City.a b&<c>"] {
            assert!(nattr(&g, id, "entity").is_some(), "{format}: node {id:?}");
        }
        let edges = g.get("edge_attrs").and_then(Value::as_array).unwrap();
        let bidi = edges
            .iter()
            .filter(|e| {
                e.as_array().unwrap()[2].get("bidirectional")
                    == Some(&typed("bool", Value::Bool(true)))
            })
            .count();
        assert_eq!(bidi, 3, "{format}");
        let lanes: Vec<&Value> = edges
            .iter()
            .filter_map(|e| e.as_array().unwrap()[2].get("context.lanes"))
            .collect();
        assert!(lanes.contains(&&typed("int", Value::Int(4))), "{lanes:?}");
    }
}

#[test]
fn render_svg_makes_a_valid_svg() {
    let t = sample_in("store");
    let svg = t.path().join("graph.svg");
    let o = ok(export(
        t.path(),
        &t.path().join("store"),
        &["--render", "svg", "-o", svg.to_str().unwrap()],
    ));
    assert!(
        err(&o).contains("jvdb: 3 dangling edge(s) left out"),
        "{}",
        err(&o)
    );
    let s = parse(&py(&["svg", svg.to_str().unwrap()]));
    assert_eq!(
        s.get("root").and_then(Value::as_str),
        Some("{http://www.w3.org/2000/svg}svg")
    );
    assert_eq!(s.get("nodes"), Some(&Value::Int(19)));
    assert_eq!(s.get("edges"), Some(&Value::Int(22)));
    assert!(out(&o).is_empty());
    let texts = s.get("texts").and_then(Value::as_array).unwrap();
    assert!(texts.contains(&Value::from("Zürich")));
    assert_eq!(leftover_temp(t.path()), Vec::<PathBuf>::new());
    // png too (the PNG signature).
    let png = t.path().join("graph.png");
    ok(export(
        t.path(),
        &t.path().join("store"),
        &["--render", "png", "-o", png.to_str().unwrap()],
    ));
    assert_eq!(&fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
}

fn leftover_temp(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".jvtmp"))
        .collect()
}

#[test]
fn render_without_graphviz_says_which_package_in_one_line() {
    let t = sample_in("store");
    let svg = t.path().join("graph.svg");
    let empty = tempfile::tempdir().unwrap();
    let o = run(jv(t.path())
        .env("PATH", empty.path())
        .args(["--db", "store", "export", "--render", "svg", "-o"])
        .arg(&svg));
    assert_eq!(code(&o), 4, "{}", show(&o));
    let e = err(&o);
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(
        e.starts_with("jvdb: --render svg needs Graphviz's `dot`"),
        "{e}"
    );
    assert!(e.contains("install the package graphviz"), "{e}");
    assert!(!svg.exists());
    assert_eq!(leftover_temp(t.path()), Vec::<PathBuf>::new());
    // --render is for dot: another --format is a usage error.
    let o = run(jv(t.path()).args([
        "--db", "store", "export", "--render", "svg", "--format", "gexf", "-o", "x.svg",
    ]));
    assert_eq!(code(&o), 2, "{}", show(&o));
}

/// The JSON lines of an export: (node records, edge records); every node line comes first.
fn jsonl(text: &str) -> (Vec<Value>, Vec<Value>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in text.lines() {
        let v = parse(line);
        if v.get("source").is_some() {
            edges.push(v);
        } else {
            assert!(edges.is_empty(), "a node after an edge: {line}");
            nodes.push(v);
        }
    }
    (nodes, edges)
}

fn ids(recs: &[Value]) -> BTreeSet<String> {
    recs.iter()
        .map(|r| r.record_id().unwrap().to_string())
        .collect()
}

fn ends(e: &Value) -> (String, String) {
    (
        e.get("source").and_then(Value::as_str).unwrap().to_string(),
        e.get("target").and_then(Value::as_str).unwrap().to_string(),
    )
}

/// How many edges of `all` have exactly one end in `sel`... or one end in it and the other
/// not a node at all: the edges the export says it left out.
fn touching(all: &[Value], sel: &BTreeSet<String>) -> usize {
    all.iter()
        .filter(|e| {
            let (s, t) = ends(e);
            sel.contains(&s) != sel.contains(&t)
        })
        .count()
}

#[test]
fn limit_cuts_with_a_note() {
    let t = sample_in("store");
    let store = t.path().join("store");
    let o = ok(export(t.path(), &store, &["--format", "jsonl"]));
    let (all_nodes, all_edges) = jsonl(&out(&o));
    assert_eq!((all_nodes.len(), all_edges.len()), (19, 22));
    let o = ok(export(
        t.path(),
        &store,
        &["--format", "jsonl", "--limit", "5"],
    ));
    let (nodes, edges) = jsonl(&out(&o));
    assert_eq!(nodes.len(), 5);
    let sel = ids(&nodes);
    for e in &edges {
        let (s, t) = ends(e);
        assert!(sel.contains(&s) && sel.contains(&t), "{e:?}");
    }
    let want_edges = all_edges
        .iter()
        .filter(|e| {
            let (s, t) = ends(e);
            sel.contains(&s) && sel.contains(&t)
        })
        .count();
    assert_eq!(edges.len(), want_edges);
    let e = err(&o);
    assert!(
        e.contains(
            "jvdb: --limit 5 cut the export: 5 of 19 nodes; the edges are those between them"
        ),
        "{e}"
    );
    let left = touching(&all_edges, &sel) + dangling_touching(&store, &sel);
    assert!(
        e.contains(&format!(
            "jvdb: {left} edge(s) left out: one end is in the export"
        )),
        "{e}"
    );
    // A limit that does not cut says nothing.
    let o = ok(export(
        t.path(),
        &store,
        &["--format", "jsonl", "--limit", "19"],
    ));
    assert!(!err(&o).contains("cut"), "{}", err(&o));
    // -q keeps stderr quiet.
    let o = ok(run(
        jv(t.path()).args(["-q", "--db", "store", "export", "--limit", "5"])
    ));
    assert_eq!(err(&o), "");
}

/// Dangling edges of the store (an end that is not a node) with the other end in `sel`.
fn dangling_touching(store: &Path, sel: &BTreeSet<String>) -> usize {
    let nodes: BTreeSet<String> = fs::read_dir(store.join("node"))
        .unwrap()
        .map(|e| {
            let v = parse(&fs::read_to_string(e.unwrap().path()).unwrap());
            v.record_id().unwrap().to_string()
        })
        .collect();
    fs::read_dir(store.join("edge"))
        .unwrap()
        .filter(|e| {
            let v = parse(&fs::read_to_string(e.as_ref().unwrap().path()).unwrap());
            let (s, t) = ends(&v);
            let dangling = !nodes.contains(&s) || !nodes.contains(&t);
            dangling && (sel.contains(&s) != sel.contains(&t))
        })
        .count()
}

#[test]
fn entity_and_query_select_the_nodes() {
    let t = built();
    let store = t.path().join("store");
    let o = ok(export(t.path(), &store, &["--format", "jsonl"]));
    let (all_nodes, all_edges) = jsonl(&out(&o));
    assert_eq!((all_nodes.len(), all_edges.len()), (14, 16));
    assert_eq!(err(&o), "", "a clean graph: nothing left out");
    let o = ok(export(
        t.path(),
        &store,
        &[
            "--format",
            "jsonl",
            "--entity",
            "City",
            "--query",
            r#"{"context.population": {"$gte": 5000}}"#,
        ],
    ));
    let (nodes, edges) = jsonl(&out(&o));
    let want: BTreeSet<String> = (5..=9).map(cid).collect();
    assert_eq!(ids(&nodes), want);
    let inside = |e: &Value| {
        let (s, t) = ends(e);
        want.contains(&s) && want.contains(&t)
    };
    assert!(edges.iter().all(inside));
    assert_eq!(edges.len(), all_edges.iter().filter(|e| inside(e)).count());
    assert_eq!(edges.len(), 4);
    let left = touching(&all_edges, &want);
    assert!(
        err(&o).contains(&format!("jvdb: {left} edge(s) left out")),
        "{}",
        err(&o)
    );
    // Several entities; the query file form.
    fs::write(
        t.path().join("q.json"),
        r#"{"context.population": {"$lt": 2}}"#,
    )
    .unwrap();
    let o = ok(export(
        t.path(),
        &store,
        &[
            "--format",
            "jsonl",
            "--entity",
            "Root,City",
            "--query",
            "@q.json",
        ],
    ));
    let (nodes, _) = jsonl(&out(&o));
    // Root has no population: only the cities with 0 and 1.
    assert_eq!(
        ids(&nodes),
        BTreeSet::from([
            "n.City.Zürich-東京".to_string(),
            "n.City.with\"quote".to_string()
        ])
    );
    let o = ok(export(
        t.path(),
        &store,
        &["--format", "jsonl", "--entity", "Root"],
    ));
    assert_eq!(
        ids(&jsonl(&out(&o)).0),
        BTreeSet::from(["n.Root.root".to_string()])
    );
    // A bad query is a usage error before anything is written.
    let o = run(jv(t.path())
        .arg("--db")
        .arg(&store)
        .args(["export", "--query", "{not json"]));
    assert_eq!(code(&o), 2, "{}", show(&o));
    assert_eq!(out(&o), "");
}

#[test]
fn from_depth_is_networkxs_neighbourhood() {
    let t = built();
    let store = t.path().join("store");
    for (start, depth, dir) in [
        (cid(1), 1, "both"),
        (cid(1), 2, "both"),
        (cid(3), 3, "out"),
        (cid(3), 2, "in"),
        ("n.Root.root".to_string(), 0, "both"),
    ] {
        let d = depth.to_string();
        let o = ok(export(
            t.path(),
            &store,
            &[
                "--format",
                "jsonl",
                "--from",
                &start,
                "--depth",
                &d,
                "--direction",
                dir,
            ],
        ));
        let (nodes, edges) = jsonl(&out(&o));
        let want = parse(&py(&["bfs", store.to_str().unwrap(), &start, &d, dir]));
        let want: BTreeSet<String> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            ids(&nodes),
            want,
            "--from {start} --depth {depth} --direction {dir}"
        );
        for e in &edges {
            let (s, t) = ends(e);
            assert!(want.contains(&s) && want.contains(&t));
        }
    }
    // --limit cuts the walk, with a note.
    let o = ok(export(
        t.path(),
        &store,
        &[
            "--format",
            "jsonl",
            "--from",
            &cid(1),
            "--depth",
            "5",
            "--limit",
            "3",
        ],
    ));
    assert_eq!(jsonl(&out(&o)).0.len(), 3);
    assert!(
        err(&o).contains(&format!(
            "jvdb: --limit 3 cut the export: the walk from \"{}\" stopped at 3 nodes",
            cid(1)
        )),
        "{}",
        err(&o)
    );
    // An unknown start is not found (exit 3).
    let o = export(t.path(), &store, &["--from", "n.City.nope"]);
    assert_eq!(code(&o), 3, "{}", show(&o));
}

/// Records with every kind of awkward text, saved with `jvdb save` (no entity layer).
fn torture_store(dir: &Path) -> Vec<(String, String)> {
    let names: Vec<(&str, &str)> = vec![
        ("n.T.quote", "say \"hi\""),
        ("n.T.trailing", "ends with a backslash \\"),
        ("n.T.bsquote", "backslash-quote \\\" end"),
        ("n.T.xml", "<tag attr='v'>&amp; & </tag>"),
        ("n.T.lines", "one\ntwo\r\nthree\rfour"),
        ("n.T.ctl", "bell\u{7} nul\u{0} esc\u{1b} us\u{1f} del\u{7f}"),
        ("n.T.nonchar", "fffe\u{fffe} ffff\u{ffff}"),
        ("n.T.unicode", "Zürich 東京 😀 \u{2028} é"),
        ("n.T.escapes", "\\n \\l \\N \\G &#35; #quot; `x` [a] |b|"),
        // Mermaid identifier collisions and a reserved word.
        ("n.T.a b", "collides 1"),
        ("n.T.a_b", "collides 2"),
        ("n.T.a-b", "distinct"),
        ("end", "a reserved word"),
    ];
    let mut lines = String::new();
    for (id, name) in &names {
        let rec = common::rec(
            id,
            &[
                ("entity", common::s("T")),
                ("context", common::obj(&[("name", common::s(name))])),
            ],
        );
        lines.push_str(&jvdb::json::to_line(&rec));
        lines.push('\n');
    }
    let o = common::bin::run_stdin(jv(dir).args(["--db", "store", "save", "node"]), &lines);
    assert_eq!(code(&o), 0, "{}", show(&o));
    let mut edges = String::new();
    for (i, (a, b)) in [
        ("n.T.quote", "n.T.trailing"),
        ("n.T.a b", "n.T.a_b"),
        ("end", "n.T.ctl"),
    ]
    .iter()
    .enumerate()
    {
        let rec = common::rec(
            &format!("e.Weird<&\"{i}"),
            &[
                ("entity", common::s("We\"ird <&>")),
                ("source", common::s(a)),
                ("target", common::s(b)),
                ("bidirectional", Value::Bool(i == 1)),
                ("context", common::obj(&[])),
            ],
        );
        edges.push_str(&jvdb::json::to_line(&rec));
        edges.push('\n');
    }
    let o = common::bin::run_stdin(jv(dir).args(["--db", "store", "save", "edge"]), &edges);
    assert_eq!(code(&o), 0, "{}", show(&o));
    names
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// What an XML 1.0 document can hold of `s`: U+FFFD for the rest.
fn xml_form(s: &str) -> String {
    s.chars()
        .map(|c| {
            if jvdb::export::xml_char_ok(c) {
                c
            } else {
                '\u{FFFD}'
            }
        })
        .collect()
}

#[test]
fn escaping_torture() {
    let t = tempfile::tempdir().unwrap();
    let names = torture_store(t.path());
    let store = t.path().join("store");
    // dot: Graphviz parses it, renders it to SVG that is XML, and shows each label exactly.
    let dot = t.path().join("t.dot");
    let o = ok(export(t.path(), &store, &["-o", dot.to_str().unwrap()]));
    assert!(
        err(&o).contains("control character(s) replaced with U+FFFD"),
        "{}",
        err(&o)
    );
    let (gv_nodes, gv_edges) = graphviz_graph(&dot);
    assert_eq!(gv_nodes.len(), names.len());
    assert_eq!(gv_edges.len(), 3);
    for (id, _) in &names {
        assert!(gv_nodes.contains(id), "dot node {id:?}");
    }
    let svg = t.path().join("t.svg");
    ok(export(
        t.path(),
        &store,
        &["--render", "svg", "-o", svg.to_str().unwrap()],
    ));
    let s = parse(&py(&["svg", svg.to_str().unwrap()]));
    let texts: Vec<String> = s
        .get("texts")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for (_, name) in &names {
        // Graphviz draws each line of a label as one <text>.
        for line in xml_form(name).split(['\n', '\r']).filter(|l| !l.is_empty()) {
            assert!(
                texts.iter().any(|t| t == line),
                "label line {line:?} not drawn; texts: {texts:?}"
            );
        }
    }
    assert!(texts.iter().any(|t| t == "We\"ird <&>"), "{texts:?}");
    // GraphML and GEXF: networkx reads the text back (control characters as U+FFFD).
    for format in ["graphml", "gexf"] {
        let file = t.path().join(format!("t.{format}"));
        let o = ok(export(
            t.path(),
            &store,
            &["--format", format, "-o", file.to_str().unwrap()],
        ));
        assert!(
            err(&o).contains(&format!(
                "jvdb: {format}: 12 control character(s) replaced with U+FFFD (XML 1.0 cannot hold them)"
            )),
            "{}",
            err(&o)
        );
        let g = networkx(format, &file);
        assert_eq!(g.get("nodes"), Some(&Value::Int(names.len() as i64)));
        assert_eq!(g.get("edges"), Some(&Value::Int(3)));
        for (id, name) in &names {
            let want = xml_form(name);
            assert_eq!(
                nattr(&g, id, "context.name"),
                Some(&typed("str", Value::from(want.as_str()))),
                "{format} {id}"
            );
            assert_eq!(
                nattr(&g, id, "label"),
                Some(&typed("str", Value::from(want.as_str()))),
                "{format} {id}"
            );
        }
    }
    // Mermaid: one identifier per node (collisions resolved, no reserved word), labels
    // without a raw quote or line break.
    let o = ok(export(t.path(), &store, &["--format", "mermaid"]));
    let text = out(&o);
    let (idents, edges) = mermaid_graph(&text);
    assert_eq!(idents.len(), names.len());
    assert!(
        idents.contains("n_T_a_b") && idents.contains("n_T_a_b_2"),
        "{idents:?}"
    );
    assert!(
        idents.contains("n_T_a-b") && !idents.contains("end"),
        "{idents:?}"
    );
    assert_eq!(edges.len(), 3);
    assert!(edges.contains(&("n_T_a_b".into(), "<-->".into(), "n_T_a_b_2".into())));
    for line in text.lines().skip(1) {
        if let Some(i) = line.find("[\"") {
            let label = &line[i + 2..line.rfind("\"]").unwrap()];
            assert!(!label.contains('"') && !label.contains('<') || label.contains("<br/>"));
            assert!(!label.chars().any(|c| c.is_control()), "{label:?}");
        }
    }
    assert!(text.contains("[\"say &quot;hi&quot;\"]"), "{text}");
    assert!(
        text.contains("[\"one<br/>two<br/>three<br/>four\"]"),
        "{text}"
    );
    // jsonl: the records exactly as stored.
    let o = ok(export(t.path(), &store, &["--format", "jsonl"]));
    let (nodes, _) = jsonl(&out(&o));
    let got: BTreeMap<String, String> = nodes
        .iter()
        .map(|n| {
            (
                n.record_id().unwrap().to_string(),
                n.get("context")
                    .and_then(|c| c.get("name"))
                    .and_then(Value::as_str)
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(got, names.into_iter().collect::<BTreeMap<_, _>>());
}

#[test]
fn output_file_is_replaced_atomically_or_not_at_all() {
    let t = sample_in("store");
    let target = t.path().join("graph.dot");
    fs::write(&target, "old\n").unwrap();
    let o = ok(export(
        t.path(),
        &t.path().join("store"),
        &["-o", target.to_str().unwrap()],
    ));
    assert!(
        fs::read_to_string(&target)
            .unwrap()
            .starts_with("digraph jvspatial_graph {")
    );
    assert_eq!(out(&o), "");
    // A failure after the nodes were written (the edge collection cannot be read) leaves the
    // old file as it was and no temp file behind.
    fs::write(&target, "old\n").unwrap();
    let edge = t.path().join("store/edge");
    fs::rename(&edge, t.path().join("edges-away")).unwrap();
    fs::write(&edge, "not a directory").unwrap();
    let o = export(
        t.path(),
        &t.path().join("store"),
        &["-o", target.to_str().unwrap()],
    );
    assert_ne!(code(&o), 0, "{}", show(&o));
    assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
    assert_eq!(leftover_temp(t.path()), Vec::<PathBuf>::new());
}

/// The same export from every backend: the graph built by jvspatial, migrated from its JSON
/// store into SQLite, MongoDB (the project's test server) and PostgreSQL (a private cluster,
/// or `JVDB_TEST_POSTGRES_DSN`), gives the same nodes and edges, selections included.
#[test]
fn every_backend_exports_the_same_graph() {
    let t = built();
    let store = t.path().join("store");
    let mongo = common::mongo_server::TestServer::start(0);
    let schema = common::pg_server::fresh_schema();
    let targets = [
        format!("sqlite:{}", t.path().join("g.db").display()),
        mongo.uri("jvdb_export"),
        common::pg_server::spec_for(&schema),
    ];
    let picture = |db: &str, args: &[&str], name: &str| {
        let f = t.path().join(name);
        let mut c = jv(t.path());
        c.args(["--db", db, "export"]).args(args).arg("-o").arg(&f);
        ok(run(&mut c));
        graphviz_graph(&f)
    };
    let records = |db: &str, args: &[&str]| {
        let mut c = jv(t.path());
        c.args(["--db", db, "export", "--format", "jsonl"])
            .args(args);
        let (n, e) = jsonl(&out(&ok(run(&mut c))));
        let e: BTreeSet<(String, String, String)> = e
            .iter()
            .map(|e| {
                let (s, t) = ends(e);
                (e.record_id().unwrap().to_string(), s, t)
            })
            .collect();
        (ids(&n), e)
    };
    let json = store.to_str().unwrap();
    let sel = [
        "--entity",
        "City",
        "--query",
        r#"{"context.population": {"$gte": 3000}}"#,
    ];
    let want_dot = picture(json, &[], "json.dot");
    let want_all = records(json, &[]);
    let want_sel = records(json, &sel);
    assert_eq!(want_sel.0.len(), 7);
    let c1 = cid(1);
    let from = [
        "--from",
        c1.as_str(),
        "--depth",
        "2",
        "--query",
        r#"{"context.population": {"$ne": 2000}}"#,
    ];
    let want_from = records(json, &from);
    assert_eq!(want_from.0.len(), 5, "{want_from:?}");
    for target in &targets {
        let o = run(jv(t.path()).args(["migrate", "--from", json, "--to", target]));
        assert_eq!(code(&o), 0, "migrate to {target}: {}", show(&o));
        let name = target.split(':').next().unwrap();
        assert_eq!(
            picture(target, &[], &format!("{name}.dot")),
            want_dot,
            "{target}"
        );
        assert_eq!(records(target, &[]), want_all, "{target}");
        assert_eq!(records(target, &sel), want_sel, "{target}");
        assert_eq!(records(target, &from), want_from, "{target}");
        let o = ok(run(jv(t.path()).args([
            "--db", target, "export", "--format", "jsonl", "--limit", "4",
        ])));
        assert!(
            err(&o).contains("jvdb: --limit 4 cut the export: 4 of 14 nodes"),
            "{target}: {}",
            err(&o)
        );
        let f = t.path().join(format!("{name}.graphml"));
        ok(run(jv(t.path())
            .args(["--db", target, "export", "--format", "graphml", "-o"])
            .arg(&f)));
        let g = networkx("graphml", &f);
        assert_eq!(
            (g.get("nodes"), g.get("edges")),
            (Some(&Value::Int(14)), Some(&Value::Int(16))),
            "{target}"
        );
        assert_eq!(
            nattr(&g, &cid(1), "context.population"),
            Some(&typed("int", Value::Int(1000))),
            "{target}"
        );
    }
}

/// `--label FIELD` names the nodes (the id when the field is missing); a record that cannot be
/// read is named on stderr with exit 1, and the rest is exported.
#[test]
fn labels_and_unreadable_records() {
    let t = sample_in("store");
    let store = t.path().join("store");
    let dot = t.path().join("l.dot");
    ok(export(
        t.path(),
        &store,
        &["--label", "context.country", "-o", dot.to_str().unwrap()],
    ));
    let text = fs::read_to_string(&dot).unwrap();
    assert!(
        text.contains(r#"  "n.City.000000000000000000000006" [label="JP",shape=box];"#),
        "{text}"
    );
    assert!(
        text.contains(r#"  "n.Root.root" [label="n.Root.root","#),
        "{text}"
    );
    let o = ok(export(
        t.path(),
        &store,
        &["--label", "context.meta.geo.lat", "--format", "mermaid"],
    ));
    assert!(
        out(&o).contains(r#"n_City_000000000000000000000006["35.68"]"#),
        "{}",
        out(&o)
    );
    fs::write(store.join("node/n.City.broken.json"), "{ not json").unwrap();
    let o = export(t.path(), &store, &["--format", "jsonl"]);
    assert_eq!(code(&o), 1, "{}", show(&o));
    assert!(
        err(&o).contains("jvdb: unreadable record node/n.City.broken"),
        "{}",
        err(&o)
    );
    assert_eq!(jsonl(&out(&o)).0.len(), 19);
}
