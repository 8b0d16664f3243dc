//! completions/ and man/ are generated from the clap definitions and checked in; this test
//! fails when they are stale. Regenerate with:
//! `cargo run -- generate-docs .`
use std::path::Path;
use std::process::Command;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn completions_and_man_pages_are_fresh() {
    let t = tempfile::tempdir().unwrap();
    let st = Command::new(env!("CARGO_BIN_EXE_jvdb"))
        .arg("generate-docs")
        .arg(t.path())
        .status()
        .unwrap();
    assert!(st.success());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["completions", "man"] {
        let fresh = files(&t.path().join(d));
        let checked_in = files(&root.join(d));
        let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&fresh),
            names(&checked_in),
            "{d}/ file list is stale: run `cargo run -- generate-docs .`"
        );
        for ((n, a), (_, b)) in fresh.iter().zip(&checked_in) {
            assert!(
                a == b,
                "{d}/{n} is stale: run `cargo run -- generate-docs .`"
            );
        }
    }
}
