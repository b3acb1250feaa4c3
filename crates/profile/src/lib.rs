//! CPU profiles: pprof (gzip + profile.proto) and perf decoded into folded stacks and drawn as flame graph SVGs.
