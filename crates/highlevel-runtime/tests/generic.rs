//! The runtime serves every HighLevel API: nothing in it may be about one API in particular.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn the_runtime_names_no_calendar() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "the sources were found");
    let word = "calendar";
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.to_lowercase().contains(word),
                "{path}:{}: {line}",
                n + 1
            );
        }
    }
}
