//! Directory arguments: every file under them that may be of a kind
//! redis-preflight reads, skipping `.git`, `node_modules`, `target`,
//! `vendor` and what `.gitignore` files ignore (ripgrep's `ignore` crate).

use super::kind::is_candidate_name;
use std::path::{Path, PathBuf};

/// Directories never worth reading: version control, dependencies, build output.
pub const SKIPPED_DIRECTORIES: [&str; 4] = [".git", "node_modules", "target", "vendor"];

/// The candidate files under `dir`, sorted, and how many other files were
/// passed over by name.
pub fn candidate_files(dir: &Path) -> (Vec<PathBuf>, usize) {
    let mut builder = ignore::WalkBuilder::new(dir);
    builder
        // `.env` files are hidden files; `.gitignore` still applies.
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        // A `.gitignore` counts even outside a git checkout (an unpacked archive).
        .require_git(false)
        .ignore(false)
        .parents(true)
        .follow_links(false)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| SKIPPED_DIRECTORIES.contains(&name)))
        });
    let mut files = Vec::new();
    let mut passed_over = 0usize;
    for entry in builder.build().flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        // `check .` names files as a user would: `deploy/redis.conf`.
        let path = match path.strip_prefix(".") {
            Ok(relative) if dir == Path::new(".") => relative.to_path_buf(),
            _ => path,
        };
        if is_candidate_name(&path) {
            files.push(path);
        } else {
            passed_over += 1;
        }
    }
    files.sort();
    (files, passed_over)
}
