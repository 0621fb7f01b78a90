// Renders a custody HTML incident report in a real browser (Debian's
// chromium, headless, driven by Playwright) and checks what a reader
// sees: the page loads nothing but itself, runs no script, shows its
// sections, and fits a phone's width without horizontal scrolling.
// Usage: node render.mjs REPORT.html SCREENSHOT.png
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [file, shot] = process.argv.slice(2);
if (!file || !shot) {
  console.error("usage: node render.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}
const url = pathToFileURL(resolve(file)).href;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const failures = [];
const fail = (m) => failures.push(m);
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => errors.push(`console ${m.type()}: ${m.text()}`));
  const resp = await page.goto(url, { waitUntil: "load" });
  if (!resp || !resp.ok()) fail(`the page did not load: ${resp && resp.status()}`);
  const outside = requests.filter((u) => u !== url);
  if (outside.length) fail(`the page requested other resources: ${outside.join(", ")}`);
  if (errors.length) fail(`the page logged: ${errors.join("; ")}`);
  const scripts = await page.locator("script").count();
  if (scripts) fail(`${scripts} script element(s)`);
  const h1 = (await page.locator("h1").first().innerText()).trim();
  if (!h1.startsWith("Incident report: ")) fail(`h1 is ${JSON.stringify(h1)}`);
  const h2 = await page.locator("h2").allInnerTexts();
  for (const want of ["Summary", "Deadlines", "Timeline", "Re-checked data", "Rotation checklist"]) {
    if (!h2.some((t) => t.startsWith(want))) fail(`no "${want}" section (have: ${h2.join(" | ")})`);
  }
  const rows = await page.locator("table tbody tr").count();
  if (rows < 5) fail(`only ${rows} table rows`);
  // Deadlines are visible and dated.
  const deadlines = await page.locator("h2:has-text('Deadlines') + table tbody tr").allInnerTexts();
  if (deadlines.length !== 4) fail(`${deadlines.length} deadline rows, want 4`);
  await page.screenshot({ path: shot, fullPage: true });
  // A phone: no horizontal scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) fail(`${overflow}px of horizontal scrolling at 390px wide`);
  console.log(`rendered ${file}: ${h2.length} sections, ${rows} table rows, ${requests.length} request(s); screenshot ${shot}`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
