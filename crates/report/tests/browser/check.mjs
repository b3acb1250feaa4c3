// Drives a report.html in headless Chromium and prints what it found as one JSON object.
//
//   node check.mjs REPORT.html OUT.png [CHROMIUM]
//
// Checks: the page loads with no console error and no request other than file:// and
// data:; hovering a radar vertex shows its raw figure; a legend entry hides and shows its
// subject's polygon; clicking an axis label hides that axis and redraws the polygons over
// the others; showing it again restores the server-drawn geometry. Exit status 0 when
// every check passed, 1 when one failed, 2 when the browser could not be driven.
// Run by crates/report/tests/browser.rs; playwright-core never downloads a browser, it
// drives Debian's /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [htmlPath, pngPath, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
// PODIUM_CHECK=generic: for any report (a real run's), not only the sample: hover the first
// measured vertex, skip the sample's overlapping-points check, and check the polygon's
// re-spacing only when every axis is measured.
const generic = process.env.PODIUM_CHECK === 'generic';
if (!htmlPath || !pngPath) {
  console.error('usage: node check.mjs REPORT.html OUT.png [CHROMIUM]');
  process.exit(2);
}

const result = {
  ok: false,
  failures: [],
  requests: [],
  console_errors: [],
  checks: {},
  screenshot: resolve(pngPath),
};
const fail = (what) => result.failures.push(what);

// A hung browser must not hang the test: give up after two minutes.
const watchdog = setTimeout(() => {
  result.failures.push('timed out after 120 s');
  console.log(JSON.stringify(result));
  process.exit(2);
}, 120_000);

// A fresh profile per run, and no background connections: the machine's network is
// closed, and Chromium would otherwise wait on update, sync and field-trial fetches.
const profile = await mkdtemp(join(tmpdir(), 'podium-chromium-'));
let context;
let status = 2;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  context.on('request', (request) => result.requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') result.console_errors.push(message.text());
  });
  page.on('pageerror', (error) => result.console_errors.push(String(error)));

  await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: 'load' });
  await page.screenshot({ path: pngPath, fullPage: true });

  // Hover: the tooltip shows the vertex's raw figure.
  const tip = page.locator('#tip');
  const vertexOf = (series, axis) =>
    page.locator(`#radar-chart .series[data-series="${series}"] .vertex[data-axis="${axis}"]`);
  const hoverTip = async (vertex, options) => {
    await vertex.hover(options);
    await tip.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
    return { raw: await vertex.getAttribute('data-raw'), text: (await tip.textContent()) ?? '', visible: await tip.isVisible() };
  };
  // The first subject's observability vertex stands alone.
  result.checks.tooltip = await hoverTip(
    generic
      ? page.locator('#radar-chart .series[data-series="0"] .vertex:not(.missing)').first()
      : vertexOf(0, 2),
  );
  const t = result.checks.tooltip;
  if (!t.raw || !t.visible || !t.text.includes(t.raw)) {
    fail(`hovering a radar vertex did not show its raw figure ${JSON.stringify(t.raw)}`);
  }
  await page.mouse.move(5, 5);
  t.hidden_after = !(await tip.isVisible());
  if (!t.hidden_after) fail('the tooltip stayed after the pointer left');
  // The third subject's performance vertex lies under the first's (close scores): the
  // pointer lands on the top one and the tooltip names both.
  if (!generic) {
    result.checks.overlap = await hoverTip(vertexOf(2, 0), { force: true });
    result.checks.overlap.top_raw = await vertexOf(0, 0).getAttribute('data-raw');
    const o = result.checks.overlap;
    if (!o.visible || !o.text.includes(o.raw) || !o.text.includes(o.top_raw)) {
      fail(`overlapping vertices: the tooltip did not name both: ${JSON.stringify(o)}`);
    }
    await page.mouse.move(5, 5);
  }

  // Legend: a subject's polygon hides and comes back.
  const legendSeries = generic ? 0 : 1;
  const legend = page.locator(`.legend-item[data-series="${legendSeries}"]`);
  // A real run may have one measured axis only: its polygon is then a line with no area,
  // so the generic check follows a measured vertex instead.
  const area = generic
    ? page.locator(`#radar-chart .series[data-series="${legendSeries}"] .vertex:not(.missing)`).first()
    : page.locator(`#radar-chart .series[data-series="${legendSeries}"] polygon.area`);
  const legendCheck = { before: await area.isVisible() };
  await legend.click();
  legendCheck.after_first_click = await area.isVisible();
  legendCheck.pressed_after_first_click = await legend.getAttribute('aria-pressed');
  await legend.click();
  legendCheck.after_second_click = await area.isVisible();
  legendCheck.pressed_after_second_click = await legend.getAttribute('aria-pressed');
  result.checks.legend = legendCheck;
  if (!legendCheck.before || legendCheck.after_first_click || !legendCheck.after_second_click) {
    fail(`the legend did not toggle the polygon: ${JSON.stringify(legendCheck)}`);
  }

  // Axis: clicking its label hides it and redraws the polygons without it.
  const polygon = page.locator('#radar-chart .series[data-series="0"] polygon.area');
  const points = async () => ((await polygon.getAttribute('points')) ?? '').trim().split(/\s+/);
  const label = page.locator('#radar-chart .axis-label[data-axis="1"]');
  const axisCheck = { label: await label.textContent(), points_before: await points() };
  await label.click();
  axisCheck.label_visible_after = await label.isVisible();
  axisCheck.axis_line_visible_after = await page.locator('#radar-chart line.axis[data-axis="1"]').isVisible();
  axisCheck.vertex_visible_after = await page
    .locator('#radar-chart .series[data-series="0"] .vertex[data-axis="1"]')
    .isVisible();
  axisCheck.toggle_pressed_after = await page.locator('.axis-toggle[data-axis="1"]').getAttribute('aria-pressed');
  axisCheck.points_hidden = await points();
  await page.locator('.axis-toggle[data-axis="1"]').click();
  axisCheck.label_visible_restored = await label.isVisible();
  axisCheck.points_restored = await points();
  result.checks.axis = axisCheck;
  const n = axisCheck.points_before.length;
  if (axisCheck.label_visible_after || axisCheck.axis_line_visible_after || axisCheck.vertex_visible_after) {
    fail('clicking the axis label did not hide the axis');
  }
  if ((!generic || n === 4) && axisCheck.points_hidden.length !== n - 1) {
    fail(`with one axis hidden the polygon has ${axisCheck.points_hidden.length} points, not ${n - 1}`);
  }
  if (!axisCheck.label_visible_restored || axisCheck.points_restored.length !== n) {
    fail('the axis did not come back');
  }
  // The script redraws with the server's geometry: restoring every axis gives back the
  // points the server drew (to the rounding of one decimal).
  const far = axisCheck.points_restored.some((p, i) => {
    const [x1, y1] = p.split(',').map(Number);
    const [x0, y0] = axisCheck.points_before[i].split(',').map(Number);
    return !(Math.abs(x1 - x0) <= 0.11 && Math.abs(y1 - y0) <= 0.11);
  });
  if (far) fail('the redrawn radar does not match the server-drawn one');

  // A throughput bar has a tooltip too.
  const bar = page.locator('svg.bars .bar').first();
  await bar.hover();
  result.checks.bar_tip = (await tip.textContent()) ?? '';
  if (!result.checks.bar_tip.includes('CI')) fail('hovering a throughput bar showed no interval');

  const outside = result.requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'));
  if (outside.length > 0) fail(`requests left the page: ${outside.join(', ')}`);
  if (result.console_errors.length > 0) fail(`console errors: ${result.console_errors.join(' | ')}`);
  result.ok = result.failures.length === 0;
  status = result.ok ? 0 : 1;
} catch (error) {
  fail(`browser: ${error && error.stack ? error.stack : error}`);
  status = 2;
} finally {
  if (context) await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
  clearTimeout(watchdog);
}
console.log(JSON.stringify(result));
process.exit(status);
