//! `jvdb edges`, `jvdb neighbors`, `jvdb path` (being built for issue 12).
use super::Ctx;
use crate::cli::{EdgesArgs, NeighborsArgs, PathArgs};

pub async fn run_edges(_ctx: &Ctx, _args: EdgesArgs) -> anyhow::Result<i32> {
    Err(jvdb::Error::invalid("jvdb edges is not built yet").into())
}

pub async fn run_neighbors(_ctx: &Ctx, _args: NeighborsArgs) -> anyhow::Result<i32> {
    Err(jvdb::Error::invalid("jvdb neighbors is not built yet").into())
}

pub async fn run_path(_ctx: &Ctx, _args: PathArgs) -> anyhow::Result<i32> {
    Err(jvdb::Error::invalid("jvdb path is not built yet").into())
}
