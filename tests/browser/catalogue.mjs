// The matters catalogue at the call-taker's desk: while a car-moving call is typed, the suggestion panel shows the
// catalogue item, its owner and the words to say, before the divert key (F4); F4 raises the order, which carries it.
import { check, desk, main, toast } from "./browser.mjs";

const TEXT = "有辆车挡住我的车了，麻烦帮我挪车，在幸福小区东门";
const state = {};
const open = [];

async function seesTheItem(browser) {
  const ct = await desk(browser, "call_taker", "c-call-taker");
  open.push(ct.page);
  state.ct = ct;
  const page = ct.page;
  await page.fill("#text", TEXT);
  const card = page.locator("#catalogue-item");
  await card.waitFor();
  check((await card.getAttribute("data-item")) === "car_moving_blocked", "the item is the car-moving one");
  const name = await page.locator("#item-name").innerText();
  const owner = await page.locator("#item-owner").innerText();
  const say = await page.locator("#item-say").innerText();
  check(name.includes("挪车"), `the item's name is shown: ${name}`);
  check(owner.includes("12345"), `its owner is shown: ${owner}`);
  check(say.includes("12345") && say.includes("车主"), `the words to say are shown: ${say}`);
  console.log(`  item: ${name} · owner ${owner} · say: ${say}`);
  await ct.shot("1-item");
}

async function divert() {
  const { page } = state.ct;
  const sent = await toast(page, () => page.keyboard.press("F4"), "12345");
  state.id = Number(/#(\d+)/.exec(sent)[1]);
  console.log(`  toast: ${sent}`);
  console.log(`INCIDENT ${state.id}`);
  await state.ct.context.close();
}

await main([["the call-taker sees the item before F4", seesTheItem], ["F4 diverts", divert]], () => open);
