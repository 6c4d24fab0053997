//! Where the pipeline's files live, below a root folder (the workspace, or a copy of it in a
//! test).

use std::path::{Path, PathBuf};

/// The pipeline configuration file, relative to the root.
pub const CONFIG_PATH: &str = "openapi/pipeline.toml";
/// The folder of the upstream snapshot, relative to the root.
pub const UPSTREAM_DIR: &str = "openapi/upstream";
/// The provenance record of the upstream snapshot, relative to the root.
pub const PROVENANCE_PATH: &str = "openapi/upstream/PROVENANCE.toml";
/// The generated-code snapshot's file name; it sits beside `pipeline.toml`.
pub const SNAPSHOT_FILE: &str = "generated.rs.snap";

/// A folder holding `openapi/`.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder itself.
    pub root: PathBuf,
}

impl Workspace {
    /// The workspace this xtask belongs to.
    pub fn current() -> Workspace {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives one level below the workspace root")
            .to_path_buf();
        Workspace { root }
    }

    /// A workspace rooted at `root` (for tests: a copy of `openapi/` in a temporary folder).
    pub fn at(root: impl Into<PathBuf>) -> Workspace {
        Workspace { root: root.into() }
    }

    /// `openapi/pipeline.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_PATH)
    }

    /// The folder of `pipeline.toml`; the paths it holds are relative to it.
    pub fn openapi_dir(&self) -> PathBuf {
        self.config_path()
            .parent()
            .expect("the config file is in a folder")
            .to_path_buf()
    }

    /// The upstream snapshot's folder.
    pub fn upstream_dir(&self) -> PathBuf {
        self.root.join(UPSTREAM_DIR)
    }

    /// The provenance record of the upstream snapshot.
    pub fn provenance_path(&self) -> PathBuf {
        self.root.join(PROVENANCE_PATH)
    }

    /// The generated-code snapshot.
    pub fn snapshot_path(&self) -> PathBuf {
        self.openapi_dir().join(SNAPSHOT_FILE)
    }

    /// `path` relative to the root, for messages.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Lexically resolves `.` and `..` in a relative path (`a/b/../c` -> `a/c`). Fails when the path
/// climbs above its start.
pub fn clean_relative(path: &Path) -> Result<PathBuf, String> {
    let mut out: Vec<String> = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop()
                    .ok_or_else(|| format!("`{}` climbs above its folder", path.display()))?;
            }
            std::path::Component::Normal(name) => out.push(name.to_string_lossy().into_owned()),
            _ => return Err(format!("`{}` is not a relative path", path.display())),
        }
    }
    Ok(out.iter().collect())
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file. Creates missing folders.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .ok_or_else(|| format!("{} has no folder", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.xtask-tmp"));
    std::fs::write(&temp, bytes).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", path.display())
    })
}
