// 工单台 in Chromium: a diverted matter signed, returned, re-routed from the 待改派 queue, handled with feedback,
// visited with 满意 and closed, by the people whose part each step is; and the 12345 operator's half-typed note
// survives five live refreshes of the table. Screenshots at 1920×1080 in tests/artifacts/.
import { BASE, check, desk, main, percentile, toast, toastTimings } from "./browser.mjs";

const FOOD = "超市卖过期食品，要求退款不给退";
const REASON = "经核实属于占道经营，应由城管局处理";
const FEEDBACK = "已责令超市下架过期食品，并为市民退款";
const NOTE = "市民再次来电反映";
const TOKENS = JSON.parse(process.env.LIFELINE_TOKENS || "{}");
const open = [];
const state = {};

async function api(user, method, path, body) {
  const answer = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKENS[user]}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await answer.text();
  check(answer.ok, `${method} ${path} as ${user}: ${answer.status} ${text}`);
  return JSON.parse(text);
}

// A matter diverted through the API (a call-taker's F4 without the browser): its order's id.
async function divertedOrder(text) {
  const report = await api("call_taker", "POST", "/reports", { text });
  const decided = await api("call_taker", "POST", `/incidents/${report.incident.id}/confirm`, { disposition: "divert" });
  return decided.follow_up.orders[0];
}

async function person(browser, who, prefix) {
  const d = await desk(browser, who, prefix);
  await d.page.setViewportSize({ width: 1920, height: 1080 });
  open.push(d.page);
  return d;
}

function row(page, id) {
  return page.locator(`#inbox-table tr[data-order="${id}"]`);
}

// Pick the order's row and wait for its panel beside the table.
async function pick(page, id) {
  await row(page, id).click();
  await page.locator(`#order-panel .order-detail[data-order="${id}"]`).waitFor();
  return page.locator("#order-panel");
}

function stepForm(page, step) {
  return page.locator(`#order-panel form[data-step="${step}"]`);
}

// Press a step's button and wait for its toast and for the panel to show the order's new state.
async function take(page, step, expected) {
  const said = await toast(page, () => stepForm(page, step).locator("button").click(), `工单 #${state.order} ${expected}`);
  await page.locator("#order-panel h2", { hasText: expected }).waitFor();
  return said;
}

async function callTakerDiverts(browser) {
  const ct = await person(browser, "call_taker", "o-call-taker");
  const page = ct.page;
  await page.locator("#text").fill(FOOD);
  await page.locator('#verdict .badge[data-disposition="divert"]').waitFor();
  const sent = await toast(page, () => page.keyboard.press("F4"), "工单");
  state.order = Number(/工单 #(\d+)/.exec(sent)[1]);
  state.incident = Number(/警情 #(\d+)/.exec(sent)[1]);
  console.log(`  toast: ${sent}`);
  await ct.shot("1-diverted");
  await ct.context.close();
}

async function handlerReturns(browser) {
  const ah = await person(browser, "agency_handler", "o-agency");
  const page = ah.page;
  check(new URL(page.url()).pathname === "/console/orders", `the agency handler lands on the orders console: ${page.url()}`);
  const headers = await page.locator("#inbox-table thead th").allInnerTexts();
  check(["承办单位", "时限/剩余", "状态", "督办"].every((h) => headers.includes(h)), `the columns: ${headers}`);
  const cells = await row(page, state.order).locator("td").allInnerTexts();
  check(cells[3].includes("市场监管局") && /\d+(小时|分)/.test(cells[4]), `the row names its lead and countdown: ${cells}`);
  const tabs = await page.locator(".tabs .tab").allInnerTexts();
  check(tabs.length === 1 && tabs[0].startsWith("收件箱"), `a handler works the inbox only: ${tabs}`);
  const panel = await pick(page, state.order);
  check((await panel.innerText()).includes(FOOD), "the panel shows the matter's words");
  check(await panel.locator(`a[href="/console/incidents/${state.incident}"]`).count() === 1, "and links the incident");
  await ah.shot("1-picked");
  await take(page, "signed", "已签收");
  await stepForm(page, "returned").locator('input[name="reason"]').fill(REASON);
  const refused = stepForm(page, "returned").locator("button");
  check(await refused.innerText() === "退回", "the button is named by the action");
  await take(page, "returned", "已退回待改派");
  await row(page, state.order).waitFor({ state: "detached" }); // out of the handler's inbox, into the desk's queue
  await ah.shot("2-returned");
  await ah.context.close();
}

async function operatorReroutes(browser) {
  const ho = await person(browser, "hotline_operator", "o-hotline");
  state.ho = ho;
  const page = ho.page;
  await page.goto("/console/orders?view=reroute");
  const tab = page.locator('.tabs .tab[data-view="reroute"]');
  check(/待改派\s*1/.test(await tab.innerText()), `the re-route tab counts the returned order: ${await tab.innerText()}`);
  const panel = await pick(page, state.order);
  check((await panel.locator(".order-history").innerText()).includes(REASON), "the history gives the return's reason");
  const form = stepForm(page, "rerouted");
  const choices = await form.locator('select[name="org"] option').allInnerTexts();
  check(choices.includes("城管局") && !choices.includes("市场监管局"), `re-route to another department: ${choices}`);
  await form.locator('select[name="org"]').selectOption({ label: "城管局" });
  await ho.shot("1-reroute");
  await take(page, "rerouted", "已接收");
  await row(page, state.order).waitFor({ state: "detached" }); // gone from the re-route queue, live
  check(/待改派\s*0/.test(await tab.innerText()), "the count follows");
}

async function secondDepartmentHandles(browser) {
  const uh = await person(browser, "urban_handler", "o-urban");
  const page = uh.page;
  await pick(page, state.order);
  await take(page, "signed", "已签收");
  await stepForm(page, "handled").locator('textarea[name="feedback"]').fill(FEEDBACK);
  await take(page, "handled", "已办结待回访");
  await uh.shot("1-handled");
  await uh.context.close();
}

async function operatorVisitsAndCloses() {
  const { page, shot } = state.ho;
  await page.goto("/console/orders?view=visit");
  await pick(page, state.order);
  const feedback = page.locator("#order-feedback");
  check((await feedback.innerText()) === FEEDBACK, "the 办结 feedback is shown at 回访");
  const above = await page.evaluate(() => {
    const shown = document.getElementById("order-feedback").getBoundingClientRect();
    return shown.bottom <= document.querySelector('form[data-step="visited"]').getBoundingClientRect().top;
  });
  check(above, "the feedback stands above the visit form");
  const labels = await stepForm(page, "visited").locator("label.choice").allInnerTexts();
  check(labels.map((l) => l.trim()).join(",") === "非常满意,满意,基本满意,不满意,非常不满意", `labelled choices: ${labels}`);
  await stepForm(page, "visited").getByLabel("满意", { exact: true }).check();
  await stepForm(page, "visited").locator('input[name="comment"]').fill("市民表示已退款");
  await shot("2-visit");
  await take(page, "visited", "已回访");
  await take(page, "closed", "已关闭");
  const history = await page.locator(".order-history").innerText();
  for (const step of ["派发", "签收", "退回", "改派", "办结反馈", "回访", "关闭"]) {
    check(history.includes(step), `the history lists ${step}: ${history}`);
  }
  await shot("3-closed");
}

// The operator types half a note; five other orders change meanwhile; the table refreshes five times.
async function typingSurvivesRefreshes() {
  const { page, shot } = state.ho;
  const mine = await divertedOrder("小区门口的路灯坏了一个月没人修");
  const others = [];
  for (let i = 0; i < 5; i++) others.push(await divertedOrder(`超市卖过期食品第${i + 1}次，要求退款不给退`));
  await page.goto("/console/orders");
  await page.evaluate(() => {
    window.__refreshes = 0;
    document.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target.id === "inbox") window.__refreshes += 1;
    });
  });
  state.order = mine;
  await pick(page, mine);
  const note = stepForm(page, "returned").locator('input[name="reason"]');
  await note.click();
  await page.keyboard.type(NOTE, { delay: 20 });
  for (const [i, other] of others.entries()) {
    await api("agency_handler", "POST", `/orders/${other}/steps`, { to: "signed" });
    await page.waitForFunction((n) => window.__refreshes >= n, i + 1);
    await row(page, other).locator("td.state").filter({ hasText: "已签收" }).waitFor();
  }
  check(await page.evaluate(() => window.__refreshes) >= 5, "five refreshes of the table arrived");
  check((await note.inputValue()) === NOTE, `the half-typed note survived: ${await note.inputValue()}`);
  check(await note.evaluate((el) => el === document.activeElement), "and still has the focus");
  await page.keyboard.type("，路灯仍未修复");
  check((await note.inputValue()) === `${NOTE}，路灯仍未修复`, "typing goes on where it stopped");
  await shot("4-typing-kept");
  console.log(`  ${await page.evaluate(() => window.__refreshes)} refreshes; the note reads: ${await note.inputValue()}`);
}

// Keys: ↓ and Enter open the next order's panel; a link with ?overdue=1 keeps its filter on refresh.
async function keysAndLinks() {
  const { page } = state.ho;
  await page.goto("/console/orders?sort=received");
  await row(page, state.order).focus();
  await page.keyboard.press("ArrowDown");
  const next = await page.evaluate(() => document.activeElement.dataset.order);
  await page.keyboard.press("Enter");
  await page.locator(`#order-panel .order-detail[data-order="${next}"]`).waitFor();
  await page.goto("/console/orders?overdue=1");
  check(await page.locator('input[name="overdue"]').isChecked(), "the overdue filter is on from the link");
  check(await page.locator("#inbox-table tr[data-order]").count() === 0, "no order is overdue yet");
  check((await page.locator("#inbox").getAttribute("hx-get")).includes("overdue=1"), "the refresh keeps the filter");
}

function summary() {
  console.log(`p95 key → toast ${percentile(toastTimings, 95).toFixed(0)} ms (n=${toastTimings.length}): ` +
    toastTimings.map((ms) => ms.toFixed(0)).join(", "));
}

await main([
  ["a. call-taker diverts a matter (F4)", callTakerDiverts],
  ["b. agency handler: 签收, 退回 with a reason", handlerReturns],
  ["c. 12345 operator: 待改派, 改派 to another department", operatorReroutes],
  ["d. the second department: 签收, 办结反馈", secondDepartmentHandles],
  ["e. operator: feedback shown at 回访, 满意, 关闭", operatorVisitsAndCloses],
  ["f. a half-typed note survives five live refreshes", typingSurvivesRefreshes],
  ["g. keys and links", keysAndLinks],
  ["summary", summary],
], () => open.filter((p) => !p.isClosed()));
