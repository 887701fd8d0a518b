// Shared pieces of the browser scripts: Debian's Chromium through playwright-core (which downloads no browser),
// logging in through the real form, screenshots into tests/artifacts/, and assertions that name what failed.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const BASE = required("LIFELINE_URL");
export const PASSWORD = required("LIFELINE_PASSWORD");
export const USERS = JSON.parse(required("LIFELINE_USERS")); // role -> username
const ARTIFACTS = process.env.LIFELINE_ARTIFACTS || "../artifacts";
const EXECUTABLE = process.env.LIFELINE_CHROMIUM || "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this network
// refuses. Playwright gives every launch a new, empty --user-data-dir of its own (a temporary profile).
export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export class Failure extends Error {}

const serverErrors = []; // any 5xx the pages received fails the run
const policyViolations = []; // anything the Content-Security-Policy refused fails the run too
const VIOLATION = /Refused to|Content Security Policy/;

// What the policy refused so far, emptied: for a step that makes it refuse something on purpose.
export function takeViolations() {
  return policyViolations.splice(0);
}

// Key → toast: the time from the key (or click) to the toast that answers it, kept for the p95 every run prints.
export const toastTimings = [];
const TOAST_BUDGET_MS = Number(process.env.LIFELINE_TOAST_BUDGET_MS || 300);

// Do something and wait for the toast it brings (the old toast is cleared first, so it cannot be mistaken). The
// time is the person's: from the key or click reaching the page to the toast being put in, both stamped in the
// page, so the automation's own work before the key (finding and scrolling to a button) is not counted.
export async function toast(page, action, pattern) {
  await page.evaluate(() => {
    const box = document.getElementById("toast");
    box.innerHTML = "";
    window.__toastAt = 0;
    window.__actAt = 0;
    window.__setAt = performance.now(); // an action that is neither key nor click counts from here
    if (!window.__toastWatch) {
      window.__toastWatch = new MutationObserver(() => {
        if (!window.__toastAt && document.getElementById("toast-message")) window.__toastAt = performance.now();
      });
      window.__toastWatch.observe(box, { childList: true, subtree: true });
      const acted = () => { if (!window.__actAt) window.__actAt = performance.now(); };
      document.addEventListener("keydown", acted, true);
      document.addEventListener("click", acted, true);
    }
  });
  await action();
  const box = page.locator("#toast-message");
  await box.filter({ hasText: pattern }).waitFor();
  const took = await page.evaluate(() => window.__toastAt - (window.__actAt || window.__setAt));
  toastTimings.push(took);
  const said = await box.innerText();
  if (process.env.LIFELINE_TOAST_LOG) console.log(`  toast ${took.toFixed(0)} ms: ${said}`);
  return said;
}

// The p-th percentile (nearest rank) of a list of milliseconds.
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function check(condition, message) {
  if (!condition) throw new Failure(message);
}

export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A script may ask for more (the video test: fake camera and microphone), through LIFELINE_CHROMIUM_FLAGS.
  const extra = (process.env.LIFELINE_CHROMIUM_FLAGS || "").split(" ").filter(Boolean);
  return chromium.launch({ executablePath: EXECUTABLE, headless: true, args: [...FLAGS, ...extra] });
}

// A new context per person: their own cookies, as on their own desk.
export async function desk(browser, role, prefix, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ baseURL: BASE, locale: "zh-CN", viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("pageerror", (error) => console.log(`[${role}] page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) console.log(`[${role}] ${response.status()} ${response.request().method()} ${response.url()}`);
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (VIOLATION.test(message.text())) policyViolations.push(`[${role}] ${message.text()}`);
    // htmx logs the requests hx-sync="this:replace" cancels while the call-taker types: expected, not errors.
    if (message.type() === "error" && !/^htmx:(sendAbort|afterRequest)/.test(message.text())) console.log(`[${role}] console error: ${message.text()}`);
  });
  await login(page, role);
  return { context, page, shot: (name) => shot(page, `${prefix}-${name}`) };
}

export async function login(page, role) {
  const answer = await page.goto("/login");
  const csp = answer.headers()["content-security-policy"] || "";
  check(/script-src 'self'(;|$)/.test(csp), `the login page carries a CSP allowing only our own scripts: ${csp}`);
  await page.fill("#username", USERS[role]);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/login")), page.click("form button")]);
  check(await page.locator("header .who").innerText().then((t) => t.includes(USERS[role])),
    `after logging in as ${role} the header names the user`);
}

export async function shot(page, name) {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  screenshot ${path}`);
}

// Run the steps in order; on the first failure, say which step and leave a screenshot of every open page.
export async function main(steps, pages = () => []) {
  const started = Date.now();
  let browser;
  try {
    browser = await launch();
    for (const [name, step] of steps) {
      const t0 = Date.now();
      console.log(`step ${name}`);
      await step(browser);
      console.log(`  ok (${Date.now() - t0} ms)`);
    }
    check(serverErrors.length === 0, `the server answered with errors: ${serverErrors.join(", ")}`);
    // The target is 100 ms at p95; on a shared CI machine the run fails at three times that (a real regression)
    // and prints the figure; LIFELINE_TOAST_BUDGET_MS=100 checks the target itself.
    const p95 = percentile(toastTimings, 95);
    check(!(p95 > TOAST_BUDGET_MS), `p95 key → toast ${p95.toFixed(0)} ms is over ${TOAST_BUDGET_MS} ms`);
    check(policyViolations.length === 0, `the consoles broke their CSP: ${policyViolations.join("\n")}`);
    console.log(`all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`FAILED: ${error instanceof Failure ? error.message : error.stack}`);
    for (const [i, page] of pages().entries()) {
      await shot(page, `failure-${i}`).catch(() => {});
    }
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close();
  }
}
