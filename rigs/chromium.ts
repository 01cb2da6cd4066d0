/**
 * Debian's headless Chromium for the browser tests and benchmarks (playwright-core drives it):
 * one set of flags for a container (no sandbox, no GPU, /dev/shm may be small). A missing
 * binary is a failure saying how to install it (binaries.ts).
 */
import { type Browser, chromium } from 'playwright-core';
import { requireBinary } from './binaries.ts';

/** @example const browser = await launchChromium(); … await browser.close(); */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireBinary('chromium'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}
