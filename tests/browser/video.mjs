// 视频报警 in Chromium with fake camera and microphone: a caller opens /alarm on a phone-sized page and starts a
// video alarm; a call-taker takes it from the one queue, sees the caller's video playing, asks for the scene,
// takes a labelled snapshot, and records the call (F2): the snapshot is on the incident.
import { BASE, check, desk, main, toast } from "./browser.mjs";

const open = [];

async function video(browser) {
  const phone = await browser.newContext({ baseURL: BASE, locale: "zh-CN", viewport: { width: 390, height: 844 },
    permissions: ["camera", "microphone", "geolocation"], geolocation: { latitude: 23.1291, longitude: 113.2644 } });
  phone.setDefaultTimeout(15_000);
  const caller = await phone.newPage();
  open.push(caller);
  caller.on("pageerror", (error) => console.log(`[caller] page error: ${error.message}`));
  await caller.goto("/alarm");
  await caller.fill("#alarm-number", "13912345678");
  await caller.fill("#alarm-address", "人民路与解放路路口");
  await caller.click("#alarm-start");
  await caller.waitForFunction(() => document.getElementById("alarm-state").textContent.includes("呼叫"));
  await caller.screenshot({ path: `${process.env.LIFELINE_ARTIFACTS}/v-caller-1-calling.png` });

  const ct = await desk(browser, "call_taker", "v-call-taker");
  open.push(ct.page);
  const page = ct.page;
  const row = page.locator('#queue-table tr[data-channel="video"]');
  await row.waitFor();
  check((await row.innerText()).includes("视频"), `the video alarm waits in the queue: ${await row.innerText()}`);
  await page.keyboard.press("F1");
  await page.locator("#video-desk").waitFor();
  await page.waitForFunction(() => document.getElementById("video-remote").videoWidth > 0, null, { timeout: 20_000 });
  const size = await page.evaluate(() => [document.getElementById("video-remote").videoWidth, document.getElementById("video-remote").videoHeight]);
  console.log(`  the caller's video plays at the seat: ${size[0]}×${size[1]}`);
  await caller.waitForFunction(() => document.getElementById("alarm-state").textContent.includes("已接通"));

  await page.click("#video-film");
  await caller.waitForFunction(() => !document.getElementById("alarm-request").hidden);
  check((await caller.locator("#alarm-request").innerText()).includes("现场"), "the caller is asked to film the scene");
  await caller.screenshot({ path: `${process.env.LIFELINE_ARTIFACTS}/v-caller-2-asked.png` });

  await page.selectOption("#video-label", "甲方车牌");
  await page.click("#video-snapshot");
  await page.waitForFunction(() => document.getElementById("video-shots").dataset.count === "1");
  await ct.shot("1-video");
  await page.fill("#text", "两车刮擦，没有人受伤，对方不肯挪车");
  await toast(page, () => page.keyboard.press("F2"), /警情 #\d+/);
  await phone.close();
  await ct.context.close();
}

await main([["video", video]], () => open);
