//! Regression tests for the crashes the cargo-fuzz targets found (fuzz/, `tests/fuzz/run.sh`):
//! each feeds the crashing input through the same code path and asserts the right behaviour.

mod reliability_common;

use jvdb::ErrorKind;
use reliability_common::*;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// Run `jvdb ARGS` in a temp dir, killed after 30 s (a hang fails the test).
fn run_bounded(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = jv(dir.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jvdb");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("jvdb {args:?} still running after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Fuzz target `spec`: a '%' followed by a multi-byte character in the userinfo of a MongoDB
/// URI made the driver's URI parser (mongodb 3.9.1) panic by slicing inside the character:
/// `jvdb --db 'mongodb://u:%€pw5ecret@h/x' count node` exited 101 and printed the rest of the
/// password in the panic message. It is now the driver's own error for a bad '%' escape (exit
/// 2), with the password redacted; no connection is tried.
#[test]
fn fuzz_spec_mongo_uri_percent_before_multibyte_char() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cases = [
        ("mongodb://u:%€pw5ecret@h/x", "password"),
        ("mongodb://u:ok%41%€pw5ecret@h1:1,h2:2/x?w=1", "password"),
        ("mongodb://u%€name:pw5ecret@h/x", "username"),
        ("mongodb://u%€name@h/x", "username"),
        // checked before any DNS lookup
        ("mongodb+srv://u:%€pw5ecret@cluster.invalid/x", "password"),
    ];
    for (uri, what) in cases {
        let e = rt
            .block_on(jvdb::store::mongo::client_options(uri))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{uri}");
        assert!(
            e.message
                .ends_with(&format!("{what} cannot contain unescaped %")),
            "{uri}: {}",
            e.message
        );
        assert!(!e.message.contains("5ecret"), "{}", e.message);
        let o = run_bounded(&["--db", uri, "count", "node"]);
        assert_no_panic(&o, uri);
        assert_eq!(o.status.code(), Some(2), "{uri}: {}", text(&o.stderr));
        let lines = error_lines(&o);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("cannot contain unescaped %"), "{lines:?}");
        assert!(!text(&o.stderr).contains("5ecret"), "{}", text(&o.stderr));
    }
    // The same text as the driver's own error for an ASCII character after the '%'.
    let e = rt
        .block_on(jvdb::store::mongo::client_options("mongodb://u:%zzpw@h/x"))
        .unwrap_err();
    assert!(
        e.message.ends_with("password cannot contain unescaped %"),
        "{}",
        e.message
    );
    // A valid escape (and a multi-byte character outside an escape) still parses.
    let ok = rt.block_on(jvdb::store::mongo::client_options(
        "mongodb://u:p%C3%A9€@h/x",
    ));
    assert!(ok.is_ok(), "{:?}", ok.err());
}
