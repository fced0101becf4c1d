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

/// Returns `(title, text)`; paragraphs are separated by a blank line.
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

fn walk(el: ElementRef, paras: &mut Vec<String>, cur: &mut String) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => cur.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIP.contains(&name) {
                    continue;
                }
                let Some(child_el) = ElementRef::wrap(child) else {
                    continue;
                };
                if name == "br" {
                    cur.push(BR);
                    continue;
                }
                let block = BLOCK.contains(&name);
                if block {
                    flush(paras, cur);
                }
                walk(child_el, paras, cur);
                if block {
                    flush(paras, cur);
                } else if matches!(name, "td" | "th") {
                    cur.push(' ');
                }
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
