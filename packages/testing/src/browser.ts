/**
 * Real headless Chromium for browser tests: Debian's `chromium` (or `CHROMIUM_PATH`), driven by
 * `playwright-core` with `executablePath` (no browser download). Under `CI=true` a missing browser
 * fails the tests; elsewhere `browserAvailable()` lets a test file skip with a printed reason.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 * await page.goto(url);
 * await browser.close();
 *
 * @module
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";

/** Where the Chromium binary is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

/**
 * `true` when Chromium is installed. Under `CI=true` it throws instead of answering `false`, so a CI
 * machine without the browser fails rather than skipping the browser tests.
 */
export function browserAvailable(): boolean {
  const found = existsSync(chromiumPath());
  if (!found && process.env.CI === "true") {
    throw new Error(
      `Chromium not found at ${chromiumPath()} (CI=true): install Debian's chromium or set CHROMIUM_PATH`,
    );
  }
  return found;
}

/**
 * Launches headless Chromium with the flags this project's closed network needs (no background
 * networking, no component updates, no sync, no QUIC) and a fresh profile.
 */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
    ...options,
  });
}
