// The 12345 knowledge panel in Chromium: a hotline operator types a caller's question on the call console, the
// panel finds the article as she types (debounced), shows the words to read out, and 直接答复 closes the call
// with no work order; a knife call gets no answer from it and is refused if answered anyway.
import { check, desk, main, toast } from "./browser.mjs";

const open = [];

async function answered(browser) {
  const op = await desk(browser, "hotline_operator", "kb-operator");
  open.push(op.page);
  const page = op.page;
  await page.goto("/console/calls");
  await page.fill("#caller_number", "13912345678");
  await page.locator("#text").pressSequentially("你好，我想问一下外地户口怎么办居住证", { delay: 20 });
  const article = page.locator("#knowledge .kb-article").first();
  await article.waitFor();
  const shown = await article.innerText();
  check(shown.includes("居住证的办理条件和材料") && shown.includes("派出所户籍窗口"), `the panel shows the article and its answer: ${shown}`);
  // The search box narrows it too, and a question no article answers says so.
  await page.fill("#kb-q", "今天天气怎么样");
  await page.locator("#knowledge p.muted").filter({ hasText: "没有相关答复" }).waitFor();
  await page.fill("#kb-q", "");
  await page.locator("#kb-q").dispatchEvent("search");
  await page.locator("#knowledge .kb-article").first().waitFor();
  await page.fill("#kb-note", "已告知办理材料");
  await page.waitForLoadState("networkidle");
  await op.shot("1-panel");
  const said = await toast(page, () => page.locator("#knowledge .kb-article button.b-answer").first().click(), "直接答复");
  check(said.includes("已结案"), `the call is closed as answered: ${said}`);
  console.log(`  toast: ${said}`);
}

async function knife(browser) {
  const op = await desk(browser, "hotline_operator", "kb-knife");
  open.push(op.page);
  const page = op.page;
  await page.goto("/console/calls");
  await page.fill("#text", "有人拿刀在菜市场门口追着砍人");
  await page.fill("#kb-q", "居住证");
  await page.locator("#knowledge .kb-article").first().waitFor();
  const said = await toast(page, () => page.locator("#knowledge .kb-article button.b-answer").first().click(), "警务");
  console.log(`  refused: ${said}`);
  await op.shot("2-refused");
}

await main([["answered directly from the panel", answered], ["a knife call is refused", knife]], () => open);
