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
                eprint!("{}", jvdb::store::redact(&e.render().to_string()));
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
    // Do not wait for blocking readers that a broken pipe or an early exit left behind.
    runtime.shutdown_background();
    ExitCode::from(code as u8)
}
