//! Environment control and record: CPU pinning, cgroup v2 limits, network namespaces, and the record of what a run could and could not enforce.
