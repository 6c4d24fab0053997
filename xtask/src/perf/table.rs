//! A small table printer shared by the measuring commands: aligned plain text for a terminal,
//! or a Markdown table to paste into the README.

/// How a command prints its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Columns padded with spaces.
    Text,
    /// A GitHub-flavoured Markdown table.
    Markdown,
}

impl Format {
    /// Reads a `--format` value.
    pub fn parse(value: &str) -> Result<Format, String> {
        match value {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!("--format must be text or markdown, not `{other}`")),
        }
    }
}

/// A header row and body rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column titles.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are left empty, extra cells are dropped.
    pub fn push<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells.into_iter().map(Into::into).collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// The body rows.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table in `format`, ending with a newline.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.to_text(),
            Format::Markdown => self.to_markdown(),
        }
    }

    /// Columns padded to their widest cell, a rule under the header.
    pub fn to_text(&self) -> String {
        let widths = self.widths();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, &width)| pad(cell, width))
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        let mut out = line(&self.header);
        out.push_str(&line(&rule));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }

    /// A Markdown table; `|` inside a cell is escaped.
    pub fn to_markdown(&self) -> String {
        let line = |cells: &[String]| {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        let rule: Vec<String> = self.header.iter().map(|_| "---".to_string()).collect();
        let mut out = line(&self.header);
        out.push_str(&line(&rule));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }

    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        widths
    }
}

/// `cell` followed by spaces up to `width` characters (not bytes: `µ` and `≤` are one).
fn pad(cell: &str, width: usize) -> String {
    let fill = width.saturating_sub(cell.chars().count());
    format!("{cell}{}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new(["Figure", "SDK", "Goal"]);
        table.push(["serialize", "1.2 µs", "≤ 15 µs"]);
        table.push(["a|b", "-"]);
        table
    }

    #[test]
    fn text_columns_line_up_by_characters() {
        let text = sample().to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Figure     SDK     Goal");
        assert_eq!(lines[1], "---------  ------  -------");
        assert_eq!(lines[2], "serialize  1.2 µs  ≤ 15 µs");
        assert_eq!(
            lines[3], "a|b        -",
            "short rows are padded, then trimmed"
        );
    }

    #[test]
    fn markdown_escapes_pipes() {
        let markdown = sample().to_markdown();
        assert_eq!(
            markdown,
            "| Figure | SDK | Goal |\n| --- | --- | --- |\n| serialize | 1.2 µs | ≤ 15 µs |\n| a\\|b | - |  |\n"
        );
    }

    #[test]
    fn formats_parse() {
        assert_eq!(Format::parse("markdown"), Ok(Format::Markdown));
        assert_eq!(Format::parse("text"), Ok(Format::Text));
        assert!(Format::parse("html").is_err());
    }
}
