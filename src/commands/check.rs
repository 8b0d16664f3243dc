//! `jvdb check` (being built for issue 12).
use super::Ctx;
use crate::cli::CheckArgs;

pub async fn run(_ctx: &Ctx, _args: CheckArgs) -> anyhow::Result<i32> {
    Err(jvdb::Error::invalid("jvdb check is not built yet").into())
}
