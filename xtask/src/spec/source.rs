//! Where a document comes from: a file on disk or an http(s) URL, with its relative external
//! `$ref`s resolved next to it (beside the file, or relative to the URL).

use crate::spec::http;
use crate::spec::normalize::Loader;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A document's location, as given on the command line.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk.
    Path(PathBuf),
    /// An `http://` or `https://` URL.
    Url(String),
}

impl Source {
    /// Reads `text` as a URL when it starts with `http://` or `https://`, else as a path.
    pub fn parse(text: &str) -> Source {
        if http::is_url(text) {
            Source::Url(text.to_string())
        } else {
            Source::Path(PathBuf::from(text))
        }
    }

    /// The location as given.
    pub fn display(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Url(url) => url.clone(),
        }
    }

    /// The bytes of the document itself.
    pub fn fetch_root(&self) -> Result<Vec<u8>, String> {
        match self {
            Source::Path(path) => {
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            }
            Source::Url(url) => http::get(url),
        }
    }

    /// The bytes of a file the document refers to, `relative` to the document's folder.
    pub fn fetch_relative(&self, relative: &str) -> Result<Vec<u8>, String> {
        if relative.split('/').next().is_some_and(|s| s.contains(':')) {
            return Err(format!(
                "`{relative}`: only relative external references are supported"
            ));
        }
        match self {
            Source::Path(path) => {
                let file = path
                    .parent()
                    .map_or_else(|| PathBuf::from(relative), |dir| dir.join(relative));
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))
            }
            Source::Url(url) => http::get(&http::resolve(url, relative)?),
        }
    }

    /// Reads and parses the document itself, naming the source in any error.
    pub fn fetch_root_json(&self) -> Result<(Vec<u8>, Value), String> {
        let bytes = self.fetch_root()?;
        let doc = parse_json(&bytes, &self.display())?;
        Ok((bytes, doc))
    }
}

/// Parses JSON bytes; `origin` names them in the error.
pub fn parse_json(bytes: &[u8], origin: &str) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("{origin} is not valid JSON: {e}"))
}

/// A [`Loader`] that fetches each referenced file once from a [`Source`] and keeps its bytes,
/// so the exact files read can be written to the snapshot afterwards.
pub struct SourceLoader<'a> {
    source: &'a Source,
    /// Every external file read, keyed by its path relative to the document's folder.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl<'a> SourceLoader<'a> {
    /// A loader for the references of the document at `source`.
    pub fn new(source: &'a Source) -> Self {
        SourceLoader {
            source,
            files: BTreeMap::new(),
        }
    }
}

impl Loader for SourceLoader<'_> {
    fn load(&mut self, relative: &str) -> Result<Value, String> {
        if !self.files.contains_key(relative) {
            let bytes = self.source.fetch_relative(relative)?;
            self.files.insert(relative.to_string(), bytes);
        }
        let origin = format!("`{relative}` (referenced by {})", self.source.display());
        parse_json(&self.files[relative], &origin)
    }
}
