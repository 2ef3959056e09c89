/** Where the browser tests find a Chromium: CHROMIUM_PATH, else Debian's (`apt-get install -y chromium`). */
import { existsSync } from 'node:fs';

export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string));
}

export const NO_CHROMIUM =
  'Browser tests skipped: no Chromium found (install it with `apt-get install -y chromium`, or set CHROMIUM_PATH).';
