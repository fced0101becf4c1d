//! Annotated files read as streams of records (a line, a task of a JSON array), so a
//! file of any size is read with memory bounded by its largest record.
//!
//! Both readers apply the checks plain-text import makes of a whole file (not empty, not
//! only white space, no NUL byte, UTF-8) as they go, and name the file, line and column
//! of what they refuse. A JSON array is split into its elements by a scan that follows
//! strings and brackets only; each element is then parsed in full by serde_json, and the
//! commas and brackets between elements are checked here, so the file is accepted only
//! if it is one valid JSON array. A file that ends before its closing `]` is refused.

use std::io::{self, BufRead, Read};
use std::path::Path;

use memchr::{memchr, memchr2};

use crate::import::ImportError;

/// The largest record read into memory (one line, one task). A document's text is
/// limited to [`crate::import::MAX_DOCUMENT_BYTES`]; its annotations may take several
/// times that.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

const CHUNK: usize = 1 << 20;

fn too_long(file: &str, line: usize) -> String {
    format!(
        "{file}:{line}: one record is over {} MiB; spanbench reads records (a line, a task) up to that size",
        MAX_RECORD_BYTES >> 20
    )
}

fn io_error(file: &str, e: io::Error) -> String {
    format!("{file}: {e}")
}

/// Lines of a text file, checked as they are read.
pub struct Lines<R> {
    r: R,
    file: String,
    path: std::path::PathBuf,
    buf: Vec<u8>,
    /// Number of the line last returned (1-based).
    pub line: usize,
    /// Bytes read so far.
    pub offset: u64,
    any_content: bool,
    /// The last line read had no line break after it.
    last_unterminated: Option<String>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(r: R, path: &Path) -> Self {
        Lines {
            r,
            file: path.display().to_string(),
            path: path.to_path_buf(),
            buf: Vec::new(),
            line: 0,
            offset: 0,
            any_content: false,
            last_unterminated: None,
        }
    }

    /// The next line and its number, without its `\n` and a `\r` before it (as
    /// `str::lines` gives; a byte order mark before the first line is left out); `None`
    /// at the end. Errors name the file and say what is wrong; after one the
    /// reader must not be used again.
    pub fn next_line(&mut self) -> Result<Option<(usize, &str)>, String> {
        self.buf.clear();
        let start = self.offset;
        let terminated = loop {
            let avail = self.r.fill_buf().map_err(|e| io_error(&self.file, e))?;
            if avail.is_empty() {
                if self.buf.is_empty() {
                    return self.at_end().map(|_| None);
                }
                break false;
            }
            match memchr(b'\n', avail) {
                Some(i) => {
                    self.buf.extend_from_slice(&avail[..i]);
                    self.r.consume(i + 1);
                    self.offset += i as u64 + 1;
                    break true;
                }
                None => {
                    let n = avail.len();
                    self.buf.extend_from_slice(avail);
                    self.r.consume(n);
                    self.offset += n as u64;
                    if self.buf.len() > MAX_RECORD_BYTES {
                        return Err(too_long(&self.file, self.line + 1));
                    }
                }
            }
        };
        self.line += 1;
        if self.buf.len() > MAX_RECORD_BYTES {
            return Err(too_long(&self.file, self.line));
        }
        if memchr(0, &self.buf).is_some() {
            return Err(ImportError::Binary(self.path.clone()).to_string());
        }
        if let Err(e) = std::str::from_utf8(&self.buf) {
            return Err(ImportError::NotUtf8 {
                path: self.path.clone(),
                offset: (start as usize).saturating_add(e.valid_up_to()),
            }
            .to_string());
        }
        let mut len = self.buf.len();
        if terminated && self.buf.last() == Some(&b'\r') {
            len -= 1;
        }
        // Checked just above.
        let text = std::str::from_utf8(&self.buf[..len]).unwrap_or("");
        let body = if self.line == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        if !body.trim().is_empty() {
            self.any_content = true;
        }
        self.last_unterminated = (!terminated).then(|| text.to_string());
        Ok(Some((self.line, body)))
    }

    fn at_end(&self) -> Result<(), String> {
        if self.offset == 0 {
            return Err(ImportError::Empty(self.path.clone()).to_string());
        }
        if !self.any_content {
            return Err(ImportError::Blank(self.path.clone()).to_string());
        }
        Ok(())
    }

    /// After the last line: the check of line formats whose records a cut can shorten
    /// into other valid records (see `import::check_ends_with_newline`).
    pub fn missing_final_newline(&self) -> Option<String> {
        let last = self.last_unterminated.as_deref()?;
        let body = last.trim_end_matches([' ', '\t']);
        if body.trim().is_empty() || body.ends_with('\r') {
            return None;
        }
        Some(format!(
            "{}:{}: the last line has no line break, so the file may be cut short; if it is complete, add a line break at its end",
            self.file, self.line
        ))
    }
}

/// One element of a JSON array, as its bytes and where it starts in the file.
#[derive(Debug)]
pub struct JsonRecord {
    pub bytes: Vec<u8>,
    pub line: usize,
    pub col: usize,
    /// 1-based position in the array.
    pub index: usize,
}

impl JsonRecord {
    /// `file:line:col` of a parse error inside this record.
    pub fn error_at(&self, file: &str, e: &serde_json::Error) -> String {
        let line = self.line + e.line().saturating_sub(1);
        let col = if e.line() <= 1 {
            self.col + e.column().saturating_sub(1)
        } else {
            e.column()
        };
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m);
        format!("{file}:{line}:{col}: not JSON ({msg})")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Start,
    First,
    AfterElement,
    NeedElement,
    Single,
    AfterEnd,
    Done,
}

/// The elements of a JSON array (or one JSON object, as one element), one at a time.
pub struct JsonArray<R> {
    r: R,
    file: String,
    path: std::path::PathBuf,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    state: State,
    line: usize,
    col: usize,
    /// Bytes consumed so far.
    pub offset: u64,
    count: usize,
}

impl<R: Read> JsonArray<R> {
    pub fn new(r: R, path: &Path) -> Self {
        JsonArray {
            r,
            file: path.display().to_string(),
            path: path.to_path_buf(),
            buf: Vec::new(),
            pos: 0,
            eof: false,
            state: State::Start,
            line: 1,
            col: 1,
            offset: 0,
            count: 0,
        }
    }

    /// Reads more into the buffer, dropping what was consumed. False at the end.
    fn fill(&mut self) -> Result<bool, String> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let n = loop {
            match self.r.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(io_error(&self.file, e));
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Moves past `n` bytes, keeping line and column.
    fn consume(&mut self, n: usize) {
        let s = &self.buf[self.pos..self.pos + n];
        let lines = memchr::memchr_iter(b'\n', s).count();
        if lines > 0 {
            self.line += lines;
            let last = memchr::memrchr(b'\n', s).unwrap_or(0);
            self.col = n - last;
        } else {
            self.col += n;
        }
        self.pos += n;
        self.offset += n as u64;
    }

    /// The next byte that is not JSON white space, not consumed; `None` at the end.
    fn peek_token(&mut self) -> Result<Option<u8>, String> {
        loop {
            let ws = self.buf[self.pos..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
            self.consume(ws);
            if let Some(&b) = self.buf.get(self.pos) {
                return Ok(Some(b));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn here(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.col)
    }

    fn cut_short(&self, what: &str) -> String {
        format!(
            "{}: the file ends {what}, so it was cut short or is not one JSON array; nothing was read from it",
            self.here()
        )
    }

    fn unexpected(&self, b: u8, wanted: &str) -> String {
        let shown = if b.is_ascii_graphic() {
            format!("{:?}", b as char)
        } else {
            format!("byte 0x{b:02x}")
        };
        format!("{}: expected {wanted}, found {shown}", self.here())
    }

    /// The next element; `None` after the closing bracket and the white space after it.
    pub fn next_record(&mut self) -> Result<Option<JsonRecord>, String> {
        loop {
            match self.state {
                State::Start => {
                    while self.buf.len() < 3 && self.fill()? {}
                    if self.buf.is_empty() {
                        return Err(ImportError::Empty(self.path.clone()).to_string());
                    }
                    if self.buf.starts_with(b"\xef\xbb\xbf") {
                        self.pos += 3;
                        self.offset += 3;
                    }
                    match self.peek_token()? {
                        None => return Err(ImportError::Blank(self.path.clone()).to_string()),
                        Some(b'[') => {
                            self.consume(1);
                            self.state = State::First;
                        }
                        Some(b'{') => self.state = State::Single,
                        Some(b) => {
                            return Err(self.unexpected(b, "a list of tasks (`[`) or one task"));
                        }
                    }
                }
                State::First | State::NeedElement => match self.peek_token()? {
                    None => return Err(self.cut_short("before the closing `]`")),
                    Some(b']') if self.state == State::First => {
                        self.consume(1);
                        self.state = State::AfterEnd;
                    }
                    Some(b']') => return Err(self.unexpected(b']', "a task after `,`")),
                    Some(b',') => return Err(self.unexpected(b',', "a task")),
                    Some(_) => {
                        let rec = self.element()?;
                        self.state = State::AfterElement;
                        return Ok(Some(rec));
                    }
                },
                State::AfterElement => match self.peek_token()? {
                    None => return Err(self.cut_short("before the closing `]`")),
                    Some(b',') => {
                        self.consume(1);
                        self.state = State::NeedElement;
                    }
                    Some(b']') => {
                        self.consume(1);
                        self.state = State::AfterEnd;
                    }
                    Some(b) => return Err(self.unexpected(b, "`,` or `]` after a task")),
                },
                State::Single => {
                    let rec = self.element()?;
                    self.state = State::AfterEnd;
                    return Ok(Some(rec));
                }
                State::AfterEnd => match self.peek_token()? {
                    None => {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    Some(b) => return Err(self.unexpected(b, "nothing after the end of the JSON")),
                },
                State::Done => return Ok(None),
            }
        }
    }

    /// Scans one value starting at the current byte (not white space) and returns it.
    fn element(&mut self) -> Result<JsonRecord, String> {
        let (line, col) = (self.line, self.col);
        let first = self.buf[self.pos];
        let mut i = 0usize; // scanned so far, from self.pos
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let scalar = !matches!(first, b'{' | b'[' | b'"');
        let end = 'scan: loop {
            while self.pos + i < self.buf.len() {
                let rest = &self.buf[self.pos + i..];
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr2(b'"', b'\\', rest) {
                        Some(k) => {
                            i += k + 1;
                            if rest[k] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                                if depth == 0 {
                                    break 'scan i;
                                }
                            }
                        }
                        None => i += rest.len(),
                    }
                    continue;
                }
                let b = rest[0];
                if scalar {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        break 'scan i;
                    }
                    i += 1;
                    continue;
                }
                i += 1;
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break 'scan i;
                        }
                    }
                    _ => {}
                }
            }
            if i > MAX_RECORD_BYTES {
                return Err(too_long(&self.file, line));
            }
            if !self.fill()? {
                if scalar && i > 0 {
                    break 'scan i;
                }
                return Err(self.cut_short("inside the record that starts here"));
            }
        };
        if end > MAX_RECORD_BYTES {
            return Err(too_long(&self.file, line));
        }
        if end == 0 {
            return Err(self.unexpected(first, "a task"));
        }
        let bytes = self.buf[self.pos..self.pos + end].to_vec();
        self.consume(end);
        self.count += 1;
        Ok(JsonRecord {
            bytes,
            line,
            col,
            index: self.count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(src: &str) -> Result<Vec<(String, usize, usize)>, String> {
        let mut r = JsonArray::new(src.as_bytes(), Path::new("x.json"));
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push((String::from_utf8(rec.bytes).unwrap(), rec.line, rec.col));
        }
        Ok(out)
    }

    #[test]
    fn a_json_array_splits_into_its_elements() {
        let got = records("\u{feff} [ {\"a\": \"]}\\\"\"},\n  [1, [2]] , \"s\\\\\", 12 ,null]\n ")
            .unwrap();
        let els: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(
            els,
            ["{\"a\": \"]}\\\"\"}", "[1, [2]]", "\"s\\\\\"", "12", "null"]
        );
        assert_eq!((got[0].1, got[0].2), (1, 4));
        assert_eq!((got[1].1, got[1].2), (2, 3));
        assert_eq!(records("[]").unwrap().len(), 0);
        assert_eq!(records("{\"data\": {}}\n").unwrap().len(), 1);
    }

    #[test]
    fn every_cut_of_an_array_is_refused() {
        let full = "[{\"data\": {\"text\": \"a [b] {c}\"}}, {\"data\": {\"text\": \"é\"}}]";
        assert_eq!(records(full).unwrap().len(), 2);
        for cut in 0..full.len() {
            let Some(prefix) = full.get(..cut) else {
                continue;
            };
            let ok = records(prefix).map(|r| {
                r.iter()
                    .all(|(b, _, _)| serde_json::from_str::<serde_json::Value>(b).is_ok())
            });
            assert!(!matches!(ok, Ok(true)), "{cut}: {prefix:?} was accepted");
        }
    }

    #[test]
    fn stray_separators_and_trailing_content_are_refused_with_a_place() {
        for (src, at) in [
            ("[1,]", "x.json:1:4"),
            ("[1 2]", "x.json:1:4"),
            ("[1]\nx", "x.json:2:1"),
            ("[,1]", "x.json:1:2"),
            ("nope", "x.json:1:1"),
        ] {
            let e = records(src).unwrap_err();
            assert!(e.starts_with(at), "{src:?}: {e}");
        }
        assert!(records("").unwrap_err().contains("empty"));
        assert!(records(" \n").unwrap_err().contains("whitespace"));
        assert!(records("[1, 2").unwrap_err().contains("cut short"));
    }

    #[test]
    fn lines_are_checked_as_they_come() {
        let read = |src: &[u8]| -> Result<Vec<String>, String> {
            let mut l = Lines::new(src, Path::new("x.jsonl"));
            let mut out = Vec::new();
            while let Some((_, s)) = l.next_line()? {
                out.push(s.to_string());
            }
            Ok(out)
        };
        assert_eq!(read(b"a\r\nb\n\nc").unwrap(), ["a", "b", "", "c"]);
        assert!(read(b"").unwrap_err().contains("empty"));
        assert!(read(b" \n\t\n").unwrap_err().contains("whitespace"));
        assert!(read(b"ok\nbad\x00\n").unwrap_err().contains("binary"));
        let e = read(b"ok\nbad \xff\n").unwrap_err();
        assert!(e.contains("offset 7"), "{e}");
        let mut l = Lines::new(&b"a\nb"[..], Path::new("x.conll"));
        while l.next_line().unwrap().is_some() {}
        assert!(l.missing_final_newline().unwrap().starts_with("x.conll:2:"));
        let mut l = Lines::new(&b"a\nb\n  "[..], Path::new("x.conll"));
        while l.next_line().unwrap().is_some() {}
        assert_eq!(l.missing_final_newline(), None);
    }
}
