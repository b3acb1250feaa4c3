//! OpenTelemetry conformance of a server: Podium receives OTLP itself ([`Receiver`]),
//! drives requests with known trace context at the server, and judges what arrives
//! with three checks (tracer, propagator, metric exporter); it also builds a subject's
//! OTel variant against several SDK release lines (the compatibility matrix), counts
//! the lines the variant adds and measures its throughput and latency cost.

pub mod checks;
pub mod cost;
pub mod error;
pub mod lines;
pub mod observe;
pub mod receiver;
pub mod sink;
pub mod variant;

pub use checks::{CheckOptions, CheckOutcome, Checks, Evidence, Verdict, run_checks};
pub use cost::{Cost, CostSpec, measure_cost};
pub use error::OtelError;
pub use lines::{LinesAdded, lines_added};
pub use observe::{MatrixRow, ObserveOptions, OtelObservation, observe_subject};
pub use receiver::{Receiver, ReceiverConfig, RpcStatus};
pub use sink::{CapturedRequest, MetricKind, ReceivedPoint, ReceivedSpan, Sink};
pub use variant::{Protocol, build_older_variant, build_variant, exporter_env, launch, otel_spec};
