//! Deployment figures per subject (DESIGN.md, "deployment"): the size of the binary a
//! team would ship, whether it is static and (Go) builds with `CGO_ENABLED=0`, cold and
//! warm build times, the number of third-party dependencies, the time from start to the
//! first response, and the size of a minimal OCI image holding only the binary, written
//! by Podium itself.
//!
//! The shipping binary comes from the `[deploy]` section of `subject.toml` and is built
//! once per source content into `<cache>/deploy/<name>/<hash>/` ([`deploy_build`]);
//! [`deployment_figures`] measures everything and caches the record beside it.

mod artifact;
mod build_times;
mod deps;
mod elf;
mod error;
mod figures;
mod first_response;
mod oci;
mod shell;
#[cfg(test)]
mod test_support;

pub use artifact::{DEPLOY_BINARY, DeployArtifact, deploy_build};
pub use build_times::{BuildTimes, measure_build_times, toolchain_version};
pub use deps::{DependencyCount, dependency_count};
pub use elf::is_static_executable;
pub use error::{DeployError, FailedDeployBuild};
pub use figures::{DeployOptions, DeploymentFigures, FIRST_RESPONSE_ATTEMPTS, deployment_figures};
pub use first_response::{FirstResponse, first_response};
pub use oci::{
    ImageSpec, MEDIA_TYPE_CONFIG, MEDIA_TYPE_INDEX, MEDIA_TYPE_LAYER, MEDIA_TYPE_MANIFEST,
    OciImage, REF_NAME_ANNOTATION, write_oci_image,
};
