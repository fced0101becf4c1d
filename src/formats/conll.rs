//! `conll`: CoNLL-2003 style, one `token TAG` line per token, a blank line between
//! sentences and `-DOCSTART- -X- O O` (the delimiter spaCy's converter splits on)
//! before each document. Tags are IOB2 or BIOES; see [`super::tagging`] for which
//! spans a token format can hold. With `--nested columns` each line has one tag column
//! per nesting level, the outermost first (`token TAG1 TAG2`), as GermEval 2014 has.

use std::io::Write;

use super::import::{RawDoc, RawSet, RawSpan};
use super::tagging::{tag_columns, tag_record};
use super::{ExportError, ExportOptions, Record, Report};

pub const DOCSTART: &str = "-DOCSTART- -X- O O";

pub fn export(
    records: &[Record],
    opts: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, ExportError> {
    let columns = tag_columns(records, opts)?;
    super::render_records(records, out, progress, |rec, buf, report| {
        buf.extend_from_slice(DOCSTART.as_bytes());
        buf.extend_from_slice(b"\n\n");
        let (tagged, kept) = tag_record(rec, opts, report);
        let text = &rec.doc.text;
        for sent in tagged.sentence_ranges() {
            for i in sent {
                let t = &tagged.levels[0][i];
                let tok = &text[t.bytes.0..t.bytes.1];
                // Only a non-ASCII token can hold whitespace (a space with a mark).
                if !tok.is_ascii() && tok.contains(char::is_whitespace) {
                    let written = column_safe(tok);
                    report.record_note(
                        rec,
                        format!("token {tok:?} holds whitespace; written as {written:?}"),
                    );
                    buf.extend_from_slice(written.as_bytes());
                } else {
                    buf.extend_from_slice(tok.as_bytes());
                }
                for level in 0..columns {
                    buf.push(b' ');
                    match tagged.levels.get(level).map(|l| &l[i]) {
                        Some(t) if t.prefix != 'O' => {
                            let mut p = [0u8; 4];
                            buf.extend_from_slice(t.prefix.encode_utf8(&mut p).as_bytes());
                            buf.push(b'-');
                            buf.extend_from_slice(t.label.as_bytes());
                        }
                        _ => buf.push(b'O'),
                    }
                }
                buf.push(b'\n');
            }
            buf.push(b'\n');
        }
        super::tagging::report_token_format_losses(report, rec, opts, "CoNLL");
        report.spans += kept;
        Ok(())
    })
}

/// A token with any whitespace in it (a space carrying a combining mark, say) would
/// split into two columns; such characters become `_`.
fn column_safe(tok: &str) -> String {
    tok.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// True for `O` and `B-X`, `I-X`, `E-X`, `S-X`, `L-X`, `U-X`.
pub fn is_tag(t: &str) -> bool {
    if t == "O" {
        return true;
    }
    let mut it = t.splitn(2, '-');
    matches!(
        (it.next(), it.next()),
        (Some("B" | "I" | "E" | "S" | "L" | "U"), Some(l)) if !l.is_empty()
    )
}

/// Reads CoNLL line by line: the first column is the token and the last the tag (so
/// CoNLL-2003's four columns and two-column files both work). Tags may be IOB1, IOB2,
/// BIOES or BILOU. Each document (up to a `-DOCSTART-` line or the end) becomes its
/// tokens joined by spaces, one sentence a line, and is handed out as soon as it ends.
pub struct Reader {
    file: String,
    annotator: String,
    b: Builder,
    /// The document being read grew past the size limit: its lines are skipped.
    too_large: bool,
    /// Problems found so far, one per line.
    pub errors: Vec<String>,
}

impl Reader {
    pub fn new(file: &str, annotator: &str) -> Self {
        Reader {
            file: file.to_string(),
            annotator: annotator.to_string(),
            b: Builder::new(file, annotator),
            too_large: false,
            errors: Vec::new(),
        }
    }

    /// Reads line `lineno`; returns the document it ended, if any.
    pub fn line(&mut self, lineno: usize, line: &str) -> Option<RawDoc> {
        let file = &self.file;
        let line = line.trim_start_matches('\u{feff}');
        let t = line.trim();
        if t.starts_with("-DOCSTART-") {
            let done = std::mem::replace(&mut self.b, Builder::new(file, &self.annotator));
            self.b.loc = format!("{file}:{lineno}");
            let was_large = std::mem::replace(&mut self.too_large, false);
            return done.finish().filter(|_| !was_large);
        }
        if self.too_large {
            return None;
        }
        if t.is_empty() {
            self.b.end_sentence();
            return None;
        }
        let cols: Vec<&str> = t.split_whitespace().collect();
        if cols.len() < 2 {
            self.errors.push(format!(
                "{file}:{lineno}: expected a token and a tag, found {:?}",
                crate::storage::excerpt(t)
            ));
            return None;
        }
        let (tok, tag) = (cols[0], cols[cols.len() - 1]);
        if !is_tag(tag) {
            self.errors.push(format!(
                "{file}:{lineno}: {:?} is not a tag (O, B-X, I-X, E-X, S-X, L-X or U-X)",
                crate::storage::excerpt(tag)
            ));
            return None;
        }
        self.b.token(tok, tag, lineno);
        if self.b.text.len() as u64 > crate::import::MAX_DOCUMENT_BYTES {
            self.errors.push(format!(
                "{}: the document is over {} MiB by line {lineno}; spanbench takes documents up to that size, split it with -DOCSTART- lines",
                self.b.loc,
                crate::import::MAX_DOCUMENT_BYTES >> 20
            ));
            self.too_large = true;
            self.b = Builder::new(file, &self.annotator);
        }
        None
    }

    /// The last document, at the end of the file.
    pub fn finish(self) -> (Option<RawDoc>, Vec<String>) {
        let doc = if self.too_large {
            None
        } else {
            self.b.finish()
        };
        (doc, self.errors)
    }
}

struct Builder {
    file: String,
    loc: String,
    text: String,
    chars: usize,
    /// Start of the current line, so sentences end in a newline.
    line_start: bool,
    set: RawSet,
    open: Option<(usize, usize, String, usize)>,
}

impl Builder {
    fn new(file: &str, annotator: &str) -> Self {
        Self {
            file: file.to_string(),
            loc: file.to_string(),
            text: String::new(),
            chars: 0,
            line_start: true,
            set: RawSet::new(annotator),
            open: None,
        }
    }

    fn close(&mut self) {
        if let Some((start, end, label, line)) = self.open.take() {
            let n = self.set.spans.len() + 1;
            self.set.spans.push(RawSpan::new(
                Some(n.to_string()),
                start,
                end,
                &label,
                format!("{}:{line}", self.file),
            ));
        }
    }

    fn token(&mut self, tok: &str, tag: &str, line: usize) {
        if !self.line_start {
            self.text.push(' ');
            self.chars += 1;
        }
        let start = self.chars;
        self.text.push_str(tok);
        self.chars += tok.chars().count();
        self.line_start = false;
        let end = self.chars;
        let (prefix, label) = tag.split_once('-').unwrap_or(("O", ""));
        let continues = matches!(&self.open, Some((_, _, l, _)) if l == label);
        match prefix {
            "O" => self.close(),
            "I" | "E" | "L" if continues => {
                if let Some(o) = &mut self.open {
                    o.1 = end;
                }
            }
            // IOB1 starts a span with I-; a stray E-/L- is read the same lenient way.
            _ => {
                self.close();
                self.open = Some((start, end, label.to_string(), line));
            }
        }
        if matches!(prefix, "E" | "L" | "S" | "U") {
            self.close();
        }
    }

    fn end_sentence(&mut self) {
        self.close();
        if !self.line_start {
            self.text.push('\n');
            self.chars += 1;
            self.line_start = true;
        }
    }

    fn finish(mut self) -> Option<RawDoc> {
        self.end_sentence();
        if self.text.trim().is_empty() {
            return None;
        }
        let text = self.text.trim_end_matches('\n').to_string();
        let mut d = RawDoc::new(text, &self.loc);
        d.tokenized = true;
        if !self.set.spans.is_empty() {
            d.sets.push(self.set);
        }
        Some(d)
    }
}
