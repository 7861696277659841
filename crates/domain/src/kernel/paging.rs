//! Paging: `page` from 1, `page_size` 15 by default, clamped to 100.

use super::text::{Key, Text};
use crate::{Error, FieldError, Result};

fn refused(field: &str, key: Key) -> Error {
    Error::field(FieldError::new(
        field,
        "range",
        Text::new(key).field("field", field),
    ))
}

pub const DEFAULT_PAGE_SIZE: u32 = 15;
pub const MAX_PAGE_SIZE: u32 = 100;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Builds a page request from what a client sent. Missing values take their defaults; a size
    /// above 100 is clamped; zero or negative values are refused. `size_field` names the size field
    /// as the surface calls it (`page_size`, or `limit` on the clinic surface).
    pub fn from_client(
        page: Option<i64>,
        page_size: Option<i64>,
        size_field: &str,
    ) -> Result<Self> {
        let page = match page {
            None => 1,
            Some(p) if p >= 1 => {
                u32::try_from(p).map_err(|_| refused("page", Key::InvalidPageTooLarge))?
            }
            Some(_) => return Err(refused("page", Key::InvalidMinOne)),
        };
        let page_size = match page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(s) if s >= 1 => {
                u32::try_from(s.min(i64::from(MAX_PAGE_SIZE))).unwrap_or(MAX_PAGE_SIZE)
            }
            Some(_) => return Err(refused(size_field, Key::InvalidMinOne)),
        };
        Ok(Self { page, page_size })
    }

    pub fn page(self) -> u32 {
        self.page
    }

    pub fn page_size(self) -> u32 {
        self.page_size
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.page_size)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.page_size)
    }
}

/// Which way a list runs, as clients name it (`asc`, `desc`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, strum::IntoStaticStr, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum SortOrder {
    Asc,
    /// Newest first, the default of every list (DECISIONS §6).
    #[default]
    Desc,
}

/// One page of a list, with the total across all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub request: PageRequest,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            request: self.request,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_rules() {
        let ok =
            |p, s| PageRequest::from_client(p, s, "page_size").map(|r| (r.page(), r.page_size()));
        assert_eq!(ok(None, None).ok(), Some((1, 15)));
        assert_eq!(ok(Some(3), Some(20)).ok(), Some((3, 20)));
        assert_eq!(ok(Some(1), Some(500)).ok(), Some((1, 100)));
        assert!(ok(Some(0), None).is_err());
        assert!(ok(Some(-1), None).is_err());
        assert!(ok(None, Some(0)).is_err());
        assert!(ok(None, Some(-5)).is_err());
        let r = PageRequest::from_client(Some(3), Some(10), "page_size").ok();
        assert_eq!(r.map(PageRequest::offset), Some(20));
    }
}
