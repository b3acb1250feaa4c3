//! Deployment figures per subject: stripped binary size, CGO-free build, cold and warm build times, dependency count, first response, and a minimal OCI image layout.
