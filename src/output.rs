//! Renderers for records on stdout: json, jsonl, table, csv, ids. Output is streamed (the
//! table format buffers, since a table needs its column widths; it is meant for a terminal).
//! A closed pipe (`| head`) surfaces as a broken-pipe error that the binary turns into exit 0.
//!
//! CSV never drops a field: its header is either the `--fields` asked for or the union of the
//! records' leaf paths ([`LeafPaths`]), decided before the first row is written (the caller
//! collects it, see `commands::find`). A record with a leaf path outside a header built that
//! way stops the output with exit 1 instead of losing the value.

use crate::cli::FormatArg;
use comfy_table::{ContentArrangement, Table, presets};
use jvdb::error::Error;
use jvdb::json;
use jvdb::value::Value;
use std::collections::HashSet;
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
/// A table column is never squeezed below this width (or its header, if longer).
const TABLE_MIN_COL: usize = 10;
/// Terminal width when it cannot be detected and `$COLUMNS` is unset.
const DEFAULT_WIDTH: usize = 100;

/// The width a table may use: `$COLUMNS` when set, else the terminal's, else 100.
pub fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    match Table::new().width() {
        Some(w) if w > 0 => w as usize,
        _ => DEFAULT_WIDTH,
    }
}

pub struct RecordWriter {
    format: FormatArg,
    out: BufWriter<Stdout>,
    count: u64,
    columns: Option<Vec<String>>,
    /// Columns came from `--fields` (or the caller): show them all, never add or drop.
    explicit: bool,
    /// CSV with a header made of leaf paths: the header as a set, and the collection for the
    /// message, to stop on a record with a path outside it.
    strict: Option<(String, HashSet<String>)>,
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
            explicit: columns.is_some(),
            columns,
            rows: Vec::new(),
            line: String::new(),
            strict: None,
        }
    }

    /// CSV whose header is the union of leaf paths (from [`LeafPaths`]): every later record
    /// is checked against it, and one with a path outside it is an error (exit 1).
    pub fn csv_with_leaf_header(collection: &str, paths: LeafPaths) -> RecordWriter {
        let cols = paths.into_header();
        let set: HashSet<String> = cols.iter().cloned().collect();
        let mut w = RecordWriter::new(FormatArg::Csv, Some(cols));
        w.strict = Some((collection.to_string(), set));
        w
    }

    /// Write records already in memory. For CSV without columns the header is the exact
    /// union of their leaf paths.
    pub fn write_all_buffered(&mut self, recs: &[Value], collection: &str) -> anyhow::Result<()> {
        if self.format == FormatArg::Csv && self.columns.is_none() {
            let mut paths = LeafPaths::new();
            for r in recs {
                paths.add(r).map_err(|p| unnamed_key(collection, r, &p))?;
            }
            *self = RecordWriter::csv_with_leaf_header(collection, paths);
        }
        for r in recs {
            self.write(r)?;
        }
        Ok(())
    }

    pub fn write(&mut self, rec: &Value) -> anyhow::Result<()> {
        self.count += 1;
        match self.format {
            FormatArg::Jsonl => {
                self.line.clear();
                self.line.push_str(&json::to_line(rec));
                self.line.push('\n');
                self.out.write_all(self.line.as_bytes())?;
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
            }
            FormatArg::Ids => {
                let id = match rec.get("id") {
                    Some(Value::Str(s)) => s.clone(),
                    // Not a usable id (see `Value::record_id`); as JSON, like other non-strings.
                    Some(v) => json::to_line(v),
                    None => String::new(),
                };
                self.out.write_all(id.as_bytes())?;
                self.out.write_all(b"\n")?;
            }
            FormatArg::Csv => {
                if self.columns.is_none() {
                    // Callers decide the header first; this is a safe fallback.
                    let mut p = LeafPaths::new();
                    p.add(rec).map_err(|k| unnamed_key("?", rec, &k))?;
                    let cols = p.into_header();
                    let set = cols.iter().cloned().collect();
                    self.columns = Some(cols);
                    self.strict = Some(("?".into(), set));
                }
                if let Some((coll, set)) = &self.strict {
                    match first_missing(rec, set) {
                        Ok(None) => {}
                        Ok(Some(path)) => {
                            self.out.flush()?;
                            return Err(Error::partial(format!(
                                "record {coll}/{} has field {path}, which is not in the CSV \
                                 header (the store changed while it was read); output stopped \
                                 there: run again",
                                id_text(rec)
                            ))
                            .into());
                        }
                        Err(k) => {
                            self.out.flush()?;
                            return Err(unnamed_key(coll, rec, &k));
                        }
                    }
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
                writeln!(self.out, "{}", row.join(","))?;
            }
            FormatArg::Table => {
                self.rows.push(rec.clone());
            }
        }
        Ok(())
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
            FormatArg::Csv if self.count == 0 => {
                // No records: the header alone, so a consumer still sees the columns (none
                // when they were to come from the records).
                if let Some(cols) = self.columns.as_ref().filter(|c| !c.is_empty()) {
                    let header: Vec<String> = cols.iter().map(|c| csv_field(c)).collect();
                    writeln!(self.out, "{}", header.join(","))?;
                }
            }
            FormatArg::Table => {
                if self.rows.is_empty() {
                    eprintln!("jvdb: (0 records)");
                } else {
                    let width = terminal_width();
                    let (cols, explicit) = match self.columns.take() {
                        Some(c) => (c, self.explicit),
                        None => (default_columns(&self.rows), false),
                    };
                    let (t, hidden) = render_table(&cols, &self.rows, width, explicit);
                    writeln!(self.out, "{t}")?;
                    // After the table, not above it: stdout is buffered.
                    self.out.flush()?;
                    if hidden > 0 {
                        eprintln!(
                            "jvdb: {hidden} more column(s) not shown: use --fields or --format jsonl"
                        );
                    }
                }
            }
            _ => {}
        }
        self.out.flush()
    }
}

/// Lay out a table in `width` terminal columns. Cells are cut with "…" to fit, headers are
/// never cut or wrapped. Unless `explicit`, only the leading columns that fit at a readable
/// width are shown; the second value is how many were left out.
fn render_table(cols: &[String], rows: &[Value], width: usize, explicit: bool) -> (Table, usize) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            cols.iter()
                .map(|c| table_cell(cell_text(lookup(r, c), CELL_MAX)))
                .collect()
        })
        .collect();
    let natural: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|row| width_of(&row[i]))
                .chain([width_of(c), 1])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let min: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| natural[i].min(TABLE_MIN_COL.max(width_of(c))))
        .collect();
    // Each column costs its width plus 3 ("│ x " / "┆ x "), plus 1 for the closing border.
    // The id keeps its full width; the others start at their minimum, and the leading ones
    // that fit are shown. Space left over widens them, left to right, up to their natural
    // width. Only when even that is too wide (explicit columns, a narrow terminal) are the
    // widest columns narrowed, down to their minimum.
    let mut widths: Vec<usize> = (0..cols.len())
        .map(|i| if i == 0 { natural[0] } else { min[i] })
        .collect();
    let mut shown = cols.len();
    if !explicit {
        let mut total = 1;
        shown = 0;
        for w in &widths {
            if shown > 0 && total + w + 3 > width {
                break;
            }
            total += w + 3;
            shown += 1;
        }
    }
    widths.truncate(shown);
    let mut total: usize = 1 + widths.iter().map(|w| w + 3).sum::<usize>();
    for i in 1..shown {
        let more = (natural[i] - widths[i]).min(width.saturating_sub(total));
        widths[i] += more;
        total += more;
    }
    while total > width {
        let pick = (0..shown)
            .filter(|&i| widths[i] > min[i])
            .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
        match pick {
            Some(i) => {
                widths[i] -= 1;
                total -= 1;
            }
            None => break,
        }
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(
            cols[..shown]
                .iter()
                .map(|c| table_cell(c.clone()))
                .collect::<Vec<_>>(),
        );
    for row in &cells {
        t.add_row(
            row[..shown]
                .iter()
                .zip(&widths)
                .map(|(c, w)| cut(c, *w))
                .collect::<Vec<_>>(),
        );
    }
    (t, cols.len() - shown)
}

/// A table cell on one line: line breaks and tabs become spaces, and other control
/// characters (a stored escape sequence would drive the terminal) become U+FFFD.
fn table_cell(s: String) -> String {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if c.is_control() => '\u{FFFD}',
                c => c,
            })
            .collect()
    } else {
        s
    }
}

/// Terminal columns taken by `s` (wide characters count two).
fn width_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `max` terminal columns, ending with "…" when cut.
fn cut(s: &str, max: usize) -> String {
    if width_of(s) <= max {
        return s.to_string();
    }
    let mut t = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        w += cw;
        t.push(c);
    }
    t.push('…');
    t
}

/// Table columns for records: `id`, `entity` (when some record has them), then
/// `context.<key>` for context fields, then the other top-level keys, in first-seen order.
fn default_columns(rows: &[Value]) -> Vec<String> {
    let mut cols: Vec<String> = ["id", "entity"]
        .into_iter()
        .filter(|k| rows.iter().any(|r| r.get(k).is_some()))
        .map(String::from)
        .collect();
    let mut seen: HashSet<String> = ["id", "entity"].into_iter().map(String::from).collect();
    let mut push = |c: String| {
        if seen.insert(c.clone()) {
            cols.push(c);
        }
    };
    let mut rest = Vec::new();
    for r in rows {
        if let Some(m) = r.as_object() {
            for (k, v) in m {
                if k == "context"
                    && let Value::Object(ctx) = v
                {
                    for ck in ctx.keys() {
                        push(format!("context.{ck}"));
                    }
                } else if k != "id" && k != "entity" {
                    rest.push(k.clone());
                }
            }
        }
    }
    for k in rest {
        push(k);
    }
    cols
}

/// The leaf paths of records in first-seen order, `id` and `entity` first: dot paths down to
/// values that are not objects (arrays are leaves, shown as JSON cells; an empty object has no
/// leaves). Only the paths are kept, never the records.
#[derive(Debug, Clone)]
pub struct LeafPaths {
    order: Vec<String>,
    seen: HashSet<String>,
}

impl Default for LeafPaths {
    fn default() -> Self {
        Self::new()
    }
}

impl LeafPaths {
    pub fn new() -> LeafPaths {
        LeafPaths {
            seen: HashSet::new(),
            order: Vec::new(),
        }
    }

    /// The columns: `id` and `entity` first (when some record has them), then first-seen.
    pub fn into_header(self) -> Vec<String> {
        let mut cols: Vec<String> = ["id", "entity"]
            .into_iter()
            .filter(|k| self.seen.contains(*k))
            .map(String::from)
            .collect();
        cols.extend(
            self.order
                .into_iter()
                .filter(|k| k != "id" && k != "entity"),
        );
        cols
    }

    /// Add the leaf paths of `rec`. Err(key) for a key that holds a '.', which a dot path
    /// cannot name.
    pub fn add(&mut self, rec: &Value) -> Result<(), String> {
        let mut path = String::new();
        walk_leaves(rec, &mut path, &mut |p| {
            if !self.seen.contains(p) {
                self.seen.insert(p.to_string());
                self.order.push(p.to_string());
            }
            true
        })
        .map(|_| ())
    }
}

/// Call `f` with each leaf path of `v` (stop early when it returns false; then Ok(false)).
fn walk_leaves(
    v: &Value,
    path: &mut String,
    f: &mut dyn FnMut(&str) -> bool,
) -> Result<bool, String> {
    let Value::Object(m) = v else {
        return Ok(true);
    };
    for (k, child) in m {
        if k.contains('.') {
            let mut p = path.clone();
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(k);
            return Err(p);
        }
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k);
        let go_on = match child {
            Value::Object(_) => walk_leaves(child, path, f)?,
            _ => f(path),
        };
        path.truncate(len);
        if !go_on {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The first leaf path of `rec` not in `set` (Err(key) as in [`LeafPaths::add`]).
fn first_missing(rec: &Value, set: &HashSet<String>) -> Result<Option<String>, String> {
    let mut found = None;
    let mut path = String::new();
    walk_leaves(rec, &mut path, &mut |p| {
        if set.contains(p) {
            true
        } else {
            found = Some(p.to_string());
            false
        }
    })?;
    Ok(found)
}

fn id_text(rec: &Value) -> String {
    match rec.get("id") {
        Some(Value::Str(s)) => s.clone(),
        Some(v) => json::to_line(v),
        None => "(no id)".into(),
    }
}

/// The error for a key that a CSV column cannot name.
pub fn unnamed_key(collection: &str, rec: &Value, path: &str) -> anyhow::Error {
    Error::partial(format!(
        "record {collection}/{} has field {path:?} whose key holds a '.', which a CSV column \
         cannot name: use --format jsonl",
        id_text(rec)
    ))
    .into()
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
    cut_owned(s, max)
}

fn cut_owned(s: String, max: usize) -> String {
    if max != usize::MAX && width_of(&s) > max {
        cut(&s, max)
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

/// An integer with thousands separators: `1951` → `1,951`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut s = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(ch);
    }
    s
}

/// A rate for people: a whole number of records per second with separators (`1,951/s`).
pub fn rate_text(per_sec: f64) -> String {
    let n = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec.round().min(u64::MAX as f64) as u64
    } else {
        0
    };
    format!("{}/s", thousands(n))
}

/// A progress bar on stderr (callers decide whether to show one at all): totals with
/// thousands separators, an integer rate and the ETA.
pub fn new_bar(len: Option<u64>, what: &str) -> indicatif::ProgressBar {
    let pb = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = match len {
        Some(_) => "{msg:>14} [{bar:30}] {human_pos}/{human_len} {rate} eta {eta}",
        None => "{msg:>14} {spinner} {human_pos} {rate}",
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        let style = style.with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&rate_text(s.per_sec()));
            },
        );
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        json::parse_str(s).unwrap()
    }

    #[test]
    fn thousands_and_rates() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1951), "1,951");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(rate_text(1950.6), "1,951/s");
        assert_eq!(rate_text(0.4), "0/s");
        assert_eq!(rate_text(f64::NAN), "0/s");
        assert_eq!(rate_text(f64::INFINITY), "0/s");
        assert_eq!(rate_text(-3.0), "0/s");
        assert_eq!(rate_text(12345678.9), "12,345,679/s");
    }

    #[test]
    fn leaf_paths_in_first_seen_order() {
        let mut p = LeafPaths::new();
        p.add(&v(r#"{"id":"r","entity":"Root","context":{}}"#))
            .unwrap();
        p.add(&v(
            r#"{"context":{"a":1,"m":{"x":[1,2],"y":{}}},"entity":"C","id":"c","source":"s"}"#,
        ))
        .unwrap();
        p.add(&v(r#"{"id":"d","context":{"b":null,"a":2}}"#))
            .unwrap();
        p.add(&v(r#"{"n":1}"#)).unwrap();
        assert_eq!(
            p.clone().into_header(),
            [
                "id",
                "entity",
                "context.a",
                "context.m.x",
                "source",
                "context.b",
                "n"
            ]
        );
        assert!(p.add(&v(r#"{"id":"e","context":{"a.b":1}}"#)).is_err());
        // No entity anywhere: no entity column; id still first.
        let mut q = LeafPaths::new();
        q.add(&v(r#"{"x":1,"id":"q"}"#)).unwrap();
        assert_eq!(q.into_header(), ["id", "x"]);
        assert!(LeafPaths::new().into_header().is_empty());
    }

    #[test]
    fn strict_csv_stops_on_a_new_path() {
        let mut p = LeafPaths::new();
        p.add(&v(r#"{"id":"a","context":{"x":1}}"#)).unwrap();
        let mut w = RecordWriter::csv_with_leaf_header("node", p);
        w.write(&v(r#"{"id":"a","context":{"x":1}}"#)).unwrap();
        let e = w
            .write(&v(r#"{"id":"b","context":{"x":1,"y":2}}"#))
            .unwrap_err();
        assert_eq!(crate::commands::exit_code(&e), 1);
        assert!(e.to_string().contains("node/b has field context.y"), "{e}");
    }

    #[test]
    fn cells_are_cut_by_display_width_and_lose_control_characters() {
        assert_eq!(cut("東京都庁", 5), "東京…");
        assert_eq!(cut("東京都庁", 8), "東京都庁");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(table_cell("a\x1b[31mb\nc".into()), "a\u{FFFD}[31mb c");
    }

    #[test]
    fn table_fits_width_and_counts_hidden_columns() {
        let rows: Vec<Value> = (0..3)
            .map(|i| {
                v(&format!(
                    r#"{{"id":"n.City.00000000000000000000000{i}","entity":"City","context":{{"name":"A long city name number {i}","country":"BR","population":12325232,"area_km2":1521.11,"tags":["a","b"],"meta":{{"geo":{{"lat":1}}}}}}}}"#
                ))
            })
            .collect();
        let cols = default_columns(&rows);
        assert_eq!(cols.len(), 8);
        let (t, hidden) = render_table(&cols, &rows, 100, false);
        let text = t.to_string();
        for line in text.lines() {
            assert!(line.chars().count() <= 100, "{line}");
        }
        assert!(hidden > 0 && hidden < 6, "{hidden}");
        assert!(text.contains("context.name"), "{text}");
        // Explicit columns are all kept.
        let (_, hidden) = render_table(&cols, &rows, 100, true);
        assert_eq!(hidden, 0);
    }
}
