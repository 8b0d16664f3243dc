//! The `jvdb` binary: parse arguments, run one command, map the outcome to an exit code.

mod cli;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let code = if e.use_stderr() {
                jvdb::error::exit::USAGE
            } else {
                0
            };
            if e.use_stderr() {
                // The parser echoes offending values, which may be a URI with a password.
                let text = e.render().to_string();
                if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    // `jvdb` alone: the help, on stderr since nothing was done (exit 2).
                    eprint!("{text}");
                } else {
                    eprint!("{}", jvdb::store::redact(&usage_error(&text)));
                }
            } else {
                let _ = e.print();
            }
            return ExitCode::from(code as u8);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("jvdb: cannot start the async runtime: {e}");
            return ExitCode::from(jvdb::error::exit::UNAVAILABLE as u8);
        }
    };
    let code = runtime.block_on(commands::run(cli));
    // The command is done and its outcome decided. Tearing the runtime down drops the database
    // drivers' background tasks mid-wait, and the MongoDB driver's connection requester then
    // panics on its closed channel (mongodb 3.9 `cmap/connection_requester.rs`), printing a
    // panic message after a successful command. Nothing of jvdb runs past this point.
    std::panic::set_hook(Box::new(|_| {}));
    // Do not wait for blocking readers that a broken pipe or an early exit left behind.
    runtime.shutdown_background();
    ExitCode::from(code as u8)
}

/// clap's usage error in jvdb's shape: `jvdb: <what was wrong> (tip: …)` on one line, then the
/// usage line of the command and where its help is.
fn usage_error(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let mut what: Vec<String> = Vec::new();
    for l in lines.by_ref() {
        if l.trim().is_empty() {
            break;
        }
        what.push(l.trim().trim_start_matches("error:").trim().to_string());
    }
    let mut tips = Vec::new();
    let mut usage = None;
    for l in lines {
        let t = l.trim();
        if let Some(tip) = t.strip_prefix("tip:") {
            tips.push(tip.trim().to_string());
        } else if let Some(u) = t.strip_prefix("Usage:") {
            usage = Some(u.trim().to_string());
        }
    }
    let mut out = format!("jvdb: {}", what.join(" "));
    if !tips.is_empty() {
        out.push_str(&format!(" (tip: {})", tips.join("; ")));
    }
    out.push('\n');
    if let Some(u) = usage {
        // The command path is the words before the first placeholder or option.
        let cmd: Vec<&str> = u
            .split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<', '-']))
            .collect();
        out.push_str(&format!("usage: {u}; see '{} --help'\n", cmd.join(" ")));
    }
    out
}
