//! `cargo xtask webhooks`: the checked-in events file is what the pages give, a hand edit or
//! a changed page is caught by `--check` with a diff, and writing makes it pass again.

mod common;

use common::{TempDir, real_workspace};
use xtask::webhooks::{self, GENERATED_PATH, PAGES_DIR};
use xtask::workspace::Workspace;

#[test]
fn the_checked_in_events_are_up_to_date() {
    let report = webhooks::check(&real_workspace()).unwrap();
    assert!(report.contains("up to date"), "{report}");
}

#[test]
fn a_changed_page_is_caught_and_writing_fixes_it() {
    let real = real_workspace();
    let dir = TempDir::new("webhooks");
    let ws = Workspace::at(&dir.0);
    let pages = ws.root.join(PAGES_DIR);
    std::fs::create_dir_all(&pages).unwrap();
    for page in ["AppUninstall.md", "AppointmentCreate.md"] {
        std::fs::copy(real.root.join(PAGES_DIR).join(page), pages.join(page)).unwrap();
    }
    assert!(webhooks::write(&ws).unwrap().starts_with("wrote"));
    assert!(webhooks::check(&ws).is_ok());
    let uninstall = pages.join("AppUninstall.md");
    let text = std::fs::read_to_string(&uninstall).unwrap();
    let renamed = text.replace("\"companyId\"", "\"agencyId\"");
    assert_ne!(text, renamed);
    std::fs::write(&uninstall, renamed).unwrap();
    let error = webhooks::check(&ws).unwrap_err();
    assert!(
        error.contains("+    pub agency_id: Option<String>,"),
        "{error}"
    );
    assert!(error.contains("cargo xtask webhooks"), "{error}");
    webhooks::write(&ws).unwrap();
    assert!(webhooks::check(&ws).is_ok());
    let generated = std::fs::read_to_string(ws.root.join(GENERATED_PATH)).unwrap();
    assert!(generated.starts_with("// @generated"), "{generated}");
}
