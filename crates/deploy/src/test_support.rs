//! Throw-away subjects for unit tests.

use podium_subjects::{Origin, Subject, SubjectManifest};
use std::path::Path;

/// A shell command copying a real (dynamically linked) ELF executable, `true`, to
/// `$PODIUM_OUT/server`.
pub(crate) fn elf_copy() -> String {
    let source = ["/usr/bin/true", "/bin/true"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .unwrap_or("/bin/true");
    format!("cp {source} \"$PODIUM_OUT/server\"")
}

/// A subject in `dir` (created, with a `main.go`) of `language`, whose `[deploy]`
/// command is `deploy` (no `[deploy]` section when `None`).
pub(crate) fn fake_subject(dir: &Path, language: &str, deploy: Option<&str>) -> Subject {
    fake_subject_with(dir, language, deploy, &[])
}

/// [`fake_subject`] with `[build] inputs`.
pub(crate) fn fake_subject_with(
    dir: &Path,
    language: &str,
    deploy: Option<&str>,
    inputs: &[&str],
) -> Subject {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let inputs = inputs
        .iter()
        .map(|i| format!("{i:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!(
        "name = \"{name}\"\nlanguage = \"{language}\"\nframework = \"F\"\nmodule = \"m\"\nversion = \"1\"\n\
         [build]\ncommand = \"true\"\ninputs = [{inputs}]\n[run]\ncommand = [\"server\"]\n"
    );
    if let Some(deploy) = deploy {
        text.push_str(&format!("[deploy]\ncommand = '''{deploy}'''\n"));
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("subject.toml"), &text).unwrap();
    std::fs::write(dir.join("main.go"), "package main\nfunc main() {}\n").unwrap();
    Subject {
        manifest: SubjectManifest::parse(&text, &dir.join("subject.toml")).unwrap(),
        dir: dir.to_path_buf(),
        origin: Origin::Bundled,
    }
}
