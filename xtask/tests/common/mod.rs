//! Helpers shared by the xtask's integration tests: temporary copies of `openapi/`, file
//! hashes, fixtures, and a loopback HTTP server.

#![allow(dead_code)] // Each test file uses a different part.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use xtask::spec::provenance::sha256_hex;
use xtask::workspace::Workspace;

/// Asserts that `report` lists exactly one change, with this side, kind, severity and location.
pub fn assert_only_change(
    report: &xtask::spec::report::Report,
    expected: (
        xtask::spec::diff::Side,
        xtask::spec::diff::Kind,
        xtask::spec::diff::Severity,
        &str,
    ),
) {
    assert_eq!(report.changes.len(), 1, "{}", report.to_text());
    let change = &report.changes[0];
    assert_eq!(
        (
            change.side,
            change.kind,
            change.severity,
            change.location.as_str()
        ),
        expected
    );
}

/// The workspace the tests run in.
pub fn real_workspace() -> Workspace {
    Workspace::current()
}

/// A fixture file's path.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// A temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "xtask-{label}-{}-{}-{nanos}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A temporary copy of the workspace's `openapi/` folder, as a workspace of its own.
pub fn temp_workspace(label: &str) -> (TempDir, Workspace) {
    let dir = TempDir::new(label);
    copy_dir(
        &real_workspace().root.join("openapi"),
        &dir.0.join("openapi"),
    );
    let ws = Workspace::at(&dir.0);
    (dir, ws)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The sha256 of every file below `dir`, keyed by relative path.
pub fn hash_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    hash_into(dir, dir, &mut out);
    out
}

fn hash_into(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            hash_into(base, &path, out);
        } else {
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            out.insert(rel, sha256_hex(&std::fs::read(&path).unwrap()));
        }
    }
}

/// A loopback HTTP server answering GETs from a fixed set of files, on a port the system
/// chose. Stops when dropped.
pub struct FileServer {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    /// The paths requested, in order.
    pub requests: Arc<std::sync::Mutex<Vec<String>>>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl FileServer {
    /// Serves `files` (URL path -> body); any other path answers 404.
    pub fn start(files: BTreeMap<String, Vec<u8>>) -> FileServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let requests = Arc::new(std::sync::Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                // `recv` returns an error once `unblock` is called.
                while let Ok(request) = server.recv() {
                    let path = request.url().to_string();
                    requests.lock().unwrap().push(path.clone());
                    let response = match files.get(&path) {
                        Some(body) => tiny_http::Response::from_data(body.clone()),
                        None => tiny_http::Response::from_string("not here").with_status_code(404),
                    };
                    let _ = request.respond(response);
                }
            })
        };
        FileServer {
            server,
            thread: Some(thread),
            requests,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
