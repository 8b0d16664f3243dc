//! `jvdb export`: the graph, or a part of it, as dot, Mermaid, GraphML, GEXF or JSON lines
//! (core in `jvdb::export`), to stdout, to a file (`-o`, written atomically), or through
//! Graphviz's `dot` into a picture (`--render svg|png -o FILE`).
use super::count::report_unreadable;
use super::{Ctx, build_filter, parse_json_arg, query_text};
use crate::cli::{DirectionArg, ExportArgs, ExportFormat, RenderFormat};
use jvdb::error::{Error, exit};
use jvdb::export::{self, Cut, ExportSpec, Format, FromSpec, Report};
use jvdb::query::Filter;
use jvdb::value::Value;
use jvdb::walk::Direction;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;

pub async fn run(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<i32> {
    let format = match (args.format, args.render) {
        (None | Some(ExportFormat::Dot), _) => Format::Dot,
        (Some(f), Some(_)) => {
            return Err(Error::invalid(format!(
                "--render runs Graphviz on the dot export; it does not take --format {}",
                to_format(f).name()
            ))
            .into());
        }
        (Some(f), None) => to_format(f),
    };
    if args.label.is_empty() {
        return Err(
            Error::invalid("--label: give a field (a dot path such as context.name)").into(),
        );
    }
    if args.limit == Some(0) {
        return Err(Error::invalid("--limit 0 would export nothing; give at least 1").into());
    }
    super::check_collection(&args.colls.node_collection)?;
    super::check_collection(&args.colls.edge_collection)?;
    let filter = node_filter(ctx, args.query.query.as_deref(), &args.entity)?;
    // Graphviz first: a missing `dot` is said before the store is read.
    let mut sink = match (&args.render, &args.output) {
        (Some(r), Some(path)) => Sink::render(*r, path)?,
        (None, Some(path)) => Sink::file(path)?,
        _ => Sink::Stdout(crate::output::stdout()),
    };
    let store = ctx.open(false).await?;
    super::warn_missing_collections(
        ctx,
        store.as_ref(),
        &[&args.colls.node_collection, &args.colls.edge_collection],
    )
    .await;
    let spec = ExportSpec {
        node_coll: args.colls.node_collection.clone(),
        edge_coll: args.colls.edge_collection.clone(),
        format,
        filter: Arc::new(filter),
        from: args.from.as_ref().map(|id| FromSpec {
            id: id.clone(),
            depth: args.depth.unwrap_or(1),
            direction: match args.direction {
                DirectionArg::In => Direction::In,
                DirectionArg::Out => Direction::Out,
                DirectionArg::Both => Direction::Both,
            },
        }),
        limit: args.limit,
        label: args.label.clone(),
        for_picture: args.render.is_some(),
    };
    let result = export::export(store.as_ref(), &spec, &mut sink).await;
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            // A closed stdout (`| head`) ends quietly, as every command does.
            if let Sink::Stdout(_) = sink
                && sink_broken(&e)
            {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe).into());
            }
            return Err(sink.fail(e).into());
        }
    };
    let what = sink.finish()?;
    notes(ctx, &args, &spec, &report, what.as_deref());
    let mut code = exit::OK;
    for coll in [&spec.node_coll, &spec.edge_coll] {
        let bad: Vec<(String, String)> = report
            .unreadable
            .iter()
            .filter(|(c, _, _)| c == coll)
            .map(|(_, id, why)| (id.clone(), why.clone()))
            .collect();
        if report_unreadable(coll, &bad) != exit::OK {
            code = exit::PARTIAL;
        }
    }
    Ok(code)
}

fn to_format(f: ExportFormat) -> Format {
    match f {
        ExportFormat::Dot => Format::Dot,
        ExportFormat::Mermaid => Format::Mermaid,
        ExportFormat::Graphml => Format::Graphml,
        ExportFormat::Gexf => Format::Gexf,
        ExportFormat::Jsonl => Format::Jsonl,
    }
}

fn sink_broken(e: &Error) -> bool {
    e.message.contains("Broken pipe")
}

/// `--query` and `--entity` as one node filter: the same builder as `find`/`count` (one
/// entity), or `{"$and": [{"entity": {"$in": […]}}, query]}` for several.
fn node_filter(ctx: &Ctx, query: Option<&str>, entities: &[String]) -> Result<Filter, Error> {
    let entities: Vec<&String> = entities.iter().filter(|e| !e.is_empty()).collect();
    if entities.len() <= 1 {
        return build_filter(ctx, query, entities.first().map(|e| e.as_str()));
    }
    // Check the query as build_filter does (its errors), then combine.
    build_filter(ctx, query, None)?;
    let q = match query {
        Some(text) => parse_json_arg("--query", &query_text(text)?)?,
        None => Value::Object(Default::default()),
    };
    let mut inn = jvdb::Map::new();
    inn.insert(
        "$in".into(),
        Value::Array(entities.iter().map(|e| Value::Str((*e).clone())).collect()),
    );
    let mut ent = jvdb::Map::new();
    ent.insert("entity".into(), Value::Object(inn));
    let mut and = jvdb::Map::new();
    and.insert("$and".into(), Value::Array(vec![Value::Object(ent), q]));
    Ok(Filter::compile(&Value::Object(and), ctx.dialect())?)
}

/// What the export says on stderr besides errors.
fn notes(ctx: &Ctx, args: &ExportArgs, spec: &ExportSpec, r: &Report, wrote: Option<&str>) {
    let fmt = spec.format.name();
    if let Some(cut) = &r.cut {
        let limit = args.limit.unwrap_or(0);
        match cut {
            Cut::Of(total) => ctx.note(format!(
                "jvdb: --limit {limit} cut the export: {} of {} nodes{}; the edges are those between them",
                r.nodes,
                total,
                if spec.filter.is_empty() {
                    String::new()
                } else {
                    " that match".to_string()
                }
            )),
            Cut::Walk => ctx.note(format!(
                "jvdb: --limit {limit} cut the export: the walk from {:?} stopped at {} nodes; the edges are those between them",
                args.from.as_deref().unwrap_or(""),
                r.nodes
            )),
        }
    }
    if r.left_out > 0 {
        if r.whole_graph {
            ctx.note(format!(
                "jvdb: {} dangling edge(s) left out (an end is not a node; `jvdb check` lists them)",
                r.left_out
            ));
        } else {
            ctx.note(format!(
                "jvdb: {} edge(s) left out: one end is in the export, the other outside the selection (or dangling)",
                r.left_out
            ));
        }
    }
    for w in &r.widened {
        ctx.note(format!(
            "jvdb: {fmt}: {} attribute {:?} widened to {} (its values are {})",
            w.class,
            w.path,
            w.to,
            w.seen.join(", ")
        ));
    }
    if r.replaced_chars > 0 {
        let why = match spec.format {
            Format::Graphml | Format::Gexf => "XML 1.0 cannot hold them",
            Format::Dot => "Graphviz would copy them into SVG, which cannot hold them",
            _ => "Mermaid labels cannot show them",
        };
        ctx.note(format!(
            "jvdb: {fmt}: {} control character(s) replaced with U+FFFD ({why})",
            r.replaced_chars
        ));
    }
    if r.without_id > 0 {
        ctx.note(format!(
            "jvdb: {} record(s) left out: their id is not a string (or holds a lone surrogate)",
            r.without_id
        ));
    }
    if ctx.global.verbose {
        eprintln!(
            "jvdb: exported {} node(s) and {} edge(s) as {}{}",
            r.nodes,
            r.edges,
            match args.render {
                Some(RenderFormat::Svg) => "svg",
                Some(RenderFormat::Png) => "png",
                None => fmt,
            },
            wrote.map(|p| format!(" to {p}")).unwrap_or_default()
        );
    }
}

/// Removes a temp file unless it was renamed into place.
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Where the export goes.
enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File {
        w: BufWriter<File>,
        tmp: TempFile,
        target: PathBuf,
    },
    Render {
        w: Option<BufWriter<ChildStdin>>,
        child: Child,
        stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
        tmp: TempFile,
        target: PathBuf,
        what: &'static str,
    },
}

/// A temp file next to `target` (same directory, so the rename is atomic).
fn temp_for(target: &Path) -> Result<(File, TempFile), Error> {
    if target.is_dir() {
        return Err(Error::invalid(format!(
            "-o {}: is a directory; name a file",
            target.display()
        )));
    }
    let tmp = jvdb::store::json::atomic::temp_path(target);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| Error::io(format!("-o {}", target.display()), &e))?;
    Ok((f, TempFile(Some(tmp))))
}

fn publish(tmp: &mut TempFile, target: &Path) -> Result<(), Error> {
    let p = tmp.0.take().expect("temp file");
    if let Err(e) = std::fs::rename(&p, target) {
        let _ = std::fs::remove_file(&p);
        return Err(Error::io(format!("-o {}", target.display()), &e));
    }
    if let Some(dir) = target.parent() {
        jvdb::store::json::atomic::fsync_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        });
    }
    Ok(())
}

impl Sink {
    fn file(target: &Path) -> Result<Sink, Error> {
        let (f, tmp) = temp_for(target)?;
        Ok(Sink::File {
            w: BufWriter::with_capacity(64 * 1024, f),
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// Start `dot -Tsvg|png` writing into a temp file next to `target`.
    fn render(r: RenderFormat, target: &Path) -> Result<Sink, Error> {
        let what = match r {
            RenderFormat::Svg => "svg",
            RenderFormat::Png => "png",
        };
        let (f, tmp) = temp_for(target)?;
        let spawned = Command::new("dot")
            .arg(format!("-T{what}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::from(f))
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::unavailable(format!(
                    "--render {what} needs Graphviz's `dot`, which is not installed (not on PATH): install the package graphviz (Debian/Ubuntu: apt-get install graphviz), or export --format dot and render it elsewhere"
                )));
            }
            Err(e) => {
                return Err(Error::unavailable(format!(
                    "--render {what}: cannot run Graphviz's `dot`: {}",
                    jvdb::error::io_reason(&e)
                )));
            }
        };
        // Read dot's messages on a thread, so that a chatty dot never blocks on a full pipe.
        let mut err = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = err.read_to_end(&mut b);
            b
        });
        let w = BufWriter::with_capacity(64 * 1024, child.stdin.take().expect("piped stdin"));
        Ok(Sink::Render {
            w: Some(w),
            child,
            stderr: Some(stderr),
            tmp,
            target: target.to_path_buf(),
            what,
        })
    }

    /// Flush, and publish the file (or the picture): the target path when there is one.
    fn finish(self) -> Result<Option<String>, anyhow::Error> {
        match self {
            Sink::Stdout(mut w) => {
                w.flush()?;
                Ok(None)
            }
            Sink::File { w, mut tmp, target } => {
                let f = w
                    .into_inner()
                    .map_err(|e| Error::io(format!("-o {}", target.display()), e.error()))?;
                f.sync_all()
                    .map_err(|e| Error::io(format!("-o {}", target.display()), &e))?;
                drop(f);
                publish(&mut tmp, &target)?;
                Ok(Some(target.display().to_string()))
            }
            Sink::Render {
                mut w,
                mut child,
                mut stderr,
                mut tmp,
                target,
                what,
            } => {
                let flushed = w.take().map(|mut w| w.flush()).transpose();
                let status = child.wait();
                let msg = stderr
                    .take()
                    .and_then(|h| h.join().ok())
                    .unwrap_or_default();
                let msg = first_line(&msg);
                match status {
                    Ok(s) if s.success() && flushed.is_ok() => {
                        if let Some(p) = tmp.0.as_ref()
                            && let Ok(f) = File::open(p)
                        {
                            let _ = f.sync_all();
                        }
                        publish(&mut tmp, &target)?;
                        Ok(Some(target.display().to_string()))
                    }
                    Ok(s) => Err(Error::unavailable(format!(
                        "--render {what}: Graphviz's dot failed ({s}){}",
                        if msg.is_empty() {
                            String::new()
                        } else {
                            format!(": {msg}")
                        }
                    ))
                    .into()),
                    Err(e) => Err(Error::io("--render: waiting for Graphviz's dot", &e).into()),
                }
            }
        }
    }

    /// The export failed: clean up (the temp file goes; dot is stopped) and give the error.
    fn fail(self, e: Error) -> Error {
        if let Sink::Render {
            w,
            mut child,
            stderr,
            what,
            ..
        } = self
        {
            // dot ended early (our writes met a closed pipe): its own message says why.
            let exited = matches!(child.try_wait(), Ok(Some(_)));
            drop(w);
            let _ = child.kill();
            let _ = child.wait();
            let msg = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
            let msg = first_line(&msg);
            if exited && !msg.is_empty() {
                return Error::unavailable(format!(
                    "--render {what}: Graphviz's dot failed: {msg}"
                ));
            }
        }
        e
    }
}

fn first_line(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File { w, .. } => w.write(buf),
            Sink::Render { w, .. } => match w {
                Some(w) => w.write(buf),
                None => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
            },
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File { w, .. } => w.flush(),
            Sink::Render { w, .. } => w.as_mut().map_or(Ok(()), |w| w.flush()),
        }
    }
}
