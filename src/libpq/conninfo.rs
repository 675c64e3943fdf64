//! Connection strings, parsed the way libpq's `PQconninfoParse` does.
//!
//! libpq accepts two forms (PostgreSQL 15 documentation, section 34.1.1):
//!
//! - `key=value` pairs separated by whitespace, such as
//!   `host=localhost port=5432 dbname='my db'`. Spaces are allowed around `=`; a value is either
//!   a run of non-space characters or a single-quoted string; a backslash escapes the next
//!   character in both (`\'`, `\\`, `\ `). Keywords are case-sensitive and must be one of
//!   [`KEYWORDS`].
//! - URIs,
//!   `postgresql://[user[:password]@][host][:port][,host[:port]...][/dbname][?param=value&...]`
//!   (the scheme may also be `postgres://`). Every part is percent-decoded; an IPv6 address is
//!   written in brackets; query parameters are keyword/value pairs, with `ssl=true` standing for
//!   `sslmode=require`.
//!
//! [`parse`] returns libpq keyword names with their values; [`redact`] masks passwords so that a
//! connection string can be shown in a message; [`looks_like_conninfo`] is libpq's test for
//! whether a database name is really a connection string.

use std::ops::Range;

use anyhow::{anyhow, bail, Result};

/// Every keyword libpq 15 accepts, in libpq's own order (as listed by `PQconndefaults`).
///
/// Keywords added by later libpq versions (`require_auth`, `sslcertmode`, `load_balance_hosts`,
/// `gssdelegation`, `sslnegotiation`, ...) are rejected, as libpq 15 rejects them.
pub const KEYWORDS: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "replication",
    "target_session_attrs",
];

/// Keywords whose values are secret: libpq marks them for hidden display, [`redact`] masks
/// them, and no error message shows them.
pub const SECRET_KEYWORDS: &[&str] = &["password", "sslpassword"];

/// What [`redact`] puts in place of a password.
pub const MASK: &str = "********";

/// The URI schemes libpq recognizes; the comparison is case-sensitive, as in libpq.
const URI_PREFIXES: [&str; 2] = ["postgresql://", "postgres://"];

/// True when `word` is a connection keyword libpq 15 accepts (see [`KEYWORDS`]).
///
/// The obsolete `requiressl` is not a keyword, although [`parse`] still translates it to
/// `sslmode` as libpq does.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// True when `word` is a keyword whose value is secret (see [`SECRET_KEYWORDS`]).
pub fn is_secret(word: &str) -> bool {
    SECRET_KEYWORDS.contains(&word)
}

/// True when `s` is a connection string rather than a plain database name: it starts with
/// `postgresql://` or `postgres://`, or contains `=` anywhere.
///
/// This is libpq's rule for expanding the `dbname` given to `psql -d` or `PQconnectdbParams`.
pub fn looks_like_conninfo(s: &str) -> bool {
    uri_prefix_len(s).is_some() || s.contains('=')
}

/// Parses a connection string, in either the URI or the `key=value` form, into libpq keyword
/// names and values.
///
/// Each keyword appears once, at the place where it first appeared; when a keyword is given
/// more than once the last value wins, as in libpq (so in a URI a query parameter such as
/// `?host=/tmp` overrides the host part). Values are kept as given, empty ones included.
///
/// libpq's conversions are applied: the obsolete `requiressl=1` becomes `sslmode=require`
/// (any other `requiressl` value becomes `sslmode=prefer`), and in a URI `ssl=true` becomes
/// `sslmode=require`.
///
/// In a URI with several hosts, `host` and `port` are comma-separated lists with one element
/// per host, exactly as libpq builds them: `postgresql://a,b:5433` gives `host=a,b` and
/// `port=,5433`, and `postgresql://a,b` gives `port=,`; an empty element means the default.
/// Brackets around an IPv6 address are removed. A percent-encoded socket directory such as
/// `%2Fvar%2Frun%2Fpostgresql` decodes to a path.
///
/// # Errors
///
/// On anything libpq rejects: an unknown keyword (``invalid connection option `foo` ``), a
/// keyword without `=`, an unterminated quoted value, a malformed IPv6 address, a query
/// parameter without `=` or with two, a bad percent-encoding or `%00`. A value that is not
/// valid UTF-8 once percent-decoded is also an error (libpq passes such bytes through). Error
/// messages never contain the value of a secret keyword, nor text that may be the tail of a
/// password written with an unquoted space.
pub fn parse(s: &str) -> Result<Vec<(String, String)>> {
    let mut params = Params::default();
    match uri_prefix_len(s) {
        Some(prefix_len) => parse_uri(s, prefix_len, &mut params)?,
        None => parse_key_value(s, &mut params)?,
    }
    Ok(params.0)
}

/// Returns `s` with every password replaced by [`MASK`], for showing in messages.
///
/// Masked are: the password in a URI's `user:password@`, the values of the `password` and
/// `sslpassword` query parameters (keys percent-decoded before comparing), the values of
/// `password` and `sslpassword` in the `key=value` form, and passwords inside a `dbname` value
/// that is itself a connection string. Empty passwords are left as they are. The rest of the
/// string is kept byte for byte.
///
/// `s` need not be valid: when a `key=value` string cannot be parsed, the text from the point
/// of failure on is masked as a whole if it could hold a password (it follows a password value,
/// or mentions `password` or `://`). In a URI whose `user:password@` libpq would not recognize
/// because the password contains an unencoded `/`, the part up to an `@` before any `?` is
/// still treated as user information.
pub fn redact(s: &str) -> String {
    match uri_prefix_len(s) {
        Some(prefix_len) => redact_uri(s, prefix_len),
        None => redact_key_value(s),
    }
}

/// Length of the URI scheme prefix `s` starts with, if any.
fn uri_prefix_len(s: &str) -> Option<usize> {
    URI_PREFIXES
        .iter()
        .find(|prefix| s.starts_with(*prefix))
        .map(|prefix| prefix.len())
}

/// libpq's `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `word` is safe to show in a message: it is shaped like a keyword, not like free text that
/// might be a piece of a password.
pub(crate) fn shows_as_keyword(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 64
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Keyword/value pairs in order of first appearance, with libpq's storing rules.
#[derive(Default)]
struct Params(Vec<(String, String)>);

impl Params {
    /// Stores a value like libpq's `conninfo_storeval`: `requiressl` becomes `sslmode`, a later
    /// value replaces an earlier one. Returns false, storing nothing, for an unknown keyword.
    fn store(&mut self, keyword: &str, value: String) -> bool {
        let (keyword, value) = if keyword == "requiressl" {
            let mode = if value.starts_with('1') {
                "require"
            } else {
                "prefer"
            };
            ("sslmode", mode.to_string())
        } else {
            (keyword, value)
        };
        if !is_keyword(keyword) {
            return false;
        }
        match self.0.iter_mut().find(|(k, _)| k == keyword) {
            Some(slot) => slot.1 = value,
            None => self.0.push((keyword.to_string(), value)),
        }
        true
    }
}

/// One `keyword=value` pair of a `key=value` connection string, with where its value sits.
struct KvPair {
    keyword: String,
    value: String,
    /// Byte range of the value as written, quotes included.
    value_span: Range<usize>,
}

/// Why lexing a `key=value` connection string stopped.
enum KvError {
    /// The keyword starting at `start` is not followed by `=`.
    MissingEquals { start: usize, keyword: String },
    /// The quoted value of the keyword starting at `start` has no closing quote.
    Unterminated { start: usize, keyword: String },
}

impl KvError {
    /// Byte offset of the keyword where lexing failed.
    fn start(&self) -> usize {
        match self {
            KvError::MissingEquals { start, .. } | KvError::Unterminated { start, .. } => *start,
        }
    }
}

/// Splits a `key=value` connection string into pairs, following libpq's `conninfo_parse`.
/// Returns the pairs read before any syntax error, and the error.
fn lex_key_value(s: &str) -> (Vec<KvPair>, Option<KvError>) {
    let b = s.as_bytes();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if is_space(b[i]) {
            i += 1;
            continue;
        }
        // The keyword runs up to `=` or whitespace; whitespace may precede the `=`.
        let start = i;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let keyword = s[start..i].to_string();
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            return (pairs, Some(KvError::MissingEquals { start, keyword }));
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let value_start = i;
        let mut value = Vec::new();
        if i < b.len() && b[i] == b'\'' {
            i += 1;
            loop {
                if i >= b.len() {
                    return (pairs, Some(KvError::Unterminated { start, keyword }));
                }
                match b[i] {
                    b'\\' => {
                        i += 1;
                        if i < b.len() {
                            value.push(b[i]);
                            i += 1;
                        }
                    }
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    other => {
                        value.push(other);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !is_space(b[i]) {
                if b[i] == b'\\' {
                    // A trailing backslash is dropped, as in libpq.
                    i += 1;
                    if i < b.len() {
                        value.push(b[i]);
                        i += 1;
                    }
                } else {
                    value.push(b[i]);
                    i += 1;
                }
            }
        }
        pairs.push(KvPair {
            keyword,
            // Only ASCII backslashes were removed from valid UTF-8, so this is never lossy.
            value: String::from_utf8_lossy(&value).into_owned(),
            value_span: value_start..i,
        });
    }
    (pairs, None)
}

/// Parses the `key=value` form into `params`.
fn parse_key_value(s: &str, params: &mut Params) -> Result<()> {
    let (pairs, error) = lex_key_value(s);
    let mut after_secret: Option<String> = None;
    for pair in pairs {
        let keyword = pair.keyword;
        if !params.store(&keyword, pair.value) {
            return Err(invalid_option_error(&keyword, after_secret.as_deref()));
        }
        after_secret = is_secret(&keyword).then_some(keyword);
    }
    match error {
        None => Ok(()),
        Some(KvError::MissingEquals { keyword, .. }) => {
            if let Some(secret) = after_secret {
                bail!(
                    "missing `=` in connection string after the value of `{secret}`; \
                     quote values that contain spaces"
                )
            } else if shows_as_keyword(&keyword) {
                bail!("missing `=` after `{keyword}` in connection string")
            } else if keyword.contains(":/") {
                bail!(
                    "missing `=` in connection string; a URI must start with `postgresql://` \
                     or `postgres://`"
                )
            } else {
                bail!("missing `=` after a connection option name in connection string")
            }
        }
        Some(KvError::Unterminated { keyword, .. }) => {
            if shows_as_keyword(&keyword) {
                bail!("unterminated quoted value of `{keyword}` in connection string")
            } else {
                bail!("unterminated quoted value in connection string")
            }
        }
    }
}

/// The error for an unknown keyword, without showing text that may be part of a password.
fn invalid_option_error(keyword: &str, after_secret: Option<&str>) -> anyhow::Error {
    if let Some(secret) = after_secret {
        anyhow!(
            "invalid connection option after the value of `{secret}`; \
             quote values that contain spaces"
        )
    } else if keyword.is_empty() {
        anyhow!("missing connection option name before `=` in connection string")
    } else if shows_as_keyword(keyword) {
        anyhow!("invalid connection option `{keyword}`")
    } else {
        anyhow!("invalid connection option in connection string (name not shown)")
    }
}

/// Parses the URI form into `params`, following libpq's `conninfo_uri_parse_options`.
fn parse_uri(s: &str, prefix_len: usize, params: &mut Params) -> Result<()> {
    let b = s.as_bytes();
    let len = b.len();
    let start = prefix_len;

    // User information: libpq looks for `@` before the first `/` (not stopping at `?`).
    let mut p = start;
    while p < len && b[p] != b'@' && b[p] != b'/' {
        p += 1;
    }
    if p < len && b[p] == b'@' {
        let userinfo = &s[start..p];
        let (user, password) = match userinfo.find(':') {
            Some(colon) => (&userinfo[..colon], Some(&userinfo[colon + 1..])),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            params.store("user", percent_decode(user, "URI user name", false)?);
        }
        if let Some(password) = password.filter(|pw| !pw.is_empty()) {
            params.store("password", percent_decode(password, "URI password", true)?);
        }
        p += 1;
    } else {
        p = start;
    }

    // Hosts and ports: `host[:port]` items separated by commas.
    let mut hosts = String::new();
    let mut ports = String::new();
    let mut terminator;
    loop {
        if p < len && b[p] == b'[' {
            let host_start = p + 1;
            p = host_start;
            while p < len && b[p] != b']' {
                p += 1;
            }
            if p >= len {
                bail!("missing `]` after IPv6 host address in URI");
            }
            if p == host_start {
                bail!("empty IPv6 host address `[]` in URI");
            }
            let host = &s[host_start..p];
            p += 1;
            if p < len && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                let found: String = s[p..].chars().take(1).collect();
                bail!(
                    "unexpected character `{found}` after IPv6 host address `[{host}]` in URI \
                     (expected `:`, `/`, `?` or `,`)"
                );
            }
            hosts.push_str(host);
        } else {
            let host_start = p;
            while p < len && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                p += 1;
            }
            hosts.push_str(&s[host_start..p]);
        }
        terminator = b.get(p).copied();
        if terminator == Some(b':') {
            p += 1;
            let port_start = p;
            while p < len && !matches!(b[p], b'/' | b'?' | b',') {
                p += 1;
            }
            ports.push_str(&s[port_start..p]);
            terminator = b.get(p).copied();
        }
        if terminator != Some(b',') {
            break;
        }
        p += 1;
        hosts.push(',');
        ports.push(',');
    }
    if !hosts.is_empty() {
        params.store("host", percent_decode(&hosts, "URI host", false)?);
    }
    if !ports.is_empty() {
        params.store("port", percent_decode(&ports, "URI port", false)?);
    }

    // Database name: after `/`, up to `?`. An empty one is not stored.
    if terminator == Some(b'/') {
        p += 1;
        let dbname_start = p;
        while p < len && b[p] != b'?' {
            p += 1;
        }
        let dbname = &s[dbname_start..p];
        if !dbname.is_empty() {
            params.store(
                "dbname",
                percent_decode(dbname, "URI database name", false)?,
            );
        }
        terminator = b.get(p).copied();
    }

    if terminator.is_some() {
        parse_uri_query(&s[p + 1..], params)?;
    }
    Ok(())
}

/// Parses a URI's query, `key=value` items separated by `&`, following libpq's
/// `conninfo_uri_parse_params`.
fn parse_uri_query(query: &str, params: &mut Params) -> Result<()> {
    let items: Vec<&str> = query.split('&').collect();
    let mut after_secret: Option<String> = None;
    for (index, item) in items.iter().enumerate() {
        // A trailing `&` (or an empty query) ends the list; an empty item elsewhere is an error.
        if item.is_empty() && index + 1 == items.len() {
            break;
        }
        let mut pieces = item.splitn(3, '=');
        let raw_key = pieces.next().unwrap_or_default();
        let (raw_value, extra) = (pieces.next(), pieces.next());
        let Some(raw_value) = raw_value else {
            if after_secret.is_none() && shows_as_keyword(item) {
                bail!("missing `=` in URI query parameter `{item}`");
            }
            bail!("missing `=` in a URI query parameter");
        };
        if extra.is_some() {
            if after_secret.is_none() && shows_as_keyword(raw_key) {
                bail!("extra `=` in URI query parameter `{raw_key}`");
            }
            bail!("extra `=` in a URI query parameter");
        }
        let keyword = percent_decode(raw_key, "URI query parameter name", after_secret.is_some())?;
        let value = percent_decode(
            raw_value,
            &format!("value of URI query parameter `{keyword}`"),
            is_secret(&keyword),
        )?;
        let (keyword, value) = if keyword == "ssl" && value == "true" {
            // libpq's concession to JDBC users.
            ("sslmode".to_string(), "require".to_string())
        } else {
            (keyword, value)
        };
        if !params.store(&keyword, value) {
            if after_secret.is_none() && shows_as_keyword(&keyword) {
                bail!("invalid URI query parameter `{keyword}`");
            }
            bail!("invalid URI query parameter (name not shown)");
        }
        after_secret = is_secret(&keyword).then_some(keyword);
    }
    Ok(())
}

/// Value of an ASCII hexadecimal digit.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes as libpq's `conninfo_uri_decode` does (`+` stays `+`). `what` names
/// the part for messages; when `secret`, messages do not quote any of `raw`.
fn percent_decode(raw: &str, what: &str, secret: bool) -> Result<String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let hi = b.get(i + 1).copied().and_then(hex_value);
        let lo = b.get(i + 2).copied().and_then(hex_value);
        match (hi, lo) {
            (Some(0), Some(0)) => bail!("forbidden value `%00` in {what}"),
            (Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            _ if secret => bail!("invalid percent-encoded token in {what}"),
            _ => {
                let token: String = raw[i..].chars().take(3).collect();
                bail!("invalid percent-encoded token `{token}` in {what}")
            }
        }
    }
    String::from_utf8(out).map_err(|_| anyhow!("percent-decoded {what} is not valid UTF-8"))
}

/// Quotes a value for the `key=value` form.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// [`redact`] for the `key=value` form.
fn redact_key_value(s: &str) -> String {
    let (pairs, error) = lex_key_value(s);
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    for pair in &pairs {
        let replacement = if is_secret(&pair.keyword) && !pair.value.is_empty() {
            Some(MASK.to_string())
        } else if pair.keyword == "dbname" && looks_like_conninfo(&pair.value) {
            let inner = redact(&pair.value);
            (inner != pair.value).then(|| quote(&inner))
        } else {
            None
        };
        if let Some(replacement) = replacement {
            out.push_str(&s[copied..pair.value_span.start]);
            out.push_str(&replacement);
            copied = pair.value_span.end;
        }
    }
    match error {
        None => out.push_str(&s[copied..]),
        Some(error) => {
            let start = error.start();
            out.push_str(&s[copied..start]);
            let rest = &s[start..];
            let after_secret = pairs.last().is_some_and(|pair| is_secret(&pair.keyword));
            if after_secret || rest.contains("password") || rest.contains("://") {
                out.push_str(MASK);
            } else {
                out.push_str(rest);
            }
        }
    }
    out
}

/// [`redact`] for the URI form.
fn redact_uri(s: &str, prefix_len: usize) -> String {
    let b = s.as_bytes();
    // libpq's rule: user information ends at an `@` seen before any `/`.
    let mut p = prefix_len;
    while p < b.len() && b[p] != b'@' && b[p] != b'/' {
        p += 1;
    }
    let at = if p < b.len() && b[p] == b'@' {
        Some(p)
    } else {
        // Not user information to libpq, but maybe a password with an unencoded `/`.
        let authority_end = s[prefix_len..]
            .find('?')
            .map_or(s.len(), |i| prefix_len + i);
        s[prefix_len..authority_end]
            .find('@')
            .map(|i| prefix_len + i)
    };
    let masked = match at {
        Some(at) => match s[prefix_len..at].find(':') {
            Some(colon) if prefix_len + colon + 1 < at => {
                format!("{}{MASK}{}", &s[..prefix_len + colon + 1], &s[at..])
            }
            _ => s.to_string(),
        },
        None => s.to_string(),
    };
    redact_uri_query(&masked, prefix_len)
}

/// Masks the values of secret query parameters. Every position just after a `?` or `&` is
/// tried as the start of a parameter, so that a `?` inside another part cannot hide one.
fn redact_uri_query(s: &str, prefix_len: usize) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = prefix_len;
    while i < b.len() {
        if i > 0 && matches!(b[i - 1], b'?' | b'&') {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b'=' | b'&' | b'?') {
                j += 1;
            }
            if j < b.len() && b[j] == b'=' && query_key_is_secret(&s[i..j]) {
                // libpq ends a query value only at `&`.
                let value_start = j + 1;
                let mut k = value_start;
                while k < b.len() && b[k] != b'&' {
                    k += 1;
                }
                if k > value_start {
                    out.push_str(&s[copied..value_start]);
                    out.push_str(MASK);
                    copied = k;
                }
                i = k;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&s[copied..]);
    out
}

/// Whether a raw (percent-encoded) query key names a secret keyword.
fn query_key_is_secret(raw: &str) -> bool {
    is_secret(raw)
        || percent_decode(raw, "key", false)
            .map(|key| is_secret(&key))
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and returns the pairs as `&str` tuples, panicking on error.
    fn ok(s: &str) -> Vec<(String, String)> {
        parse(s).unwrap_or_else(|e| panic!("parse({s:?}) failed: {e:#}"))
    }

    /// Builds an expected result.
    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Parses, expecting an error, and returns its message.
    fn err(s: &str) -> String {
        match parse(s) {
            Ok(v) => panic!("parse({s:?}) unexpectedly gave {v:?}"),
            Err(e) => format!("{e:#}"),
        }
    }

    // ---- key=value form ----

    #[test]
    fn kv_simple() {
        assert_eq!(
            ok("host=localhost port=5432 dbname=insta485 user=awdeorio"),
            pairs(&[
                ("host", "localhost"),
                ("port", "5432"),
                ("dbname", "insta485"),
                ("user", "awdeorio"),
            ])
        );
    }

    #[test]
    fn kv_empty_and_blank_strings() {
        assert_eq!(ok(""), pairs(&[]));
        assert_eq!(ok("  \t\n "), pairs(&[]));
    }

    #[test]
    fn kv_spaces_around_equals_and_quotes_and_escapes() {
        assert_eq!(
            ok(r"host = a  port= '5 4' user=a\ b password='x\'y\\z'"),
            pairs(&[
                ("host", "a"),
                ("port", "5 4"),
                ("user", "a b"),
                ("password", r"x'y\z"),
            ])
        );
    }

    #[test]
    fn kv_tabs_and_newlines_are_whitespace() {
        assert_eq!(
            ok("host\t=\ta\nport=1\r\x0bdbname=d\x0c"),
            pairs(&[("host", "a"), ("port", "1"), ("dbname", "d")])
        );
    }

    #[test]
    fn kv_quoted_value_needs_no_space_after_it() {
        assert_eq!(ok("host='a'port=5"), pairs(&[("host", "a"), ("port", "5")]));
    }

    #[test]
    fn kv_empty_values() {
        assert_eq!(ok("host="), pairs(&[("host", "")]));
        assert_eq!(ok("host=''"), pairs(&[("host", "")]));
        assert_eq!(ok("password=''"), pairs(&[("password", "")]));
    }

    #[test]
    fn kv_whitespace_after_equals_is_skipped_even_before_next_keyword() {
        // libpq skips blanks after `=`, so the next word becomes the value.
        assert_eq!(ok("host= port=5"), pairs(&[("host", "port=5")]));
    }

    #[test]
    fn kv_quote_inside_unquoted_value_is_literal() {
        assert_eq!(ok("host=a'b"), pairs(&[("host", "a'b")]));
    }

    #[test]
    fn kv_trailing_backslash_is_dropped() {
        assert_eq!(ok(r"host=a\"), pairs(&[("host", "a")]));
    }

    #[test]
    fn kv_non_ascii_values() {
        assert_eq!(
            ok("dbname='données' user=zoë application_name=\\é"),
            pairs(&[
                ("dbname", "données"),
                ("user", "zoë"),
                ("application_name", "é")
            ])
        );
    }

    #[test]
    fn kv_last_value_wins_at_first_position() {
        assert_eq!(
            ok("dbname=x host=h dbname=y"),
            pairs(&[("dbname", "y"), ("host", "h")])
        );
    }

    #[test]
    fn kv_requiressl_becomes_sslmode() {
        assert_eq!(ok("requiressl=1"), pairs(&[("sslmode", "require")]));
        assert_eq!(ok("requiressl=0"), pairs(&[("sslmode", "prefer")]));
        assert_eq!(
            ok("sslmode=disable requiressl=1"),
            pairs(&[("sslmode", "require")])
        );
    }

    #[test]
    fn kv_ssl_is_not_a_keyword_outside_uris() {
        assert_eq!(err("ssl=true"), "invalid connection option `ssl`");
    }

    #[test]
    fn kv_all_keywords_accepted() {
        for keyword in KEYWORDS {
            assert_eq!(
                ok(&format!("{keyword}=v")),
                pairs(&[(keyword, "v")]),
                "{keyword}"
            );
        }
    }

    #[test]
    fn kv_keywords_are_case_sensitive() {
        assert_eq!(err("HOST=a"), "invalid connection option `HOST`");
    }

    #[test]
    fn kv_unknown_keyword() {
        assert_eq!(err("host=a foo=bar"), "invalid connection option `foo`");
        assert_eq!(
            err("require_auth=password"),
            "invalid connection option `require_auth`"
        );
    }

    #[test]
    fn kv_unknown_keyword_reported_before_later_syntax_error() {
        assert_eq!(err("foo=1 host"), "invalid connection option `foo`");
    }

    #[test]
    fn kv_empty_keyword() {
        assert_eq!(
            err("=x"),
            "missing connection option name before `=` in connection string"
        );
    }

    #[test]
    fn kv_missing_equals() {
        assert_eq!(err("host"), "missing `=` after `host` in connection string");
        assert_eq!(
            err("host a"),
            "missing `=` after `host` in connection string"
        );
        assert_eq!(
            err("insta485"),
            "missing `=` after `insta485` in connection string"
        );
    }

    #[test]
    fn kv_missing_equals_hints_at_misspelled_uri() {
        assert_eq!(
            err("postgresql:/h"),
            "missing `=` in connection string; a URI must start with `postgresql://` or \
             `postgres://`"
        );
        // Upper case schemes are not URIs to libpq.
        assert!(err("POSTGRESQL://u:hunter2@h").contains("a URI must start with"));
        assert!(!err("POSTGRESQL://u:hunter2@h").contains("hunter2"));
    }

    #[test]
    fn kv_unterminated_quote() {
        assert_eq!(
            err("host='abc"),
            "unterminated quoted value of `host` in connection string"
        );
        assert_eq!(
            err(r"host='abc\'"),
            "unterminated quoted value of `host` in connection string"
        );
    }

    #[test]
    fn kv_errors_never_show_password_tails() {
        // An unquoted password with a space: its tail is read as a keyword.
        let e = err("host=h password=correct horse");
        assert!(!e.contains("horse"), "{e}");
        assert!(e.contains("`password`"), "{e}");
        let e = err("password=correct horse=battery");
        assert!(!e.contains("horse") && !e.contains("battery"), "{e}");
        let e = err("sslpassword=a b");
        assert!(!e.contains(" b"), "{e}");
        assert!(!e.contains("`b`"), "{e}");
        // Unterminated quoted passwords are not echoed either.
        let e = err("password='s3cret");
        assert!(!e.contains("s3cret"), "{e}");
        // Keywords that do not look like keywords are not shown.
        let e = err("pass:w0rd=x");
        assert!(!e.contains("w0rd"), "{e}");
    }

    // ---- URI form ----

    #[test]
    fn uri_full() {
        assert_eq!(
            ok(concat!(
                "postgresql://awdeorio:s3cret@localhost:5433/insta485",
                "?sslmode=require&connect_timeout=10"
            )),
            pairs(&[
                ("user", "awdeorio"),
                ("password", "s3cret"),
                ("host", "localhost"),
                ("port", "5433"),
                ("dbname", "insta485"),
                ("sslmode", "require"),
                ("connect_timeout", "10"),
            ])
        );
    }

    #[test]
    fn uri_both_schemes() {
        assert_eq!(ok("postgres://h"), pairs(&[("host", "h")]));
        assert_eq!(ok("postgresql://h"), pairs(&[("host", "h")]));
        assert_eq!(ok("postgresql://"), pairs(&[]));
        assert_eq!(ok("postgres://"), pairs(&[]));
    }

    #[test]
    fn uri_empty_parts_are_not_stored() {
        assert_eq!(ok("postgresql://@h"), pairs(&[("host", "h")]));
        assert_eq!(
            ok("postgresql://u:@h"),
            pairs(&[("user", "u"), ("host", "h")])
        );
        assert_eq!(
            ok("postgresql://:pw@h"),
            pairs(&[("password", "pw"), ("host", "h")])
        );
        assert_eq!(ok("postgresql://h/"), pairs(&[("host", "h")]));
        assert_eq!(
            ok("postgresql://h:/d"),
            pairs(&[("host", "h"), ("dbname", "d")])
        );
        assert_eq!(ok("postgresql://h?"), pairs(&[("host", "h")]));
        assert_eq!(ok("postgresql:///"), pairs(&[]));
    }

    #[test]
    fn uri_without_host() {
        assert_eq!(
            ok("postgresql:///insta485"),
            pairs(&[("dbname", "insta485")])
        );
    }

    #[test]
    fn uri_percent_decoding_everywhere() {
        assert_eq!(
            ok(concat!(
                "postgresql://us%65r%3Ax:p%40ss%3Aw%2Fd@h%6Fst:54%33/%64b%20x",
                "?%75ser=y&application_name=a%26b"
            )),
            pairs(&[
                ("user", "y"),
                ("password", "p@ss:w/d"),
                ("host", "host"),
                ("port", "543"),
                ("dbname", "db x"),
                ("application_name", "a&b"),
            ])
        );
    }

    #[test]
    fn uri_plus_is_not_a_space() {
        assert_eq!(
            ok("postgresql://h/a+b%20c"),
            pairs(&[("host", "h"), ("dbname", "a+b c")])
        );
    }

    #[test]
    fn uri_non_ascii_percent_decoded() {
        assert_eq!(
            ok("postgresql://h/donn%C3%A9es"),
            pairs(&[("host", "h"), ("dbname", "données")])
        );
        assert_eq!(
            err("postgresql://h/%E9"),
            "percent-decoded URI database name is not valid UTF-8"
        );
    }

    #[test]
    fn uri_socket_directory_host() {
        assert_eq!(
            ok("postgresql://%2Fvar%2Frun%2Fpostgresql/insta485"),
            pairs(&[("host", "/var/run/postgresql"), ("dbname", "insta485")])
        );
        assert_eq!(
            ok("postgresql://%2Ftmp:5433"),
            pairs(&[("host", "/tmp"), ("port", "5433")])
        );
    }

    #[test]
    fn uri_host_in_query() {
        assert_eq!(
            ok("postgresql:///db?host=/tmp&port=5"),
            pairs(&[("dbname", "db"), ("host", "/tmp"), ("port", "5")])
        );
        assert_eq!(
            ok("postgresql:///db?host=%2Ftmp"),
            pairs(&[("dbname", "db"), ("host", "/tmp")])
        );
        // The query parameter overrides the host part.
        assert_eq!(ok("postgresql://h?host=x"), pairs(&[("host", "x")]));
    }

    #[test]
    fn uri_ipv6() {
        assert_eq!(ok("postgresql://[::1]"), pairs(&[("host", "::1")]));
        assert_eq!(
            ok("postgresql://[2001:db8::1234]:5433/db"),
            pairs(&[
                ("host", "2001:db8::1234"),
                ("port", "5433"),
                ("dbname", "db")
            ])
        );
        assert_eq!(
            ok("postgresql://[::1]?sslmode=disable"),
            pairs(&[("host", "::1"), ("sslmode", "disable")])
        );
        assert_eq!(
            ok("postgresql://[fe80::1%25eth0]/d"),
            pairs(&[("host", "fe80::1%eth0"), ("dbname", "d")])
        );
    }

    #[test]
    fn uri_ipv6_errors() {
        assert_eq!(
            err("postgresql://[::1"),
            "missing `]` after IPv6 host address in URI"
        );
        assert_eq!(
            err("postgresql://[]"),
            "empty IPv6 host address `[]` in URI"
        );
        assert_eq!(
            err("postgresql://[::1]x"),
            "unexpected character `x` after IPv6 host address `[::1]` in URI (expected `:`, \
             `/`, `?` or `,`)"
        );
    }

    #[test]
    fn uri_multiple_hosts_like_libpq() {
        assert_eq!(
            ok("postgresql://h1,h2/db"),
            pairs(&[("host", "h1,h2"), ("port", ","), ("dbname", "db")])
        );
        assert_eq!(
            ok("postgresql://h1,h2:5433"),
            pairs(&[("host", "h1,h2"), ("port", ",5433")])
        );
        assert_eq!(
            ok("postgresql://h1:5432,h2:5433,h3:5434/db"),
            pairs(&[
                ("host", "h1,h2,h3"),
                ("port", "5432,5433,5434"),
                ("dbname", "db")
            ])
        );
        assert_eq!(
            ok("postgresql://[::1]:5432,[fe80::1]/d"),
            pairs(&[("host", "::1,fe80::1"), ("port", "5432,"), ("dbname", "d")])
        );
        assert_eq!(
            ok("postgresql://h,/d"),
            pairs(&[("host", "h,"), ("port", ","), ("dbname", "d")])
        );
        assert_eq!(
            ok("postgresql://h:1,:2"),
            pairs(&[("host", "h,"), ("port", "1,2")])
        );
        // An encoded comma is a separator once decoded, as in libpq.
        assert_eq!(ok("postgresql://h%2Cx"), pairs(&[("host", "h,x")]));
    }

    #[test]
    fn uri_ports_are_not_validated() {
        assert_eq!(
            ok("postgresql://h:5432:1/d"),
            pairs(&[("host", "h"), ("port", "5432:1"), ("dbname", "d")])
        );
        assert_eq!(
            ok("postgresql://[v6]:x/d"),
            pairs(&[("host", "v6"), ("port", "x"), ("dbname", "d")])
        );
    }

    #[test]
    fn uri_userinfo_quirks_like_libpq() {
        // The first `@` ends the user information; the rest is the host.
        assert_eq!(
            ok("postgresql://u:p@ss@host/db"),
            pairs(&[
                ("user", "u"),
                ("password", "p"),
                ("host", "ss@host"),
                ("dbname", "db")
            ])
        );
        // libpq looks for `@` before `/` but does not stop at `?`.
        assert_eq!(
            ok("postgresql://host?user=a@b"),
            pairs(&[("user", "host?user=a"), ("host", "b")])
        );
        // A `/` before the `@` means there is no user information.
        assert_eq!(
            ok("postgresql://h/d@x"),
            pairs(&[("host", "h"), ("dbname", "d@x")])
        );
    }

    #[test]
    fn uri_dbname_keeps_slashes_and_hashes() {
        assert_eq!(
            ok("postgresql://h/d/e"),
            pairs(&[("host", "h"), ("dbname", "d/e")])
        );
        assert_eq!(
            ok("postgresql://h?dbname=x#frag"),
            pairs(&[("host", "h"), ("dbname", "x#frag")])
        );
        assert_eq!(
            ok("postgresql://h#x/y"),
            pairs(&[("host", "h#x"), ("dbname", "y")])
        );
    }

    #[test]
    fn uri_ssl_true_is_sslmode_require() {
        assert_eq!(
            ok("postgresql://h?ssl=true"),
            pairs(&[("host", "h"), ("sslmode", "require")])
        );
        // Later parameters still win.
        assert_eq!(
            ok("postgresql://h?ssl=true&sslmode=disable"),
            pairs(&[("host", "h"), ("sslmode", "disable")])
        );
        assert_eq!(
            ok("postgresql://h?sslmode=disable&ssl=true"),
            pairs(&[("host", "h"), ("sslmode", "require")])
        );
        assert_eq!(
            err("postgresql://h?ssl=false"),
            "invalid URI query parameter `ssl`"
        );
    }

    #[test]
    fn uri_requiressl() {
        assert_eq!(
            ok("postgresql://h?requiressl=1"),
            pairs(&[("host", "h"), ("sslmode", "require")])
        );
        assert_eq!(
            ok("postgresql://h?requiressl=0"),
            pairs(&[("host", "h"), ("sslmode", "prefer")])
        );
    }

    #[test]
    fn uri_query_values() {
        assert_eq!(
            ok("postgresql://h?options=-c%20search_path%3Dx&user="),
            pairs(&[("host", "h"), ("options", "-c search_path=x"), ("user", "")])
        );
        assert_eq!(
            ok("postgresql://h?service=x&"),
            pairs(&[("host", "h"), ("service", "x")])
        );
        assert_eq!(
            ok("postgresql://h?password=a%26b"),
            pairs(&[("host", "h"), ("password", "a&b")])
        );
    }

    #[test]
    fn uri_query_errors() {
        assert_eq!(
            err("postgresql://h/?x"),
            "missing `=` in URI query parameter `x`"
        );
        assert_eq!(
            err("postgresql://h?&user=u"),
            "missing `=` in a URI query parameter"
        );
        assert_eq!(
            err("postgresql://h?user=u&&port=1"),
            "missing `=` in a URI query parameter"
        );
        assert_eq!(
            err("postgresql://h/d?a=b=c"),
            "extra `=` in URI query parameter `a`"
        );
        assert_eq!(
            err("postgresql://h?foo=1"),
            "invalid URI query parameter `foo`"
        );
        assert_eq!(
            err("postgresql://h?%3D=1"),
            "invalid URI query parameter (name not shown)"
        );
    }

    #[test]
    fn uri_query_errors_never_show_password_tails() {
        let e = err("postgresql://h?password=a&b");
        assert!(!e.contains("`b`"), "{e}");
        let e = err("postgresql://h?password=a&bcd=e");
        assert!(!e.contains("bcd"), "{e}");
        let e = err("postgresql://h?password=a=b");
        assert!(!e.contains("a=b") && !e.contains("`a`"), "{e}");
    }

    #[test]
    fn uri_percent_errors() {
        assert_eq!(
            err("postgresql://h/%zz"),
            "invalid percent-encoded token `%zz` in URI database name"
        );
        assert_eq!(
            err("postgresql://h/ab%4"),
            "invalid percent-encoded token `%4` in URI database name"
        );
        assert_eq!(
            err("postgresql://h/%00"),
            "forbidden value `%00` in URI database name"
        );
        assert_eq!(
            err("postgresql://h%zz"),
            "invalid percent-encoded token `%zz` in URI host"
        );
        assert_eq!(
            err("postgresql://h?user=%g1"),
            "invalid percent-encoded token `%g1` in value of URI query parameter `user`"
        );
    }

    #[test]
    fn uri_percent_errors_hide_passwords() {
        let e = err("postgresql://u:ab%zzcd@h");
        assert_eq!(e, "invalid percent-encoded token in URI password");
        let e = err("postgresql://h?password=ab%zz");
        assert_eq!(
            e,
            "invalid percent-encoded token in value of URI query parameter `password`"
        );
        let e = err("postgresql://h?sslpassword=%q");
        assert!(!e.contains("%q"), "{e}");
    }

    #[test]
    fn uri_prefix_is_case_sensitive_and_exact() {
        assert!(parse("Postgresql://h").is_err());
        assert!(parse("postgresql:/h").is_err());
        assert!(parse("postgresq://h").is_err());
    }

    // ---- looks_like_conninfo ----

    #[test]
    fn looks_like_conninfo_rules() {
        assert!(looks_like_conninfo("postgresql://h"));
        assert!(looks_like_conninfo("postgres://"));
        assert!(looks_like_conninfo("host=h"));
        assert!(looks_like_conninfo("a=b"));
        assert!(looks_like_conninfo("weird=name"));
        assert!(!looks_like_conninfo("insta485"));
        assert!(!looks_like_conninfo(""));
        assert!(!looks_like_conninfo("POSTGRESQL://h"));
        assert!(!looks_like_conninfo("postgresql:/h"));
    }

    // ---- redact ----

    #[test]
    fn redact_uri_userinfo() {
        assert_eq!(
            redact("postgresql://u:s3cret@h:5432/db?sslmode=require"),
            "postgresql://u:********@h:5432/db?sslmode=require"
        );
        assert_eq!(redact("postgres://:s3cret@h"), "postgres://:********@h");
        assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
        assert_eq!(redact("postgresql://u:@h/db"), "postgresql://u:@h/db");
        assert_eq!(redact("postgresql://h/db"), "postgresql://h/db");
    }

    #[test]
    fn redact_uri_password_with_special_characters() {
        // An unencoded `?` or `&` in the password.
        assert_eq!(
            redact("postgresql://u:a?b&c=d@h/db"),
            "postgresql://u:********@h/db"
        );
        // An unencoded `/`: libpq would not even see user information.
        assert_eq!(
            redact("postgresql://u:pa/ss@h/db"),
            "postgresql://u:********@h/db"
        );
        // An unencoded `@`: everything up to the first `@` is masked.
        assert_eq!(
            redact("postgresql://u:p@ss@h/db"),
            "postgresql://u:********@ss@h/db"
        );
    }

    #[test]
    fn redact_uri_query() {
        assert_eq!(
            redact("postgresql://h/db?password=s3cret&sslmode=require"),
            "postgresql://h/db?password=********&sslmode=require"
        );
        assert_eq!(
            redact("postgresql://h/db?sslmode=require&password=s3cret"),
            "postgresql://h/db?sslmode=require&password=********"
        );
        assert_eq!(
            redact("postgresql://h?sslpassword=k&pass%77ord=p"),
            "postgresql://h?sslpassword=********&pass%77ord=********"
        );
        assert_eq!(
            redact("postgresql://u:a@h?password=b"),
            "postgresql://u:********@h?password=********"
        );
        // A `?` in the value does not end it.
        assert_eq!(
            redact("postgresql://h?password=a?b&user=u"),
            "postgresql://h?password=********&user=u"
        );
        assert_eq!(
            redact("postgresql://h?password=&user=u"),
            "postgresql://h?password=&user=u"
        );
        assert_eq!(
            redact("postgresql://h?passwordx=1&xpassword=2"),
            "postgresql://h?passwordx=1&xpassword=2"
        );
    }

    #[test]
    fn redact_uri_odd_shapes() {
        // libpq takes `host?password=a` as the user name here; still masked.
        let r = redact("postgresql://host?password=a@b");
        assert!(!r.contains("a@b"), "{r}");
        // A `?` in the user name does not hide the real query.
        let r = redact("postgresql://us?er:pw@h/d?password=x");
        assert!(!r.contains("pw") && !r.contains("=x"), "{r}");
        // Malformed URIs are still redacted.
        let r = redact("postgresql://u:s3cret@[::1");
        assert!(!r.contains("s3cret"), "{r}");
        let r = redact("postgresql://h?password=s3cret&x");
        assert!(!r.contains("s3cret"), "{r}");
    }

    #[test]
    fn redact_key_value() {
        assert_eq!(
            redact("host=h password=s3cret user=u"),
            "host=h password=******** user=u"
        );
        assert_eq!(
            redact("host=h password = 'se cr\\'et' user=u"),
            "host=h password = ******** user=u"
        );
        assert_eq!(
            redact("sslpassword=k password=p"),
            "sslpassword=******** password=********"
        );
        assert_eq!(redact("host=h user=u"), "host=h user=u");
        assert_eq!(redact("password='' host=h"), "password='' host=h");
        assert_eq!(redact(""), "");
        assert_eq!(redact("insta485"), "insta485");
    }

    #[test]
    fn redact_key_value_nested_dbname() {
        assert_eq!(
            redact("dbname='postgresql://u:pw@h/db' connect_timeout=5"),
            "dbname='postgresql://u:********@h/db' connect_timeout=5"
        );
        assert_eq!(
            redact(r"dbname='password=x\'y host=h'"),
            r"dbname='password=******** host=h'"
        );
        assert_eq!(redact("dbname=insta485"), "dbname=insta485");
    }

    #[test]
    fn redact_key_value_malformed() {
        // Unquoted password with a space: the tail is masked too.
        assert_eq!(
            redact("host=h password=correct horse"),
            "host=h password=******** ********"
        );
        // Unterminated quoted password.
        assert_eq!(redact("host=h password='abc"), "host=h ********");
        // Errors far from any password keep the text.
        assert_eq!(redact("host=h junk"), "host=h junk");
        assert_eq!(redact("host=h junk password=p"), "host=h ********");
        assert_eq!(redact("dbname='postgresql://u:pw@h"), "********");
    }

    #[test]
    fn redact_then_parse_roundtrip_has_no_secret() {
        let inputs = [
            "postgresql://u:hunter2@h/db?sslpassword=hunter2",
            "host=h password=hunter2",
            "host=h password='hunter2 with spaces'",
            "dbname='host=h password=hunter2'",
        ];
        for input in inputs {
            let redacted = redact(input);
            assert!(!redacted.contains("hunter2"), "{input} -> {redacted}");
            // Redacting keeps the string parseable.
            assert!(parse(&redacted).is_ok(), "{redacted}");
        }
    }

    #[test]
    fn shows_as_keyword_rule() {
        assert!(shows_as_keyword("host"));
        assert!(shows_as_keyword("ssl_min_protocol_version"));
        assert!(!shows_as_keyword(""));
        assert!(!shows_as_keyword("a:b"));
        assert!(!shows_as_keyword("a b"));
        assert!(!shows_as_keyword(&"x".repeat(65)));
    }
}
