//! `openapi/upstream/PROVENANCE.toml`: where the upstream snapshot comes from and the sha256 of
//! each of its files, so that a hand edit of the snapshot is caught.

use crate::workspace::{PROVENANCE_PATH, UPSTREAM_DIR, Workspace};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The provenance record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Provenance {
    /// Where the files were taken from (repository, URL or path).
    #[serde(default)]
    pub source: Option<String>,
    /// The upstream commit, when known.
    #[serde(default)]
    pub commit: Option<String>,
    /// The date of that commit.
    #[serde(default)]
    pub commit_date: Option<String>,
    /// The day the files were taken (UTC).
    #[serde(default)]
    pub retrieved: Option<String>,
    /// The licence the files are published under.
    #[serde(default)]
    pub license: Option<String>,
    /// Every file of the snapshot.
    pub files: Vec<ProvenanceFile>,
}

/// One file of the snapshot.
#[derive(Debug, Clone, Deserialize)]
pub struct ProvenanceFile {
    /// Path relative to `openapi/upstream/`.
    pub path: String,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
}

impl Provenance {
    /// Reads the workspace's provenance record.
    pub fn read(ws: &Workspace) -> Result<Provenance, String> {
        let path = ws.provenance_path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{PROVENANCE_PATH}: {e}"))
    }

    /// Fails, naming each file, when a file of the snapshot no longer has its recorded hash.
    pub fn check(&self, ws: &Workspace) -> Result<(), String> {
        let mut wrong = Vec::new();
        for file in &self.files {
            let bytes = std::fs::read(ws.upstream_dir().join(&file.path))
                .map_err(|e| format!("{UPSTREAM_DIR}/{}: {e}", file.path))?;
            let actual = sha256_hex(&bytes);
            if actual != file.sha256 {
                wrong.push(format!(
                    "{UPSTREAM_DIR}/{} has sha256 {actual}, {PROVENANCE_PATH} records {}",
                    file.path, file.sha256
                ));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the upstream snapshot was edited (it must stay as published):\n  {}",
                wrong.join("\n  ")
            ))
        }
    }

    /// The record as TOML, in the shape [`Provenance::read`] reads.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Where the snapshot in this folder comes from. `cargo xtask spec check` verifies the hashes,\n\
             # so a hand edit of an upstream file is caught; `cargo xtask spec update` rewrites this file.\n",
        );
        for (key, value) in [
            ("source", &self.source),
            ("commit", &self.commit),
            ("commit_date", &self.commit_date),
            ("retrieved", &self.retrieved),
            ("license", &self.license),
        ] {
            if let Some(value) = value {
                out.push_str(&format!("{key} = {}\n", toml_string(value)));
            }
        }
        for file in &self.files {
            out.push_str(&format!(
                "\n[[files]]\npath = {}\nsha256 = {}\n",
                toml_string(&file.path),
                toml_string(&file.sha256)
            ));
        }
        out
    }
}

/// A TOML basic string.
fn toml_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Today's date in UTC, as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let mut date = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    date.truncate("YYYY-MM-DD".len());
    date
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let today = today_utc();
        assert_eq!(today.len(), 10, "{today}");
        assert!(
            today.starts_with("20") && today.as_bytes()[4] == b'-',
            "{today}"
        );
    }

    #[test]
    fn written_records_read_back() {
        let record = Provenance {
            source: Some("http://127.0.0.1:1/a \"b\".json".into()),
            retrieved: Some("2026-11-24".into()),
            files: vec![ProvenanceFile {
                path: "apps/x.json".into(),
                sha256: "ab".into(),
            }],
            ..Provenance::default()
        };
        let back: Provenance = toml::from_str(&record.to_toml()).unwrap();
        assert_eq!(back.source, record.source);
        assert_eq!(back.commit, None);
        assert_eq!(back.files[0].path, "apps/x.json");
    }
}
