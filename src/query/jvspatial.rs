//! jvspatial 0.2.2 `QueryEngine` semantics. STUB: replaced by the real implementation.
use super::{Matcher, QueryError, SortKey};
use crate::value::Value;
use std::cmp::Ordering;

#[derive(Debug)]
pub struct JvMatcher;

impl Matcher for JvMatcher {
    fn matches(&self, _doc: &Value) -> Result<bool, QueryError> {
        Ok(true)
    }
}

pub fn compile(_query: &Value) -> Result<JvMatcher, QueryError> {
    Ok(JvMatcher)
}

/// jvspatial's `finalize_find_results` order: stable, missing/null last in both directions,
/// dotted paths through dicts only, incomparable types are an error.
pub fn compare_for_sort(_a: &Value, _b: &Value, _keys: &[SortKey]) -> Result<Ordering, QueryError> {
    Ok(Ordering::Equal)
}
