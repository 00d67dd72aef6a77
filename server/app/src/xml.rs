//! The little XML the app writes by hand (CAP, PFIF): text escaped for element content and
//! attribute values. Text reaching here was parsed by the domain, which refuses the characters
//! XML 1.0 cannot carry (controls other than tab and line breaks, noncharacters).

/// `text` with `& < > " '` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}
