// Each person's page at the size they use it: 1920×1080 at a desk, 390×844 on a field officer's phone. Every page
// must fit its width (no sideways scrolling), show its heading and raise no error; a screenshot of each is kept
// (LIFELINE_SCREENS, else tests/artifacts/screens). docs/screens is made by this script:
//   LIFELINE_SCREENS=$PWD/docs/screens pytest tests/browser/test_screens.py
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BASE, check, desk, main } from "./browser.mjs";

const OUT = process.env.LIFELINE_SCREENS || join(process.env.LIFELINE_ARTIFACTS || "../artifacts", "screens");
const TOKENS = JSON.parse(process.env.LIFELINE_TOKENS || "{}");
const DESK = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const open = [];

async function api(user, method, path, sent) {
  const answer = await fetch(`${BASE}/api/v1${path}`, {
    method, headers: { Authorization: `Bearer ${TOKENS[user]}`, "Content-Type": "application/json" },
    body: sent ? JSON.stringify(sent) : undefined,
  });
  const text = await answer.text();
  check(answer.ok, `${method} ${path} as ${user}: ${answer.status} ${text}`);
  return JSON.parse(text);
}

// A desk in the middle of a shift: calls of each kind, one sent to a unit, one diverted, one silent.
const ids = {};
async function shift() {
  const report = async (text, extra = {}) => (await api("call_taker", "POST", "/reports", { text, ...extra })).incident.id;
  ids.knife = await report("有人拿刀在菜市场门口追着砍人，已经有人受伤了", { caller_number: "13812345678", location_text: "城关街道菜市场门口" });
  await api("call_taker", "POST", `/incidents/${ids.knife}/confirm`, { disposition: "joint" });
  ids.fight = await report("人民路夜市有人打架，好几个人围着一个人打", { caller_number: "13900001111", location_text: "人民路夜市" });
  await api("call_taker", "POST", `/incidents/${ids.fight}/confirm`, { disposition: "police" });
  const units = (await api("dispatcher", "GET", "/units")).items;
  await api("dispatcher", "POST", `/incidents/${ids.knife}/assign`, { unit: units[0].id });
  ids.food = await report("超市卖过期食品，要求退款不给退", { caller_number: "13700002222" });
  await api("call_taker", "POST", `/incidents/${ids.food}/confirm`, { disposition: "divert" });
  await report("", { caller_number: "13600003333" });
}

const SCREENS = [
  ["call_taker", "/console/calls", DESK, "call-taker"],
  ["dispatcher", "/console/dispatch", DESK, "dispatcher"],
  ["dispatcher", "/console/map", DESK, "map"],
  ["field_officer", "/console/field", PHONE, "field-officer"],
  ["hotline_operator", "/console/orders", DESK, "hotline-operator"],
  ["agency_handler", "/console/orders", DESK, "agency-handler"],
  ["supervisor", "/console/dashboard", DESK, "supervisor"],
  ["dispatcher", () => `/console/incidents/${ids.knife}`, DESK, "incident"],
  ["dispatcher", () => "/console/search?q=菜市场", DESK, "search"],
];

async function screens(browser) {
  mkdirSync(OUT, { recursive: true });
  await shift();
  for (const [role, where, viewport, name] of SCREENS) {
    const path = typeof where === "function" ? where() : where;
    const person = await desk(browser, role, `screen-${name}`, viewport);
    open.push(person.page);
    const answer = await person.page.goto(path);
    check(answer.ok(), `${path} as ${role}: ${answer.status()}`);
    await person.page.waitForLoadState("networkidle");
    const { scroll, width, heading } = await person.page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, width: window.innerWidth,
      heading: (document.querySelector("main h1, main h2") || { innerText: "" }).innerText.trim(),
    }));
    check(scroll <= width + 1, `${path} as ${role} at ${viewport.width}×${viewport.height} scrolls sideways: ${scroll} px`);
    check(heading.length > 0, `${path} as ${role} shows a heading`);
    await person.page.waitForTimeout(1000); // the charts' and the map's drawing settles
    const file = join(OUT, `${name}.png`);
    await person.page.screenshot({ path: file });
    console.log(`  ${name}: ${path} as ${role} at ${viewport.width}×${viewport.height} fits (${scroll} px) → ${file}`);
    await person.context.close();
  }
}

await main([["every role's page at its size", screens]], () => open.filter((p) => !p.isClosed()));
