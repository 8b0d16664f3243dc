//! The bare-driver baseline for `migrate json->mongodb`: read every `*.json` file of a JSON store
//! and `insert_many` the documents (`_id` = `id`) in batches, with the same driver (the
//! `mongodb` crate jvdb uses), batch size and server. No checks, no retries, no verification.
//!
//!     bench_insert_many STORE_DIR MONGODB_URI DB BATCH
//!
//! Built only for the benchmark suite:
//! `cargo build --release --features bench-tools --example bench_insert_many`.

use jvdb::value::Value;
use mongodb::bson::{Bson, Document};
use std::path::Path;

fn to_bson(v: &Value) -> Bson {
    match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Int(i) => Bson::Int64(*i),
        Value::BigInt(b) => Bson::String(b.to_string()),
        Value::Float(f) => Bson::Double(*f),
        Value::Str(s) => Bson::String(s.clone()),
        Value::WStr(b) => Bson::String(String::from_utf8_lossy(b).into_owned()),
        Value::Array(a) => Bson::Array(a.iter().map(to_bson).collect()),
        Value::Object(m) => Bson::Document(to_doc(m.iter())),
    }
}

fn to_doc<'a>(it: impl Iterator<Item = (&'a String, &'a Value)>) -> Document {
    let mut d = Document::new();
    for (k, v) in it {
        d.insert(k.clone(), to_bson(v));
    }
    d
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        return Err("usage: bench_insert_many STORE_DIR MONGODB_URI DB BATCH".into());
    }
    let (base, uri, dbname) = (Path::new(&args[1]), &args[2], &args[3]);
    let batch: usize = args[4].parse()?;
    let client = mongodb::Client::with_uri_str(uri).await?;
    let db = client.database(dbname);
    let mut colls: Vec<_> = std::fs::read_dir(base)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    colls.sort();
    let mut n = 0usize;
    for c in colls {
        let coll = db.collection::<Document>(&c);
        let mut docs = Vec::with_capacity(batch);
        for e in std::fs::read_dir(base.join(&c))? {
            let p = e?.path();
            if p.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let v = jvdb::json::parse_bytes(&std::fs::read(&p)?)?;
            let Some(m) = v.as_object() else { continue };
            let mut d = Document::new();
            if let Some(Value::Str(id)) = m.get("id") {
                d.insert("_id", id.clone());
            }
            for (k, x) in m {
                d.insert(k.clone(), to_bson(x));
            }
            docs.push(d);
            if docs.len() >= batch {
                n += docs.len();
                coll.insert_many(std::mem::take(&mut docs))
                    .ordered(false)
                    .await?;
            }
        }
        if !docs.is_empty() {
            n += docs.len();
            coll.insert_many(docs).ordered(false).await?;
        }
    }
    println!("{n}");
    Ok(())
}
