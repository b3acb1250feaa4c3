//! The GitHub REST API client: repository stars and forks, merged pull requests per
//! month. Conditional requests reuse the store's HTTP cache (`If-None-Match` → 304
//! reuses the cached body), pages are followed through `Link: rel="next"`, and
//! rate-limit answers are waited out when short or reported as one clear error.

use crate::{EcoError, http::Http, time::parse_rfc3339};
use podium_store::{CachedResponse, Store};
use serde_json::Value;
use std::time::Duration;

/// The longest rate-limit wait Podium accepts before giving up with an error.
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);
/// The most pages of pull requests read (100 each).
pub const MAX_PR_PAGES: usize = 30;

/// The GitHub API base: `PODIUM_GITHUB_API`, else `https://api.github.com`.
pub fn default_base() -> String {
    std::env::var("PODIUM_GITHUB_API").unwrap_or_else(|_| "https://api.github.com".into())
}

/// A GitHub API client.
#[derive(Debug)]
pub struct GitHub<'a> {
    http: &'a Http,
    base: String,
    token: Option<String>,
    cache: Option<&'a dyn Store>,
    max_wait: Duration,
    max_pages: usize,
    now_ms: fn() -> i64,
}

/// Stars and forks of a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepoStats {
    /// `stargazers_count`.
    pub stars: u64,
    /// `forks_count`.
    pub forks: u64,
}

/// Pull requests merged in a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MergedPrs {
    /// Pull requests merged in the window.
    pub count: u64,
    /// The window's length in 30-day months.
    pub months: u32,
    /// Pages read.
    pub pages: usize,
    /// Whether the count came from the search API's `total_count` (a repository with
    /// more merged pull requests than the pages Podium reads).
    pub searched: bool,
}

impl MergedPrs {
    /// Merged pull requests per month.
    pub fn per_month(&self) -> f64 {
        self.count as f64 / f64::from(self.months)
    }
}

impl<'a> GitHub<'a> {
    /// A client for `base` (no trailing slash needed), with the token from `GH_TOKEN` if
    /// set, caching ETags in `cache` when given.
    pub fn new(http: &'a Http, base: &str, cache: Option<&'a dyn Store>) -> GitHub<'a> {
        GitHub {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: std::env::var("GH_TOKEN").ok().filter(|t| !t.is_empty()),
            cache,
            max_wait: MAX_RATE_LIMIT_WAIT,
            max_pages: MAX_PR_PAGES,
            now_ms: crate::time_now_ms,
        }
    }

    /// Changes the longest rate-limit wait (tests use a short one).
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// Changes how many pages of pull requests are read before counting through the
    /// search API instead (tests use a small number).
    pub fn with_max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// GETs `url` as JSON, with the ETag cache; returns the value and the next page's
    /// address. A malformed answer is an error and is not cached.
    pub fn get_json(&self, url: &str) -> Result<(Value, Option<String>), EcoError> {
        let cached = match self.cache {
            Some(store) => store.cached_response(url)?,
            None => None,
        };
        let mut waited = Duration::ZERO;
        loop {
            let mut headers = vec![
                ("accept", "application/vnd.github+json".to_string()),
                ("x-github-api-version", "2022-11-28".to_string()),
            ];
            if let Some(token) = &self.token {
                headers.push(("authorization", format!("Bearer {token}")));
            }
            if let Some(etag) = cached.as_ref().and_then(|c| c.etag.clone()) {
                headers.push(("if-none-match", etag));
            }
            let response = self.http.get(url, &headers)?;
            let next = next_link(response.header("link"));
            match response.status {
                304 => {
                    let Some(mut cached) = cached else {
                        return Err(EcoError::malformed(
                            url,
                            "HTTP 304 Not Modified for a request Podium sent without an ETag",
                        ));
                    };
                    let value = serde_json::from_slice(&cached.body)
                        .map_err(|e| EcoError::malformed(url, e))?;
                    cached.fetched_at = (self.now_ms)();
                    if let Some(store) = self.cache {
                        store.put_cached_response(url, &cached)?;
                    }
                    return Ok((value, next));
                }
                200 => {
                    let value: Value = serde_json::from_slice(&response.body)
                        .map_err(|e| EcoError::malformed(url, format!("not JSON: {e}")))?;
                    if let (Some(store), Some(etag)) = (self.cache, response.header("etag")) {
                        store.put_cached_response(
                            url,
                            &CachedResponse {
                                etag: Some(etag.to_string()),
                                fetched_at: (self.now_ms)(),
                                body: response.body.clone(),
                            },
                        )?;
                    }
                    return Ok((value, next));
                }
                403 | 429 => {
                    let Some(wait) = self.rate_limit_wait(&response) else {
                        return Err(EcoError::Status {
                            url: url.to_string(),
                            status: response.status,
                            body: response.body_excerpt(),
                        });
                    };
                    if waited + wait > self.max_wait {
                        return Err(EcoError::RateLimited {
                            url: url.to_string(),
                            wait_secs: wait.as_secs(),
                            max_wait_secs: self.max_wait.as_secs(),
                        });
                    }
                    std::thread::sleep(wait);
                    waited += wait;
                }
                status => {
                    return Err(EcoError::Status {
                        url: url.to_string(),
                        status,
                        body: response.body_excerpt(),
                    });
                }
            }
        }
    }

    /// How long a 403/429 asks to wait, or `None` when it is not a rate limit.
    fn rate_limit_wait(&self, response: &crate::http::Response) -> Option<Duration> {
        if let Some(secs) = response
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Some(Duration::from_secs(secs));
        }
        if response.header("x-ratelimit-remaining").map(str::trim) == Some("0") {
            let reset = response
                .header("x-ratelimit-reset")
                .and_then(|v| v.trim().parse::<i64>().ok())?;
            let secs = (reset - (self.now_ms)() / 1000).max(1);
            return Some(Duration::from_secs(u64::try_from(secs).unwrap_or(u64::MAX)));
        }
        None
    }

    /// Stars and forks of `owner/repo`.
    pub fn repo(&self, owner: &str, repo: &str) -> Result<RepoStats, EcoError> {
        let url = format!("{}/repos/{owner}/{repo}", self.base);
        let (value, _) = self.get_json(&url)?;
        let field = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_u64)
                .ok_or_else(|| EcoError::malformed(&url, format!("no numeric `{name}`")))
        };
        Ok(RepoStats {
            stars: field("stargazers_count")?,
            forks: field("forks_count")?,
        })
    }

    /// Pull requests merged in the `months` 30-day months before `now` (Unix ms): closed
    /// pull requests, most recently updated first, page by page until one was last
    /// updated before the window (a pull request is updated when merged, so no later
    /// page can hold one merged inside it).
    pub fn merged_prs(
        &self,
        owner: &str,
        repo: &str,
        now: i64,
        months: u32,
    ) -> Result<MergedPrs, EcoError> {
        let since = now - i64::from(months) * 30 * crate::time::DAY_MS;
        let mut url = Some(format!(
            "{}/repos/{owner}/{repo}/pulls?state=closed&sort=updated&direction=desc&per_page=100",
            self.base
        ));
        let mut count = 0;
        let mut pages = 0;
        while let Some(page_url) = url.take() {
            if pages == self.max_pages {
                return self.merged_prs_by_search(owner, repo, since, now, months, pages);
            }
            let (value, next) = self.get_json(&page_url)?;
            pages += 1;
            let items = value
                .as_array()
                .ok_or_else(|| EcoError::malformed(&page_url, "not a list of pull requests"))?;
            let mut reached_older = false;
            for item in items {
                let updated = item
                    .get("updated_at")
                    .and_then(Value::as_str)
                    .and_then(parse_rfc3339)
                    .ok_or_else(|| {
                        EcoError::malformed(&page_url, "a pull request without updated_at")
                    })?;
                if updated < since {
                    reached_older = true;
                    break;
                }
                let merged = item
                    .get("merged_at")
                    .and_then(Value::as_str)
                    .and_then(parse_rfc3339);
                if merged.is_some_and(|m| m >= since && m <= now) {
                    count += 1;
                }
            }
            if !reached_older {
                url = next;
            }
        }
        Ok(MergedPrs {
            count,
            months,
            pages,
            searched: false,
        })
    }

    /// The same count from the search API (`is:pr is:merged merged:FROM..TO`), for a
    /// repository too busy to page through.
    fn merged_prs_by_search(
        &self,
        owner: &str,
        repo: &str,
        since: i64,
        now: i64,
        months: u32,
        pages: usize,
    ) -> Result<MergedPrs, EcoError> {
        let url = format!(
            "{}/search/issues?q=repo:{owner}/{repo}+is:pr+is:merged+merged:{}..{}&per_page=1",
            self.base,
            crate::time::date(since),
            crate::time::date(now)
        );
        let (value, _) = self.get_json(&url)?;
        if value.get("incomplete_results").and_then(Value::as_bool) == Some(true) {
            return Err(EcoError::malformed(
                &url,
                "the search timed out (incomplete_results)",
            ));
        }
        let count = value
            .get("total_count")
            .and_then(Value::as_u64)
            .ok_or_else(|| EcoError::malformed(&url, "no numeric `total_count`"))?;
        Ok(MergedPrs {
            count,
            months,
            pages: pages + 1,
            searched: true,
        })
    }
}

/// The `rel="next"` address of a `Link` header.
pub fn next_link(link: Option<&str>) -> Option<String> {
    link?.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"))
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let link = r#"<https://api.github.com/repositories/1/pulls?page=2>; rel="next", <https://api.github.com/repositories/1/pulls?page=9>; rel="last""#;
        assert_eq!(
            next_link(Some(link)).as_deref(),
            Some("https://api.github.com/repositories/1/pulls?page=2")
        );
        assert_eq!(next_link(Some(r#"<x?page=1>; rel="prev""#)), None);
        assert_eq!(next_link(None), None);
    }
}
