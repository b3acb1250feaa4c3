//! Templates: text with `{{placeholders}}`, compiled once and rendered per request.

use crate::faker::{Person, push_decimal};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The placeholders a template may contain, as written between `{{` and `}}`.
pub const PLACEHOLDERS: &[&str] = &[
    "token",
    "faker.name",
    "faker.email",
    "now_iso8601",
    "seq",
    "env.NAME",
];

/// How long a `{{token}}` lives by default.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The `sub` claim of minted tokens.
const TOKEN_SUBJECT: &str = "podium";

/// One compiled piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Bytes copied as they are (including resolved `{{env.NAME}}` values).
    Literal(Box<[u8]>),
    Token,
    FakerName,
    FakerEmail,
    NowIso8601,
    Seq,
}

/// A compiled template: literal bytes and placeholders, parsed once.
///
/// `{{env.NAME}}` is resolved when compiling; every other placeholder is substituted by
/// [`Template::render`], per request, without re-parsing and without allocating (except
/// for growing the output buffer and, about once an hour, re-minting `{{token}}`).
/// Spaces inside the braces are allowed (`{{ seq }}`). There is no escape for a literal
/// `{{`: valid JSON never contains one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    segments: Vec<Segment>,
}

/// Why a template does not compile. Line and column are 1-based, within the template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{something}}` that is not one of [`PLACEHOLDERS`].
    #[error(
        "{}: unknown placeholder `{{{{{name}}}}}`; use one of {{{{token}}}}, {{{{faker.name}}}}, \
         {{{{faker.email}}}}, {{{{now_iso8601}}}}, {{{{seq}}}} or {{{{env.NAME}}}}",
        at(.line, .column)
    )]
    Unknown {
        /// Line of the `{{`.
        line: usize,
        /// Column of the `{{`.
        column: usize,
        /// What was written between the braces (trimmed).
        name: String,
    },
    /// A `{{` without a matching `}}`.
    #[error("{}: `{{{{` is not closed; add `}}}}` after the placeholder name", at(.line, .column))]
    Unclosed {
        /// Line of the `{{`.
        line: usize,
        /// Column of the `{{`.
        column: usize,
    },
    /// `{{env.NAME}}` names a variable that is not set.
    #[error(
        "{}: `{{{{env.{name}}}}}` needs the environment variable {name}, which is not set; \
         export it or remove the placeholder",
        at(.line, .column)
    )]
    MissingEnv {
        /// Line of the `{{`.
        line: usize,
        /// Column of the `{{`.
        column: usize,
        /// The variable's name.
        name: String,
    },
}

fn at(line: &usize, column: &usize) -> String {
    if *line == 1 {
        format!("column {column}")
    } else {
        format!("line {line}, column {column}")
    }
}

impl TemplateError {
    /// 1-based (line, column) of the offending `{{` within the template.
    pub fn position(&self) -> (usize, usize) {
        match self {
            TemplateError::Unknown { line, column, .. }
            | TemplateError::Unclosed { line, column }
            | TemplateError::MissingEnv { line, column, .. } => (*line, *column),
        }
    }
}

impl Template {
    /// Compiles `text`, resolving `{{env.NAME}}` from the process environment.
    pub fn compile(text: &str) -> Result<Template, TemplateError> {
        Self::compile_with_env(text, |name| std::env::var(name).ok())
    }

    /// Compiles `text`, resolving `{{env.NAME}}` with `env` (for tests and for callers
    /// that carry their own environment).
    pub fn compile_with_env(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Template, TemplateError> {
        let mut segments: Vec<Segment> = Vec::new();
        let mut literal: Vec<u8> = Vec::new();
        let mut rest = 0;
        while let Some(found) = text[rest..].find("{{") {
            let open = rest + found;
            literal.extend_from_slice(&text.as_bytes()[rest..open]);
            let (line, column) = line_column(text, open);
            let Some(len) = text[open + 2..].find("}}") else {
                return Err(TemplateError::Unclosed { line, column });
            };
            let name = text[open + 2..open + 2 + len].trim();
            let segment = match name {
                "token" => Segment::Token,
                "faker.name" => Segment::FakerName,
                "faker.email" => Segment::FakerEmail,
                "now_iso8601" => Segment::NowIso8601,
                "seq" => Segment::Seq,
                _ => match name.strip_prefix("env.") {
                    Some(var) if !var.is_empty() && !var.contains(char::is_whitespace) => {
                        let value = env(var).ok_or_else(|| TemplateError::MissingEnv {
                            line,
                            column,
                            name: var.to_string(),
                        })?;
                        Segment::Literal(value.into_bytes().into())
                    }
                    _ => {
                        return Err(TemplateError::Unknown {
                            line,
                            column,
                            name: name.to_string(),
                        });
                    }
                },
            };
            match segment {
                Segment::Literal(bytes) => literal.extend_from_slice(&bytes),
                other => {
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal).into()));
                    }
                    segments.push(other);
                }
            }
            rest = open + 2 + len + 2;
        }
        literal.extend_from_slice(&text.as_bytes()[rest..]);
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal.into()));
        }
        Ok(Template {
            source: text.to_string(),
            segments,
        })
    }

    /// A template that renders `bytes` unchanged (no placeholder parsing).
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Template {
        let bytes: Vec<u8> = bytes.into();
        Template {
            source: String::from_utf8_lossy(&bytes).into_owned(),
            segments: if bytes.is_empty() {
                Vec::new()
            } else {
                vec![Segment::Literal(bytes.into())]
            },
        }
    }

    /// The text the template was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the template has no per-request placeholder: it always renders the same
    /// bytes ([`Template::static_bytes`]), so a request made of it can be rendered once.
    pub fn is_static(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Literal(_)))
    }

    /// The bytes a static template always renders; `None` when it has placeholders.
    pub fn static_bytes(&self) -> Option<&[u8]> {
        match self.segments.as_slice() {
            [] => Some(&[]),
            [Segment::Literal(bytes)] => Some(bytes),
            _ => None,
        }
    }

    /// True when the template contains `{{token}}`.
    pub fn uses_token(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Token))
    }

    /// The literal bytes of the template (the parts that are not per-request values).
    pub(crate) fn literal_parts(&self) -> impl Iterator<Item = &[u8]> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Literal(bytes) => Some(&bytes[..]),
            _ => None,
        })
    }

    /// Renders one request's worth of this template onto `out`: starts a new request in
    /// `ctx` (next `{{seq}}`, a new fake person), then substitutes. A static template is
    /// copied and leaves `ctx` untouched.
    pub fn render(&self, ctx: &mut RenderContext, out: &mut Vec<u8>) {
        if let Some(bytes) = self.static_bytes() {
            out.extend_from_slice(bytes);
            return;
        }
        ctx.begin_request();
        self.render_current(ctx, out);
    }

    /// Renders onto `out` within the request `ctx` is on (same `{{seq}}` and fake person
    /// as the other parts of that request); see [`RenderContext::begin_request`].
    pub fn render_current(&self, ctx: &mut RenderContext, out: &mut Vec<u8>) {
        for segment in &self.segments {
            match segment {
                Segment::Literal(bytes) => out.extend_from_slice(bytes),
                Segment::Token => out.extend_from_slice(ctx.token().as_bytes()),
                Segment::FakerName => ctx.person().write_name(out),
                Segment::FakerEmail => ctx.person().write_email(out),
                Segment::NowIso8601 => write_iso8601(out, SystemTime::now()),
                Segment::Seq => push_decimal(out, ctx.seq),
            }
        }
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Per-worker state for rendering templates: the `{{seq}}` counter, the fake-person
/// generator and the current `{{token}}`.
///
/// **Sequences are disjoint across workers**: [`RenderContext::for_worker`]`(i, n, seed)`
/// numbers its requests `i+1, i+1+n, i+1+2n, ...`, so `n` workers together use every
/// number from 1 upwards exactly once (roughly in order), and `{{seq}}` is unique across the
/// whole run. [`RenderContext::new`] is worker 0 of 1: `1, 2, 3, ...`.
///
/// The token is minted on first use (secret: `$JWT_SECRET`, see
/// [`podium_token::secret_from_env`], unless [`RenderContext::with_secret`]) and re-minted
/// only when it comes close to its expiry, never per request.
#[derive(Debug, Clone)]
pub struct RenderContext {
    seq: u64,
    seq_next: u64,
    seq_stride: u64,
    rng: u64,
    person: Option<Person>,
    secret: Option<Vec<u8>>,
    token: String,
    token_exp: i64,
    token_ttl: i64,
    /// Reusable buffer for request bodies (their length precedes them on the wire).
    pub(crate) scratch: Vec<u8>,
}

impl RenderContext {
    /// A context numbering requests `1, 2, 3, ...`, fake people drawn from `seed`.
    pub fn new(seed: u64) -> RenderContext {
        Self::for_worker(0, 1, seed)
    }

    /// The context of worker `worker` (0-based) out of `workers`: its `{{seq}}` values are
    /// `worker+1 + k*workers`, disjoint from every other worker's. Fake people are drawn
    /// from `seed` mixed with the worker index, so workers differ but runs repeat.
    pub fn for_worker(worker: u32, workers: u32, seed: u64) -> RenderContext {
        let workers = workers.max(1);
        let mut rng = seed;
        crate::faker::next_u64(&mut rng);
        rng ^= u64::from(worker).wrapping_mul(0xD6E8_FEB8_6659_FD93);
        RenderContext {
            seq: 0,
            seq_next: u64::from(worker % workers) + 1,
            seq_stride: u64::from(workers),
            rng,
            person: None,
            secret: None,
            token: String::new(),
            token_exp: 0,
            token_ttl: DEFAULT_TOKEN_TTL.as_secs() as i64,
            scratch: Vec::new(),
        }
    }

    /// Signs `{{token}}` with `secret` instead of `$JWT_SECRET`.
    pub fn with_secret(mut self, secret: impl Into<Vec<u8>>) -> RenderContext {
        self.secret = Some(secret.into());
        self.token.clear();
        self
    }

    /// Sets the lifetime of minted tokens (at least one second; default one hour).
    pub fn with_token_ttl(mut self, ttl: Duration) -> RenderContext {
        self.token_ttl = ttl.as_secs().clamp(1, i64::MAX as u64) as i64;
        self.token.clear();
        self
    }

    /// Starts the next request: advances `{{seq}}` and forgets the current fake person.
    /// [`Template::render`] and [`crate::RequestTemplate::render`] call this themselves.
    pub fn begin_request(&mut self) {
        self.seq = self.seq_next;
        self.seq_next = self.seq_next.wrapping_add(self.seq_stride);
        self.person = None;
    }

    /// The current request's `{{seq}}` (0 before the first request).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    fn person(&mut self) -> Person {
        match self.person {
            Some(person) => person,
            None => {
                let person = Person::draw(&mut self.rng);
                self.person = Some(person);
                person
            }
        }
    }

    /// The current token, minted or re-minted when missing or within a quarter of its
    /// lifetime (at most five minutes) of expiring.
    pub fn token(&mut self) -> &str {
        let now = podium_token::now_unix();
        let margin = (self.token_ttl / 4).min(300);
        if self.token.is_empty() || now + margin >= self.token_exp {
            let secret = self
                .secret
                .get_or_insert_with(|| podium_token::secret_from_env().into_bytes());
            // `mint` reads the clock after `now`, so the real expiry is never earlier.
            self.token = podium_token::mint(secret, TOKEN_SUBJECT, self.token_ttl);
            self.token_exp = now + self.token_ttl;
        }
        &self.token
    }
}

/// Appends `time` as UTC ISO 8601 with milliseconds: `2025-01-31T23:59:59.123Z`.
pub(crate) fn write_iso8601(out: &mut Vec<u8>, time: SystemTime) {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let of_day = secs % 86_400;
    push_padded(out, year.clamp(0, 9999) as u64, 4);
    out.push(b'-');
    push_padded(out, u64::from(month), 2);
    out.push(b'-');
    push_padded(out, u64::from(day), 2);
    out.push(b'T');
    push_padded(out, of_day / 3600, 2);
    out.push(b':');
    push_padded(out, of_day / 60 % 60, 2);
    out.push(b':');
    push_padded(out, of_day % 60, 2);
    out.push(b'.');
    push_padded(out, u64::from(since.subsec_millis()), 3);
    out.push(b'Z');
}

/// Appends the last `width` (at most 4) decimal digits of `n`, zero-padded.
fn push_padded(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 4];
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[..width]);
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{Hmac, Mac};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn render(template: &Template, ctx: &mut RenderContext) -> String {
        let mut out = Vec::new();
        template.render(ctx, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unknown_placeholder_names_it_and_its_column() {
        let err = Template::compile_with_env("/users/{{sequence}}", no_env).unwrap_err();
        assert_eq!(
            err,
            TemplateError::Unknown {
                line: 1,
                column: 8,
                name: "sequence".into()
            }
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("column 8: unknown placeholder `{{sequence}}`"),
            "{msg}"
        );
        assert!(msg.contains("{{faker.email}}"), "{msg}");
        // `faker.` and `env.` need a known suffix.
        for bad in ["{{faker.phone}}", "{{env.}}", "{{}}", "{{ Token }}"] {
            assert!(
                matches!(
                    Template::compile_with_env(bad, no_env),
                    Err(TemplateError::Unknown { column: 1, .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn unclosed_placeholder_gives_line_and_column() {
        let err = Template::compile_with_env("{\"a\": 1,\n \"b\": {{seq}", no_env).unwrap_err();
        assert_eq!(err, TemplateError::Unclosed { line: 2, column: 7 });
        assert_eq!(err.position(), (2, 7));
        assert!(
            err.to_string()
                .starts_with("line 2, column 7: `{{` is not closed"),
            "{err}"
        );
    }

    #[test]
    fn missing_env_variable_is_named() {
        let err = Template::compile("x {{env.PODIUM_SURELY_UNSET_VARIABLE_42}}").unwrap_err();
        assert_eq!(
            err,
            TemplateError::MissingEnv {
                line: 1,
                column: 3,
                name: "PODIUM_SURELY_UNSET_VARIABLE_42".into()
            }
        );
        assert!(
            err.to_string()
                .contains("PODIUM_SURELY_UNSET_VARIABLE_42, which is not set")
        );
    }

    #[test]
    fn env_is_resolved_at_compile_time_into_a_static_template() {
        let env = |name: &str| (name == "API_KEY").then(|| "k-123".to_string());
        let t = Template::compile_with_env("key={{ env.API_KEY }};", env).unwrap();
        assert!(t.is_static());
        assert_eq!(t.static_bytes(), Some(&b"key=k-123;"[..]));
        assert_eq!(render(&t, &mut RenderContext::new(1)), "key=k-123;");
        // The real environment works too.
        assert!(Template::compile("{{env.PATH}}").unwrap().is_static());
    }

    #[test]
    fn static_detection() {
        assert!(Template::compile("pong").unwrap().is_static());
        assert!(Template::compile("").unwrap().is_static());
        assert_eq!(Template::compile("").unwrap().static_bytes(), Some(&[][..]));
        assert!(Template::compile(r#"{"a":{"b":1}}"#).unwrap().is_static());
        for dynamic in [
            "{{seq}}",
            "a{{token}}",
            "{{faker.name}}",
            "{{faker.email}}",
            "{{now_iso8601}}",
        ] {
            let t = Template::compile(dynamic).unwrap();
            assert!(!t.is_static() && t.static_bytes().is_none(), "{dynamic}");
        }
        assert!(Template::compile("Bearer {{token}}").unwrap().uses_token());
    }

    #[test]
    fn seq_starts_at_one_and_increments_per_request() {
        let t = Template::compile("/users/{{seq}}").unwrap();
        let mut ctx = RenderContext::new(0);
        assert_eq!(ctx.seq(), 0);
        assert_eq!(render(&t, &mut ctx), "/users/1");
        assert_eq!(render(&t, &mut ctx), "/users/2");
        assert_eq!(render(&t, &mut ctx), "/users/3");
        // Within one request every {{seq}} is the same number.
        let twice = Template::compile("{{seq}}-{{seq}}").unwrap();
        assert_eq!(render(&twice, &mut ctx), "4-4");
    }

    #[test]
    fn worker_sequences_are_disjoint_and_cover_every_number() {
        let t = Template::compile("{{seq}}").unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for worker in 0..3 {
            let mut ctx = RenderContext::for_worker(worker, 3, 7);
            for _ in 0..10 {
                assert!(seen.insert(render(&t, &mut ctx).parse::<u64>().unwrap()));
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            (1..=30).collect::<Vec<_>>()
        );
    }

    /// The contract's email rule, written out as the contract states it.
    fn contract_email_ok(email: &str) -> bool {
        let mut parts = email.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        !local.is_empty()
            && !local.contains(char::is_whitespace)
            && !domain.contains(char::is_whitespace)
            && domain.contains('.')
            && domain.split('.').all(|part| !part.is_empty())
    }

    #[test]
    fn faker_values_satisfy_the_contract_and_are_json_safe() {
        let t =
            Template::compile(r#"{"name":"{{faker.name}}","email":"{{faker.email}}"}"#).unwrap();
        let mut emails = std::collections::HashSet::new();
        for seed in 0..50u64 {
            let mut ctx = RenderContext::new(seed);
            for _ in 0..40 {
                let body = render(&t, &mut ctx);
                let value: serde_json::Value = serde_json::from_str(&body).unwrap();
                let name = value["name"].as_str().unwrap();
                let email = value["email"].as_str().unwrap();
                assert!(!name.trim().is_empty(), "{body}");
                assert!(contract_email_ok(email), "{body}");
                assert!(!body.contains('\\'), "{body}");
                emails.insert(email.to_string());
            }
        }
        assert!(emails.len() > 1000, "only {} distinct emails", emails.len());
    }

    #[test]
    fn faker_is_deterministic_per_seed_and_consistent_within_a_request() {
        let t = Template::compile("{{faker.name}}|{{faker.email}}|{{faker.name}}").unwrap();
        let run = |seed| {
            let mut ctx = RenderContext::new(seed);
            (0..5).map(|_| render(&t, &mut ctx)).collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        for line in run(42) {
            let parts: Vec<&str> = line.split('|').collect();
            assert_eq!(parts[0], parts[2], "one person per request");
            let first = parts[0].split(' ').next().unwrap().to_ascii_lowercase();
            assert!(parts[1].starts_with(&first), "{line}");
        }
        // Different workers with the same seed draw different people.
        let mut a = RenderContext::for_worker(0, 2, 9);
        let mut b = RenderContext::for_worker(1, 2, 9);
        let ta: Vec<_> = (0..5).map(|_| render(&t, &mut a)).collect();
        let tb: Vec<_> = (0..5).map(|_| render(&t, &mut b)).collect();
        assert_ne!(ta, tb);
    }

    #[test]
    fn now_is_iso8601_utc() {
        let t = Template::compile("{{now_iso8601}}").unwrap();
        let s = render(&t, &mut RenderContext::new(0));
        assert_eq!(s.len(), "2025-01-31T23:59:59.123Z".len(), "{s}");
        let b = s.as_bytes();
        assert_eq!(
            (b[4], b[7], b[10], b[13], b[16], b[19], b[23]),
            (b'-', b'-', b'T', b':', b':', b'.', b'Z'),
            "{s}"
        );
        assert!(s.as_str() >= "2025-01-01T00:00:00.000Z", "{s}");
        // Known instants.
        let mut out = Vec::new();
        write_iso8601(&mut out, UNIX_EPOCH);
        out.push(b' ');
        write_iso8601(
            &mut out,
            UNIX_EPOCH + Duration::from_millis(951_782_400_007),
        );
        out.push(b' ');
        write_iso8601(&mut out, UNIX_EPOCH + Duration::from_secs(1_735_689_599));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1970-01-01T00:00:00.000Z 2000-02-29T00:00:00.007Z 2024-12-31T23:59:59.000Z"
        );
    }

    fn verify_hs256(token: &str, secret: &[u8]) -> serde_json::Value {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "{token}");
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "HS256");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
            .expect("signature verifies with the secret");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
    }

    #[test]
    fn token_is_a_valid_hs256_jwt_minted_once() {
        let t = Template::compile("Bearer {{token}}").unwrap();
        let mut ctx = RenderContext::new(0).with_secret("s3cret");
        let first = render(&t, &mut ctx);
        let token = first.strip_prefix("Bearer ").unwrap();
        let claims = verify_hs256(token, b"s3cret");
        let now = podium_token::now_unix();
        assert!(claims["exp"].as_i64().unwrap() > now + 3000, "{claims}");
        // Reused, not re-minted per request.
        for _ in 0..100 {
            assert_eq!(render(&t, &mut ctx), first);
        }
        // Near expiry it is re-minted, with a fresh expiry.
        ctx.token_exp = now + 10;
        let _ = render(&t, &mut ctx);
        assert!(ctx.token_exp >= now + 3600);
        verify_hs256(ctx.token(), b"s3cret");
    }

    #[test]
    fn token_uses_the_environment_secret_by_default() {
        let mut ctx = RenderContext::new(0);
        let token = ctx.token().to_string();
        verify_hs256(&token, podium_token::secret_from_env().as_bytes());
    }

    #[test]
    fn rendering_appends_and_does_not_reparse() {
        let t = Template::compile("a{{seq}}b").unwrap();
        let mut ctx = RenderContext::new(0);
        let mut out = b"prefix:".to_vec();
        t.render(&mut ctx, &mut out);
        t.render(&mut ctx, &mut out);
        assert_eq!(out, b"prefix:a1ba2b");
        assert_eq!(t.source(), "a{{seq}}b");
    }
}
