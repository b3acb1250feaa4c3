//! The artifact kinds Podium stores ([`crate::ArtifactKey::kind`]), named once so that the
//! crate that writes an artifact and the report that reads it agree on the name. The
//! store accepts any non-empty kind; these are conventions, not a closed list.

/// A load run's report (throughput, errors, latency summary, timeline), as JSON.
pub const LOAD_REPORT: &str = "load-report";
/// A raw HDR histogram log (blob), so percentiles can be recomputed exactly.
pub const HDR_HISTOGRAM: &str = "hdr-histogram";
/// The subject process's CPU, memory and thread series, as JSON.
pub const PROC_SERIES: &str = "proc-series";
/// Series scraped from the subject's Prometheus endpoint, as JSON.
pub const SCRAPE_SERIES: &str = "scrape-series";
/// A CPU profile in folded-stack form (blob, text).
pub const CPU_PROFILE_FOLDED: &str = "cpu-profile-folded";
/// A flame graph (blob, `image/svg+xml`).
pub const FLAME_SVG: &str = "flame-svg";
/// The comparison of the generator's figures with the subject's own, as JSON.
pub const CROSS_CHECK: &str = "cross-check";
/// Something about the machine that may have skewed the run, as JSON.
pub const ENVIRONMENT_WARNING: &str = "environment-warning";
/// A subject's ecosystem maturity (`podium eco`), as JSON: an observation, copied into
/// runs.
pub const ECOSYSTEM: &str = "ecosystem";
/// A subject's OpenTelemetry conformance and cost (`podium otel`), as JSON: an
/// observation, copied into runs.
pub const OTEL: &str = "otel";
/// A subject's hot-reload grade (`podium reload`), as JSON: an observation, copied into
/// runs.
pub const HOT_RELOAD: &str = "hot-reload";

#[cfg(test)]
mod tests {
    #[test]
    fn kinds_are_distinct() {
        let kinds = [
            super::LOAD_REPORT,
            super::HDR_HISTOGRAM,
            super::PROC_SERIES,
            super::SCRAPE_SERIES,
            super::CPU_PROFILE_FOLDED,
            super::FLAME_SVG,
            super::CROSS_CHECK,
            super::ENVIRONMENT_WARNING,
            super::ECOSYSTEM,
            super::OTEL,
            super::HOT_RELOAD,
        ];
        let unique: std::collections::BTreeSet<_> = kinds.iter().collect();
        assert_eq!(unique.len(), kinds.len());
    }
}
