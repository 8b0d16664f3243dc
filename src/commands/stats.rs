//! `jvdb stats` (being built for issue 12).
use super::Ctx;
use crate::cli::StatsArgs;

pub async fn run(_ctx: &Ctx, _args: StatsArgs) -> anyhow::Result<i32> {
    Err(jvdb::Error::invalid("jvdb stats is not built yet").into())
}
