//! Before a thorough `podium run`: a hot-reload grade for each subject, stored as an
//! observation so that the run carries it (age 0). A subject that cannot be graded is a
//! note, never a failed run; `--quick` and `--no-reload` use what the store has.

use podium_reload::{ReloadOptions, grade_subject};
use podium_store::{NewObservation, SqliteStore, Store, kind};
use podium_subjects::Subject;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Handler edits per subject before a run: enough for a p90, short enough for 8 subjects.
const EDITS_BEFORE_RUN: u32 = 3;

/// Grades every subject that has a `[reload]` section with its default tool; returns a
/// line per subject (the grade, or why there is none) for the run's progress output.
pub fn grade_before_run(
    subjects: &[Subject],
    cache: &Path,
    store: &SqliteStore,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(&str),
) -> Vec<String> {
    let options = ReloadOptions {
        tool: None,
        edits: EDITS_BEFORE_RUN,
        cache: cache.to_path_buf(),
    };
    let mut lines = Vec::new();
    for subject in subjects.iter().filter(|s| s.manifest.reload.is_some()) {
        // Ctrl-C between subjects: the grades made so far are stored; the run itself sees
        // the same flag and stops before measuring.
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let name = subject.name();
        let graded = grade_subject(subject, &options, &mut |step| {
            progress(&format!("hot reload {name}: {step}"));
        });
        let line = match graded {
            Ok(result) => {
                let stored = serde_json::to_value(&result)
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        store
                            .put_observation(&NewObservation {
                                kind: kind::HOT_RELOAD.to_string(),
                                subject: name.to_string(),
                                observed_at: result.observed_at_ms,
                                json,
                            })
                            .map_err(|e| e.to_string())
                    });
                match stored {
                    Ok(_) => format!(
                        "hot reload {name}: grade {} under {}",
                        result.grade, result.tool
                    ),
                    Err(e) => format!("note: hot reload {name}: graded but not stored: {e}"),
                }
            }
            Err(e) => format!(
                "note: hot reload {name}: not graded ({e}); the report uses the newest stored grade, if any"
            ),
        };
        lines.push(line);
    }
    lines
}
