// A knife fight from the call to its closing, as the people do it: the call-taker takes it (F2 with a reason),
// the dispatcher sends PS1-01 (D, Enter), the field officer works the order on his phone (390×844): 接单 → 出发 →
// 到场 → 处置反馈, each time shown; the dispatcher's board, open all along, follows live and closes the matter;
// the map shows the units, the incidents and a legend, and a marker's popup links to its incident.
import { BASE, check, desk, main, percentile, toast, toastTimings } from "./browser.mjs";

const KNIFE = "有人拿刀在菜市场门口追着砍人，已经有人受伤了";
const ROBBERY = "人民路有人持刀抢劫，抢了包往北跑了";
const NUMBER = "13800138000";
const TOKENS = JSON.parse(process.env.LIFELINE_TOKENS || "{}");
const PHONE = { width: 390, height: 844 };
const WALL = { width: 1920, height: 1080 };
const open = [];
const state = {};
const live = []; // ms from the officer's key to the change on the dispatcher's board

async function person(browser, role, prefix, viewport) {
  const who = await desk(browser, role, prefix);
  await who.page.setViewportSize(viewport);
  open.push(who.page);
  return who;
}

// The officer's page before any order: his unit and a clear "no order".
async function officerWaits(browser) {
  const fo = await person(browser, "field_officer", "f-field", PHONE);
  state.fo = fo;
  const page = fo.page;
  check(new URL(page.url()).pathname === "/console/field", `the officer lands on 我的警单, not ${page.url()}`);
  await page.locator("#no-order").waitFor();
  const unit = await page.locator(".unit-line").innerText();
  check(unit.includes("PS1-01") && unit.includes("空闲"), `his unit and its status are shown: ${unit}`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= PHONE.width, `nothing sticks out of a 390 px screen (scroll width ${wide})`);
  await fo.shot("1-no-order");
}

async function boardOpens(browser) {
  state.dp = await person(browser, "dispatcher", "f-board", WALL);
  await state.dp.page.locator("#units-table").waitFor();
  await state.dp.page.locator("#map-legend").waitFor();
}

async function callTaken(browser) {
  const ct = await person(browser, "call_taker", "f-call", WALL);
  const page = ct.page;
  await page.fill("#caller_number", NUMBER);
  await page.locator("#text").click();
  await page.keyboard.type(KNIFE, { delay: 10 });
  await page.locator("#verdict .badge").waitFor();
  await page.fill("#location_text", "城关街道菜市场门口");
  await page.locator("#text").focus();
  await toast(page, () => page.keyboard.press("F2"), "理由");
  await page.fill("#reason", "先派警力控制现场，120 已由现场呼叫");
  const sent = await toast(page, () => page.keyboard.press("F2"), "已派警");
  state.knife = Number(/#(\d+)/.exec(sent)[1]);
  console.log(`  toast: ${sent}`);
  await ct.context.close();
}

async function dispatched() {
  const { page, shot } = state.dp;
  const row = page.locator(`#pending tr[data-incident="${state.knife}"]`);
  await row.waitFor();
  const shown = await row.innerText();
  check(shown.includes("有人拿刀在菜市场门口追着砍人") && shown.includes("凶器") && shown.includes("P1"),
    `the waiting row shows the words, the weapon and the priority: ${shown}`);
  check(await row.locator(`a[href="/console/incidents/${state.knife}"]`).count() === 1, "the number links to its page");
  await shot("1-pending");
  await page.keyboard.press("d");
  await page.locator("#recommend-table tbody tr").first().waitFor();
  const sent = await toast(page, () => page.keyboard.press("Enter"), "已派");
  check(sent.includes("PS1-01"), `PS1-01 is sent: ${sent}`);
  await page.locator(`#follow tr[data-incident="${state.knife}"][data-stage="waiting"]`).waitFor();
  await page.locator('#units tr[data-unit="PS1-01"][data-status="dispatched"]').waitFor();
  check(await row.count() === 0, "a sent incident leaves the pending list");
  await shot("2-waiting-for-acceptance");
}

// One key on the phone; the board must show `status` for PS1-01 without a reload.
async function key(step, word, status, stage) {
  const { page, shot } = state.fo;
  const button = page.locator(`button[data-step="${step}"]`);
  await button.and(page.locator(":enabled")).waitFor();
  const others = await page.locator("button[data-step]:enabled").count();
  check(others === 1, `only the next key (${word}) is open, ${others} are`);
  const board = state.dp.page;
  const loads = await board.evaluate(() => performance.getEntriesByType("navigation").length);
  const said = await toast(page, () => button.click(), word);
  const at = Date.now();
  await board.locator(`#units tr[data-unit="PS1-01"][data-status="${status}"]`).waitFor();
  live.push(Date.now() - at);
  if (stage) await board.locator(`#follow tr[data-incident="${state.knife}"][data-stage="${stage}"]`).waitFor();
  check(await board.evaluate(() => performance.getEntriesByType("navigation").length) === loads, "no reload");
  const stamp = page.locator(`time[data-stamp="${step}"]`);
  await stamp.filter({ hasText: /^\d\d:\d\d:\d\d$/ }).waitFor();
  console.log(`  ${said} · stamped ${await stamp.innerText()} · board live after ${live.at(-1)} ms`);
  await shot(`2-${step}`);
}

async function officerWorks() {
  const { page, shot } = state.fo;
  const card = page.locator("#order-card");
  await card.waitFor(); // arrived live: no reload
  const text = await card.innerText();
  check(text.includes(`#${state.knife}`) && text.includes("有人拿刀") && text.includes("菜市场"),
    `the order shows its number, words and address: ${text}`);
  check(text.includes("138****8000") && !text.includes(NUMBER), "the caller's number is masked");
  check(text.includes("凶器") && text.includes("P1"), "the weapon and the priority are shown");
  await page.locator("#no-position").waitFor(); // a call without a position: go by the address
  await page.locator("button.reveal").click();
  await page.locator("#revealed a", { hasText: NUMBER }).waitFor();
  await shot("2-order");
  await key("accepted", "接单", "accepted", "working");
  await key("en_route", "出发", "en_route");
  await key("on_scene", "到场", "on_scene");

  await page.locator('button[data-step="feedback"]').click();
  check(await page.locator("#result").evaluate((el) => el === document.activeElement), "the result box has focus");
  await page.keyboard.type("双方已被控制，伤者由120送医，嫌疑人带回派出所");
  await page.locator('input[name="outcome"][value="handed_over"]').check();
  await shot("3-feedback");
  const said = await toast(page, () => page.locator("#feedback button[type=submit]").click(), "已反馈");
  check(/\d\d:\d\d:\d\d/.test(said), `the feedback time is shown: ${said}`);
  await page.locator("#no-order").waitFor();
  check(await page.locator("#feedback").isHidden(), "the feedback form is put away for the next order");
  console.log(`  toast: ${said}`);
  await shot("4-fed-back");
}

async function boardCloses() {
  const { page, shot } = state.dp;
  const row = page.locator(`#follow tr[data-incident="${state.knife}"][data-stage="fed_back"]`);
  await row.waitFor();
  const text = await row.innerText();
  check(text.includes("嫌疑人带回派出所") && text.includes("移交"), `the board shows the result and outcome: ${text}`);
  await page.locator('#units tr[data-unit="PS1-01"][data-status="available"]').waitFor();
  await shot("3-fed-back");
  check((await row.locator("button.close kbd").innerText()) === "C", "the first fed-back row closes with C");
  const closed = await toast(page, () => page.keyboard.press("c"), "已结案");
  await row.waitFor({ state: "detached" });
  console.log(`  toast: ${closed}`);
  const stamps = await (await fetch(`${BASE}/api/v1/incidents/${state.knife}`,
    { headers: { Authorization: `Bearer ${TOKENS.dispatcher}` } })).json();
  const times = ["dispatched_at", "accepted_at", "en_route_at", "on_scene_at", "resolved_at", "closed_at"]
    .map((k) => stamps[k]);
  check(times.every(Boolean) && times.every((t, i) => !i || Date.parse(times[i - 1]) <= Date.parse(t)),
    `every time is stamped, in order: ${JSON.stringify(times)}`);
  check(stamps.state === "closed" && stamps.outcome === "handed_over", `closed with its outcome: ${stamps.state}`);
}

// A second call, from the app with a position: the next order reaches the phone with its pin on the map.
async function secondOrder() {
  const api = (path, body) => fetch(`${BASE}/api/v1${path}`, {
    method: "POST", body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${TOKENS.call_taker}`, "Content-Type": "application/json" },
  }).then((r) => r.json());
  const made = await api("/reports", { text: ROBBERY, channel: "app", lat: 23.1291, lon: 113.2644 });
  state.robbery = made.incident.id;
  await api(`/incidents/${state.robbery}/confirm`, {});
  const page = state.dp.page;
  await page.locator(`#pending tr[data-incident="${state.robbery}"]`).waitFor();
  await page.keyboard.press("d");
  await page.locator("#recommend-table tbody tr").first().waitFor();
  await toast(page, () => page.keyboard.press("Enter"), "PS1-01");
  const fo = state.fo.page;
  await fo.locator(`#order-card[data-incident="${state.robbery}"]`).waitFor();
  await fo.locator("[data-pin].leaflet-container path.pin-marker").waitFor();
  await state.fo.shot("5-order-with-pin");
  // The crew says on the radio that it has the order: the dispatcher records it, the phone follows live.
  const radio = page.locator('#units tr[data-unit="PS1-01"] button.radio');
  check((await radio.innerText()).includes("接单"), "the board offers the crew's next step, 接单");
  await toast(page, () => radio.click(), "电台");
  await fo.locator('time[data-stamp="accepted"]').filter({ hasText: /^\d\d:\d\d:\d\d$/ }).waitFor();
  await fo.locator('button[data-step="en_route"]:enabled').waitFor();
  await state.dp.shot("4-board");
}

async function mapPage() {
  const { page, shot } = state.dp;
  await page.goto("/console/map");
  const legend = page.locator("#map-legend");
  await legend.waitFor();
  const words = await legend.innerText();
  check(["空闲", "已接单", "到场", "P1", "派出所"].every((w) => words.includes(w)), `the legend names it all: ${words}`);
  const unit = page.locator("path.unit-PS1-01");
  await unit.waitFor();
  const marker = page.locator(`path.incident-${state.robbery}`);
  await marker.waitFor();
  check(await page.locator("path.station").count() >= 1, "the stations are on the map");
  // At the city's zoom a unit may lie on top of the incident: the click goes to the incident's own marker.
  await marker.dispatchEvent("click");
  const link = page.locator(`.leaflet-popup-content a[href="/console/incidents/${state.robbery}"]`);
  await link.waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector(".leaflet-popup")).opacity === "1");
  console.log(`  popup: ${(await page.locator(".leaflet-popup-content").innerText()).replace(/\s+/g, " ")}`);
  await shot("5-map");
}

// The same order in English: the console's words change, what people wrote stays as written.
async function english() {
  const { page, shot } = state.fo;
  await page.goto("/console/field?lang=en");
  const next = page.locator('button[data-step="en_route"]:enabled');
  await next.waitFor();
  check((await next.innerText()).trim() === "Set off", `the next key reads Set off: ${await next.innerText()}`);
  const card = await page.locator("#order-card").innerText();
  check(card.includes("Order #") && card.includes(ROBBERY), `English words around the caller's own: ${card}`);
  await shot("6-english");
  await page.goto("/console/field?lang=zh");
}

// The crew of the second order reads its result out on the radio; the dispatcher records it on the board, and
// the text being typed survives the live refreshes meanwhile.
async function radioFeedback() {
  const { page, shot } = state.dp;
  await page.goto("/console/dispatch");
  const row = page.locator(`#follow tr[data-incident="${state.robbery}"][data-stage="working"]`);
  await row.locator("button[data-radio-feedback]").click();
  check(await page.locator("#radio-result").evaluate((el) => el === document.activeElement), "the result box has focus");
  await page.keyboard.type("嫌疑人已抓获，包已追回归还失主");
  const fo = state.fo.page;
  await toast(fo, () => fo.locator('button[data-step="en_route"]').click(), "出发"); // a live refresh meanwhile
  await page.locator('#units tr[data-unit="PS1-01"][data-status="en_route"]').waitFor();
  check(await page.locator("#radio-result").inputValue() === "嫌疑人已抓获，包已追回归还失主", "the typing survives");
  await page.locator('#radio-feedback select[name="outcome"]').selectOption("handled");
  await shot("6-radio-feedback");
  await toast(page, () => page.locator("#radio-feedback button[type=submit]").click(), "电台");
  await page.locator(`#follow tr[data-incident="${state.robbery}"][data-stage="fed_back"]`).waitFor();
  check(await page.locator("#radio-feedback").isHidden(), "the form is put away");
  await fo.locator("#no-order").waitFor();
}

function summary() {
  console.log(`p95 key → toast ${percentile(toastTimings, 95).toFixed(0)} ms (n=${toastTimings.length}); ` +
    `p95 officer's key → dispatcher's board ${percentile(live, 95).toFixed(0)} ms (n=${live.length})`);
  console.log(`key → toast, each: ${toastTimings.map((t) => t.toFixed(0)).join(", ")} ms`);
}

await main([
  ["a. officer: no order yet", officerWaits],
  ["b. dispatcher's board opens (and stays open)", boardOpens],
  ["c. call-taker: knife fight, F2 with a reason", callTaken],
  ["d. dispatcher: D, Enter; waiting for acceptance", dispatched],
  ["e. officer at 390×844: 接单 → 出发 → 到场 → 处置反馈, the board follows live", officerWorks],
  ["f. dispatcher: fed back, 结案 from the board; every time stamped", boardCloses],
  ["g. the next order reaches the phone with a map pin", secondOrder],
  ["h. the map: legend, stations, units, incidents, a popup with the incident link", mapPage],
  ["i. the officer's page in English", english],
  ["j. dispatcher: a result read out on the radio, typed through live refreshes", radioFeedback],
  ["summary", summary],
], () => open.filter((p) => !p.isClosed()));
