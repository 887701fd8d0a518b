// The nuisance queue in Chromium: a supervisor sees a number that meets the criteria with its evidence, opens its
// case, records a review and a warning and sets a flag; then the call console shows the flag at pickup of that
// number's next call, which the call-taker still dispatches like any other.
import { check, desk, main, toast } from "./browser.mjs";

const NUMBER = process.env.LIFELINE_NUMBER;
const open = [];

async function queue(browser) {
  const sv = await desk(browser, "supervisor", "n-supervisor");
  open.push(sv.page);
  const page = sv.page;
  await page.goto("/console/nuisance");
  const row = page.locator(`#nuisance-queue tr[data-number="${NUMBER}"]`);
  await row.waitFor();
  check((await row.innerText()).includes("12"), `the queue shows the number with its 12 false calls: ${await row.innerText()}`);
  const evidence = page.locator("#nuisance-queue tr.evidence details").first();
  await evidence.locator("summary").click();
  const words = await evidence.innerText();
  check(words.includes("骗你的") && words.includes("REC-"), `the evidence shows the words and the recording: ${words.slice(0, 200)}`);
  await sv.shot("1-queue");
  await row.locator("button.open-case").click();
  await page.locator("#case-number").waitFor();
  check((await page.locator("#case-windows").innerText()).includes("达到认定标准"), "the case says the number meets the criteria");

  async function record(step, note, means = "") {
    await page.selectOption("#step", step);
    if (means) await page.selectOption("#means", means);
    await page.fill("#note", note);
    const before = await page.locator("#case-steps li").count();
    await page.click("#record-step");
    await page.waitForFunction((n) => document.querySelectorAll("#case-steps li").length > n, before);
    check(await page.locator("#case-refused").count() === 0, `the ${step} is recorded`);
  }
  await record("review", "三个月内谎报 12 次，录音已核");
  check((await page.locator("#case-state").innerText()).includes("已审查"), "the case is reviewed");
  await record("warning", "电话告诫，本人承认", "call");
  check((await page.locator("#case-state").innerText()).includes("已警示"), "the case is warned");
  await record("flag", "标记，30 天后复核");
  const flag = await page.locator("#case-flag").innerText();
  check(flag.includes("标记中") && (await page.locator("#flag-ends").count()) === 1, `the flag and its end show: ${flag}`);
  console.log(`  flag: ${flag.replace(/\s+/g, " ")}`);
  await page.waitForLoadState("networkidle");
  await sv.shot("2-flagged");
  await sv.context.close();
}

async function pickup(browser) {
  const ct = await desk(browser, "call_taker", "n-call-taker");
  open.push(ct.page);
  const page = ct.page;
  await page.fill("#caller_number", NUMBER);
  await page.press("#caller_number", "Tab");
  const shown = page.locator("#caller-case");
  await shown.waitFor();
  const text = await shown.innerText();
  check(text.includes("标记中") && text.includes("不得挂断或降级"), `the call console shows the flag at pickup: ${text}`);
  check((await page.locator("#caller-plan").innerText()).includes("标记"), "and the plan: the latest step");
  await page.fill("#text", "有人拿刀砍人，在解放路88号");
  await page.fill("#reason", "持刀伤人，派警");
  await page.waitForLoadState("networkidle");
  await ct.shot("3-pickup");
  const sent = await toast(page, () => page.keyboard.press("F2"), "已派警");
  console.log(`  toast: ${sent}`);
}

await main([["the supervisor's queue, review, warning and flag", queue], ["the flag at pickup", pickup]], () => open);
