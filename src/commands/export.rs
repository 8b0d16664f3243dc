//! `jvdb export` (being built for issue 12).
use super::Ctx;
use crate::cli::ExportArgs;

pub async fn run(_ctx: &Ctx, _args: ExportArgs) -> anyhow::Result<i32> {
    Err(jvdb::Error::invalid("jvdb export is not built yet").into())
}
