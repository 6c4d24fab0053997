//! Generated code as short lines, without a formatter: one statement, field or match arm per
//! line, indented by braces. `TokenStream::to_string` writes the whole client on one line, so a
//! compile error in it pointed at column 498,319 of line 3; with this the compiler's excerpt is
//! the statement at fault. prettyplease would also do it, at the price of compiling it and of
//! parsing the code again in every build script.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::fmt::Write;

/// `code` with a line break after each `;`, after `{` and `}`, after an item's attribute, and
/// after a `,` that separates the items of a brace block.
pub(crate) fn render(code: TokenStream) -> String {
    let mut out = Lines::default();
    out.stream(code, Delimiter::Brace);
    out.newline();
    out.text
}

#[derive(Default)]
struct Lines {
    text: String,
    depth: usize,
    /// Whether the current line has nothing on it yet.
    at_start: bool,
}

impl Lines {
    fn stream(&mut self, code: TokenStream, inside: Delimiter) {
        let mut after_pound = false;
        for tree in code {
            let pound = matches!(&tree, TokenTree::Punct(p) if p.as_char() == '#');
            match tree {
                TokenTree::Group(group) => {
                    let delimiter = group.delimiter();
                    self.group(delimiter, group.stream());
                    // An attribute of an item or field gets a line of its own.
                    if after_pound && delimiter == Delimiter::Bracket && inside == Delimiter::Brace
                    {
                        self.newline();
                    }
                }
                TokenTree::Punct(punct) => {
                    self.word(&punct.as_char().to_string());
                    let ends_item = match punct.as_char() {
                        ';' => true,
                        ',' => inside == Delimiter::Brace,
                        _ => false,
                    };
                    if ends_item && punct.spacing() == Spacing::Alone {
                        self.newline();
                    } else if punct.spacing() == Spacing::Alone {
                        self.text.push(' ');
                    }
                }
                TokenTree::Ident(ident) => {
                    self.word(&ident.to_string());
                    self.text.push(' ');
                }
                TokenTree::Literal(literal) => {
                    self.word(&literal.to_string());
                    self.text.push(' ');
                }
            }
            after_pound = pound;
        }
    }

    fn group(&mut self, delimiter: Delimiter, inner: TokenStream) {
        let (open, close) = match delimiter {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::None => ("", ""),
        };
        if delimiter != Delimiter::Brace {
            self.word(open);
            self.stream(inner, delimiter);
            self.trim();
            self.word(close);
            self.text.push(' ');
            return;
        }
        self.word(open);
        self.depth += 1;
        self.newline();
        self.stream(inner, delimiter);
        self.depth -= 1;
        if !self.at_start {
            self.newline();
        }
        self.word(close);
        self.newline();
    }

    /// Writes `text`, indenting it first when it opens a line.
    fn word(&mut self, text: &str) {
        if self.at_start {
            let _ = write!(self.text, "{:1$}", "", self.depth * 4);
            self.at_start = false;
        }
        self.text.push_str(text);
    }

    fn trim(&mut self) {
        while self.text.ends_with(' ') {
            self.text.pop();
        }
    }

    fn newline(&mut self) {
        self.trim();
        if !self.at_start {
            self.text.push('\n');
            self.at_start = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use quote::quote;

    #[test]
    fn statements_fields_and_arms_get_their_own_lines() {
        let code = quote! {
            struct S { #[doc = "A."] a: u8, b: ::std::string::String }
            fn f(x: u8) -> u8 { let y = x + 1; match y { 0 => 1, _ => 'x: loop { break 'x 2; } } }
        };
        assert_eq!(
            render(code),
            "struct S {\n    # [doc = \"A.\"]\n    a : u8 ,\n    b : :: std :: string :: String\n}\n\
             fn f (x : u8) -> u8 {\n    let y = x + 1 ;\n    match y {\n        0 => 1 ,\n        \
             _ => 'x : loop {\n            break 'x 2 ;\n        }\n    }\n}\n"
        );
    }

    #[test]
    fn the_lines_are_the_same_tokens() {
        let code = quote! {
            #[doc = "a \"quoted\" ; text { with } braces"]
            pub fn g<'a>(v: &'a [u8; 4]) -> Option<&'a u8> { v.iter().find(|b| **b == b';') }
        };
        let rendered = render(code.clone());
        let again: proc_macro2::TokenStream = rendered.parse().unwrap();
        assert_eq!(again.to_string(), code.to_string());
        assert!(rendered.lines().all(|line| line.len() < 100), "{rendered}");
    }
}
