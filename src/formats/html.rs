//! Article text out of an HTML page: the title, and the text of the page's article
//! (or main, or body) with each block element a paragraph of its own. Scripts, styles,
//! navigation, headers, footers, asides and forms are dropped.

use scraper::{ElementRef, Html, Node, Selector};

const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "svg", "iframe", "select", "head", "menu", "dialog",
];

const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "tr",
    "dl",
    "dt",
    "dd",
    "hr",
    "address",
    "details",
    "summary",
];

/// Marks a `<br>` while text is gathered: a newline in the source is only whitespace,
/// so a private-use character stands for the line breaks the page asks for.
const BR: char = '\u{E000}';

/// Deepest nesting read. Real pages stay far below it; past it, parsing time grows with
/// the square of the depth, so such input is refused rather than parsed.
pub const MAX_DEPTH: usize = 2000;

/// Elements that never hold content, or whose end tag may be left out (so a missing
/// one does not mean deeper nesting).
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody",
    "thead", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];

/// Elements whose content is raw text up to their end tag.
const RAW: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// HTML start tags that end SVG or MathML content (the HTML standard's list).
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
    "font",
];

/// The deepest element nesting of `html` in one linear pass over its tags, with the
/// line where it first passes `limit` (if it does).
///
/// It reads tags the way an HTML tokenizer does where that matters for counting:
/// comments (`<!-->` and `--!>` included), bogus comments (`<!x>`, `<?x>`, `</1>`),
/// quoted attribute values (only right after `=`), and raw text (`script`, `style`,
/// `title`, ... up to a real end tag, and not inside SVG or MathML). Where it cannot tell,
/// it counts more, never less, so input it lets through never nests deeper.
pub fn nesting_depth(html: &str, limit: usize) -> (usize, Option<usize>) {
    let b = html.as_bytes();
    let n = b.len();
    let (mut i, mut depth, mut max, mut over) = (0, 0usize, 0, None);
    let mut foreign = 0usize;
    let find = |from: usize, pat: &[u8]| -> Option<usize> {
        b.get(from..)?
            .windows(pat.len())
            .position(|w| w.eq_ignore_ascii_case(pat))
            .map(|p| from + p)
    };
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
    while i < n {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if b[i..].starts_with(b"<!--") {
            let a = find(i + 2, b"-->").map(|p| p + 3);
            let c = find(i + 2, b"--!>").map(|p| p + 4);
            i = match (a, c) {
                (Some(a), Some(c)) => a.min(c),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => n,
            };
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let start = i + 1 + closing as usize;
        let letter = b.get(start).is_some_and(u8::is_ascii_alphabetic);
        if !letter {
            // `<!doctype>`, `<!x>`, `<?x>` and `</1>` are bogus comments up to `>`;
            // `<` before anything else is text.
            if closing || matches!(b.get(i + 1), Some(b'!' | b'?')) {
                i = find(i + 1, b">").map_or(n, |p| p + 1);
            } else {
                i += 1;
            }
            continue;
        }
        // The name runs to white space, `/` or `>`, so `<style<div>` is one element.
        let mut j = start;
        while j < n && !is_space(b[j]) && b[j] != b'/' && b[j] != b'>' {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        // Attributes: a quote opens a value only right after `=`.
        let (mut quote, mut after_eq) = (None, false);
        while j < n {
            let c = b[j];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'>' => break,
                None if (c == b'"' || c == b'\'') && after_eq => quote = Some(c),
                None if c == b'=' => after_eq = true,
                None if is_space(c) => {}
                None => after_eq = false,
            }
            j += 1;
        }
        let self_closing = j > 0 && b.get(j - 1) == Some(&b'/');
        i = j + 1;
        if closing {
            if matches!(name.as_str(), "svg" | "math") {
                foreign = foreign.saturating_sub(1);
            }
            if !NOT_NESTING.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if foreign > 0 && BREAKOUT.contains(&name.as_str()) {
            foreign = 0;
        }
        if self_closing && foreign > 0 {
            continue;
        }
        if RAW.contains(&name.as_str()) && foreign == 0 {
            // Raw text ends at `</name` followed by white space, `/` or `>` only.
            let end = format!("</{name}");
            let mut k = i;
            i = loop {
                match find(k, end.as_bytes()) {
                    None => break n,
                    Some(p) => {
                        let after = b.get(p + end.len()).copied();
                        if after.is_none_or(|c| is_space(c) || c == b'/' || c == b'>') {
                            break p;
                        }
                        k = p + 1;
                    }
                }
            };
            continue;
        }
        if matches!(name.as_str(), "svg" | "math") && !self_closing {
            foreign += 1;
        }
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        depth += 1;
        if depth > max {
            max = depth;
            if max > limit && over.is_none() {
                over = Some(html[..i.min(n)].matches('\n').count() + 1);
            }
        }
    }
    (max, over)
}

/// Returns `(title, text)`; paragraphs are separated by a blank line. Refuses HTML
/// nested deeper than [`MAX_DEPTH`], saying where.
pub fn extract_checked(html: &str) -> Result<(Option<String>, String), String> {
    if let (depth, Some(line)) = nesting_depth(html, MAX_DEPTH) {
        return Err(format!(
            "line {line}: elements nested {depth} deep; spanbench reads HTML nested up to {MAX_DEPTH} elements deep"
        ));
    }
    Ok(extract(html))
}

/// Returns `(title, text)`; paragraphs are separated by a blank line. Call
/// [`extract_checked`] on input from outside.
pub fn extract(html: &str) -> (Option<String>, String) {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).ok();
    let title = sel("title")
        .and_then(|s| doc.select(&s).next())
        .or_else(|| sel("h1").and_then(|s| doc.select(&s).next()))
        .map(|e| collapse(&e.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    let root = ["article", "main", "body"]
        .iter()
        .filter_map(|s| sel(s))
        .find_map(|s| doc.select(&s).next())
        .unwrap_or_else(|| doc.root_element());
    let mut paras = Vec::new();
    let mut cur = String::new();
    walk(root, &mut paras, &mut cur);
    flush(&mut paras, &mut cur);
    (title, paras.join("\n\n"))
}

/// Gathers text in document order with an explicit stack, so no nesting depth can
/// exhaust the call stack.
fn walk(root: ElementRef, paras: &mut Vec<String>, cur: &mut String) {
    enum Step<'a> {
        Enter(ego_tree::NodeRef<'a, Node>),
        Leave(&'a str),
    }
    let mut stack: Vec<Step> = root.children().rev().map(Step::Enter).collect();
    while let Some(step) = stack.pop() {
        let child = match step {
            Step::Leave(name) => {
                if BLOCK.contains(&name) {
                    flush(paras, cur);
                } else if matches!(name, "td" | "th") {
                    cur.push(' ');
                }
                continue;
            }
            Step::Enter(c) => c,
        };
        match child.value() {
            Node::Text(t) => cur.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIP.contains(&name) || ElementRef::wrap(child).is_none() {
                    continue;
                }
                if name == "br" {
                    cur.push(BR);
                    continue;
                }
                if BLOCK.contains(&name) {
                    flush(paras, cur);
                }
                stack.push(Step::Leave(name));
                stack.extend(child.children().rev().map(Step::Enter));
            }
            _ => {}
        }
    }
}

fn flush(paras: &mut Vec<String>, cur: &mut String) {
    let lines: Vec<String> = cur
        .split(BR)
        .map(collapse)
        .filter(|l| !l.is_empty())
        .collect();
    if !lines.is_empty() {
        paras.push(lines.join("\n"));
    }
    cur.clear();
}

/// Collapses runs of whitespace (as a browser renders them) and trims.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::extract;

    #[test]
    fn deep_nesting_is_refused_quickly_and_moderate_nesting_read() {
        let deep = |n: usize, tag: &str| {
            format!(
                "<html><body>{}x{}</body></html>",
                format!("<{tag}>").repeat(n),
                format!("</{tag}>").repeat(n)
            )
        };
        let t = std::time::Instant::now();
        for n in [20_000, 50_000] {
            let err = super::extract_checked(&deep(n, "div")).unwrap_err();
            assert!(err.contains("nested") && err.contains("line 1"), "{err}");
        }
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
        let (_, text) = super::extract_checked(&deep(1500, "div")).unwrap();
        assert_eq!(text, "x");
        let (_, text) = super::extract_checked(&deep(1500, "b")).unwrap();
        assert_eq!(text, "x");
        // Unclosed paragraphs and list items are not nesting.
        let flat = format!("<body>{}</body>", "<p>a<li>b".repeat(5000));
        assert_eq!(super::nesting_depth(&flat, 10).1, None);
        let (depth, _) = super::nesting_depth("<div a='>'><span>x</span><br><img/></div>", 10);
        assert_eq!(depth, 2);
        // Found by the fuzzer: a broken tag name must not hide what follows in raw text.
        let broken = format!("<html><head><style<div>{}x", "<div>".repeat(5000));
        let t = std::time::Instant::now();
        let err = super::extract_checked(&broken).unwrap_err();
        assert!(err.contains("nested"), "{err}");
        assert!(t.elapsed().as_secs() < 5);
        let divs = "<div>".repeat(5000);
        for trap in [
            "<a hre\"x",                    // a quote inside a name opens nothing
            "<!-->",                        // a comment closed at once
            "<!x <b y=\">",                 // a bogus comment ends at `>`
            "<svg><style>",                 // style is not raw text in SVG
            "<style></styles x=\"</style>", // `</styles` does not end the style element
        ] {
            let html = format!("<html><body>{trap}{divs}x");
            assert!(super::nesting_depth(&html, 2000).1.is_some(), "{trap}");
        }
    }

    #[test]
    fn keeps_paragraphs_and_drops_scripts_and_navigation() {
        let html = r#"<!doctype html><html><head><title>Talks  resume</title>
            <script>var x = "not text";</script><style>p{}</style></head>
            <body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
            <article><h1>Talks resume</h1><p>Baku and   Yerevan
            met.</p><p>Armenian: Երևան, <b>emoji</b> 👍🏽.</p><aside>Related</aside></article>
            <footer>© 2023</footer></body></html>"#;
        let (title, text) = extract(html);
        assert_eq!(title.as_deref(), Some("Talks resume"));
        assert_eq!(
            text,
            "Talks resume\n\nBaku and Yerevan met.\n\nArmenian: Երևան, emoji 👍🏽."
        );
    }
}
