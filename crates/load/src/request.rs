//! The bytes each request sends: rendered once when they never change, or per request
//! from a compiled template (`{{seq}}`, `{{faker.email}}`, `{{token}}`, ...).

use podium_workload::{RenderContext, RequestTemplate};

use crate::LoadError;
use crate::target::{Target, render_request};

/// Where request bytes come from.
#[derive(Debug)]
pub(crate) enum RequestSource {
    /// The same bytes for every request.
    Static(Vec<u8>),
    /// Rendered per request; templates were compiled once, up front.
    Template(RequestTemplate),
}

impl RequestSource {
    /// Builds the request. With `templated`, the path, header values and body may hold
    /// placeholders; a request whose template has none is still rendered only once.
    pub fn build(
        target: &Target,
        method: &str,
        headers: &[(String, String)],
        body: &[u8],
        templated: bool,
    ) -> Result<Self, LoadError> {
        if !templated {
            return render_request(target, method, headers, body).map(RequestSource::Static);
        }
        let body = match body {
            [] => None,
            bytes => Some(std::str::from_utf8(bytes).map_err(|_| {
                LoadError::InvalidConfig("a templated request body must be UTF-8 text".to_string())
            })?),
        };
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let template =
            RequestTemplate::compile(method, &target.authority, &target.path, &headers, body)
                .map_err(|e| LoadError::InvalidConfig(e.to_string()))?;
        Ok(match template.static_bytes() {
            Some(bytes) => RequestSource::Static(bytes.to_vec()),
            None => RequestSource::Template(template),
        })
    }

    /// The bytes of a static request (empty for a templated one).
    pub fn static_bytes(&self) -> &[u8] {
        match self {
            RequestSource::Static(bytes) => bytes,
            RequestSource::Template(_) => &[],
        }
    }

    /// A writer for one connection (or worker): `index` of `total` keeps `{{seq}}` values
    /// disjoint across all of them.
    pub fn writer(&self, index: usize, total: usize) -> RequestWriter<'_> {
        let seed = 0x9e37_79b9_7f4a_7c15 ^ index as u64;
        RequestWriter {
            source: self,
            ctx: RenderContext::for_worker(index as u32, total.max(1) as u32, seed),
            buf: Vec::new(),
        }
    }
}

/// Produces the next request's bytes without re-parsing any template.
#[derive(Debug)]
pub(crate) struct RequestWriter<'a> {
    source: &'a RequestSource,
    ctx: RenderContext,
    buf: Vec<u8>,
}

impl RequestWriter<'_> {
    /// The next request's bytes.
    pub fn next(&mut self) -> &[u8] {
        match self.source {
            RequestSource::Static(bytes) => bytes,
            RequestSource::Template(template) => {
                self.buf.clear();
                template.render(&mut self.ctx, &mut self.buf);
                &self.buf
            }
        }
    }

    /// The next request as owned bytes, for engines with several requests in flight per
    /// writer; `None` when every request is the same (use [`RequestSource::static_bytes`]).
    pub fn next_owned(&mut self) -> Option<Vec<u8>> {
        match self.source {
            RequestSource::Static(_) => None,
            RequestSource::Template(template) => {
                let mut out = Vec::with_capacity(self.buf.capacity().max(256));
                template.render(&mut self.ctx, &mut out);
                Some(out)
            }
        }
    }
}
