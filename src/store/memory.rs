//! `memory:` — an in-process store (tests, dry runs). STUB.
use super::{Backend, OpenOptions, StoreSpec};
use crate::error::{Error, Result};
use futures::FutureExt;
use std::sync::Arc;

pub static BACKEND: Backend = Backend {
    name: "memory",
    schemes: &[],
    summary: "in-process store, empty at start (tests, dry runs)",
    open: |_spec: &StoreSpec, _o: &OpenOptions| {
        async { Err::<Arc<dyn super::Store>, _>(Error::invalid("memory store not built")) }.boxed()
    },
};

#[allow(dead_code)]
fn _unused() -> Result<()> {
    Ok(())
}
