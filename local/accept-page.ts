/**
 * The page invitation links open on this machine (the default ACCEPT_URL), from the files in
 * local/accept-page/: the reference for a product's own invitee page. It runs under a strict
 * Content-Security-Policy: no inline script or style.
 */
import { readFileSync } from 'node:fs';

const file = (name: string) => readFileSync(new URL(`./accept-page/${name}`, import.meta.url), 'utf8');

export const ACCEPT_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Path → [content type, body]. */
export const ACCEPT_PAGE_FILES: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['/accept', ['text/html; charset=utf-8', file('index.html')]],
  ['/accept.js', ['text/javascript; charset=utf-8', file('accept.js')]],
  ['/accept.css', ['text/css; charset=utf-8', file('accept.css')]],
]);
