//! Calendars kept in a file between runs ([`SandboxBuilder::state_file`](super::SandboxBuilder),
//! the program's `--state`): a JSON array of the calendars as Get Calendar answers them, read
//! at start and written after every change.

use serde_json::Value;
use std::io;
use std::path::Path;

/// The calendars saved in `path`; none when the file does not exist yet.
pub(crate) fn load(path: &Path) -> io::Result<Vec<Value>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let invalid = |why: String| {
        let shown = path.display();
        io::Error::new(io::ErrorKind::InvalidData, format!("{shown}: {why}"))
    };
    match serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))? {
        Value::Array(calendars) if calendars.iter().all(|c| c["id"].is_string()) => Ok(calendars),
        _ => Err(invalid("expected an array of calendars with ids".into())),
    }
}

/// Writes `calendars` to `path` through a temporary file beside it, renamed over it, so that a
/// server stopped at any moment (even killed) leaves either the old or the new file whole.
pub(crate) fn save(path: &Path, calendars: &[Value]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let text = serde_json::to_vec_pretty(calendars).map_err(io::Error::other)?;
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn saved_calendars_load_again_and_bad_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("sandbox-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert!(load(&path).unwrap().is_empty(), "no file yet");
        let calendars = vec![json!({"id": "a", "locationId": "l", "name": "n"})];
        save(&path, &calendars).unwrap();
        assert_eq!(load(&path).unwrap(), calendars);
        std::fs::write(&path, b"{\"not\": \"a list\"}").unwrap();
        assert_eq!(load(&path).unwrap_err().kind(), io::ErrorKind::InvalidData);
        std::fs::write(&path, b"[{\"name\": \"no id\"}]").unwrap();
        assert!(load(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
