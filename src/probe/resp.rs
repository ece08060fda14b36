//! The Redis protocol (RESP2 and the RESP3 types a server may send anyway)
//! as the probe speaks it: commands out, replies in, every reply bounded.
//!
//! Why not the redis crate: its reply parser has no limit on a reply's size,
//! element count or nesting, so a hostile server could make the probe
//! allocate gigabytes (an endless bulk string, `*2147483647`, 100 000 nested
//! arrays). The probe sends a handful of fixed commands and needs only this
//! reader, with every limit explicit and every wait bounded by one deadline.

use std::future::Future;
use std::pin::Pin;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// What one reply may cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Bytes on the wire for one reply (all its lines and strings).
    pub max_reply_bytes: usize,
    /// Values in one reply, nested ones included.
    pub max_elements: usize,
    /// Arrays and maps inside arrays and maps.
    pub max_depth: usize,
}

/// A real `INFO all` is 10–30 KB and `CONFIG GET *` about 10 KB; `ACL LIST`
/// of thousands of users stays under a few MB.
pub const DEFAULT_MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            max_elements: 50_000,
            // ROLE on a primary is three levels deep.
            max_depth: 16,
        }
    }
}

/// One reply.
#[derive(Debug, Clone, PartialEq)]
pub enum RespValue {
    Nil,
    /// `+text`, and RESP3 doubles, booleans and big numbers as written.
    Simple(String),
    /// `-CODE detail`: the server refused the command.
    Error(String),
    Int(i64),
    /// `$` bulk and RESP3 verbatim strings.
    Bulk(Vec<u8>),
    /// `*` arrays, and RESP3 sets and pushes.
    Array(Vec<RespValue>),
    Map(Vec<(RespValue, RespValue)>),
}

impl RespValue {
    /// The reply as text, when it is a string or a number.
    pub fn text(&self) -> Option<String> {
        match self {
            RespValue::Simple(text) => Some(text.clone()),
            RespValue::Bulk(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            RespValue::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }

    /// The reply as text, without copying it.
    pub fn into_text(self) -> Option<String> {
        match self {
            RespValue::Simple(text) => Some(text),
            RespValue::Bulk(bytes) => {
                Some(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
            }
            RespValue::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }

    /// Replaces every occurrence of `secret` in the reply's strings, so a
    /// server that echoes what it received cannot put the password in a report.
    pub fn mask(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        match self {
            RespValue::Simple(text) | RespValue::Error(text) => {
                if text.contains(secret) {
                    *text = text.replace(secret, crate::facts::Secret::REDACTED);
                }
            }
            RespValue::Bulk(bytes) => {
                let needle = secret.as_bytes();
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    let text = String::from_utf8_lossy(bytes).replace(secret, crate::facts::Secret::REDACTED);
                    *bytes = text.into_bytes();
                }
            }
            RespValue::Array(items) => items.iter_mut().for_each(|item| item.mask(secret)),
            RespValue::Map(pairs) => pairs.iter_mut().for_each(|(k, v)| {
                k.mask(secret);
                v.mask(secret);
            }),
            RespValue::Nil | RespValue::Int(_) => {}
        }
    }
}

/// Why a reply could not be read. Each names the limit, never the content.
#[derive(Debug, Clone, PartialEq)]
pub enum RespError {
    TooLarge {
        limit: usize,
    },
    TooManyElements {
        limit: usize,
    },
    TooDeep {
        limit: usize,
    },
    /// Not the Redis protocol.
    Protocol(&'static str),
    /// The server closed the connection before the reply was complete.
    Closed,
    Io(String),
}

impl std::fmt::Display for RespError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RespError::TooLarge { limit } => write!(f, "is larger than {} (--max-reply-bytes)", format_bytes(*limit)),
            RespError::TooManyElements { limit } => write!(f, "has more than {limit} elements"),
            RespError::TooDeep { limit } => write!(f, "is nested more than {limit} levels deep"),
            RespError::Protocol(what) => write!(f, "is not the Redis protocol ({what})"),
            RespError::Closed => f.write_str("was cut short: the connection was closed by the server"),
            RespError::Io(reason) => write!(f, "could not be read: {reason}"),
        }
    }
}

/// `4 MiB`, `512 KiB`, `100 bytes`.
pub fn format_bytes(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode(words: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", words.len()).into_bytes();
    for word in words {
        out.extend_from_slice(format!("${}\r\n", word.len()).as_bytes());
        out.extend_from_slice(word.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// What is left for the reply being read.
struct Budget {
    bytes_left: usize,
    elements_left: usize,
    limits: Limits,
}

impl Budget {
    fn new(limits: Limits) -> Budget {
        Budget {
            bytes_left: limits.max_reply_bytes,
            elements_left: limits.max_elements,
            limits,
        }
    }

    fn spend_bytes(&mut self, n: usize) -> Result<(), RespError> {
        self.bytes_left = self.bytes_left.checked_sub(n).ok_or(RespError::TooLarge {
            limit: self.limits.max_reply_bytes,
        })?;
        Ok(())
    }

    fn spend_elements(&mut self, n: usize) -> Result<(), RespError> {
        self.elements_left = self.elements_left.checked_sub(n).ok_or(RespError::TooManyElements {
            limit: self.limits.max_elements,
        })?;
        Ok(())
    }
}

fn io_error(error: std::io::Error) -> RespError {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        RespError::Closed
    } else {
        RespError::Io(error.to_string())
    }
}

/// Reads one line up to `\r\n` (not included), spending its bytes.
async fn read_line<R: AsyncBufRead + Unpin + Send>(reader: &mut R, budget: &mut Budget) -> Result<Vec<u8>, RespError> {
    let mut line = Vec::new();
    loop {
        let available = reader.fill_buf().await.map_err(io_error)?;
        if available.is_empty() {
            return Err(RespError::Closed);
        }
        let (chunk, found) = match available.iter().position(|b| *b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        budget.spend_bytes(chunk.len())?;
        line.extend_from_slice(chunk);
        let used = chunk.len();
        reader.consume(used);
        if found {
            if line.len() < 2 || line[line.len() - 2] != b'\r' {
                return Err(RespError::Protocol("a line not ended by CRLF"));
            }
            line.truncate(line.len() - 2);
            return Ok(line);
        }
    }
}

fn parse_length(line: &[u8]) -> Result<i64, RespError> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|text| text.parse::<i64>().ok())
        .ok_or(RespError::Protocol("a length that is not a number"))
}

fn text(line: Vec<u8>) -> String {
    String::from_utf8(line).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

type Reading<'a> = Pin<Box<dyn Future<Output = Result<RespValue, RespError>> + Send + 'a>>;

/// Reads one value; boxed because arrays recurse (to at most `max_depth`).
fn read_value<'a, R: AsyncBufRead + Unpin + Send>(
    reader: &'a mut R,
    budget: &'a mut Budget,
    depth: usize,
) -> Reading<'a> {
    Box::pin(async move {
        let (kind, rest) = loop {
            let line = read_line(reader, budget).await?;
            let Some((&kind, rest)) = line.split_first() else {
                return Err(RespError::Protocol("an empty line"));
            };
            if kind != b'|' {
                break (kind, rest.to_vec());
            }
            // Attributes describe the reply that follows; the probe has no use
            // for them. Read in a loop, not by recursion, and each one counts
            // as an element, so `|0` repeated 200 000 times is bounded too.
            budget.spend_elements(1)?;
            let pairs = usize::try_from(parse_length(rest)?).unwrap_or(0).saturating_mul(2);
            if depth >= budget.limits.max_depth {
                return Err(RespError::TooDeep {
                    limit: budget.limits.max_depth,
                });
            }
            budget.spend_elements(pairs)?;
            for _ in 0..pairs {
                read_value(reader, budget, depth + 1).await?;
            }
        };
        match kind {
            b'+' | b',' | b'#' | b'(' => Ok(RespValue::Simple(text(rest))),
            b'-' => Ok(RespValue::Error(text(rest))),
            b':' => Ok(RespValue::Int(parse_length(&rest)?)),
            b'_' => Ok(RespValue::Nil),
            b'$' | b'=' | b'!' => {
                let length = parse_length(&rest)?;
                if length < 0 {
                    return Ok(RespValue::Nil);
                }
                // Checked before anything is allocated: a declared 2 GB string costs nothing.
                let length = usize::try_from(length).map_err(|_| RespError::Protocol("a negative length"))?;
                budget.spend_bytes(length.saturating_add(2))?;
                let mut bytes = vec![0; length + 2];
                reader.read_exact(&mut bytes).await.map_err(io_error)?;
                if !bytes.ends_with(b"\r\n") {
                    return Err(RespError::Protocol("a string longer than its declared length"));
                }
                bytes.truncate(length);
                if kind == b'-' || kind == b'!' {
                    return Ok(RespValue::Error(text(bytes)));
                }
                if kind == b'=' && bytes.len() >= 4 && bytes[3] == b':' {
                    // Verbatim: `txt:` then the text.
                    bytes.drain(..4);
                }
                Ok(RespValue::Bulk(bytes))
            }
            b'*' | b'~' | b'>' | b'%' => {
                let count = parse_length(&rest)?;
                if count < 0 {
                    return Ok(RespValue::Nil);
                }
                if depth >= budget.limits.max_depth {
                    return Err(RespError::TooDeep {
                        limit: budget.limits.max_depth,
                    });
                }
                let pairs = kind == b'%';
                let count = usize::try_from(count).unwrap_or(usize::MAX);
                let values = if pairs { count.saturating_mul(2) } else { count };
                // Also checked first: `*2147483647` allocates nothing.
                budget.spend_elements(values)?;
                let mut items = Vec::with_capacity(values.min(1024));
                for _ in 0..values {
                    items.push(read_value(reader, budget, depth + 1).await?);
                }
                if pairs {
                    let mut pairs = Vec::with_capacity(items.len() / 2);
                    let mut items = items.into_iter();
                    while let (Some(key), Some(value)) = (items.next(), items.next()) {
                        pairs.push((key, value));
                    }
                    return Ok(RespValue::Map(pairs));
                }
                Ok(RespValue::Array(items))
            }
            _ => Err(RespError::Protocol("an unknown type byte")),
        }
    })
}

/// Reads one reply within the limits.
pub async fn read_reply<R: AsyncBufRead + Unpin + Send>(
    reader: &mut R,
    limits: Limits,
) -> Result<RespValue, RespError> {
    let mut budget = Budget::new(limits);
    read_value(reader, &mut budget, 0).await
}

/// Parses one reply from bytes already in memory; returns it and the bytes
/// it used. `Closed` means the bytes end before the reply does.
pub fn parse_slice(bytes: &[u8], limits: &Limits) -> Result<(RespValue, usize), RespError> {
    let mut reader = bytes;
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    // A byte slice never makes a reader wait, so one poll finishes.
    let polled = Box::pin(read_reply(&mut reader, *limits)).as_mut().poll(&mut context);
    match polled {
        std::task::Poll::Ready(result) => Ok((result?, bytes.len() - reader.len())),
        std::task::Poll::Pending => Err(RespError::Io("the reader waited on memory".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<RespValue, RespError> {
        parse_slice(bytes, &Limits::default()).map(|(value, _)| value)
    }

    #[test]
    fn every_type() {
        assert_eq!(parse(b"+OK\r\n"), Ok(RespValue::Simple("OK".into())));
        assert_eq!(parse(b"-ERR no\r\n"), Ok(RespValue::Error("ERR no".into())));
        assert_eq!(parse(b":-42\r\n"), Ok(RespValue::Int(-42)));
        assert_eq!(parse(b"$3\r\nabc\r\n"), Ok(RespValue::Bulk(b"abc".to_vec())));
        assert_eq!(parse(b"$-1\r\n"), Ok(RespValue::Nil));
        assert_eq!(parse(b"_\r\n"), Ok(RespValue::Nil));
        assert_eq!(parse(b"=8\r\ntxt:abcd\r\n"), Ok(RespValue::Bulk(b"abcd".to_vec())));
        assert_eq!(
            parse(b"*2\r\n:1\r\n$1\r\nx\r\n"),
            Ok(RespValue::Array(vec![
                RespValue::Int(1),
                RespValue::Bulk(b"x".to_vec())
            ]))
        );
        assert_eq!(
            parse(b"%1\r\n+k\r\n+v\r\n"),
            Ok(RespValue::Map(vec![(
                RespValue::Simple("k".into()),
                RespValue::Simple("v".into())
            )]))
        );
        assert_eq!(parse(b"|1\r\n+a\r\n+b\r\n:7\r\n"), Ok(RespValue::Int(7)));
        assert_eq!(parse_slice(b"+OK\r\n+NEXT\r\n", &Limits::default()).unwrap().1, 5);
    }

    #[test]
    fn limits_are_checked_before_allocating() {
        let small = Limits {
            max_reply_bytes: 100,
            max_elements: 10,
            max_depth: 3,
        };
        let parse = |bytes: &[u8]| parse_slice(bytes, &small).map(|(v, _)| v);
        assert_eq!(parse(b"$2147483647\r\n"), Err(RespError::TooLarge { limit: 100 }));
        assert_eq!(parse(b"*2147483647\r\n"), Err(RespError::TooManyElements { limit: 10 }));
        assert_eq!(
            parse(b"*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"),
            Err(RespError::TooDeep { limit: 3 })
        );
        assert_eq!(parse(&[b'+'; 200]), Err(RespError::TooLarge { limit: 100 }));
        assert_eq!(parse(b"$5\r\nab"), Err(RespError::Closed));
        assert_eq!(parse(b"+OK\n"), Err(RespError::Protocol("a line not ended by CRLF")));
        assert_eq!(
            parse(b"$x\r\n"),
            Err(RespError::Protocol("a length that is not a number"))
        );
        assert_eq!(
            parse(b"$1\r\nabc\r\n"),
            Err(RespError::Protocol("a string longer than its declared length"))
        );
        assert_eq!(parse(b"?\r\n"), Err(RespError::Protocol("an unknown type byte")));
        // Attributes before a reply: a loop, not recursion, and each one counts.
        let mut attributes = b"|0\r\n".repeat(200_000);
        attributes.extend_from_slice(b"+OK\r\n");
        assert_eq!(
            parse_slice(&attributes, &Limits::default()).map(|(v, _)| v),
            Err(RespError::TooManyElements { limit: 50_000 })
        );
        let mut few = b"|0\r\n".repeat(100);
        few.extend_from_slice(b"+OK\r\n");
        assert_eq!(
            parse_slice(&few, &Limits::default()).map(|(v, _)| v),
            Ok(RespValue::Simple("OK".into()))
        );
        let deep: Vec<u8> = b"*1\r\n".repeat(100_000);
        assert_eq!(
            parse_slice(&deep, &Limits::default()).map(|(v, _)| v),
            Err(RespError::TooDeep { limit: 16 })
        );
    }

    #[test]
    fn masking_replaces_the_secret_in_every_string() {
        let mut value = RespValue::Array(vec![
            RespValue::Bulk(b"AUTH hunter22".to_vec()),
            RespValue::Error("ERR hunter22".into()),
            RespValue::Map(vec![(
                RespValue::Simple("k".into()),
                RespValue::Simple("hunter22".into()),
            )]),
        ]);
        value.mask("hunter22");
        assert!(!format!("{value:?}").contains("hunter22"), "{value:?}");
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(
            encode(&["CONFIG", "GET", "*"]),
            b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$1\r\n*\r\n".to_vec()
        );
    }
}
