//! `multipart/form-data` bodies, for the uploads progenitor cannot generate: the normalizer
//! makes such a body raw bytes, and this builds them.

use std::hash::{BuildHasher, Hasher};

/// What every boundary this type makes starts with; the runtime recognizes a raw body that
/// starts with it and sends it as `multipart/form-data` with that boundary.
const BOUNDARY_PREFIX: &str = "highlevel-boundary-";

/// A `multipart/form-data` body: text fields and files, in order.
///
/// Pass it where an upload operation takes its body; the runtime sends it with
/// `Content-Type: multipart/form-data; boundary=…`.
///
/// ```
/// use highlevel_runtime::Multipart;
///
/// let form = Multipart::new()
///     .text("hosted", "false")
///     .file("file", "logo.png", "image/png", vec![0x89, b'P', b'N', b'G']);
/// let content_type = form.content_type();
/// assert!(content_type.starts_with("multipart/form-data; boundary=highlevel-boundary-"));
/// let bytes = form.into_bytes();
/// let text = String::from_utf8_lossy(&bytes);
/// assert!(text.contains("Content-Disposition: form-data; name=\"hosted\"\r\n\r\nfalse\r\n"));
/// assert!(text.contains("filename=\"logo.png\"\r\nContent-Type: image/png"));
/// ```
#[derive(Clone)]
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("boundary", &self.boundary)
            .field("bytes", &self.body.len())
            .finish()
    }
}

impl Default for Multipart {
    fn default() -> Self {
        Multipart::new()
    }
}

impl Multipart {
    /// An empty form with a boundary of its own.
    pub fn new() -> Multipart {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        Multipart {
            boundary: format!("{BOUNDARY_PREFIX}{:016x}", hasher.finish()),
            body: Vec::new(),
        }
    }

    /// Adds a text field.
    pub fn text(self, name: &str, value: impl AsRef<str>) -> Multipart {
        let head = format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
        self.part(&head, value.as_ref().as_bytes())
    }

    /// Adds a file: its field name, file name, media type and content.
    pub fn file(
        self,
        name: &str,
        file_name: &str,
        content_type: &str,
        content: impl AsRef<[u8]>,
    ) -> Multipart {
        let head = format!(
            "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}",
            quoted(name),
            quoted(file_name),
            single_line(content_type)
        );
        self.part(&head, content.as_ref())
    }

    fn part(mut self, head: &str, content: &[u8]) -> Multipart {
        self.body
            .extend_from_slice(format!("--{}\r\n{head}\r\n\r\n", self.boundary).as_bytes());
        self.body.extend_from_slice(content);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `Content-Type` the form goes out with.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The encoded form, closing boundary included.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        self.body
    }
}

impl From<Multipart> for reqwest::Body {
    fn from(form: Multipart) -> reqwest::Body {
        reqwest::Body::from(form.into_bytes())
    }
}

/// A name inside a quoted header parameter: quotes escaped as browsers do, no line breaks.
fn quoted(text: &str) -> String {
    single_line(text).replace('"', "%22")
}

fn single_line(text: &str) -> String {
    text.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

/// The `Content-Type` of a raw body `Multipart` made (`None` for any other body).
pub(crate) fn content_type_of(body: &[u8]) -> Option<String> {
    let rest = body.strip_prefix(b"--")?;
    if !rest.starts_with(BOUNDARY_PREFIX.as_bytes()) {
        return None;
    }
    let end = memchr::memchr(b'\r', rest)?;
    let boundary = std::str::from_utf8(&rest[..end]).ok()?;
    boundary
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        .then(|| format!("multipart/form-data; boundary={boundary}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_recognized_by_its_boundary_and_nothing_else_is() {
        let form = Multipart::new().text("a\"b\r\n", "1");
        let expected = form.content_type();
        let bytes = form.into_bytes();
        assert_eq!(content_type_of(&bytes), Some(expected));
        assert!(String::from_utf8_lossy(&bytes).contains("name=\"a%22b\""));
        assert!(bytes.ends_with(b"--\r\n"));
        assert_eq!(content_type_of(b"--other-boundary\r\n"), None);
        assert_eq!(content_type_of(b"{\"json\": true}"), None);
        assert_eq!(content_type_of(b"--highlevel-boundary-x y\r\n"), None);
    }
}
