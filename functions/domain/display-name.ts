/**
 * The one policy for names people choose and others read: an inviter's `name` claim, a member's
 * handle, a workspace's name (README, "Display names").
 *
 * 1. Invisible and layout characters never count: control characters (CR, LF, tab, …), format
 *    characters (bidi overrides and isolates, zero-width spaces and joiners, soft hyphens, BOM),
 *    line and paragraph separators, and lone surrogates. Input a client types (workspace names)
 *    is refused when it has any; claims an identity provider vouches for are cleaned instead.
 * 2. No markup: `<` and `>` are refused in workspace names and dropped from claims.
 * 3. Whitespace runs become one space; the name is trimmed, NFC-normalised and at most
 *    MAX_DISPLAY_NAME_LENGTH characters long.
 * 4. A web address or an email address is not a name. Workspace names carrying one are refused;
 *    wherever a name reaches someone outside the workspace (emails, the public link preview) any
 *    address-like part is shown defanged (`evil[.]test`, `hxxps[:]//`, `a[at]b[.]c`), so that it
 *    neither becomes a link nor reads like an instruction next to the real link.
 */

export const MAX_DISPLAY_NAME_LENGTH = 100;
export const MAX_HANDLE_LENGTH = 64;

/** Characters that are never part of a shown name. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

const SCHEME = /\b[a-z][a-z0-9+.-]*:\/\//i;
const WWW = /\bwww\./i;
const EMAIL_LIKE = /[^\s@]+@[^\s@]+\.[^\s@]+/u;
/** A dotted name whose last label is letters: `evil.test`, `login.example.com`, `Booking.com`. */
const DOMAIN_LIKE = /[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?![\p{L}\p{N}])/u;

/** Whether the text holds a character rule 1 rules out. */
export function hasInvisibleCharacters(value: string): boolean {
  return INVISIBLE.test(value);
}

/** Whether the text holds markup characters (rule 2). */
export function hasMarkup(value: string): boolean {
  return /[<>]/.test(value);
}

/** Whether the text carries a web address (with a scheme or `www.`) or an email address. */
export function carriesAddress(value: string): boolean {
  return SCHEME.test(value) || WWW.test(value) || EMAIL_LIKE.test(value);
}

/** Rules 1 to 3 applied by cleaning: what a name claim is stored as. Empty if nothing is left. */
export function cleanDisplayName(value: string, maxLength = MAX_DISPLAY_NAME_LENGTH): string {
  const visible = value.normalize('NFC').replace(INVISIBLE_ALL, ' ').replace(/[<>]/g, '').replace(/\s+/gu, ' ').trim();
  return truncate(visible, maxLength).trim();
}

/** Rule 4 for readers outside the workspace: address-like parts defanged. Idempotent. */
export function inertDisplayName(value: string): string {
  const cleaned = cleanDisplayName(value);
  return cleaned
    .replace(new RegExp(SCHEME.source, 'gi'), (scheme) =>
      scheme.replace(/^http/i, (h) => `${h[0]}xx${h.slice(3)}`).replace('://', '[:]//'),
    )
    .replace(/@/g, '[at]')
    .replace(new RegExp(DOMAIN_LIKE.source, 'gu'), (domain) => domain.replaceAll('.', '[.]'));
}

/** At most `maxLength` characters (code points), never splitting a surrogate pair. */
function truncate(value: string, maxLength: number): string {
  const characters = Array.from(value);
  return characters.length <= maxLength ? value : characters.slice(0, maxLength).join('');
}
