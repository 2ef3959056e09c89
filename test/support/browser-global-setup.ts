import { chromiumPath, NO_CHROMIUM } from './chromium';

/** Under CI a missing Chromium fails the run (.ci/run installs it); elsewhere the browser tests are skipped, and this says so once. */
export default function setup() {
  if (chromiumPath()) return;
  if (process.env.CI === 'true') throw new Error(`CI=true and no Chromium: ${NO_CHROMIUM}`);
  console.log(`\n${NO_CHROMIUM}\n`);
}
