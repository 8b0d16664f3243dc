//! `json:DIR` — jvspatial's JsonDB layout. STUB.
use super::{Backend, OpenOptions, StoreSpec};
use crate::error::Error;
use futures::FutureExt;
use std::sync::Arc;

pub static BACKEND: Backend = Backend {
    name: "json",
    schemes: &[],
    summary: "directory of JSON files, jvspatial's JsonDB layout (default)",
    open: |_spec: &StoreSpec, _o: &OpenOptions| {
        async { Err::<Arc<dyn super::Store>, _>(Error::invalid("json store not built")) }.boxed()
    },
};

/// Remove stale `*.jvtmp` files (STUB until the JSON store lands).
pub fn sweep_tmp_files(
    _base: &std::path::Path,
    _dry_run: bool,
) -> crate::error::Result<Vec<std::path::PathBuf>> {
    Ok(Vec::new())
}
