//! Field projection (`--fields a,b.c`). STUB.
use crate::value::Value;

/// An inclusion projection: the listed dot paths, plus `id` unless excluded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    pub paths: Vec<String>,
}

impl Projection {
    pub fn parse(s: &str) -> Result<Projection, super::QueryError> {
        Ok(Projection {
            paths: s.split(',').map(|p| p.trim().to_string()).collect(),
        })
    }
    pub fn apply(&self, doc: &Value) -> Value {
        doc.clone()
    }
}
