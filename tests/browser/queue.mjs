// The one queue on the 接警台 in Chromium: a ringing call and a 12110 text wait in it; the call-taker takes the call
// (F1 takes the first), sees its number and history, types what the caller says and sends police (F2); then takes
// the text, which opens its incident with the conversation, and answers it by text.
import { check, desk, main, toast } from "./browser.mjs";

const CALL = process.env.LIFELINE_CALL_CONTACT;
const TEXT = process.env.LIFELINE_TEXT_CONTACT;
const NUMBER = process.env.LIFELINE_NUMBER;
const open = [];

async function queue(browser) {
  const ct = await desk(browser, "call_taker", "q-call-taker");
  open.push(ct.page);
  const page = ct.page;
  const rows = page.locator("#queue-table tbody tr[data-contact]");
  await rows.nth(1).waitFor();
  const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.contact));
  check(order[0] === CALL && order[1] === TEXT, `the call (floor 2) waits before the text (floor 3): ${order}`);
  check((await page.locator("#queue-count").innerText()).trim() === "2", "the tab counts two waiting");
  const ringing = await rows.first().innerText();
  check(ringing.includes("振铃") && ringing.includes("****"), `the ringing call shows its masked number: ${ringing}`);
  await ct.shot("1-queue");

  await page.keyboard.press("F1"); // take the first: the call
  await page.locator("#contact-taken").waitFor();
  check((await page.locator("#contact-number").innerText()).includes(NUMBER), "the seat that took it reads the number");
  check(await page.locator("#contact-history #caller-stats").count() === 1, "with the caller's history");
  await page.fill("#text", "有人拿刀在人民路菜市场门口追着砍人");
  await page.waitForFunction(() => document.querySelector("#suggestion")?.innerText.includes("P1"));
  await ct.shot("2-call-taken");
  await toast(page, () => page.keyboard.press("F2"), /警情 #\d+/);
  await page.waitForFunction(() => document.getElementById("contact").innerHTML.trim() === "");
  await page.waitForFunction((id) => !document.querySelector(`#queue-table tr[data-contact="${id}"]`), CALL);

  const text = page.locator(`#queue-table tr[data-contact="${TEXT}"] button`);
  await Promise.all([page.waitForURL(/\/console\/incidents\/\d+$/), text.click()]);
  const thread = page.locator("#contact-thread");
  await thread.waitFor();
  check((await thread.innerText()).includes("身份证丢了"), "the incident shows the conversation");
  check((await page.locator("#incident-contact").innerText()).includes("12110"), "and its channel");
  await page.fill("#reply-form textarea", "您好，请带户口簿到户籍窗口补办");
  await toast(page, () => page.click("#reply-form button"), /回复已排队|queued/);
  await page.locator('#contact-thread li.msg-out').waitFor();
  await ct.shot("3-text-answered");
  await ct.context.close();
}

await main([["queue", queue]], () => open);
