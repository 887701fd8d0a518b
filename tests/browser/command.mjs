// The supervisor's command screen, as a supervisor watches it: a P1 left waiting seven minutes (put in by
// test_command.py before this runs) shows in the waiting tiles and lowers 1分钟派警率; a call taken and dispatched
// within the minute moves the tiles live; each tile says its formula on hover and links to its list; English mode.
import { check, desk, main, percentile, toast, toastTimings } from "./browser.mjs";

const WAITING = Number(process.env.LIFELINE_WAITING); // the incident waiting since seven minutes ago
const FIGHT = "人民路夜市有人打架，好几个人围着一个人打";
const WIDE = { width: 1920, height: 1080 };
const CJK = /[\u3000-\u9fff\uff00-\uffef]/;

const open = [];
const state = {};
const live = [];

const tile = (page, key) => page.locator(`#kpi-tiles [data-kpi="${key}"]`);
const figure = async (page, key) => (await tile(page, key).locator("b").innerText()).trim();

// Wait until a tile shows what `wanted` accepts; the ms it took.
async function tileBecomes(page, key, wanted, what) {
  const t0 = Date.now();
  await page.waitForFunction(([k, source]) => {
    const b = document.querySelector(`#kpi-tiles [data-kpi="${k}"] b`);
    return b && new RegExp(source).test(b.textContent.trim());
  }, [key, wanted.source], { timeout: 10_000 }).catch(async () => {
    throw new Error(`${what}: the ${key} tile still shows ${await figure(page, key)}`);
  });
  return Date.now() - t0;
}

async function supervisorSeesTheWait(browser) {
  const sv = await desk(browser, "supervisor", "command-supervisor");
  open.push(sv.page);
  state.sv = sv;
  const page = sv.page;
  await page.setViewportSize(WIDE);
  await page.goto("/console/dashboard");
  await tile(page, "p1_waiting").waitFor();

  check(await figure(page, "p1_waiting") === "1", `P1 waiting shows 1, not ${await figure(page, "p1_waiting")}`);
  check((await tile(page, "p1_waiting").getAttribute("class")).includes("alert"), "a waiting P1 is shown in red");
  const longest = tile(page, "longest_wait");
  const wait = await figure(page, "longest_wait");
  check(/^7:\d\d$/.test(wait), `the longest wait reads about seven minutes: ${wait}`);
  check((await longest.innerText()).includes(`#${WAITING}`), `the longest wait names incident #${WAITING}`);
  check(await longest.getAttribute("href") === `/console/incidents/${WAITING}`, "the longest wait links to its incident");
  const rate = await figure(page, "one_minute_dispatch_rate");
  check(rate === "0.0%", `1分钟派警率 counts the waiting P1 as late: ${rate}, not 100% nor —`);
  check((await tile(page, "one_minute_dispatch_rate").locator("small").innerText()).trim() === "0 / 1",
    "the rate says what it was computed from: 0 / 1");

  // The clock of the longest wait ticks without a reload.
  await page.waitForFunction((was) => {
    const b = document.querySelector('#kpi-tiles [data-kpi="longest_wait"] b');
    return b.textContent.trim() !== was;
  }, wait, { timeout: 3000 });

  // Each tile: its formula on hover, and the list behind it.
  const links = {
    p1_waiting: "/console/dispatch", p2_waiting: "/console/dispatch",
    orders_overdue: "/console/orders?view=inbox&overdue=1&sort=deadline", callbacks_waiting: "/console/calls#callbacks",
  };
  for (const [key, href] of Object.entries(links)) {
    check(await tile(page, key).getAttribute("href") === href, `${key} links to ${href}`);
  }
  const search = new URL(await tile(page, "calls").getAttribute("href"), "http://x");
  check(search.pathname === "/console/search" && search.searchParams.get("since") && search.searchParams.get("until"),
    `today's calls link to the search over today: ${search}`);
  const title = await tile(page, "one_minute_dispatch_rate").getAttribute("title");
  check(title.startsWith("1分钟派警率 = 接警后 60 秒内派警的警务/联动警情 / 已到期的"), `the hover says the formula: ${title}`);
  await tile(page, "one_minute_dispatch_rate").hover();
  console.log(`  hover: ${title}`);
  await sv.shot("1-p1-waiting");
}

async function aCallDispatchedWithinTheMinute(browser) {
  const page = state.sv.page;
  const ct = await desk(browser, "call_taker", "command-call-taker");
  const dp = await desk(browser, "dispatcher", "command-dispatcher");
  open.push(ct.page, dp.page);
  await ct.page.goto("/console/calls");
  await dp.page.goto("/console/dispatch");
  await ct.page.locator("#text").fill(FIGHT);
  await ct.page.locator("#verdict .badge").waitFor();
  const sent = await toast(ct.page, () => ct.page.keyboard.press("F2"), "已派警");
  const id = Number(/#(\d+)/.exec(sent)[1]);
  console.log(`  toast: ${sent}`);

  // The dispatcher's board says its priority; the command screen counts it in that tile, live.
  const row = dp.page.locator(`#pending tr[data-incident="${id}"]`);
  await row.waitFor();
  const key = (await row.locator("td").nth(1).innerText()).trim() === "P1" ? "p1_waiting" : "p2_waiting";
  live.push(await tileBecomes(page, key, key === "p1_waiting" ? /^2$/ : /^1$/, "the new call shows as waiting"));
  await state.sv.shot("2-call-waiting");

  await row.locator("button").click();
  await dp.page.locator("#recommend-table tbody tr").first().waitFor();
  const done = await toast(dp.page, () => dp.page.keyboard.press("Enter"), "已派");
  console.log(`  toast: ${done}`);
  live.push(await tileBecomes(page, "one_minute_dispatch_rate", /^50\.0%$/, "dispatched within the minute"));
  // Sent is not taken: it waits until the crew accepts (the dispatcher records the crew's 接单 heard on the radio).
  check(await figure(page, key) === (key === "p1_waiting" ? "2" : "1"), "a unit sent but not accepted still waits");
  const crew = dp.page.locator("#units tr", { hasText: "PS1-01" }).locator("button.radio");
  await toast(dp.page, () => crew.click(), "PS1-01");
  live.push(await tileBecomes(page, key, key === "p1_waiting" ? /^1$/ : /^0$/, "the crew accepted"));
  check(await figure(page, "p1_waiting") === "1" && await figure(page, "p2_waiting") === "0",
    "once a crew has taken the call only the seven-minute P1 waits");
  check(await tile(page, "longest_wait").getAttribute("href") === `/console/incidents/${WAITING}`,
    "the longest wait is still the seven-minute P1");
  console.log(`  tiles followed live: ${live.map((ms) => `${ms} ms`).join(", ")} after the toast`);
  const drawn = await page.evaluate(() => {
    const data = JSON.parse(document.getElementById("kpi-data").dataset.json);
    const mix = echarts.getInstanceByDom(document.getElementById("chart-mix")).getOption().series[0].data;
    return { categories: data.categories.length, bars: mix.length, calls: data.figures[0].value };
  });
  console.log(`  charts: ${JSON.stringify(drawn)}`);
  check(drawn.bars === drawn.categories, `the category chart follows the tiles: ${JSON.stringify(drawn)}`);
  await state.sv.shot("3-dispatched");
  await ct.context.close();
  await dp.context.close();
}

async function english() {
  const page = state.sv.page;
  await page.goto("/console/dashboard?lang=en");
  await tile(page, "p1_waiting").waitFor();
  const label = (key) => tile(page, key).locator("span").innerText();
  check(await label("p1_waiting") === "P1 waiting", `P1 waiting in English: ${await label("p1_waiting")}`);
  check(await label("one_minute_dispatch_rate") === "Dispatched within 1 min", "1分钟派警率 in English");
  check(await label("longest_wait") === "Longest wait", "the longest wait in English");
  const title = await tile(page, "one_minute_dispatch_rate").getAttribute("title");
  check(!CJK.test(title) && title.includes("police or joint incidents dispatched within 60 s"),
    `the formula in English: ${title}`);
  const text = await page.locator("#dashboard").innerText();
  const left = text.split("\n").filter((line) => CJK.test(line));
  check(left.length === 0, `no Chinese left on the English command screen: ${JSON.stringify(left)}`);
  await state.sv.shot("4-english");
  await page.goto("/console/dashboard?lang=zh&large=1"); // the wall screen: large, high contrast
  check(await figure(page, "p1_waiting") === "1", "the wall screen shows the same waiting P1");
  await state.sv.shot("5-wall");
  await page.goto("/console/dashboard?large=0");
}

function summary() {
  console.log(`p95 key → toast ${percentile(toastTimings, 95).toFixed(0)} ms (n=${toastTimings.length}); ` +
    `tiles moved ${live.join(" ms, ")} ms after the toast`);
}

await main([
  ["a. supervisor: a P1 waiting seven minutes, in the tiles and in 1分钟派警率", supervisorSeesTheWait],
  ["b. a call taken and dispatched within the minute moves the tiles live", aCallDispatchedWithinTheMinute],
  ["c. English mode, then the large wall-screen mode", english],
  ["summary", summary],
], () => open);
