//! The archive reader (src/store/archive.rs): any bytes opened as `archive:FILE` give a store
//! or one error, never a panic or an allocation abort. The error is one line with exit code 4
//! or 6. A store that opens answers: each collection's `count` is what its `scan` yields, and
//! `get` of scanned ids answers without an error.
//!
//! Plain tar input has its header checksums recomputed before it is read (walking the headers
//! as tar does, by their sizes), so mutations reach the fields behind the checksum (sizes,
//! types, names) instead of all dying at it. Compressed input (zstd, gzip magic) is read as is.
#![no_main]

use jvdb::store::{Item, OpenOptions, StoreSpec};
use jvdb::value::Value;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;

static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
});

/// Where this process writes its input (one file, rewritten per input).
static FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("jvdb-fuzz-archive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("input.tar")
});

/// Octal number of a tar numeric field (NUL/space terminated), when it is one.
fn octal(field: &[u8]) -> Option<u64> {
    let s: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| *b != 0 && *b != b' ')
        .collect();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(std::str::from_utf8(&s).ok()?, 8).ok()
}

/// Recompute the checksum of each header block, walking from one header to the next by its
/// size field, until the walk runs off the data or meets a zero block or an unreadable size.
fn fix_checksums(data: &mut [u8]) {
    let mut off = 0usize;
    while off + 512 <= data.len() {
        let block = &mut data[off..off + 512];
        if block.iter().all(|b| *b == 0) {
            return;
        }
        block[148..156].fill(b' ');
        let sum: u64 = block.iter().map(|b| *b as u64).sum();
        let text = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(text.as_bytes());
        let size = if block[124] & 0x80 != 0 {
            // base-256: the size is whatever it is; nothing sensible follows
            return;
        } else {
            match octal(&block[124..136]) {
                Some(s) => s,
                None => return,
            }
        };
        let Some(next) = (size.div_ceil(512))
            .checked_mul(512)
            .and_then(|n| n.checked_add(off as u64 + 512))
        else {
            return;
        };
        off = match usize::try_from(next) {
            Ok(n) => n,
            Err(_) => return,
        };
    }
}

fuzz_target!(|data: &[u8]| {
    let mut data = data.to_vec();
    let compressed = data.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) || data.starts_with(&[0x1F, 0x8B]);
    if !compressed {
        fix_checksums(&mut data);
    }
    std::fs::write(&*FILE, &data).expect("write input");
    let spec = StoreSpec {
        backend: "archive",
        location: FILE.display().to_string(),
    };
    RT.block_on(async {
        let store = match spec.open(&OpenOptions::default()).await {
            Ok(s) => s,
            Err(e) => {
                let code = e.exit_code();
                assert!(
                    code == 4 || code == 6,
                    "exit code {code} for: {}",
                    e.message
                );
                assert!(
                    !e.message.contains('\n'),
                    "a multi-line error: {}",
                    e.message
                );
                return;
            }
        };
        let colls = store
            .collections()
            .await
            .expect("collections of an opened archive");
        for c in &colls {
            use futures::StreamExt;
            let mut items = store.scan(c).await.expect("scan of an opened archive");
            let mut seen = 0u64;
            let mut ids = Vec::new();
            while let Some(item) = items.next().await {
                if let Item::Record(v) = item.expect("an item of an opened archive") {
                    if let Some(Value::Str(id)) = v.get("id") {
                        ids.push(id.clone());
                    }
                }
                seen += 1;
            }
            let n = store
                .count(c, None)
                .await
                .expect("count of an opened archive");
            assert_eq!(
                n.count + n.unreadable.len() as u64,
                seen,
                "count of {c} differs from its scan"
            );
            // A record's id need not be its entry's name in a crafted archive (as in a JsonDB
            // directory), so `get` is asked, and must answer, without a claim on the answer.
            for id in ids.iter().take(3) {
                store.get(c, id).await.expect("get of an opened archive");
            }
        }
    });
});
