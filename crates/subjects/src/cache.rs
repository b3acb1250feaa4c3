//! Podium's cache folder: unpacked bundled subjects, build outputs, subject logs.

use std::path::PathBuf;

/// The cache folder: `$PODIUM_CACHE_DIR`, else `$XDG_CACHE_HOME/podium`, else
/// `~/.cache/podium`, else a folder under the system temporary directory.
pub fn default_cache_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("PODIUM_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("podium");
    }
    if let Some(home) = non_empty("HOME") {
        return PathBuf::from(home).join(".cache").join("podium");
    }
    std::env::temp_dir().join("podium-cache")
}
