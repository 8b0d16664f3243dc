//! MongoDB query semantics. STUB: replaced by the real implementation.
use super::{Matcher, QueryError, SortKey};
use crate::value::Value;
use std::cmp::Ordering;

#[derive(Debug)]
pub struct MongoMatcher;

impl Matcher for MongoMatcher {
    fn matches(&self, _doc: &Value) -> Result<bool, QueryError> {
        Ok(true)
    }
}

pub fn compile(_query: &Value) -> Result<MongoMatcher, QueryError> {
    Ok(MongoMatcher)
}

/// MongoDB's sort order over records (missing/null first ascending, type brackets, arrays by
/// min element ascending / max descending).
pub fn compare_for_sort(_a: &Value, _b: &Value, _keys: &[SortKey]) -> Ordering {
    Ordering::Equal
}
