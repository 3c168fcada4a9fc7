//! Keyset pagination: rows ordered by id (UUIDv7, so by creation time), `after` the last id seen.

/// One page request: at most `limit` rows after the id `after`.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// The last id of the previous page.
    pub after: Option<String>,
    /// How many rows to return (1..=200, checked by the caller).
    pub limit: i64,
}

impl PageRequest {
    /// How many rows to fetch: one more than asked, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit.saturating_add(1)
    }
}

/// One page of rows and, when more follow, the key to continue after.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with [`PageRequest::fetch_limit`]; `key` reads a row's id.
    pub fn from_rows(mut rows: Vec<T>, req: &PageRequest, key: impl Fn(&T) -> String) -> Self {
        let limit = usize::try_from(req.limit).unwrap_or(usize::MAX);
        let next_after = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(key)
        } else {
            None
        };
        Self {
            items: rows,
            next_after,
        }
    }

    /// Converts every row.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }
}
