//! OpenTelemetry conformance of a server: Podium receives OTLP itself ([`Receiver`]),
//! drives requests with known trace context at the server, and judges what arrives
//! with three checks (tracer, propagator, metric exporter); it also builds a subject's
//! OTel variant against several SDK release lines (the compatibility matrix), counts
//! the lines the variant adds and measures its throughput and latency cost.

pub mod checks;
pub mod error;
pub mod receiver;
pub mod sink;

pub use checks::{CheckOptions, CheckOutcome, Checks, Evidence, Verdict, run_checks};
pub use error::OtelError;
pub use receiver::{Receiver, ReceiverConfig, RpcStatus};
pub use sink::{CapturedRequest, MetricKind, ReceivedPoint, ReceivedSpan, Sink};
