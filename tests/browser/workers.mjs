// Two workers behind one address (`lifeline serve --workers 2`): the dispatcher's console, whose live stream one
// worker serves, shows at once an incident that the other worker took. Each answer names its worker
// (X-Lifeline-Worker); reports are sent on fresh connections until one lands on the other worker.
import http from "node:http";
import { BASE, check, desk, main } from "./browser.mjs";

const TOKENS = JSON.parse(process.env.LIFELINE_TOKENS || "{}");
const open = [];

// One request on its own connection (no keep-alive), so that the kernel may hand it to either worker.
function fresh(method, path, body) {
  const data = body ? JSON.stringify(body) : "";
  return new Promise((resolve, reject) => {
    const request = http.request(`${BASE}/api/v1${path}`, {
      method, agent: false,
      headers: { Authorization: `Bearer ${TOKENS.call_taker}`, "Content-Type": "application/json",
                 "Content-Length": Buffer.byteLength(data) },
    }, (answer) => {
      let text = "";
      answer.on("data", (chunk) => (text += chunk));
      answer.on("end", () => resolve({ status: answer.statusCode, worker: answer.headers["x-lifeline-worker"], text }));
    });
    request.on("error", reject);
    request.end(data);
  });
}

async function twoWorkers(browser) {
  const d = await desk(browser, "dispatcher", "workers");
  open.push(d.page);
  const page = d.page;
  let streamWorker;
  page.on("response", (r) => { if (r.url().includes("/console/stream")) streamWorker = r.headers()["x-lifeline-worker"]; });
  await page.goto(`${BASE}/console/dispatch`);
  await page.locator("#pending").waitFor();
  for (let i = 0; i < 50 && !streamWorker; i++) await page.waitForTimeout(100);
  check(streamWorker, "the console's live stream names its worker");
  let taken;
  // Four at once on connections of their own, so that both workers take some.
  for (let round = 0; round < 20 && !taken; round++) {
    await Promise.all([0, 1, 2, 3].map(async (k) => {
      const n = round * 4 + k;
      const report = await fresh("POST", "/reports", { text: `人民路${n}号有人持刀抢劫，抢了一个包往东跑了` });
      check(report.status === 201, `report ${report.status}: ${report.text}`);
      const id = JSON.parse(report.text).incident.id;
      const confirmed = await fresh("POST", `/incidents/${id}/confirm`, {});
      check(confirmed.status === 200, `confirm ${confirmed.status}: ${confirmed.text}`);
      if (!taken && confirmed.worker !== streamWorker) taken = { id, worker: confirmed.worker };
    }));
  }
  check(taken, `no report landed on a worker other than ${streamWorker}`);
  const started = Date.now();
  await page.locator(`#pending [data-incident="${taken.id}"]`).first().waitFor({ timeout: 5000 });
  console.log(JSON.stringify({ stream_worker: streamWorker, intake_worker: taken.worker, incident: taken.id,
                               seen_after_ms: Date.now() - started }));
  await d.shot("1-seen-from-the-other-worker");
  await d.context.close();
}

await main([["two workers", twoWorkers]], () => open);
