// The missing-person board in Chromium: a call-taker opens a case from a missing child's incident, the board shows
// it high risk with an overdue case in red, and the case is worked to its end on its page: a review, a sighting
// dropped on the map, found, and closed only after the safe-and-well check.
import { check, desk, main, toast } from "./browser.mjs";

const INCIDENT = Number(process.env.LIFELINE_INCIDENT);
const OVERDUE = Number(process.env.LIFELINE_OVERDUE);
const state = {};
const open = [];

async function openFromTheIncident(browser) {
  const ct = await desk(browser, "call_taker", "m-call-taker");
  open.push(ct.page);
  state.ct = ct;
  const page = ct.page;
  await page.goto(`/console/incidents/${INCIDENT}`);
  await Promise.all([page.waitForURL(/\/console\/missing\/\d+$/), page.locator("#open-missing button").click()]);
  state.id = Number(/missing\/(\d+)$/.exec(page.url())[1]);
  const grade = await page.locator("#case-grade").innerText();
  check(grade.includes("高") && grade.includes("5 岁儿童"), `the child is graded high, with the reason: ${grade}`);
  check((await page.locator("#case-review").innerText()).includes("每2 小时"), "reviews are due every 2 hours");
  check(await page.locator("#case-tasks tr").count() >= 6, "the search starts with its standard tasks");
  console.log(`  case #${state.id}: ${grade.replace(/\s+/g, " ")}`);
  await ct.shot("1-case");
}

async function board() {
  const { page, shot } = state.ct;
  await page.goto("/console/missing");
  const rows = page.locator("#missing-cases tbody tr");
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.case)));
  check(ids.includes(state.id) && ids.includes(OVERDUE), `both open cases are on the board: ${ids}`);
  const late = page.locator(`#missing-cases tr[data-case="${OVERDUE}"]`);
  check((await late.getAttribute("class")).includes("overdue"), "the case whose review is overdue is marked");
  check((await late.innerText()).includes("已超时"), "and says it is overdue");
  const colour = await late.locator("td").last().evaluate((td) => getComputedStyle(td).color);
  check(colour !== "rgb(0, 0, 0)", `the overdue review is in colour: ${colour}`);
  check(Number(await page.locator("#overdue-count").innerText()) >= 1, "the board counts overdue reviews");
  await shot("2-board");
}

async function workTheCase() {
  const { page, shot } = state.ct;
  await page.goto(`/console/missing/${state.id}`);
  await page.fill("#review-form input[name=note]", "周边 500 米已搜，调取两处监控");
  await toast(page, () => page.locator("#review-form button").click(), "已更新");
  await page.locator("#case-timeline li", { hasText: "复核" }).waitFor();

  await page.locator(".missing-map.leaflet-container").waitFor();
  const box = await page.locator(".missing-map").boundingBox();
  await page.mouse.click(box.x + box.width / 3, box.y + box.height / 3);
  const lat = Number(await page.locator("#sighting-form input[name=lat]").inputValue());
  check(lat > 20 && lat < 26, `a click on the map fills the sighting's latitude: ${lat}`);
  await page.fill("#sighting-form input[name=place]", "滨江公园南门");
  await page.fill("#sighting-form input[name=source]", "环卫工人");
  await toast(page, () => page.locator("#sighting-form button").click(), "已更新");
  await page.locator("#case-sightings li", { hasText: "滨江公园南门" }).waitFor();
  await page.locator(".missing-map path.sighting").waitFor();

  await page.selectOption("#outcome-form select[name=outcome]", "found");
  await page.fill("#outcome-form input[name=place]", "滨江公园");
  await page.fill("#outcome-form input[name=note]", "在公园长椅找到");
  await toast(page, () => page.locator("#outcome-form button").click(), "已更新");
  await page.locator("#safe-well-form").waitFor();
  check((await page.locator("#case-state").innerText()).includes("待核查"), "found: waiting for the check");
  await shot("3-found");
  await page.fill("#safe-well-form input[name=note]", "已交还母亲，身体无碍");
  await toast(page, () => page.locator("#safe-well-form button").click(), "已更新");
  await page.locator("#case-state", { hasText: "反馈结案" }).waitFor();
  await page.waitForLoadState("networkidle");
  await shot("4-closed");
  await page.goto("/console/missing");
  check(await page.locator(`#missing-cases tr[data-case="${state.id}"]`).count() === 0, "a closed case leaves the board");
}

await main([["open a case from the incident", openFromTheIncident], ["the board", board],
  ["work the case to its end", workTheCase]], () => open);
