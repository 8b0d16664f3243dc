//! `jvdb collections`: the collections of the store, with record counts.
use super::Ctx;
use crate::cli::{CollectionsArgs, FormatArg};
use crate::output::{RecordWriter, choose};
use jvdb::value::{Map, Value};

pub async fn run(ctx: &Ctx, args: CollectionsArgs) -> anyhow::Result<i32> {
    let store = ctx.open(false).await?;
    let format = choose(args.format, ctx.stdout_tty, FormatArg::Ids);
    let names = store.collections().await?;
    let mut w = RecordWriter::new(format, Some(vec!["collection".into(), "count".into()]));
    for name in names {
        if format == FormatArg::Ids {
            let mut m = Map::new();
            m.insert("id".into(), Value::Str(name));
            w.write(&Value::Object(m))?;
            continue;
        }
        let n = store.count(&name, None).await?.count;
        let mut m = Map::new();
        m.insert("collection".into(), Value::Str(name));
        m.insert("count".into(), Value::Int(n as i64));
        w.write(&Value::Object(m))?;
    }
    w.finish()?;
    Ok(0)
}
