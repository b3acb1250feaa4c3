//! Probes during a run: /proc sampling of a process tree, Prometheus /metrics scraping and the Go runtime figures derived from it.
