//! Renderers for records on stdout: json, jsonl, table, csv, ids. Output is streamed (the
//! table format buffers, since a table needs its column widths; it is meant for a terminal).
//! A closed pipe (`| head`) surfaces as a broken-pipe error that the binary turns into exit 0.

use crate::cli::FormatArg;
use comfy_table::{ContentArrangement, Table, presets};
use jvdb::json;
use jvdb::value::Value;
use std::io::{self, BufWriter, Stdout, Write};

/// True when the error is a closed stdout (the reader went away): end quietly.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Buffered stdout.
pub fn stdout() -> BufWriter<Stdout> {
    BufWriter::with_capacity(64 * 1024, io::stdout())
}

/// Table cells longer than this are cut with "…".
const CELL_MAX: usize = 48;

pub struct RecordWriter {
    format: FormatArg,
    out: BufWriter<Stdout>,
    count: u64,
    columns: Option<Vec<String>>,
    rows: Vec<Value>,
    line: String,
}

impl RecordWriter {
    /// `columns`: the fields for table/csv (from `--fields`); otherwise taken from the records.
    pub fn new(format: FormatArg, columns: Option<Vec<String>>) -> RecordWriter {
        RecordWriter {
            format,
            out: stdout(),
            count: 0,
            columns,
            rows: Vec::new(),
            line: String::new(),
        }
    }

    pub fn write(&mut self, rec: &Value) -> io::Result<()> {
        self.count += 1;
        match self.format {
            FormatArg::Jsonl => {
                self.line.clear();
                self.line.push_str(&json::to_line(rec));
                self.line.push('\n');
                self.out.write_all(self.line.as_bytes())
            }
            FormatArg::Json => {
                let sep = if self.count == 1 { "[\n" } else { ",\n" };
                self.out.write_all(sep.as_bytes())?;
                let pretty = json::to_pretty(rec);
                for (i, l) in pretty.split('\n').enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\n")?;
                    }
                    self.out.write_all(b"  ")?;
                    self.out.write_all(l.as_bytes())?;
                }
                Ok(())
            }
            FormatArg::Ids => {
                let id = match rec.get("id") {
                    Some(Value::Str(s)) => s.clone(),
                    // Not a usable id (see `Value::record_id`); as JSON, like other non-strings.
                    Some(v) => json::to_line(v),
                    None => String::new(),
                };
                self.out.write_all(id.as_bytes())?;
                self.out.write_all(b"\n")
            }
            FormatArg::Csv => {
                if self.columns.is_none() {
                    self.columns = Some(default_columns(std::slice::from_ref(rec)));
                }
                let cols = self.columns.as_deref().unwrap_or(&[]);
                if self.count == 1 {
                    let header: Vec<String> = cols.iter().map(|c| csv_field(c)).collect();
                    writeln!(self.out, "{}", header.join(","))?;
                }
                let row: Vec<String> = cols
                    .iter()
                    .map(|c| csv_field(&cell_text(lookup(rec, c), usize::MAX)))
                    .collect();
                writeln!(self.out, "{}", row.join(","))
            }
            FormatArg::Table => {
                self.rows.push(rec.clone());
                Ok(())
            }
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn finish(mut self) -> io::Result<()> {
        match self.format {
            FormatArg::Json => {
                if self.count == 0 {
                    self.out.write_all(b"[]\n")?;
                } else {
                    self.out.write_all(b"\n]\n")?;
                }
            }
            FormatArg::Table => {
                let cols = match self.columns.take() {
                    Some(c) => c,
                    None => default_columns(&self.rows),
                };
                let mut t = Table::new();
                t.load_style(presets::UTF8_FULL_CONDENSED)
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_header(cols.clone());
                for r in &self.rows {
                    t.add_row(
                        cols.iter()
                            .map(|c| cell_text(lookup(r, c), CELL_MAX))
                            .collect::<Vec<_>>(),
                    );
                }
                if !self.rows.is_empty() {
                    writeln!(self.out, "{t}")?;
                }
            }
            _ => {}
        }
        self.out.flush()
    }
}

/// Columns for records: `id`, `entity`, then `context.<key>` for context fields, then the
/// other top-level keys, in first-seen order over the first 100 records.
fn default_columns(rows: &[Value]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let mut push = |c: String| {
        if !cols.contains(&c) {
            cols.push(c);
        }
    };
    for r in rows.iter().take(100) {
        if let Some(m) = r.as_object() {
            for (k, v) in m {
                if k == "context"
                    && let Value::Object(ctx) = v
                {
                    for ck in ctx.keys() {
                        push(format!("context.{ck}"));
                    }
                } else {
                    push(k.clone());
                }
            }
        }
    }
    cols
}

/// Follow a dot path through objects (and array indexes).
pub fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn cell_text(v: Option<&Value>, max: usize) -> String {
    let s = match v {
        None => String::new(),
        Some(Value::Str(s)) => s.clone(),
        // A lone surrogate cannot be printed: U+FFFD stands for it.
        Some(Value::WStr(b)) => jvdb::wtf8::to_string_lossy(b),
        Some(other) => json::to_line(other),
    };
    if s.chars().count() > max {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        s
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Resolve the output format: the flag, else table on a TTY, else `piped`.
pub fn choose(flag: Option<FormatArg>, stdout_tty: bool, piped: FormatArg) -> FormatArg {
    flag.unwrap_or(if stdout_tty { FormatArg::Table } else { piped })
}

/// A progress bar on stderr (callers decide whether to show one at all).
pub fn new_bar(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    let pb = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = match len {
        Some(_) => "{msg:>14} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
        None => "{msg:>14} {spinner} {pos} {per_sec}",
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}
