//! Decoupling and documentation coverage on real Go code: small hand-built modules with
//! known import graphs (a star, a chain, a fully connected set) read with the real `go`
//! command, and a real module downloaded from the Go module proxy (live registry).

use podium_eco::decoupling;
use podium_eco::doccov;
use podium_eco::registry;
use podium_eco::time::timestamp;
use std::path::Path;

/// Writes a module `example.com/m` with one package per (name, imports) entry.
fn module(dir: &Path, packages: &[(&str, &[&str])]) {
    std::fs::write(dir.join("go.mod"), "module example.com/m\n\ngo 1.22\n").expect("go.mod");
    for (name, imports) in packages {
        let pkg = dir.join(name);
        std::fs::create_dir_all(&pkg).expect("mkdir");
        let mut text = format!("// Package {name} is a test package.\npackage {name}\n\n");
        for i in *imports {
            text.push_str(&format!("import _ \"example.com/m/{i}\"\n"));
        }
        text.push_str(&format!("\n// Exported{name} is documented.\nfunc Exported{name}() {{}}\n\nfunc Undocumented{name}() {{}}\n"));
        std::fs::write(pkg.join(format!("{name}.go")), text).expect("write");
    }
}

fn coupling(packages: &[(&str, &[&str])]) -> decoupling::Coupling {
    let dir = tempfile::tempdir().expect("temp dir");
    module(dir.path(), packages);
    decoupling::go_module(dir.path(), "example.com/m").expect("go list reads the module")
}

#[test]
fn a_star_a_chain_and_a_fully_connected_set() {
    let star = coupling(&[
        ("hub", &[]),
        ("a", &["hub"]),
        ("b", &["hub"]),
        ("c", &["hub"]),
    ]);
    assert_eq!((star.packages, star.edges), (4, 3));
    assert!((star.entropy - 3.0 / 12.0).abs() < 1e-12);

    let chain = coupling(&[("a", &["b"]), ("b", &["c"]), ("c", &[])]);
    assert_eq!((chain.packages, chain.edges), (3, 2));
    assert!((chain.decoupling() - (1.0 - 2.0 / 6.0)).abs() < 1e-12);

    // Go forbids cycles: a fully connected set links every pair one way, density 0.5.
    let full = coupling(&[
        ("a", &["b", "c", "d"]),
        ("b", &["c", "d"]),
        ("c", &["d"]),
        ("d", &[]),
    ]);
    assert_eq!((full.packages, full.edges), (4, 6));
    assert!((full.entropy - 0.5).abs() < 1e-12);

    let single = coupling(&[("only", &[])]);
    assert_eq!((single.packages, single.entropy), (1, 0.0));
}

#[test]
fn documentation_coverage_counts_exported_identifiers() {
    let dir = tempfile::tempdir().expect("temp dir");
    module(dir.path(), &[("a", &[]), ("b", &["a"])]);
    std::fs::write(
        dir.path().join("a/types.go"),
        "package a\n\n// T is documented.\ntype T struct{}\n\nfunc (T) Method() {}\n\nfunc (t *hidden) Skip() {}\n\ntype hidden struct{}\n\n// Group doc.\nconst (\n\tX = 1\n\tY = 2\n)\n\nvar Z = 3\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("a/a_test.go"),
        "package a\n\nfunc TestIgnored() {}\n",
    )
    .expect("write");
    let c = doccov::go_source(dir.path()).expect("counted");
    // Per package: Exported (documented) and Undocumented; plus T (doc), Method (none),
    // X and Y (group doc), Z (none). The unexported receiver's method and tests are skipped.
    assert_eq!(c.exported, 9);
    assert_eq!(c.documented, 5);
}

#[test]
fn a_real_module_from_the_go_module_proxy() {
    // Live registry look-ups: the proxy's version list and .info times, go mod download,
    // then the module's own import graph and documentation.
    let releases = registry::go_releases("github.com/gin-gonic/gin").expect("proxy answers");
    let time_of = |v: &str| {
        releases
            .iter()
            .find(|r| r.version == v)
            .map(|r| timestamp(r.published_at))
    };
    assert_eq!(time_of("v1.12.0").as_deref(), Some("2026-02-28T10:10:09Z"));
    assert_eq!(time_of("v1.11.0").as_deref(), Some("2025-09-20T11:38:42Z"));

    let download =
        registry::go_download("github.com/gin-gonic/gin", "v1.12.0").expect("downloaded");
    let go_mod = std::fs::read_to_string(&download.go_mod).expect("go.mod");
    let requires = registry::go_mod_requires(&go_mod);
    assert!(
        requires
            .iter()
            .any(|(p, _)| p == "github.com/go-playground/validator/v10")
    );

    let graph =
        decoupling::go_graph(&download.dir, "github.com/gin-gonic/gin", "./...").expect("graph");
    assert!(graph["github.com/gin-gonic/gin"].contains("github.com/gin-gonic/gin/render"));
    let c = decoupling::Coupling::of_graph(&graph);
    assert_eq!(
        (c.packages, c.edges),
        (7, 11),
        "gin v1.12.0's own packages and their imports"
    );

    let docs = doccov::go_source(&download.dir).expect("counted");
    assert!(
        docs.exported > 300 && docs.documented <= docs.exported,
        "{docs:?}"
    );

    let err = registry::go_download("github.com/gin-gonic/gin", "v0.0.0-does-not-exist")
        .expect_err("no such version");
    assert!(err.to_string().contains("cannot download"), "{err}");
}

#[test]
fn otel_middleware_of_echo_v5_and_fiber_v3_is_the_one_their_subjects_use() {
    // Live: the proxy here refuses the version lists of these modules though it serves
    // their releases, so the check falls back to a release it knows. Either way the
    // finding must name the module the OTel variant builds with, supporting the pin.
    use podium_eco::middleware::{self, Maintainer, Purpose};
    use podium_eco::{ModuleSpec, http::Http, registry::CratesIo};
    let (http, crates) = (Http::new(), CratesIo::default());
    for (framework, version, module) in [
        (
            "github.com/gofiber/fiber/v3",
            "v3.5.0",
            "github.com/gofiber/contrib/v3/otel",
        ),
        (
            "github.com/labstack/echo/v5",
            "v5.4.4",
            "github.com/labstack/echo-opentelemetry",
        ),
    ] {
        let (spec, _) = ModuleSpec::parse(framework).expect("a module path");
        let findings = middleware::check(&http, &crates, &spec, version, None);
        let otel = findings
            .iter()
            .find(|f| f.purpose == Purpose::Opentelemetry)
            .expect("an OpenTelemetry finding");
        assert_eq!(otel.module.as_deref(), Some(module), "{otel:?}");
        assert_eq!(otel.maintainer, Maintainer::Framework, "{otel:?}");
        assert_eq!(otel.supports_pinned, Some(true), "{otel:?}");
        assert!(
            otel.detail.contains(&format!("requires {framework}")),
            "{otel:?}"
        );
    }
}

#[test]
fn the_go_vulnerability_database_comes_from_the_module_proxy() {
    // Live: golang.org/x/vulndb's OSV records, as OSV's Go ecosystem has them.
    let db = podium_eco::osv::OsvSource::go_vulndb().expect("served by the proxy");
    assert!(
        db.describe().contains("golang.org/x/vulndb@"),
        "{}",
        db.describe()
    );
    let gin = db.records("Go", "github.com/gin-gonic/gin").expect("read");
    let ids: Vec<String> = gin.iter().map(podium_eco::osv::id_of).collect();
    // The log-injection record fixed in gin v1.6.0 (CVE-2020-36567).
    let first = gin
        .iter()
        .find(|r| r["id"] == "GO-2020-0001")
        .unwrap_or_else(|| panic!("GO-2020-0001 is not among {ids:?}"));
    assert!(podium_eco::osv::affects(
        first,
        "Go",
        "github.com/gin-gonic/gin",
        "v1.5.0"
    ));
    assert!(!podium_eco::osv::affects(
        first,
        "Go",
        "github.com/gin-gonic/gin",
        "v1.12.0"
    ));
    let stdlib = db.records("Go", "stdlib").expect("read");
    assert!(stdlib.len() > 100, "{} stdlib records", stdlib.len());
}
