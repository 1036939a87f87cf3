//! `report.html`: report.md as one self-contained page, to open by
//! double-clicking, mail to a colleague or print on A4.
//!
//! The page is report.md itself, turned into HTML by a Markdown parser
//! (pulldown-cmark), so the two cannot say different things: the same
//! headings, tables and captions, with every chart's SVG inlined where
//! report.md links its PNG, a table of contents, and inline CSS for the
//! screen and for A4 print (a page per section, charts sized to the
//! page). Nothing is fetched: no script, no font, no image file, no
//! stylesheet; Markdown's raw HTML (which user text such as a title or a
//! label could carry) is shown as text, never interpreted.
//!
//! [`render`] is a pure function of the Markdown and the charts' SVG text.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::escape_html;

/// The file name, beside report.md.
pub const REPORT_HTML: &str = "report.html";

/// The page's style: readable on screen, one section a page on A4.
const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #222; background: #fff; line-height: 1.45; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.8rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.8rem; }
table { border-collapse: collapse; margin: 0.8rem 0 1.2rem; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; vertical-align: top; }
th { border-bottom: 2px solid #999; text-align: left; }
td[style*="right"], th[style*="right"] { font-variant-numeric: tabular-nums; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f4f4f4; padding: 0.7rem 1rem; overflow-x: auto; white-space: pre-wrap; }
figure.chart { margin: 1rem 0 0.3rem; }
figure.chart svg { display: block; width: 100%; height: auto; }
nav.toc { background: #f7f7f7; padding: 0.6rem 1.2rem; margin: 1rem 0 2rem; }
nav.toc h2 { font-size: 1.1rem; margin: 0.4rem 0; border: none; }
nav.toc ol { margin: 0.2rem 0; padding-left: 1.4rem; }
nav.toc a { color: #0072B2; text-decoration: none; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc { background: none; padding: 0; }
  h2 { break-before: page; break-after: avoid; }
  nav.toc h2 { break-before: avoid; }
  h3 { break-after: avoid; }
  figure.chart { break-inside: avoid; }
  figure.chart svg { width: 100%; max-height: 150mm; }
  tr { break-inside: avoid; }
  pre { white-space: pre-wrap; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// An entry of the table of contents: a heading's text and id.
type Entry<'a> = (&'a str, &'a str);

/// `text` with HTML's special characters escaped.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a String cannot fail.
    let _ = escape_html(&mut out, text);
    out
}

/// An id for a heading: its words in lower case joined by `-`, unique on
/// the page (`-2`, `-3`... for repeats).
fn heading_id(text: &str, taken: &mut Vec<String>) -> String {
    let mut id = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let base = match id.trim_end_matches('-') {
        "" => "section".to_string(),
        trimmed => trimmed.to_string(),
    };
    let mut id = base.clone();
    let mut k = 1;
    while taken.contains(&id) {
        k += 1;
        id = format!("{base}-{k}");
    }
    taken.push(id.clone());
    id
}

/// A chart's SVG, ready to sit inside HTML: the namespace declaration is
/// left out (HTML knows `<svg>`), and so is any XML prologue.
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1)
}

/// The page of `markdown` (report.md), titled `title`. `charts` gives the
/// SVG text of each chart by the path report.md links its PNG with
/// (`charts/fan_exports.png`); a chart missing from it is named, not
/// linked.
pub fn render(title: &str, markdown: &str, charts: &[(String, String)]) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, Options::ENABLE_TABLES).collect();

    // Headings below the title: their ids, and the table of contents.
    let mut taken = Vec::new();
    let mut headings: Vec<(HeadingLevel, String, String)> = Vec::new();
    let mut current: Option<(HeadingLevel, String)> = None;
    for e in &events {
        match e {
            Event::Start(Tag::Heading { level, .. }) => current = Some((*level, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = current.take() {
                    let id = heading_id(&text, &mut taken);
                    headings.push((level, text, id));
                }
            }
            _ => {}
        }
    }
    // Sections (level 2) with their sub-sections (level 3 and below).
    let mut sections: Vec<(&str, &str, Vec<Entry>)> = Vec::new();
    for (level, text, id) in &headings {
        match level {
            HeadingLevel::H1 => {}
            HeadingLevel::H2 => sections.push((text, id, Vec::new())),
            _ => match sections.last_mut() {
                Some((_, _, subs)) => subs.push((text, id)),
                None => sections.push((text, id, Vec::new())),
            },
        }
    }
    let item = |text: &str, id: &str| format!("<li><a href=\"#{id}\">{}</a>", escaped(text));
    let mut toc = String::from("<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
    for (text, id, subs) in &sections {
        toc.push_str(&item(text, id));
        if !subs.is_empty() {
            toc.push_str("\n<ol>\n");
            for (text, id) in subs {
                toc.push_str(&item(text, id));
                toc.push_str("</li>\n");
            }
            toc.push_str("</ol>\n");
        }
        toc.push_str("</li>\n");
    }
    toc.push_str("</ol>\n</nav>\n");

    let mut body: Vec<Event> = Vec::with_capacity(events.len());
    let mut ids = headings.into_iter().map(|(_, _, id)| id);
    let mut toc_placed = false;
    // Inside an image (its alt text is the figure's label) or a link to a
    // chart's SVG file (which a single page does not need).
    let mut skipping = false;
    // A paragraph that holds only an image: its figure stands alone (a
    // figure cannot sit in a paragraph).
    let lone_image = |i: usize| {
        matches!(events.get(i + 1), Some(Event::Start(Tag::Image { .. })))
            && events[i + 1..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Image)))
                .is_some_and(|k| {
                    matches!(events.get(i + 2 + k), Some(Event::End(TagEnd::Paragraph)))
                })
    };
    let lone: Vec<bool> = (0..events.len())
        .map(|i| matches!(events[i], Event::Start(Tag::Paragraph)) && lone_image(i))
        .collect();
    let mut in_lone = false;
    for (i, e) in events.into_iter().enumerate() {
        if lone[i] {
            in_lone = true;
            continue;
        }
        if in_lone && matches!(e, Event::End(TagEnd::Paragraph)) {
            in_lone = false;
            continue;
        }
        match e {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                if level == HeadingLevel::H2 && !toc_placed {
                    body.push(Event::Html(CowStr::from(toc.clone())));
                    toc_placed = true;
                }
                body.push(Event::Start(Tag::Heading {
                    level,
                    id: ids.next().map(CowStr::from),
                    classes,
                    attrs,
                }));
            }
            Event::Start(Tag::Image {
                dest_url, title: _, ..
            }) => {
                skipping = true;
                let svg = charts.iter().find(|(path, _)| **path == *dest_url);
                body.push(Event::Html(CowStr::from(match svg {
                    Some((_, svg)) => format!(
                        "<figure class=\"chart\">{}</figure>",
                        inline_svg(svg).trim_end()
                    ),
                    None => format!("<em>(chart {} not available)</em>", escaped(&dest_url)),
                })));
            }
            Event::End(TagEnd::Image) => skipping = false,
            Event::Start(Tag::Link { ref dest_url, .. }) if dest_url.ends_with(".svg") => {
                skipping = true;
            }
            Event::End(TagEnd::Link) if skipping => skipping = false,
            _ if skipping => {}
            // User text (titles, descriptions, labels) is shown, never
            // interpreted.
            Event::Html(raw) | Event::InlineHtml(raw) => body.push(Event::Text(raw)),
            other => body.push(other),
        }
    }
    let mut content = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut content, body.into_iter());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{content}</main>\n</body>\n</html>\n",
        escaped(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "# A <b>title</b>\n\nIntro with <script>alert(1)</script>.\n\n## Settings\n\n| | |\n|---|---|\n| Seed | 7 |\n\n## Charts\n\n### Exports\n\n![Exports (fan chart)](charts/fan_exports.png)\n\n*Caption.* [SVG](charts/fan_exports.svg)\n\n### Exports\n\n![Missing](charts/missing.png)\n\n## Reproduce\n\n```sh\nsezsim run x.toml\n```\n";

    #[test]
    fn charts_are_inline_user_html_is_text_and_headings_have_a_toc() {
        let svg = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"1\" y=\"1\">Exports</text>\n</svg>\n";
        let html = render(
            "A <b>title</b>",
            MD,
            &[("charts/fan_exports.png".into(), svg.into())],
        );
        assert!(html.contains("<title>A &lt;b&gt;title&lt;/b&gt;</title>"));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("<figure class=\"chart\"><svg width=\"10\""),
            "{html}"
        );
        assert!(!html.contains("http"), "{html}");
        assert!(!html.contains("src="), "{html}");
        assert!(!html.contains(".svg\""), "a link to the SVG file: {html}");
        assert!(html.contains("(chart charts/missing.png not available)"));
        assert!(html.contains("<h2 id=\"settings\">Settings</h2>"), "{html}");
        assert!(html.contains("<h3 id=\"exports-2\">"), "{html}");
        assert!(
            html.contains("<a href=\"#exports-2\">Exports</a>"),
            "{html}"
        );
        assert!(html.find("class=\"toc\"") < html.find("id=\"settings\""));
        assert!(html.contains("<td>7</td>"), "{html}");
        assert!(!html.contains("<p><figure"), "{html}");
        assert!(
            html.contains("<li><a href=\"#charts\">Charts</a>\n<ol>\n<li><a href=\"#exports\">Exports</a></li>\n"),
            "{html}"
        );
        assert!(
            html.contains("</ol>\n</li>\n<li><a href=\"#reproduce\">Reproduce</a></li>\n</ol>"),
            "{html}"
        );
    }
}
