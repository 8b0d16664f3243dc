//! Damaged and hostile archives, and kills during dump and restore (issue 13: the proof's
//! damage and safety lines), against the real binary.
//!
//! - Truncated archives (zstd at 20 offsets, seeded; `JVDB_TEST_SEED` replays; plain tar and
//!   gzip at several), a flipped byte in the zstd stream, a manifest that disagrees (crafted
//!   with Python's tarfile by tests/py/archive_craft.py), unsafe entries (`..`, absolute,
//!   symlink, hard link, fifo, device): each refused with one stderr line naming the archive,
//!   exit 6 (4 allowed for a truncation), nothing written inside the target or outside it.
//! - SIGKILL during `dump` leaves no file at the target name (only its `.jvtmp` temp file);
//!   with `--force` the old file stays intact until the rename; the rerun succeeds, restores
//!   and verifies. SIGKILL during `restore` into JSON leaves only whole record files, equal
//!   to the source; a rerun with `--mode replace` completes and verifies.
//! - `dump` to an existing file without `--force` and `restore` into a non-empty store
//!   without `--mode` are refused (exit 6) with nothing changed; `--mode insert` over
//!   existing ids exits 5.

mod reliability_common;

#[path = "common/mod.rs"]
mod common;

use jvdb::value::Value;
use reliability_common::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

// ---- helpers

/// A record with random content (so zstd has something to compress, and the archive has a
/// realistic size).
fn random_record(rng: &mut Rng, id: &str, entity: &str) -> Value {
    jvdb::json::parse_str(&format!(
        "{{\"id\": \"{id}\", \"entity\": \"{entity}\", \"context\": {{\"name\": \"{:016x}{:016x}\", \"n\": {}, \"tags\": [\"é\", {}]}}, \"edges\": []}}",
        rng.next(),
        rng.next(),
        rng.below(1_000_000),
        rng.below(1 << 40)
    ))
    .unwrap()
}

/// A JSON store at `db`: a copy of examples/sample-store (written by jvspatial) plus `n`
/// nodes and `n` edges written as JsonDB writes them (`json.dumps(record, indent=2)`).
fn make_store(db: &Path, n: usize, rng: &mut Rng) {
    common::bin::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample-store"),
        db,
    );
    for i in 0..n {
        let id = format!("n.Gen.{i:06}");
        put_record(db, "node", &id, &random_record(rng, &id, "Gen"));
        let id = format!("e.Link.{i:06}");
        put_record(db, "edge", &id, &random_record(rng, &id, "Link"));
    }
}

/// Bytes of every file under `dir` (relative path → bytes), symlinks included as such.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir)
        .into_iter()
        .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir()))
        .map(|p| {
            let bytes = fs::read(&p).unwrap_or_else(|_| b"<unreadable>".to_vec());
            (p.strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    let o = jv(cwd).args(args).output().unwrap();
    assert_no_panic(&o, &format!("{args:?}"));
    o
}

fn ok(cwd: &Path, args: &[&str]) -> Output {
    let o = run(cwd, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
    o
}

/// Refused: an exit code in `codes`, nothing on stdout, exactly one stderr line, a `jvdb:`
/// line naming `name` and containing one of `why`.
#[track_caller]
fn assert_refused(o: &Output, what: &str, codes: &[i32], name: &str, why: &[&str]) -> String {
    let err = text(&o.stderr);
    let code = o.status.code().unwrap_or(-1);
    assert!(
        codes.contains(&code),
        "{what}: exit {code} (want {codes:?}); stderr: {err}"
    );
    assert!(o.stdout.is_empty(), "{what}: stdout: {}", text(&o.stdout));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: want one stderr line: {err}");
    let line = lines[0];
    assert!(line.starts_with("jvdb: "), "{what}: {line}");
    assert!(
        line.contains(name),
        "{what}: the line does not name {name}: {line}"
    );
    assert!(
        why.iter().any(|w| line.contains(w)),
        "{what}: the line does not say {why:?}: {line}"
    );
    line.to_string()
}

/// No record file under `dir` (and, with `absent`, no `dir` at all).
#[track_caller]
fn assert_nothing_written(dir: &Path, what: &str) {
    assert!(
        !dir.exists(),
        "{what}: {} was created: {:?}",
        dir.display(),
        walk(dir)
    );
}

/// What a damaged archive's refusal says.
const DAMAGE: &[&str] = &[
    "damaged",
    "cut short",
    "does not match its manifest",
    "manifest",
    "is empty",
];

/// `restore CUT --to json:DIR` and `count node --db archive:CUT` are both refused, and DIR
/// is not created. Returns the restore's line.
fn assert_archive_refused(
    root: &Path,
    file: &str,
    what: &str,
    codes: &[i32],
    why: &[&str],
) -> String {
    let dir = root.join(format!("r-{}", file.replace('/', "_")));
    let to = format!("json:{}", dir.display());
    let o = run(root, &["restore", file, "--to", &to]);
    let line = assert_refused(&o, &format!("{what}: restore"), codes, file, why);
    assert_nothing_written(&dir, what);
    let spec = format!("archive:{file}");
    let o = run(root, &["count", "node", "--db", &spec]);
    assert_refused(&o, &format!("{what}: count"), codes, file, why);
    line
}

/// Run with `input` on stdin (a pipe).
fn run_stdin_bytes(c: &mut std::process::Command, input: &[u8]) -> Output {
    use std::io::Write;
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let o = child.wait_with_output().unwrap();
    w.join().unwrap();
    o
}

fn dump_to(root: &Path, db: &str, file: &str, extra: &[&str]) -> Output {
    let mut args = vec!["--db", db, "dump", "-o", file];
    args.extend_from_slice(extra);
    run(root, &args)
}

// ---- 1. truncated archives

#[test]
fn truncated_archives_are_refused_and_write_nothing() {
    let mut rng = Rng(seed(0xa5c1_0001));
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    make_store(&root.join("s"), 3000, &mut rng);
    for (file, extra) in [
        ("a.tar.zst", &[][..]),
        ("a.tar", &[][..]),
        ("a.tar.gz", &["--compress", "gzip"][..]),
    ] {
        let o = dump_to(root, "s", file, extra);
        assert_eq!(o.status.code(), Some(0), "dump {file}: {}", text(&o.stderr));
    }
    let zst = fs::read(root.join("a.tar.zst")).unwrap();
    assert_eq!(&zst[..4], &[0x28, 0xB5, 0x2F, 0xFD], "a zstd frame");
    let size = zst.len();
    assert!(
        size > 200_000,
        "the archive should be a few hundred KB, is {size}"
    );
    // The whole archive restores and verifies (the control for every cut below).
    let o = ok(root, &["restore", "a.tar.zst", "--to", "json:whole"]);
    assert!(text(&o.stderr).contains("verified"), "{}", text(&o.stderr));
    ok(root, &["verify", "s", "whole"]);

    // zstd: 20 offsets, fixed ones at the edges, seeded random ones inside the stream.
    let mut offsets = vec![
        0,
        1,
        4,
        13,
        size / 2,
        size - 5,
        size - 4,
        size - 2,
        size - 1,
    ];
    while offsets.len() < 20 {
        let off = 14 + rng.below(size as u64 - 20) as usize;
        if !offsets.contains(&off) {
            offsets.push(off);
        }
    }
    let mut seen_whys = BTreeMap::new();
    for (i, off) in offsets.iter().enumerate() {
        let name = format!("cut{i}.tar.zst");
        fs::write(root.join(&name), &zst[..*off]).unwrap();
        let line = assert_archive_refused(
            root,
            &name,
            &format!("zstd cut at {off} of {size}"),
            &[4, 6],
            DAMAGE,
        );
        let why = line.split("; it was").next().unwrap();
        *seen_whys
            .entry(why.rsplit(": ").next().unwrap().to_string())
            .or_insert(0) += 1;
    }
    // One cut through stdin (spooled to a temp file first): refused the same way.
    let cut = &zst[..size * 2 / 3];
    let mut c = jv(root);
    c.args(["restore", "-", "--to", "json:from-stdin"]);
    let o = run_stdin_bytes(&mut c, cut);
    assert_no_panic(&o, "restore - (cut)");
    assert_refused(&o, "restore - (cut)", &[4, 6], "archive:-", DAMAGE);
    assert_nothing_written(&root.join("from-stdin"), "restore - (cut)");

    // Plain tar and gzip: the middle, inside the last record, the manifest, and the tar's
    // end-of-archive blocks, and the last byte.
    for file in ["a.tar", "a.tar.gz"] {
        let bytes = fs::read(root.join(file)).unwrap();
        let n = bytes.len();
        let mut offs = vec![
            100,
            n / 3,
            n / 2,
            n - 1030,
            n - 1024,
            n - 600,
            n - 512,
            n - 8,
            n - 1,
        ];
        offs.push(512 + rng.below(n as u64 - 1024) as usize);
        for off in offs {
            let name = format!("cut{off}.{file}");
            fs::write(root.join(&name), &bytes[..off]).unwrap();
            assert_archive_refused(
                root,
                &name,
                &format!("{file} cut at {off} of {n}"),
                &[4, 6],
                DAMAGE,
            );
        }
    }
    eprintln!(
        "truncation: {} zstd cuts of a {size}-byte archive, 20 tar and gzip cuts, 1 via stdin: all refused, nothing written; reasons {seen_whys:?}",
        offsets.len()
    );
}

// ---- 2. flipped bytes

#[test]
fn a_flipped_byte_in_the_zstd_stream_is_refused() {
    let mut rng = Rng(seed(0xa5c1_0002));
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    make_store(&root.join("s"), 1000, &mut rng);
    let o = dump_to(root, "s", "a.tar.zst", &[]);
    assert_eq!(o.status.code(), Some(0), "dump: {}", text(&o.stderr));
    let zst = fs::read(root.join("a.tar.zst")).unwrap();
    let n = zst.len();
    // Frame header, first block, the middle, near the end, and the frame's checksum.
    let mut positions = vec![5, 40, n / 4, n / 2, n * 3 / 4, n - 10, n - 2];
    for _ in 0..3 {
        positions.push(20 + rng.below(n as u64 - 30) as usize);
    }
    for pos in positions {
        let mut bytes = zst.clone();
        bytes[pos] ^= 1 << rng.below(8);
        let name = format!("flip{pos}.tar.zst");
        fs::write(root.join(&name), &bytes).unwrap();
        assert_archive_refused(
            root,
            &name,
            &format!("byte {pos} of {n} flipped"),
            &[4, 6],
            DAMAGE,
        );
    }
}

// ---- 3 and 4. crafted archives: a manifest that disagrees, unsafe entries

fn craft(root: &Path, case: &str, escape: &Path) -> String {
    let out = format!("{case}.tar");
    let o = std::process::Command::new(common::python())
        .arg(common::py_script("archive_craft.py"))
        .arg(root.join("plain.tar"))
        .arg(root.join(&out))
        .arg(case)
        .arg(escape)
        .output()
        .unwrap();
    assert!(o.status.success(), "craft {case}: {}", text(&o.stderr));
    out
}

#[test]
fn manifest_disagreements_and_unsafe_entries_are_refused() {
    let mut rng = Rng(seed(0xa5c1_0003));
    // The work dir is t/work; t/escape is where absolute and linked entries point.
    let t = tempfile::tempdir().unwrap();
    let root = &t.path().join("work");
    make_store(&root.join("s"), 200, &mut rng);
    let o = dump_to(root, "s", "plain.tar", &[]);
    assert_eq!(o.status.code(), Some(0), "dump: {}", text(&o.stderr));
    // Where an escaping entry would land: beside the target, above the work dir, and under
    // the absolute paths the crafted entries name.
    let escape = t.path().join("escape");
    fs::create_dir(&escape).unwrap();
    fs::write(escape.join("victim.json"), b"{\"id\": \"victim\"}").unwrap();
    let escape_before = snapshot(&escape);

    // The control: tarfile's rewrite of the archive, unchanged, is accepted.
    let same = craft(root, "same", &escape);
    ok(root, &["restore", &same, "--to", "json:control"]);
    ok(root, &["verify", "s", "control"]);

    let cases: &[(&str, &[&str])] = &[
        (
            "changed",
            &["does not match its manifest", "collection node"],
        ),
        (
            "removed",
            &["does not match its manifest", "collection node holds 218"],
        ),
        (
            "extra",
            &["does not match its manifest", "collection node holds 220"],
        ),
        (
            "extra_coll",
            &["does not match its manifest", "collection stowaway"],
        ),
        (
            "count",
            &["does not match its manifest", "the manifest says 220"],
        ),
        ("no_manifest", &["without its manifest"]),
        ("after", &["follows the manifest"]),
        ("dotdot", &["\"../x.json\"", "outside the store"]),
        (
            "nested_dotdot",
            &["\"node/../../x.json\"", "outside the store"],
        ),
        ("absolute", &["absolute path"]),
        ("symlink", &["\"evil\" is a symbolic link"]),
        ("symlink_file", &["\"node/link.json\" is a symbolic link"]),
        ("hardlink", &["\"node/hard.json\" is a hard link"]),
        ("fifo", &["\"node/fifo.json\" is not a file or a directory"]),
        (
            "chardev",
            &["\"node/dev.json\" is not a file or a directory"],
        ),
        // a header's size is not trusted for memory: refused as damage, no allocation abort
        (
            "huge_size",
            &["is damaged", "of its 4611686018427387904 bytes"],
        ),
    ];
    // sanity: the sample store has 19 nodes, plus the 200 made here
    let o = ok(root, &["--db", "s", "count", "node"]);
    assert_eq!(text(&o.stdout).trim(), "219");
    for (case, why) in cases {
        let file = craft(root, case, &escape);
        let line = assert_archive_refused(root, &file, case, &[6], &[why[0]]);
        for w in *why {
            assert!(line.contains(w), "{case}: {line} does not say {w:?}");
        }
        // also into a nested target, where `..` would land inside the work dir
        let nested = root.join("deep/er");
        let to = format!("json:{}", nested.display());
        let o = run(root, &["restore", &file, "--to", &to]);
        assert_refused(&o, case, &[6], &file, &[why[0]]);
        assert_nothing_written(&nested, case);
        // a dry run reads the archive too: refused the same way
        let o = run(root, &["restore", &file, "--to", "json:dry", "--dry-run"]);
        assert_refused(&o, case, &[6], &file, &[why[0]]);
        assert_nothing_written(&root.join("dry"), case);
    }
    // Nothing escaped: no x.json beside or above any target, the escape dir unchanged (the
    // hard link's victim untouched, no symlink target created), nothing new outside `root`.
    for p in [
        root.join("x.json"),
        root.join("deep/x.json"),
        t.path().join("x.json"),
        escape.join("abs/x.json"),
        escape.join("sym/x.json"),
        escape.join("sym_target.json"),
    ] {
        assert!(!p.exists(), "{} was written", p.display());
    }
    assert_eq!(snapshot(&escape), escape_before, "the escape dir changed");
    // beside the work dir: only escape/
    let beside: Vec<_> = fs::read_dir(t.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
    // in the work dir: the store, the archives and the control restore, nothing else
    for e in fs::read_dir(root).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            name == "s" || name == "control" || name.ends_with(".tar"),
            "unexpected {name} in the work dir"
        );
    }

    // Compressed with the zstd binary (not jvdb): a changed record is refused the same way.
    let changed = craft(root, "changed", &escape);
    let st = std::process::Command::new("zstd")
        .args(["-q", "-f", &changed, "-o", "changed.tar.zst"])
        .current_dir(root)
        .status();
    match st {
        Ok(s) if s.success() => {
            assert_archive_refused(
                root,
                "changed.tar.zst",
                "changed, zstd binary",
                &[6],
                &["does not match its manifest"],
            );
            let same_zst = std::process::Command::new("zstd")
                .args(["-q", "-f", &same, "-o", "same.tar.zst"])
                .current_dir(root)
                .status()
                .unwrap();
            assert!(same_zst.success());
            ok(
                root,
                &["restore", "same.tar.zst", "--to", "json:control_zst"],
            );
            ok(root, &["verify", "s", "control_zst"]);
        }
        other => eprintln!("zstd binary not usable ({other:?}): compressed crafted case skipped"),
    }
}

// ---- 5 and 6. kills during dump and restore

fn spawn(cwd: &Path, args: &[&str]) -> Child {
    jv(cwd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Kill `child` after `delay`; true when it died of the kill (was still running).
fn kill_after(mut child: Child, delay: Duration) -> bool {
    use std::os::unix::process::ExitStatusExt;
    std::thread::sleep(delay);
    signal(child.id(), libc::SIGKILL);
    let st = child.wait().unwrap();
    assert!(
        st.signal() == Some(libc::SIGKILL) || st.success(),
        "unexpected status {st:?}"
    );
    st.signal() == Some(libc::SIGKILL)
}

fn timed(cwd: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    ok(cwd, args);
    start.elapsed()
}

/// Files in `dir` named `<file>.<pid>.<12 hex>.jvtmp` (a killed dump's temp files); panics
/// on any other file that starts with `file` but is not `file` itself.
fn dump_temps(dir: &Path, file: &str, pid: Option<u32>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&format!("{file}.")) else {
            continue;
        };
        let parts: Vec<&str> = rest.split('.').collect();
        assert_eq!(parts.len(), 3, "{name}");
        assert_eq!(parts[2], "jvtmp", "{name}");
        assert!(
            parts[1].len() == 12 && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
            "{name}"
        );
        if pid.is_some_and(|pid| parts[0] != pid.to_string()) {
            continue;
        }
        out.push(e.path());
    }
    out
}

/// Record files of every collection under `db`, by `coll/name`.
fn records_of(db: &Path) -> BTreeMap<String, Vec<u8>> {
    json_files(db)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(db).unwrap().to_string_lossy().into_owned();
            (rel, fs::read(&p).unwrap())
        })
        .collect()
}

/// Kills that must land mid-run, per command; rounds go on until they have.
const KILLS: usize = 4;
const MAX_ROUNDS: usize = 12;

/// A random moment within 5%..85% of a full run (start-up included).
fn spread(rng: &mut Rng, full: Duration) -> Duration {
    let us = full.as_micros() as u64;
    Duration::from_micros(us / 20 + rng.below(us * 80 / 100 + 1))
}

#[test]
fn sigkill_during_dump_and_restore() {
    let mut rng = Rng(seed(0xa5c1_0005));
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let big = root.join("big");
    make_store(&big, 7000, &mut rng);
    let source = records_of(&big);
    // calibrate: a whole dump
    let full = timed(root, &["--db", "big", "dump", "-o", "cal.tar.zst"]);
    let cal_size = fs::metadata(root.join("cal.tar.zst")).unwrap().len();

    // -- kills during dump to a new file
    let dump = ["--db", "big", "dump", "-o", "out.tar.zst"];
    let (mut landed, mut temps, mut rounds, mut sealed_temps) = (0, 0, 0, 0);
    let mut aim = full;
    let mut moments = Vec::new();
    while landed < KILLS && rounds < MAX_ROUNDS {
        rounds += 1;
        let child = spawn(root, &dump);
        let pid = child.id();
        let delay = spread(&mut rng, aim);
        let hit = kill_after(child, delay);
        let target = root.join("out.tar.zst");
        let left = dump_temps(root, "out.tar.zst", Some(pid));
        assert!(left.len() <= 1, "{left:?}");
        // nothing else appeared beside the target
        for e in fs::read_dir(root).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                name == "big"
                    || name == "cal.tar.zst"
                    || (name.starts_with("out.tar.zst")
                        && (name.len() == 11 || name.ends_with(".jvtmp"))),
                "unexpected {name} after a killed dump"
            );
        }
        if hit && !target.exists() {
            landed += 1;
            temps += left.len();
            moments.push(delay.as_millis());
            // The killed dump's temp is a cut archive (refused if someone restores it), or,
            // killed after the seal (during the verification), a whole one.
            if let Some(tmp) = left.first() {
                let name = tmp.file_name().unwrap().to_string_lossy().into_owned();
                let spec = format!("archive:{name}");
                let o = run(root, &["verify", "big", &spec]);
                if o.status.code() == Some(0) {
                    sealed_temps += 1;
                } else {
                    assert_refused(&o, "a killed dump's temp", &[4, 6], &name, DAMAGE);
                }
            }
        } else {
            // faster than calibrated: aim earlier
            aim = aim * 7 / 10;
            // It finished (or was killed after the rename): a whole archive that verifies.
            let spec = "archive:out.tar.zst";
            ok(root, &["verify", "big", spec]);
            assert!(left.is_empty(), "a finished dump left {left:?}");
            fs::remove_file(&target).unwrap();
        }
    }
    assert!(
        landed >= KILLS,
        "only {landed} of {rounds} kills landed mid-dump (a dump took {full:?})"
    );
    // the rerun with the same -o succeeds; the result verifies and restores
    let o = ok(root, &dump);
    assert!(text(&o.stderr).contains("verified"), "{}", text(&o.stderr));
    ok(root, &["verify", "big", "archive:out.tar.zst"]);

    // -- --force over an existing file: the old file stays whole until the rename
    let old = b"not really an archive, but the user's file\n".to_vec();
    fs::write(root.join("old.tar.zst"), &old).unwrap();
    let force = ["--db", "big", "dump", "-o", "old.tar.zst", "--force"];
    let (mut force_landed, mut force_rounds) = (0, 0);
    let mut aim = full;
    while force_landed < 2 && force_rounds < MAX_ROUNDS {
        force_rounds += 1;
        let child = spawn(root, &force);
        let hit = kill_after(child, spread(&mut rng, aim));
        let now = fs::read(root.join("old.tar.zst")).unwrap();
        if hit && now == old {
            force_landed += 1;
        } else {
            // finished: the new archive, whole
            ok(root, &["verify", "big", "archive:old.tar.zst"]);
            aim = aim * 7 / 10;
            fs::write(root.join("old.tar.zst"), &old).unwrap();
        }
    }
    assert!(
        force_landed >= 2,
        "{force_landed} of {force_rounds} kills landed during dump --force"
    );
    ok(root, &force);
    assert_ne!(
        fs::read(root.join("old.tar.zst")).unwrap(),
        old,
        "not replaced"
    );
    ok(root, &["verify", "big", "archive:old.tar.zst"]);

    // -- kills during restore into JSON
    let rfull = timed(
        root,
        &["restore", "out.tar.zst", "--to", "json:cal_restore"],
    );
    assert_eq!(records_of(&root.join("cal_restore")), source);
    let rt = root.join("rt");
    let (mut restore_landed, mut round) = (0, 0);
    let mut partial = Vec::new();
    let mut aim = rfull;
    while restore_landed < KILLS && round < MAX_ROUNDS {
        round += 1;
        // the first run finds an empty target; later ones find records, so say --mode
        let mut args = vec!["restore", "out.tar.zst", "--to", "json:rt"];
        if rt.exists() {
            args.extend(["--mode", "replace"]);
        }
        let child = spawn(root, &args);
        let hit = kill_after(child, spread(&mut rng, aim));
        restore_landed += hit as usize;
        if !hit {
            aim = aim * 7 / 10;
        }
        let got = records_of(&rt);
        for (name, bytes) in &got {
            assert!(parses_as_record(bytes), "round {round}: {name} torn");
            assert_eq!(
                Some(bytes),
                source.get(name),
                "round {round}: {name} is not the source record"
            );
        }
        partial.push(got.len());
        // leftover temps are named for the record file and the killed process
        for p in tmp_files(&rt) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.contains(".json."), "{name}");
        }
        // undo some progress so the next kill still finds work
        if let Ok(rd) = fs::read_dir(rt.join("node")) {
            for e in rd.flatten().step_by(2) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    assert!(
        restore_landed >= KILLS,
        "only {restore_landed} of {round} kills landed mid-restore"
    );
    let o = ok(
        root,
        &[
            "restore",
            "out.tar.zst",
            "--to",
            "json:rt",
            "--mode",
            "replace",
        ],
    );
    assert!(text(&o.stderr).contains("verified"), "{}", text(&o.stderr));
    ok(root, &["verify", "big", "rt"]);
    assert_eq!(
        records_of(&rt),
        source,
        "the rerun's result differs from the source"
    );
    // the killed runs' temp files are the reliability suite's: cleanup reaps them
    let left = tmp_files(&rt).len();
    ok(root, &["--db", "rt", "cleanup", "--tmp-files", "--yes"]);
    assert!(tmp_files(&rt).is_empty());
    eprintln!(
        "kills: dump of {} records ({cal_size} bytes) took {full:?}: {landed}/{rounds} kills mid-dump (at {moments:?} ms), {temps} temp file(s) left ({sealed_temps} sealed whole, the rest refused as cut), never a file at the target; --force: {force_landed}/{force_rounds} kills left the old file intact; restore took {rfull:?}: {restore_landed}/{round} kills mid-restore, {partial:?} whole records present after each, {left} temp file(s) reaped; reruns verified",
        source.len()
    );
}

// ---- 6 and 7. refusals that leave everything as it was

#[test]
fn dump_over_a_file_and_restore_into_a_non_empty_store_are_refused() {
    let t = common::bin::sample_in("s");
    let root = t.path();
    // dump to an existing file without --force: exit 6, the file untouched, no temp left
    let junk = b"precious bytes\n".to_vec();
    fs::write(root.join("a.tar.zst"), &junk).unwrap();
    let o = dump_to(root, "s", "a.tar.zst", &[]);
    assert_refused(&o, "dump over a file", &[6], "a.tar.zst", &["--force"]);
    assert_eq!(fs::read(root.join("a.tar.zst")).unwrap(), junk);
    assert!(dump_temps(root, "a.tar.zst", None).is_empty());
    // a real archive is not replaced either
    let o = dump_to(root, "s", "b.tar", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let b = fs::read(root.join("b.tar")).unwrap();
    let o = dump_to(root, "s", "b.tar", &[]);
    assert_refused(&o, "dump over an archive", &[6], "b.tar", &["--force"]);
    assert_eq!(fs::read(root.join("b.tar")).unwrap(), b);
    // with --force: replaced, and the new file is the store's archive
    let o = dump_to(root, "s", "a.tar.zst", &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_ne!(fs::read(root.join("a.tar.zst")).unwrap(), junk);
    ok(root, &["verify", "s", "archive:a.tar.zst"]);
    assert!(dump_temps(root, "a.tar.zst", None).is_empty());

    // restore into a non-empty store without --mode: exit 6, nothing changed
    let target = root.join("t");
    common::bin::copy_dir(&root.join("s"), &target);
    // one record differs from the archive's, one the archive does not have
    let node = target.join("node");
    let first = fs::read_dir(&node)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .min()
        .unwrap();
    let changed = jvdb::json::to_python_indent2(
        &jvdb::json::parse_str(&format!(
            "{{\"id\": \"{}\", \"entity\": \"Changed\", \"context\": {{}}}}",
            first.file_stem().unwrap().to_string_lossy()
        ))
        .unwrap(),
    );
    fs::write(&first, &changed).unwrap();
    put_record(
        &target,
        "node",
        "n.Mine.1",
        &jvdb::json::parse_str("{\"id\": \"n.Mine.1\", \"entity\": \"Mine\", \"context\": {}}")
            .unwrap(),
    );
    let before = snapshot(&target);
    let o = run(root, &["restore", "a.tar.zst", "--to", "json:t"]);
    let line = assert_refused(&o, "restore into a non-empty store", &[6], "t", &["--mode"]);
    assert!(line.contains("nothing written"), "{line}");
    assert_eq!(snapshot(&target), before, "the target changed");
    // a dry run says the same
    let o = run(
        root,
        &["restore", "a.tar.zst", "--to", "json:t", "--dry-run"],
    );
    assert_refused(
        &o,
        "restore --dry-run into a non-empty store",
        &[6],
        "t",
        &["--mode"],
    );
    assert_eq!(snapshot(&target), before);
    // --mode insert over existing ids: exit 5, the existing records keep their content
    let o = run(
        root,
        &["restore", "a.tar.zst", "--to", "json:t", "--mode", "insert"],
    );
    assert_eq!(o.status.code(), Some(5), "insert: {}", text(&o.stderr));
    assert_eq!(
        fs::read(&first).unwrap(),
        changed,
        "insert replaced a record"
    );
    assert!(node.join("n.Mine.1.json").exists());
    // --mode replace: the archive's records win, the target's own record stays
    let o = run(
        root,
        &[
            "restore",
            "a.tar.zst",
            "--to",
            "json:t",
            "--mode",
            "replace",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "replace: {}", text(&o.stderr));
    assert_eq!(
        fs::read(&first).unwrap(),
        fs::read(root.join("s/node").join(first.file_name().unwrap())).unwrap()
    );
    assert!(node.join("n.Mine.1.json").exists());
}
