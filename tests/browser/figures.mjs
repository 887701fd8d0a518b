// 统计分析 in Chromium: a supervisor asks for this month's figures by district, reads them beside the month before
// and a year earlier, then downloads the monthly report from the figures page and the daily one from the command
// screen — each a real .xlsx download — and exports today's incidents as CSV, numbers masked.
import { readFileSync } from "node:fs";
import { check, desk, main } from "./browser.mjs";

const CALLS = Number(process.env.LIFELINE_CALLS);
const state = {};

async function figures(browser) {
  const sv = await desk(browser, "supervisor", "fig-supervisor");
  state.sv = sv;
  const { page, shot } = sv;
  await page.goto("/console/dashboard");
  check(await page.locator("header a[href='/console/figures']").count() === 1, "the command screen links to the figures");
  await page.goto("/console/figures");
  await page.selectOption("#figures-form select[name=period]", "month");
  await page.selectOption("#figures-form select[name=group_by]", "category");
  await Promise.all([page.waitForURL(/group_by=category/), page.locator("#figures-show").click()]);
  const calls = await page.locator("#figures-table tr[data-kpi=calls] td").nth(1).innerText();
  check(Number(calls.trim()) === CALLS, `this month's calls are the ${CALLS} made: ${calls}`);
  const title = await page.locator("#figures-table tr[data-kpi=answer_rate]").getAttribute("title");
  check(title.includes("实时来电"), `a figure shows its formula on hover: ${title}`);
  const groups = await page.locator("#groups-table tbody tr").count();
  check(groups >= 2, `the month by category has a row per category: ${groups}`);
  await shot("1-month-by-category");
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#report-month").click()]);
  check(/^lifeline-monthly-\d{4}-\d{2}-01\.xlsx$/.test(download.suggestedFilename()),
    `the monthly report downloads as a workbook: ${download.suggestedFilename()}`);
  const bytes = readFileSync(await download.path()).subarray(0, 2).toString();
  check(bytes === "PK", `the download is a zip-based .xlsx: ${bytes}`);
}

async function dailyFromTheCommandScreen() {
  const { page } = state.sv;
  await page.goto("/console/dashboard");
  await page.selectOption("#report-form select[name=kind]", "daily");
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#report-download").click()]);
  check(/^lifeline-daily-\d{4}-\d{2}-\d{2}\.xlsx$/.test(download.suggestedFilename()),
    `the daily report downloads from the command screen: ${download.suggestedFilename()}`);
  const [exported] = await Promise.all([page.waitForEvent("download"), page.locator("#export-download").click()]);
  const lines = readFileSync(await exported.path(), "utf-8").trim().split("\n");
  check(lines.length === CALLS + 1 && lines[0].includes("接警时间 received_at"),
    `today's incidents export as CSV with every time: ${lines.length - 1} rows`);
  check(!lines.slice(1).some((line) => /1[3-9]\d{9}/.test(line)), "no caller number leaves unmasked");
}

await main([["this month's figures, by category", figures], ["the daily report", dailyFromTheCommandScreen]],
  () => [state.sv?.page].filter(Boolean));
