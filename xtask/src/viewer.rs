//! `cargo xtask viewer`: installs the web viewer (OHIF v3, pinned) into `target/viewer`, for the
//! server to serve under `/viewer` when `VIEWER_DIR` points there. Needs only `npm` and `tar`.
//!
//! `@ohif/app` ships a prebuilt app in `dist/`. Its own dependencies name packages that were never
//! published, so it is fetched with `npm pack` (the tarball alone) rather than installed. The app
//! is built to live at the root of a site; the few places that say so (the page's links, webpack's
//! public path in each bundle that loads chunks, the font URLs of the stylesheet, the icons of the
//! web app manifest) are rewritten to
//! `/viewer/`. Its `app-config.js` is removed: the server writes the configuration.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, exec, root};

/// The viewer, pinned.
pub const PACKAGE: &str = "@ohif/app@3.13.2";

/// Where the viewer is served.
const MOUNT: &str = "/viewer/";

/// Names the installed version, so that a second run with the same pin does nothing.
const MARKER: &str = ".installed";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

pub fn run(args: &[&str]) -> Result {
    let force = match args {
        [] => false,
        ["--force"] => true,
        _ => return Err("usage: cargo xtask viewer [--force]".to_owned()),
    };
    let dest = target_dir().join("viewer");
    let marker = dest.join(MARKER);
    if !force && fs::read_to_string(&marker).is_ok_and(|v| v.trim() == PACKAGE) {
        println!("{PACKAGE} is already in {}", dest.display());
        return Ok(());
    }
    let work = target_dir().join("viewer-download");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    exec(
        Command::new("npm")
            .args(["pack", PACKAGE, "--silent", "--pack-destination"])
            .arg(&work)
            .current_dir(&work),
    )?;
    let tarball = fs::read_dir(&work)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or("npm pack left no tarball")?;
    exec(
        Command::new("tar")
            .arg("xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&work),
    )?;
    let dist = work.join("package").join("dist");
    if !dist.join("index.html").is_file() {
        return Err(format!("{PACKAGE} has no dist/index.html"));
    }
    let rewritten = rewrite(&dist)?;
    let _ = fs::remove_file(dist.join("app-config.js"));
    let _ = fs::remove_dir_all(&dest);
    fs::rename(&dist, &dest).map_err(|e| format!("cannot move the viewer into place: {e}"))?;
    fs::write(&marker, PACKAGE).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&work);
    println!(
        "{PACKAGE} installed in {} ({rewritten} files rewritten for {MOUNT}); serve it with VIEWER_DIR={}",
        dest.display(),
        dest.display()
    );
    Ok(())
}

/// Points the app's absolute paths at [`MOUNT`]; answers how many files changed.
fn rewrite(dist: &Path) -> Result<usize> {
    let mut changed = 0;
    for entry in fs::read_dir(dist).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let edits: &[(&str, &str)] = if name == "index.html" {
            &[
                ("window.PUBLIC_URL=\"/\"", "window.PUBLIC_URL=\"/viewer/\""),
                ("href=\"/", "href=\"/viewer/"),
                ("src=\"/", "src=\"/viewer/"),
                ("content=\"/", "content=\"/viewer/"),
            ]
        } else if name.ends_with(".js") {
            &[(
                "__webpack_require__.p = \"/\"",
                "__webpack_require__.p = \"/viewer/\"",
            )]
        } else if name.ends_with(".css") {
            &[("url(/", "url(/viewer/")]
        } else if name == "manifest.json" {
            &[("\"/assets/", "\"/viewer/assets/")]
        } else {
            continue;
        };
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = text.clone();
        for (from, to) in edits {
            out = out.replace(from, to);
        }
        if out != text {
            fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
            changed += 1;
        }
    }
    let index = fs::read_to_string(dist.join("index.html")).map_err(|e| e.to_string())?;
    if !index.contains("window.PUBLIC_URL=\"/viewer/\"") {
        return Err(format!(
            "{PACKAGE}'s index.html does not set window.PUBLIC_URL as expected: the rewrite needs a look"
        ));
    }
    Ok(changed)
}
