#![allow(clippy::unwrap_used)]
//! The three exporters on the sample report: what each document says, that model
//! strings cannot inject markup, that the HTML is self-contained, that `--lang zh`
//! translates every section, and that `write_all` writes whole files only.

mod common;

use podium_report::*;

/// U+202F, the thousands separator.
const G: char = '\u{202F}';

fn html(report: &RunReport, lang: Lang) -> String {
    HtmlExporter { lang }.render(report).unwrap()
}

fn markdown(report: &RunReport, lang: Lang) -> String {
    MarkdownExporter { lang }.render(report).unwrap()
}

/// The values of every `name="…"` attribute in the page.
fn attribute_values<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    page.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &page[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The text of every element `<tag …>…</tag>`, markup inside it removed.
fn element_texts(page: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut texts = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start..];
        let body_start = after.find('>').unwrap() + 1;
        let body_end = after.find(&close).unwrap();
        let mut text = String::new();
        let mut in_tag = false;
        for c in after[body_start..body_end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        texts.push(text);
        rest = &after[body_end + close.len()..];
    }
    texts
}

const EN_SECTIONS: [&str; 15] = [
    "Ranking",
    "Radar",
    "Throughput",
    "Latency",
    "Open-loop knee",
    "Memory and GC",
    "Middleware cost",
    "Deployment",
    "Ecosystem maturity",
    "Hot reload",
    "Observability (OpenTelemetry)",
    "Developer experience",
    "Flame graphs",
    "Environment",
    "Notes",
];

const ZH_SECTIONS: [&str; 15] = [
    "排名",
    "雷达图",
    "吞吐量",
    "延迟",
    "开环拐点",
    "内存与 GC",
    "中间件开销",
    "部署",
    "生态成熟度",
    "热重载",
    "可观测性（OpenTelemetry）",
    "开发体验",
    "火焰图",
    "运行环境",
    "备注",
];

#[test]
fn file_names() {
    assert_eq!(JsonExporter.file_name(), "report.json");
    assert_eq!(MarkdownExporter::default().file_name(), "report.md");
    assert_eq!(HtmlExporter::default().file_name(), "report.html");
}

#[test]
fn html_has_every_section_in_order() {
    let page = html(&common::sample(), Lang::En);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.ends_with("</html>\n"));
    assert_eq!(element_texts(&page, "h2"), EN_SECTIONS);
    assert!(
        page.contains("<td>pass</td><td>pass</td><td>partial</td>"),
        "the observability verdicts of gin"
    );
    assert!(page.contains(
        "<li>gin: metrics: request count: expected 20 for http.route=/ping; arrived 0</li>"
    ));
}

#[test]
fn html_ranking_lists_ranked_subjects_then_the_unranked_with_their_failed_checks() {
    let report = common::sample();
    let page = html(&report, Lang::En);
    let ranking = &page[page.find("<section id=\"ranking\">").unwrap()
        ..page.find("<section id=\"radar\">").unwrap()];
    let actix = ranking.find("actix-web").unwrap();
    let gin = ranking.find(">gin<").unwrap();
    let axum = ranking.find(">axum<").unwrap();
    let not_ranked = ranking.find("Not ranked").unwrap();
    let echo = ranking.find(">echo<").unwrap();
    assert!(actix < gin && gin < axum && axum < not_ranked && not_ranked < echo);
    assert!(ranking.contains("Gin <span class=\"version\">v1.10.0</span>"));
    assert!(
        ranking.contains("<strong><span class=\"score\" style=\"--v:0.815\">0.81</span></strong>")
    );
    assert!(ranking.contains("failed the contract check"));
    assert!(ranking.contains("2 of 41 contract checks failed"));
    for check in &report.subjects[3].failed_checks {
        let escaped = check.replace('"', "&quot;");
        assert!(ranking.contains(&escaped), "missing failed check {check}");
    }
}

#[test]
fn html_radar_has_a_polygon_per_subject_and_raw_figures_on_its_vertices() {
    let report = common::sample();
    let page = html(&report, Lang::En);
    assert_eq!(page.matches("<polygon class=\"area\"").count(), 3);
    assert_eq!(page.matches("class=\"legend-item\"").count(), 3);
    assert_eq!(page.matches("class=\"axis-toggle\"").count(), 4);
    assert_eq!(page.matches("class=\"axis-label\"").count(), 4);
    // 3 subjects × 4 axes; axum's observability is not measured and drawn hollow.
    assert_eq!(page.matches("<circle class=\"vertex").count(), 12);
    assert_eq!(page.matches("<circle class=\"vertex missing\"").count(), 1);
    let raws = attribute_values(&page, "data-raw");
    for series in &report.radar.series {
        for raw in series.raw.iter().flatten() {
            assert!(raws.contains(&raw.as_str()), "no vertex carries {raw}");
        }
    }
    assert!(raws.contains(&"not measured"));
    // The normalisation and the weights are shown under it.
    assert!(page.contains("max(0.05, value × weight × decay / max(values))"));
    assert!(page.contains("decay = 0.95^age"));
    assert!(page.contains("<li>Performance <strong>0.40</strong></li>"));
    assert!(page.contains("<li>Hot reload <strong>0.15</strong></li>"));
    assert!(page.contains(&report.radar.normalisation));
}

#[test]
fn html_throughput_bars_have_whiskers_and_noise_marks_from_the_rankings() {
    let page = html(&common::sample(), Lang::En);
    let section = &page[page.find("<section id=\"throughput\">").unwrap()
        ..page.find("<section id=\"latency\">").unwrap()];
    assert_eq!(section.matches("<svg class=\"chart bars\"").count(), 3);
    assert_eq!(section.matches("class=\"bar\"").count(), 9);
    assert_eq!(section.matches("class=\"whisker\"").count(), 9);
    // actix-web and axum are within noise on ping and jsonrpc-add, not on ramp-json.
    assert_eq!(section.matches("<g class=\"noise\"").count(), 2);
    assert!(section.contains("≈ within noise"));
    assert!(section.contains("within noise: CI overlap (n = 5, Mann-Whitney U p = 0.15)"));
    assert!(section.contains(&format!("152{G}300 req/s (150{G}900–153{G}800)")));
    assert!(
        section.contains(">1. axum<"),
        "tied subjects share the rank"
    );
    assert!(section.contains(">3. gin<"));
    assert!(section.contains("wrk within 1.4% of Podium"));
    assert!(section.contains("repetition 3: throughput 8% below the median"));
}

#[test]
fn html_latency_knee_memory_middleware_deployment_and_dx() {
    let page = html(&common::sample(), Lang::En);
    assert_eq!(page.matches("<svg class=\"chart latency\"").count(), 3);
    assert_eq!(page.matches("<g class=\"curve\"").count(), 9);
    for tick in [">90<", ">99<", ">99.9<", ">99.99<"] {
        assert!(page.contains(tick), "no x tick {tick}");
    }
    let knee = &page[page.find("<section id=\"knee\">").unwrap()
        ..page.find("<section id=\"memory\">").unwrap()];
    assert!(knee.contains("p99 ≤ 10.0 ms"));
    let (a, x, g) = (
        knee.find(&format!("90{G}000 req/s")).unwrap(),
        knee.find(&format!("85{G}000 req/s")).unwrap(),
        knee.find(&format!("60{G}000 req/s")).unwrap(),
    );
    assert!(a < x && x < g, "knees are drawn highest first");
    assert!(page.contains("<td>14.2 MiB</td>"));
    assert!(page.contains("<td>412 MiB/s</td>"));
    assert!(page.contains("<td>0.31 ms</td>"));
    assert!(page.contains(&format!("<td>1{G}842</td>")));
    assert!(page.contains("<strong>0.985</strong> <span class=\"ci\">(0.962–1.008)</span>"));
    assert!(page.contains("within noise (CI overlap)"));
    assert!(page.contains("<td>2 min 28 s</td>"));
    assert!(
        page.contains("<td>n/a</td>"),
        "cgo_free is not applicable to Rust"
    );
    assert!(page.contains("r.GET(&quot;/users/:id&quot;, h)"));
    assert!(page.contains("<td>212</td>"));
}

#[test]
fn html_embeds_the_flame_graph_as_an_image_and_says_why_one_is_missing() {
    let report = common::sample();
    let page = html(&report, Lang::En);
    let sources = attribute_values(&page, "src");
    assert_eq!(sources.len(), 1);
    let encoded = sources[0]
        .strip_prefix("data:image/svg+xml;base64,")
        .unwrap();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        report.subjects[1].flame_graphs[0].svg.clone().unwrap(),
        "the embedded SVG is the model's, byte for byte"
    );
    assert!(page.contains("download=\"flame-gin-jsonrpc-add.svg\""));
    assert!(page.contains("<code>encoding/json.(*decodeState).object</code> 29.8%"));
    assert!(
        page.contains("perf could not record: perf_event_paranoid is 3 and Podium is not root")
    );
}

#[test]
fn html_environment_shows_what_was_not_enforced_and_the_warnings() {
    let page = html(&common::sample(), Lang::En);
    let env = &page[page.find("<section id=\"environment\">").unwrap()
        ..page.find("<section id=\"notes\">").unwrap()];
    assert!(env.contains("AMD EPYC 7B13 (0-1)"));
    assert!(env.contains("6.1.0-28-amd64"));
    assert!(env.contains("rustc 1.85.0"));
    let callout = &env[env.find("id=\"not-enforced\"").unwrap()..];
    let callout = &callout[..callout.find("</div>").unwrap()];
    assert_eq!(callout.matches("<li>").count(), 3);
    assert!(callout.contains("cgroup cpuset"));
    assert!(!callout.contains("CPU pinning"), "pinning was enforced");
    assert!(env.contains("The CPU frequency governor is unknown"));
    assert!(env.contains("ramp-json: 4 of 5 repetitions completed"));
    assert!(page.contains("<td><span class=\"yes\">yes</span></td>"));
}

#[test]
fn html_banners_follow_the_run_state() {
    let mut report = common::sample();
    let page = html(&report, Lang::En);
    assert!(page.contains("class=\"banner ok\""));
    assert!(!page.contains("id=\"incomplete\"") && !page.contains("id=\"quick\""));
    report.run.complete = false;
    report.run.finished = None;
    report.run.quick = true;
    report.run.note = Some("interrupted by Ctrl-C".into());
    let page = html(&report, Lang::En);
    assert!(page.contains("id=\"incomplete\""));
    assert!(page.contains("id=\"quick\""));
    assert!(page.contains("interrupted by Ctrl-C"));
    assert!(page.contains("<dd>not finished</dd>"));
    assert!(!page.contains("class=\"banner ok\""));
}

#[test]
fn html_is_self_contained() {
    let page = html(&common::sample(), Lang::En);
    for name in [
        "src",
        "href",
        "xlink:href",
        "action",
        "poster",
        "srcset",
        "data",
    ] {
        for value in attribute_values(&page, name) {
            let value = value.trim_start().to_ascii_lowercase();
            assert!(
                value.starts_with("data:") || value.starts_with('#'),
                "{name}=\"{value}\" points outside the page"
            );
        }
    }
    for tag in [
        "<link", "<iframe", "<object", "<embed", "<base", "@import", "url(",
    ] {
        assert!(!page.contains(tag), "the page has {tag}");
    }
    assert_eq!(
        page.matches("<script").count(),
        1,
        "one inline script, no other"
    );
    assert!(!page.contains("<script src"));
    // The browser enforces it too: the policy allows nothing but the page itself.
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"
    ));
}

#[test]
fn model_strings_cannot_inject_markup() {
    let mut report = common::sample();
    let evil = r#"<script>alert("x")</script><img src=x onerror=alert(1)>'"&"#;
    report.subjects[0].framework = evil.into();
    report.subjects[0].name = format!("actix{evil}");
    report.radar.series[0].subject = report.subjects[0].name.clone();
    report.radar.series[0].raw[0] = Some(evil.into());
    report.radar.axes[3] = evil.into();
    report.rankings[0].entries[0].subject = report.subjects[0].name.clone();
    report.rankings[0].entries[1].versus_previous = Some(evil.into());
    report.subjects[3].failed_checks.push(evil.into());
    report.subjects[1].flame_graphs[0].workload = evil.into();
    report.subjects[1].flame_graphs[0].top[0].0 = evil.into();
    report.subjects[2].flame_graphs[0].unavailable = Some(evil.into());
    report.subjects[1].developer_experience.routes = Some(evil.into());
    report.subjects[1].workloads[0].anomalies.push(evil.into());
    report.subjects[0].middleware_cost.as_mut().unwrap().verdict = evil.into();
    report.environment["hostname"] = evil.into();
    report.environment["warnings"][0] = serde_json::json!({"code": evil, "detail": evil});
    report.environment["enforcement"][1]["detail"] = evil.into();
    report.environment[evil] = evil.into();
    report.notes.push(evil.into());
    report.run.note = Some(evil.into());
    report.run.command_line.push(evil.into());
    report.run.suite = Some(evil.into());
    report.run.podium_version = evil.into();
    let otel = report.subjects[1].observability.as_mut().unwrap();
    otel.instrumentation = evil.into();
    otel.sdk = evil.into();
    otel.failed_items.push(evil.into());
    otel.matrix[1].error = Some(evil.into());
    otel.matrix[0].sdk = evil.into();

    for lang in [Lang::En, Lang::Zh] {
        let page = html(&report, lang);
        assert_eq!(
            page.matches("<script").count(),
            1,
            "{lang}: a model string opened a script"
        );
        assert!(!page.contains("<img src=x"), "{lang}");
        assert!(!page.contains("onerror=alert(1)>"), "{lang}");
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&quot;&amp;"));
        // Every attribute value stays inside its quotes: the injected quote is escaped.
        assert!(!page.contains("\"x\")"));

        let md = markdown(&report, lang);
        // Every `<` from the data is backslash-escaped, so no renderer sees a tag.
        assert!(
            md.match_indices('<').all(|(i, _)| md[..i].ends_with('\\')),
            "{lang}: raw HTML in Markdown"
        );
        assert!(md.contains(r#"\<script\>alert("x")\</script\>"#));
        // No table row gains a column from a `|` in the data.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            assert!(!line.contains("\n"));
        }
    }
}

#[test]
fn markdown_has_the_same_content_as_tables() {
    let report = common::sample();
    let md = markdown(&report, Lang::En);
    assert!(md.starts_with("# Podium report — Run 7\n"));
    let titles: Vec<&str> = md.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(titles, EN_SECTIONS);
    assert!(md.contains(
        "| 1 | actix-web | actix-web 4.9.0 | rust | **0.81** | 1.00 | 0.62 | 1.00 | 0.40 |"
    ));
    assert!(md.contains("| echo | Echo v4.12.0 | failed the contract check | 2 of 41 contract checks failed | post\\_users\\_invalid\\_email: expected 400"));
    assert!(md.contains(&format!("| 1 | axum | 149{G}700 | 147{G}200–151{G}900 | 5 | ≈ within noise | within noise: CI overlap")));
    assert!(md.contains("### ping — http · closed loop · 100 connections"));
    assert!(
        md.contains("| actix-web | 610 µs |") || md.contains("| actix-web | 0.61 ms | 0.74 ms |")
    );
    assert!(md.contains(&format!("| actix-web | 90{G}000 req/s | 10.0 ms |")));
    assert!(md.contains("| gin | 28.5 MiB | 19.1 MiB | 412 MiB/s | 11.0 | 0.31 ms |"));
    assert!(md.contains("| gin | 98"));
    assert!(md.contains("within noise (CI overlap)"));
    assert!(
        md.contains("| axum | 3.9 MiB | n/a | yes | 1 min 38 s | 7.9 s | 98 | 1.7 MiB | 2.40 ms |")
    );
    assert!(md.contains("| gin | jsonrpc-add | anomaly: repetition 3 was a throughput outlier | go\\_pprof | in report.html |"));
    assert!(md.contains(
        "| axum | ping | requested (--profile) | perf | Unavailable: perf could not record"
    ));
    assert!(md.contains("The flame graphs themselves are embedded in report.html."));
    assert!(md.contains("- cgroup cpuset: cgroup v2 is mounted read-only"));
    assert!(md.contains("- The CPU frequency governor is unknown"));
    assert!(md.contains("- ramp-json: 4 of 5 repetitions completed"));
    assert!(!md.contains("<svg"), "no SVG in Markdown");
    // Observability: verdicts, instrumentation, lines, cost, the matrix and what failed.
    assert!(md.contains(&format!("| gin | pass | pass | partial | otelgin (go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin v0.63.0) + otelhttp transport (go.opentelemetry.io/otel/sdk v1.38.0) | opentelemetry-contrib | 131 | ×0.71 (0.66–0.75) | ×1.42 (1.20–1.90) | 61{G}240 of 412{G}800 requests | 2026-11-25T11:40:00Z (1 run(s) ago) |")), "{md}");
    assert!(md.contains("| gin | go.opentelemetry.io/otel/sdk v1.28.0 | not measured | not measured | not measured | gin with go.opentelemetry.io/otel/sdk v1.28.0: build failed (exit status: 1). |"), "{md}");
    assert!(
        md.contains("- gin: metrics: request count: expected 20 for http.route=/ping; arrived 0"),
        "{md}"
    );
}

#[test]
fn zh_translates_every_section_title_and_explanation() {
    let report = common::sample();
    let page = html(&report, Lang::Zh);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert_eq!(element_texts(&page, "h2"), ZH_SECTIONS);
    let nav = element_texts(&page, "nav").concat();
    let h3 = element_texts(&page, "h3");
    for title in EN_SECTIONS {
        assert!(
            !nav.contains(title),
            "English section title {title} in the zh contents"
        );
        assert!(
            !page.contains(&format!(">{title}<")),
            "English section title {title} in zh HTML"
        );
    }
    for english in ["Not ranked", "Frameworks", "Isolation", "Warnings"] {
        assert!(
            !h3.iter().any(|h| h == english),
            "English heading {english} in zh HTML"
        );
    }
    for english in [
        "Subjects in order of composite score",
        "Hover a point to see its raw figure",
        "Requests per second, median over the repetitions",
        "Generated by Podium",
        "The figures were measured without these",
        "The CPU frequency governor is unknown",
    ] {
        assert!(
            !page.contains(english),
            "English text in zh HTML: {english}"
        );
    }
    assert!(page.contains("不含页缓存的常驻内存"));
    assert!(page.contains("性能 (0.40)"), "translated radar axis");

    let md = markdown(&report, Lang::Zh);
    let titles: Vec<&str> = md.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(titles, ZH_SECTIONS);
    for title in EN_SECTIONS {
        assert!(
            !md.lines().any(|l| l.starts_with('#') && l.contains(title)),
            "English title {title} in zh Markdown"
        );
    }
    assert!(md.starts_with("# Podium 报告 — 运行 7\n"));
    assert!(md.contains("| 名次 | 被测对象 | 框架 |"));
    assert!(md.contains("火焰图本身嵌入在 report.html 中。"));
}

#[test]
fn json_is_the_model_without_flame_graph_svgs() {
    let report = common::sample();
    let text = JsonExporter.render(&report).unwrap();
    assert!(text.ends_with("}\n"));
    assert!(!text.contains("\"svg\""));
    assert!(!text.contains("<svg"));
    let back: RunReport = serde_json::from_str(&text).unwrap();
    let mut expected = report.clone();
    expected.subjects[1].flame_graphs[0].svg = None;
    assert_eq!(JsonExporter.render(&back).unwrap(), text);
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
}

#[test]
fn non_finite_figures_read_as_missing() {
    let mut report = common::sample();
    report.subjects[0].workloads[0].rps.median = f64::NAN;
    report.subjects[0].workloads[0].latency.p99 = f64::INFINITY;
    report.rankings[0].entries[0].rps.median = f64::NAN;
    report.radar.series[0].values[0] = Some(f64::NAN);
    report.subjects[0]
        .memory
        .as_mut()
        .unwrap()
        .alloc_bytes_per_sec = Some(f64::NAN);
    for lang in [Lang::En, Lang::Zh] {
        let page = html(&report, lang);
        assert!(!page.contains("NaN") && !page.contains("inf"), "{lang}");
        let md = markdown(&report, lang);
        assert!(!md.contains("NaN") && !md.contains("inf"), "{lang}");
    }
}

#[test]
fn an_empty_run_still_renders() {
    let mut report = common::sample();
    report.subjects.clear();
    report.rankings.clear();
    report.radar.series.clear();
    report.notes.clear();
    report.environment = serde_json::Value::Null;
    let page = html(&report, Lang::En);
    for text in [
        "No subject was ranked.",
        "No subject was ranked, so the radar is empty.",
        "No workload was measured.",
        "No open-loop ramp in this run.",
        "No flame graph was taken.",
        "The run recorded no environment.",
        "No notes.",
    ] {
        assert!(page.contains(text), "missing {text}");
    }
    assert!(!page.contains("id=\"radar-chart\""));
    let md = markdown(&report, Lang::En);
    assert!(md.contains("No subject was ranked."));
    assert!(md.contains("The run recorded no environment."));
}

#[test]
fn write_all_writes_three_whole_files_and_replaces_old_ones() {
    let report = common::sample();
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("reports").join("run-7");
    let written = write_all(&report, &dir, Lang::Zh).unwrap();
    assert_eq!(
        written,
        ["report.json", "report.md", "report.html"].map(|n| dir.join(n))
    );
    assert_eq!(
        std::fs::read_to_string(&written[0]).unwrap(),
        JsonExporter.render(&report).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(&written[1]).unwrap(),
        markdown(&report, Lang::Zh)
    );
    assert_eq!(
        std::fs::read_to_string(&written[2]).unwrap(),
        html(&report, Lang::Zh)
    );

    // A second export replaces the files and leaves no temporary file behind.
    let mut newer = report.clone();
    newer.run.id = 8;
    write_all(&newer, &dir, Lang::En).unwrap();
    assert!(
        std::fs::read_to_string(&written[1])
            .unwrap()
            .starts_with("# Podium report — Run 8")
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["report.html", "report.json", "report.md"]);
}

#[test]
fn write_all_fails_with_the_path_when_the_folder_cannot_be_made() {
    let root = tempfile::tempdir().unwrap();
    let file = root.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let err = write_all(&common::sample(), &file.join("sub"), Lang::En).unwrap_err();
    assert!(matches!(err, ReportError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains("not-a-folder/sub"), "{err}");
}

#[test]
fn the_ecosystem_section_shows_signals_raw_and_normalised_with_sources_and_missing_ones() {
    let report = common::sample();
    for page in [html(&report, Lang::En), markdown(&report, Lang::En)] {
        assert!(page.contains("github.com/gin-gonic/gin v1.12.0"));
        assert!(
            page.contains("0.516 (without stars, forks)"),
            "score and what it lacks"
        );
        assert!(page.contains("0.333 → 0.083"), "releases raw → normalised");
        assert!(
            page.contains("0.738 → 0.738"),
            "decoupling raw → normalised"
        );
        assert!(
            page.contains("2026-03-14 (live), 2 runs before"),
            "date and age"
        );
        assert!(page.contains("GO-2099-0001"), "dependency vulnerability");
        assert!(page.contains("OpenTelemetry contrib"), "otel maintainer");
        assert!(page.contains("98.9%"), "doc coverage");
        assert!(page.contains("GO-2099-0002: 19.5"), "CVE response days");
        assert!(page.contains("import graph of"), "signal source");
        assert!(page.contains("GitHub API unreachable"), "the note");
    }
    let page = html(&report, Lang::En);
    let section = &page[page.find("id=\"ecosystem\"").expect("section")..];
    let section = &section[..section.find("</section>").unwrap_or(section.len())];
    assert!(
        section.matches("not measured").count() >= 3,
        "stars, forks and merged PRs are missing, not zero"
    );
    assert!(
        !section.contains("axum"),
        "subjects without an ecosystem result have no row"
    );

    let zh = html(&report, Lang::Zh);
    assert!(zh.contains("生态成熟度") && zh.contains("未测量") && zh.contains("第三方"));
    assert!(!zh.contains("Releases/month"), "column titles translated");
}
