//! Text as it enters the program: bounded reads of regular files with clear
//! reasons, byte-offset to line/column lookups, and masking by position.
//! A leaf: it imports nothing from the crate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are refused: the biggest official redis.conf is
/// about 110 KB, so anything this large is not a hand-written config.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A file that was read, kept for diagnostics that show its lines.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: Arc<PathBuf>,
    /// The text with every password masked (same byte length, so spans hold):
    /// the only form that reaches a report.
    pub text: Arc<str>,
}

/// Byte offsets where each line starts, for offset -> line/column lookups
/// that stay cheap however many directives a file has.
pub struct LineIndex {
    starts: Vec<usize>,
    /// Lines that are all ASCII, where a column is a byte count: a long line
    /// (a command line of 100 000 options is one) is then not walked once per
    /// lookup. Masking only writes `*`, so this holds for the masked text too.
    ascii: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = text.split('\n').map(|line| line.is_ascii()).collect();
        LineIndex { starts, ascii }
    }

    /// The 1-based line and column (in characters) of a byte offset in `text`:
    /// the text this index was built from, or the same text masked.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|start| *start <= offset);
        let line_start = self.starts[line - 1];
        let column = if self.ascii.get(line - 1).copied().unwrap_or(false) {
            offset - line_start
        } else {
            text.get(line_start..offset)
                .map(|s| s.chars().count())
                .unwrap_or(offset - line_start)
        };
        (line, column + 1)
    }
}

/// Replaces every character inside the ranges with `*` of the same byte
/// length (blanks stay, so columns hold). One pass over the text however
/// many ranges there are: a file of 100 000 ACL users has 100 000 of them.
pub fn mask_ranges(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut sorted: Vec<&std::ops::Range<usize>> = ranges.iter().filter(|r| !r.is_empty()).collect();
    sorted.sort_unstable_by_key(|r| r.start);
    let mut next = sorted.into_iter().peekable();
    let mut covered_until = 0;
    let mut out = String::with_capacity(text.len());
    for (offset, c) in text.char_indices() {
        while let Some(range) = next.next_if(|r| r.start <= offset) {
            covered_until = covered_until.max(range.end);
        }
        if offset < covered_until && !c.is_whitespace() {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a text file the user gave us: a regular file (not a directory,
/// FIFO or device, which could block or never end), at most
/// `MAX_FILE_BYTES`, UTF-8 without NUL bytes. The error names the file and
/// says why.
pub fn read_text_file(path: &Path) -> Result<String, String> {
    let shown = path.display();
    read_text_file_inner(path).map_err(|reason| {
        if reason.starts_with(&shown.to_string()) {
            reason
        } else {
            format!("{shown}: {reason}")
        }
    })
}

fn read_text_file_inner(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    if metadata.is_dir() {
        return Err("is a directory, not a file".into());
    }
    if !metadata.is_file() {
        return Err("is not a regular file (a FIFO, socket or device)".into());
    }
    let too_large = || {
        format!(
            "the file is larger than {} MB, the most redis-preflight reads",
            MAX_FILE_BYTES / 1024 / 1024
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} ({:.1} MB)",
            too_large(),
            metadata.len() as f64 / 1_000_000.0
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // The size can change between stat and read: bound the read itself too.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {}", io_reason(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    decode_text(path, bytes)
}

/// UTF-8 text without NUL bytes, or an error naming the line and column.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<String, String> {
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        let (line, column) = line_column_bytes(&bytes, nul);
        return Err(format!(
            "{}:{line}:{column}: the file contains a NUL byte: it looks binary, not like a text config file",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let (line, column) = line_column_bytes(e.as_bytes(), at);
        format!(
            "{}:{line}:{column}: the file is not valid UTF-8 (byte 0x{:02x}); save it as UTF-8",
            path.display(),
            e.as_bytes()[at]
        )
    })
}

fn line_column_bytes(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map(|p| p + 1).unwrap_or(0);
    (line, at - line_start + 1)
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::{mask_ranges, LineIndex};

    #[test]
    fn columns_count_characters_on_ascii_and_other_lines() {
        let text = "port 1\nrequirepass \"é x\" y\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(text, 5), (1, 6));
        assert_eq!(index.line_column(text, 7), (2, 1));
        // `é` is two bytes, one character.
        assert_eq!(index.line_column(text, 24), (2, 17));
        let masked = mask_ranges(text, std::slice::from_ref(&(19..24)));
        assert_eq!(index.line_column(&masked, 24), (2, 18));
    }

    #[test]
    fn masks_overlapping_and_unsorted_ranges_keeping_blanks() {
        let text = "requirepass ab cd\nuser x >pw é\n";
        let masked = mask_ranges(text, &[25..31, 12..17, 13..15]);
        assert_eq!(masked, "requirepass ** **\nuser x *** **\n");
        assert_eq!(masked.len(), text.len());
        assert_eq!(mask_ranges("abc", &[]), "abc");
    }
}
