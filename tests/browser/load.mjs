// Console pages under load, in Chromium: from navigation to the live partials filled in (htmx requests included).
import { check, desk, main } from "./browser.mjs";

const [incidents, units, orders] = (process.env.LIFELINE_EXPECT || "0,0,0").split(",").map(Number);
const BUDGET = Number(process.env.LIFELINE_BUDGET_MS || 1000);
const PAGES = [ // role, path, [selector, how many rows it must reach]...
  ["call_taker", "/console/calls", [["#text", 1]]],
  ["dispatcher", "/console/dispatch", [["#pending-table tr[data-incident]", incidents], ["#units tbody tr", units]]],
  ["hotline_operator", "/console/orders", [["#inbox-table tr[data-order]", orders]]],
];
const figures = [];

async function measure(browser, role, path, waits) {
  const person = await desk(browser, role, `load-${role}`);
  const { page } = person;
  for (let round = 0; round < 3; round++) {
    const started = Date.now();
    await page.goto(path, { waitUntil: "load" });
    for (const [selector, count] of waits) {
      await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length >= n, [selector, count]);
    }
    const ready = Date.now() - started;
    const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0].toJSON());
    figures.push({ path, round, ready, html: Math.round(nav.responseEnd - nav.startTime),
      load: Math.round(nav.loadEventEnd - nav.startTime) });
  }
  await person.shot(path.split("/").pop());
  await person.context.close();
}

function report() {
  for (const f of figures) {
    console.log(`${f.path.padEnd(20)} round ${f.round}: html ${f.html} ms, load event ${f.load} ms, ` +
      `partials filled ${f.ready} ms`);
  }
  const slow = figures.filter((f) => f.round > 0 && f.ready >= BUDGET);
  check(slow.length === 0, `pages slower than ${BUDGET} ms: ${JSON.stringify(slow)}`);
}

await main([
  ...PAGES.map(([role, path, waits]) => [`${path} as ${role}`, (browser) => measure(browser, role, path, waits)]),
  ["figures", report],
]);
