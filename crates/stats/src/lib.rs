//! Statistics kept apart from measurement: medians, seeded bootstrap confidence intervals, Mann-Whitney U and per-pair verdicts.
