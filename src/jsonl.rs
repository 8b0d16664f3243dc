//! The record reader of `jvdb save`: one JSON object, a JSON array of records, or JSONL (one
//! value per line), read from any `BufRead`. Pure (no store); the binary's `save` command and
//! the fuzz target `jsonl_save` use it.
use crate::error::Error;
use crate::json;
use crate::value::Value;
use anyhow::Context;
use std::io::{BufRead, Read};

/// Where a record came from, for messages: `line 7` or `item 3`.
#[derive(Clone, Debug)]
pub struct Origin(pub String);

/// Reads records from input: a JSON array, one JSON value, or JSONL (one value per line).
pub struct RecordReader {
    input: Box<dyn BufRead>,
    state: ReaderState,
    line_no: usize,
}

enum ReaderState {
    Start,
    Lines,
    Items(std::vec::IntoIter<Value>, usize),
    Done,
}

/// One record read: origin, the value or why it is not one, the raw text.
pub type Next = Option<(Origin, Result<Value, Error>, String)>;

impl RecordReader {
    pub fn new(input: Box<dyn BufRead>) -> Self {
        RecordReader {
            input,
            state: ReaderState::Start,
            line_no: 0,
        }
    }

    fn read_line(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        let n = self
            .input
            .read_until(b'\n', &mut buf)
            .context("reading input")?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        Ok(Some(buf))
    }

    /// The next record with where it came from and its raw text (for `--errors`); `None` at
    /// the end. A record that is not JSON is an `Err` in the tuple; an input that cannot be
    /// read, or a multi-line document that is not JSON, ends the read with an error.
    pub fn next_record(&mut self) -> anyhow::Result<Next> {
        loop {
            match &mut self.state {
                ReaderState::Done => return Ok(None),
                ReaderState::Items(it, idx) => {
                    return Ok(match it.next() {
                        Some(v) => {
                            *idx += 1;
                            let raw = json::to_line(&v);
                            Some((Origin(format!("item {}", *idx)), Ok(v), raw))
                        }
                        None => {
                            self.state = ReaderState::Done;
                            None
                        }
                    });
                }
                ReaderState::Lines => {
                    let Some(line) = self.read_line()? else {
                        self.state = ReaderState::Done;
                        return Ok(None);
                    };
                    if line.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    let origin = Origin(format!("line {}", self.line_no));
                    let raw = String::from_utf8_lossy(&line).trim_end().to_string();
                    let parsed = json::parse_bytes(&line).map_err(json_line_error);
                    return Ok(Some((origin, parsed, raw)));
                }
                ReaderState::Start => {
                    // Find the first non-blank line to decide the shape of the input.
                    let mut first = loop {
                        match self.read_line()? {
                            None => {
                                self.state = ReaderState::Done;
                                return Ok(None);
                            }
                            Some(l) if l.iter().all(|b| b.is_ascii_whitespace()) => continue,
                            Some(l) => break l,
                        }
                    };
                    let first_line_no = self.line_no;
                    let trimmed: Vec<u8> = first
                        .iter()
                        .skip_while(|b| {
                            b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF
                        })
                        .copied()
                        .collect();
                    let text_end: Vec<u8> = trimmed
                        .iter()
                        .rev()
                        .skip_while(|b| b.is_ascii_whitespace())
                        .copied()
                        .collect();
                    let one_line_object =
                        trimmed.first() == Some(&b'{') && text_end.first() == Some(&b'}');
                    if trimmed.first() != Some(&b'[')
                        && (one_line_object || json::parse_bytes(&first).is_ok())
                    {
                        // A complete value on the first line: JSONL (or a one-line object).
                        let origin = Origin(format!("line {first_line_no}"));
                        let raw = String::from_utf8_lossy(&first).trim_end().to_string();
                        let parsed = json::parse_bytes(&first).map_err(json_line_error);
                        self.state = ReaderState::Lines;
                        return Ok(Some((origin, parsed, raw)));
                    }
                    // One JSON document over several lines: an array or one object.
                    self.input
                        .read_to_end(&mut first)
                        .context("reading input")?;
                    match json::parse_bytes(&first) {
                        Ok(Value::Array(items)) => {
                            self.state = ReaderState::Items(items.into_iter(), 0);
                        }
                        Ok(v) => {
                            self.state = ReaderState::Done;
                            let raw = json::to_line(&v);
                            return Ok(Some((Origin("input".into()), Ok(v), raw)));
                        }
                        Err(e) => {
                            return Err(Error::invalid(format!(
                                "invalid JSON input (expected an object, an array or JSONL): {e}"
                            ))
                            .into());
                        }
                    }
                }
            }
        }
    }
}

/// A JSONL line that is not JSON: the line is named by the caller, so only the column is told.
fn json_line_error(e: json::ParseError) -> Error {
    Error::invalid(format!(
        "invalid JSON: {} at column {}",
        e.message, e.column
    ))
}
