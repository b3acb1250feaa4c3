//! The optional start-up configuration `podium reload` changes: `$PODIUM_CONFIG`, else
//! `podium-config.json` in the working directory, holding `{"greeting": "..."}`, served
//! by `GET /config/greeting`. Read once per process, like a service reads its settings.

use std::sync::OnceLock;

/// The file read from the working directory when `$PODIUM_CONFIG` is not set.
pub const DEV_CONFIG_FILE: &str = "podium-config.json";

/// The greeting served when there is no configuration file.
pub const DEFAULT_GREETING: &str = "hello";

#[derive(serde::Deserialize)]
struct DevConfig {
    greeting: String,
}

/// The configured greeting (read at the first call; main calls it at start-up).
pub fn greeting() -> &'static str {
    static GREETING: OnceLock<String> = OnceLock::new();
    GREETING.get_or_init(|| {
        let path = std::env::var("PODIUM_CONFIG").unwrap_or_else(|_| DEV_CONFIG_FILE.into());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return DEFAULT_GREETING.to_string();
            }
            Err(e) => {
                eprintln!("config: {path}: {e} (using the default greeting)");
                return DEFAULT_GREETING.to_string();
            }
        };
        match serde_json::from_str::<DevConfig>(&text) {
            Ok(cfg) if !cfg.greeting.is_empty() => cfg.greeting,
            _ => {
                eprintln!(
                    "config: {path}: want {{\"greeting\": \"...\"}} (using the default greeting)"
                );
                DEFAULT_GREETING.to_string()
            }
        }
    })
}

/// Handler body for `GET /config/greeting`.
pub async fn serve_greeting() -> &'static str {
    greeting()
}
