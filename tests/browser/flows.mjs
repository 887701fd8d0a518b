// The main flows of the consoles in Chromium, as the people at the desks use them: keys, live panels, toasts.
// Every step asserts on what the page shows and leaves a screenshot in tests/artifacts/.
import { check, desk, main, percentile, takeViolations, toast, toastTimings } from "./browser.mjs";

const KNIFE = "有人拿刀在菜市场门口追着砍人，已经有人受伤了";
const FOOD = "超市卖过期食品，要求退款不给退";
const FIGHT = "人民路夜市有人打架，好几个人围着一个人打";
const CALLER = "13812345678";

const open = [];
const timings = [];
const state = {};

// The call-taker page records when the transcript last changed and when each suggestion was swapped in.
function instrument() {
  window.__loads = (window.__loads || 0) + 1;
  window.__swaps = [];
  document.addEventListener("input", (event) => {
    if (event.target.id === "text") window.__lastInput = performance.now();
  }, true);
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id === "text") window.__requestAt = performance.now();
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.id === "suggestion") {
      window.__swaps.push({ at: performance.now(), requestAt: window.__requestAt, text: document.getElementById("text").value });
    }
  });
}

// Type a call as the caller speaks and wait for the suggestion to the whole text: the round trip in ms.
async function typeCall(page, text) {
  await page.evaluate(() => { window.__swaps = []; });
  await page.locator("#text").click();
  await page.keyboard.type(text, { delay: 25 });
  const swap = await page.waitForFunction(
    (whole) => window.__swaps.find((s) => s.text === whole && s.at >= window.__lastInput),
    text,
  ).then((handle) => handle.jsonValue());
  const lastInput = await page.evaluate(() => window.__lastInput);
  const timing = { text, roundTrip: swap.at - lastInput, server: swap.at - swap.requestAt };
  timings.push(timing);
  return timing;
}

async function callTaker(browser) {
  const ct = await desk(browser, "call_taker", "a-call-taker");
  open.push(ct.page);
  state.ct = ct;
  const page = ct.page;
  check(new URL(page.url()).pathname === "/console/calls", `the call-taker lands on /console/calls, not ${page.url()}`);
  await page.evaluate(instrument);
  await ct.shot("1-empty");

  await page.fill("#caller_number", CALLER);
  const timing = await typeCall(page, KNIFE);
  const badge = page.locator("#verdict .badge");
  check(await page.evaluate(() => window.__loads) === 1, "the suggestion updates without a page reload");
  check((await badge.getAttribute("data-disposition")) === "joint", "a knife and an injury: the suggestion is 联动");
  check((await badge.innerText()).trim() === "联动", `the badge reads 联动, not ${await badge.innerText()}`);
  const reasons = await page.locator("#reasons li").allInnerTexts();
  check(reasons.some((r) => r.includes("持械")), `the reasons name the weapon: ${JSON.stringify(reasons)}`);
  const cues = await page.locator("#marked mark.cue-active").allInnerTexts();
  check(cues.includes("拿刀"), `the cue 拿刀 is highlighted as active: ${JSON.stringify(cues)}`);
  console.log(`  live triage: ${timing.roundTrip.toFixed(0)} ms from the last keystroke to the suggestion ` +
    `(${timing.server.toFixed(0)} ms of it request + swap; the rest is the typing pause htmx waits for, 30 ms)`);
  check(timing.roundTrip < 1000, `the suggestion came ${timing.roundTrip.toFixed(0)} ms after the last keystroke`);
  await ct.shot("2-suggestion");

  // 派警 differs from the suggestion (联动): without a reason the call is refused and nothing is lost.
  await page.fill("#location_text", "城关街道菜市场门口");
  await page.locator("#text").focus();
  const refused = await toast(page, () => page.keyboard.press("F2"), "理由");
  check((await page.locator("#text").inputValue()) === KNIFE, `a refused call keeps its text: ${refused}`);
  await ct.shot("3-needs-reason");

  await page.fill("#reason", "先派警力控制现场，120 已由现场呼叫");
  const sent = await toast(page, () => page.keyboard.press("F2"), "已派警");
  state.knife = Number(/#(\d+)/.exec(sent)[1]);
  await page.waitForFunction(() => document.getElementById("text").value === ""
    && document.getElementById("suggestion").innerText.trim() === "");
  check((await page.locator("#location_text").inputValue()) === "", "the location is cleared for the next call");
  check(await page.evaluate(() => document.activeElement.id) === "text", "the transcript box has the focus again");
  console.log(`  toast: ${sent}`);
  await ct.shot("4-sent");
}

async function dispatcher(browser) {
  const dp = await desk(browser, "dispatcher", "b-dispatcher");
  open.push(dp.page);
  const page = dp.page;
  check(new URL(page.url()).pathname === "/console/dispatch", `the dispatcher lands on /console/dispatch`);
  const row = page.locator(`#pending tr[data-incident="${state.knife}"]`);
  await row.waitFor();
  const clock = row.locator("[data-since]");
  const before = await clock.innerText();
  await page.waitForFunction((el) => el.textContent !== el.dataset.seen,
    await clock.evaluateHandle((el) => { el.dataset.seen = el.textContent; return el; }), { timeout: 3000 });
  const after = await clock.innerText();
  check(/^\d+:\d\d$/.test(after) && after !== before, `the one-minute clock ticks: ${before} then ${after}`);
  await dp.shot("1-pending");

  const unit = page.locator("#units tr", { hasText: "PS1-01" });
  check((await unit.innerText()).includes("空闲"), "PS1-01 is free before it is sent");
  await page.keyboard.press("D"); // Shift or Caps Lock: the letter key still works
  const first = page.locator("#recommend-table tbody tr").first();
  await first.waitFor();
  const offered = await first.innerText();
  check(offered.includes("PS1-01") && offered.includes("本辖区"),
    `the station covering 菜市场 is offered first: ${offered}`);
  await dp.shot("2-recommend");

  const sent = await toast(page, () => page.keyboard.press("Enter"), "已派");
  check(sent.includes(`#${state.knife}`) && sent.includes("PS1-01"), `the toast names the incident and unit: ${sent}`);
  await page.locator("#units tr", { hasText: "PS1-01" }).filter({ hasText: "已派" }).waitFor();
  check((await page.locator("#units tr", { hasText: "PS1-01" }).innerText()).includes(String(state.knife)),
    "the unit board shows the unit on the incident");
  await row.waitFor({ state: "detached" });
  await page.locator("#recommend-table").waitFor({ state: "detached" }); // the spent recommendation is gone
  console.log(`  toast: ${sent}`);
  await dp.shot("3-sent");
  await dp.context.close();
}

async function orderState(page, id) {
  return (await page.locator(`#inbox tr[data-order="${id}"] td.state`).innerText()).trim();
}

// 工单台: a row opens the order's panel beside the table; each step is a form there, named by its action.
async function orderStep(page, id, step, expected, fields = async () => {}) {
  if (!(await page.locator(`#order-panel .order-detail[data-order="${id}"]`).count())) {
    await page.locator(`#inbox tr[data-order="${id}"]`).click();
  }
  const form = page.locator(`#order-panel form[data-step="${step}"]`);
  await fields(form);
  await toast(page, () => form.locator("button").click(), `工单 #${id} ${expected}`);
  await page.locator("#order-panel h2", { hasText: expected }).waitFor();
}

async function diversion(browser) {
  const page = state.ct.page;
  await typeCall(page, FOOD);
  check((await page.locator("#verdict .badge").getAttribute("data-disposition")) === "divert",
    "an expired-food complaint is suggested for 12345");
  const sent = await toast(page, () => page.keyboard.press("F4"), "工单");
  state.order = Number(/工单 #(\d+)/.exec(sent)[1]);
  console.log(`  toast: ${sent}`);
  await state.ct.shot("5-diverted");

  const ah = await desk(browser, "agency_handler", "c-agency");
  open.push(ah.page);
  await ah.page.goto("/console/orders");
  await ah.page.locator(`#inbox tr[data-order="${state.order}"]`).waitFor();
  const received = await orderState(ah.page, state.order);
  check(received === "已接收" || received === "已派发", `a new order waits to be signed: ${received}`);
  await ah.shot("1-inbox");
  await orderStep(ah.page, state.order, "signed", "已签收");
  await ah.shot("2-signed");
  await orderStep(ah.page, state.order, "handled", "已办结待回访",
    (form) => form.locator('textarea[name="feedback"]').fill("已责令超市下架过期食品并为消费者退款"));
  await ah.shot("3-handled");
  await ah.context.close();

  const ho = await desk(browser, "hotline_operator", "c-hotline");
  open.push(ho.page);
  await ho.page.goto("/console/orders?view=visit");
  check(await orderState(ho.page, state.order) === "已办结待回访", "the operator sees the order waiting for 回访");
  await orderStep(ho.page, state.order, "visited", "已回访", async (form) => {
    await form.getByLabel("非常满意", { exact: true }).check();
    await form.locator('input[name="comment"]').fill("市民表示已退款，满意");
  });
  await ho.shot("1-visited");
  await ho.context.close();
}

async function largeMode() {
  const { page, shot } = state.ct;
  check(!(await page.locator("body").getAttribute("class")).includes("large"), "the normal mode first");
  await Promise.all([page.waitForURL(/large=1/), page.getByRole("link", { name: "大字高对比" }).click()]);
  check((await page.locator("body").getAttribute("class")).includes("large"), "body gets class large");
  const size = await page.evaluate(() => getComputedStyle(document.body).fontSize);
  check(size === "20px", `the large mode uses a 20px font, not ${size}`);
  await shot("6-large");
  await page.goto("/console/calls");
  check((await page.locator("body").getAttribute("class")).includes("large"), "the large mode is remembered");
  await Promise.all([page.waitForURL(/large=0/), page.getByRole("link", { name: "大字高对比" }).click()]);
  check(!(await page.locator("body").getAttribute("class")).includes("large"), "and switched off again");
  await page.goto("/console/calls");
  await page.evaluate(instrument);
}

// The supervisor's dashboard (being built elsewhere): only when it is there and shows KPI tiles.
async function dashboard(browser) {
  const sv = await desk(browser, "supervisor", "e-supervisor");
  open.push(sv.page);
  const response = await sv.page.goto("/console/dashboard");
  if (!response.ok() || new URL(sv.page.url()).pathname !== "/console/dashboard") {
    console.log(`  SKIPPED: /console/dashboard answers ${response.status()} at ${sv.page.url()}`);
    return sv.context.close();
  }
  const tiles = sv.page.locator(".kpi");
  try {
    await tiles.first().waitFor({ timeout: 5000 });
  } catch {
    console.log("  SKIPPED: /console/dashboard shows no .kpi tiles yet");
    return sv.context.close();
  }
  const before = await tiles.allInnerTexts();
  console.log(`  ${before.length} KPI tiles: ${before.map((t) => t.replace(/\s+/g, " ")).join(" | ")}`);
  await sv.shot("1-before");

  const page = state.ct.page;
  await typeCall(page, FIGHT);
  await toast(page, () => page.keyboard.press("F2"), "已派警");
  const recorded = Date.now();
  await sv.page.waitForFunction(
    (was) => [...document.querySelectorAll(".kpi")].map((el) => el.innerText).join("|") !== was.join("|"),
    before, { timeout: 10_000 },
  );
  const after = await tiles.allInnerTexts();
  const moved = after.filter((t, i) => t !== before[i]).map((t) => t.replace(/\s+/g, " "));
  console.log(`  live update ${Date.now() - recorded} ms after the call; tiles that changed: ${moved.join(" | ")}`);
  // The charts' tooltips are drawn under the CSP too (the run fails on any violation).
  for (const chart of ["#chart-trend", "#chart-mix"]) {
    const box = await sv.page.locator(chart).boundingBox();
    await sv.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await sv.page.waitForTimeout(400);
  }
  await sv.shot("2-after");
  await sv.context.close();
}

// A silent call: F8 may not close it unheard; it waits in the call-back tab until the caller is reached.
async function silentCall() {
  const { page, shot } = state.ct;
  await page.locator("#text").fill("");
  const refused = await toast(page, () => page.keyboard.press("F8"), "回拨队列");
  console.log(`  toast: ${refused}`);
  const id = Number(/警情 #(\d+)/.exec(refused)[1]);
  await page.locator("#callback-count").filter({ hasText: /^[1-9]/ }).waitFor();
  await page.keyboard.press("F9"); // the call-back tab; the oldest waiting call is picked, the note has the focus
  const row = page.locator(`#callbacks tr[data-incident="${id}"]`);
  await row.waitFor();
  check(await page.evaluate(() => document.activeElement.id) === "attempt-note", "F9 puts the cursor in the note");
  check((await page.locator("#attempt-label").innerText()) === `#${id}`, "the waiting call is the one picked");
  await shot("7-callback-tab");
  await page.keyboard.type("对方小声说有人持刀闯进家里，她躲在卫生间");
  const reached = await toast(page, () => page.keyboard.press("F2"), "已接通");
  console.log(`  toast: ${reached}`);
  check(/警务|联动/.test(reached), `the call is triaged again as a police matter: ${reached}`);
  await row.waitFor({ state: "detached" });
  check((await page.locator("#attempt-note").inputValue()) === "", "the note is cleared for the next attempt");
  await shot("8-called-back");
  await page.keyboard.press("F7");
  check(await page.evaluate(() => document.activeElement.id) === "text", "F7 is back on the call, in the words");
}

// The same caller rings again: his history stays on screen while the words are typed, the live incident is
// offered before any decision key, and F6 attaches the call to it.
async function repeatCall() {
  const { page, shot } = state.ct;
  await page.fill("#caller_number", CALLER);
  await page.locator("#location_text").focus(); // leaving the number field reads the history
  const earlier = page.locator(`#caller-incidents a[href="/console/incidents/${state.knife}"]`);
  await earlier.waitFor();
  await page.fill("#location_text", "城关街道菜市场门口");
  await typeCall(page, "警察怎么还没来，拿刀的人还在菜市场门口");
  check(await earlier.isVisible(), "the caller's history is still on screen after typing the words");
  const offer = page.locator(`#duplicates button[value="${state.knife}"]`);
  await offer.waitFor();
  check((await offer.getAttribute("data-key")) === "F6", "the first duplicate is attached with F6");
  await shot("9-duplicate-offered");
  const attached = await toast(page, () => page.keyboard.press("F6"), "并入");
  check(attached.includes(`#${state.knife}`), `the call is attached to the live incident: ${attached}`);
  await page.waitForFunction(() => document.getElementById("caller").innerText.trim() === "");
  console.log(`  toast: ${attached}`);
}

// The policy is enforced, and its refusals reach the log the run checks: an injected inline script does not run.
async function policyHolds() {
  const { page } = state.ct;
  await page.addScriptTag({ content: "window.__injected = true;" }).catch(() => {});
  await page.waitForTimeout(200);
  check(await page.evaluate(() => window.__injected) === undefined, "an inline script ran despite the CSP");
  const refused = takeViolations();
  check(refused.length > 0, "the refused inline script left no CSP violation in the console log");
  console.log(`  refused as it should be: ${refused[0].slice(0, 120)}`);
}

function summary() {
  const typed = timings.map((t) => t.server);
  console.log(`p95 keystroke → suggestion ${percentile(typed, 95).toFixed(0)} ms (request + swap, n=${typed.length}); ` +
    `p95 key → toast ${percentile(toastTimings, 95).toFixed(0)} ms (n=${toastTimings.length}: ` +
    `${toastTimings.map((ms) => ms.toFixed(0)).join(", ")})`);
  for (const t of timings) {
    console.log(`live triage round trip ${t.roundTrip.toFixed(0)} ms (request + swap ${t.server.toFixed(0)} ms): ${t.text}`);
  }
}

await main([
  ["a. call-taker: live triage, F2 派警", callTaker],
  ["b. dispatcher: pending clock, D, Enter, unit board", dispatcher],
  ["c. diversion: F4, 签收, 办结, 回访", diversion],
  ["d. large-font, high-contrast mode", largeMode],
  ["e. supervisor dashboard KPI moves live", dashboard],
  ["f. silent call: F8 keeps it, F9 opens the call-backs, F2 接通 triages it again", silentCall],
  ["h. a repeat call: the history stays, the duplicate is offered, F6 attaches it", repeatCall],
  ["g. the Content-Security-Policy refuses an inline script", policyHolds],
  ["summary", summary],
], () => open.filter((p) => !p.isClosed()));
