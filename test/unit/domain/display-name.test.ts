import { describe, expect, it } from 'vitest';
import {
  carriesAddress,
  cleanDisplayName,
  hasInvisibleCharacters,
  inertDisplayName,
  MAX_DISPLAY_NAME_LENGTH,
} from '../../../functions/domain/display-name';

describe('the display-name policy', () => {
  it.each([
    ['line breaks', 'Ada\r\nBcc: x', 'Ada Bcc: x'],
    ['a bidi override', 'Ada \u202Egnp.exe', 'Ada gnp.exe'],
    ['bidi isolates and marks', '\u2066Ada\u2069\u200F', 'Ada'],
    ['zero-width characters', 'A\u200Bd\u200Da\uFEFF', 'A d a'],
    ['a lone surrogate', 'Ada \uD800 Lovelace', 'Ada Lovelace'],
    ['line and paragraph separators', 'Ada\u2028Love\u2029lace', 'Ada Love lace'],
    ['markup', '<b>Ada</b>', 'bAda/b'],
    ['runs of whitespace', '  Ada \t\u00A0 Lovelace  ', 'Ada Lovelace'],
    ['a decomposed accent', 'Ame\u0301lie', 'Amélie'],
  ])('cleans %s out of a name', (_, raw, cleaned) => {
    expect(cleanDisplayName(raw)).toBe(cleaned);
  });

  it('caps a name at its length without splitting a character in two', () => {
    expect(cleanDisplayName('a'.repeat(500))).toBe('a'.repeat(MAX_DISPLAY_NAME_LENGTH));
    const emoji = '😀'.repeat(MAX_DISPLAY_NAME_LENGTH + 5);
    expect(Array.from(cleanDisplayName(emoji))).toEqual(Array(MAX_DISPLAY_NAME_LENGTH).fill('😀'));
    expect(cleanDisplayName('\u200B\u202E')).toBe('');
  });

  it('tells invisible characters and addresses apart from ordinary names', () => {
    expect(hasInvisibleCharacters('Acme Research')).toBe(false);
    expect(hasInvisibleCharacters('Acme\u202E')).toBe(true);
    expect(hasInvisibleCharacters('lone \uDC00')).toBe(true);
    expect(carriesAddress('Acme Research')).toBe(false);
    expect(carriesAddress('Booking.com')).toBe(false);
    expect(carriesAddress('Log in at https://evil.test/login')).toBe(true);
    expect(carriesAddress('see www.evil.test')).toBe(true);
    expect(carriesAddress('mail help@evil.test')).toBe(true);
  });

  it('shows addresses inert to readers outside the workspace, and does so only once', () => {
    const cases: [string, string][] = [
      ['Log in at https://evil.test/login to accept', 'Log in at hxxps[:]//evil[.]test/login to accept'],
      ['Write to help@evil.test', 'Write to help[at]evil[.]test'],
      ['Visit www.evil.test now', 'Visit www[.]evil[.]test now'],
      ['Booking.com', 'Booking[.]com'],
      ['ftp://files.evil.test', 'ftp[:]//files[.]evil[.]test'],
      ['J. R. R. Tolkien', 'J. R. R. Tolkien'],
      ['café.société', 'café[.]société'],
      ['v1.2 release', 'v1.2 release'],
      ['Acme Research', 'Acme Research'],
    ];
    for (const [name, inert] of cases) {
      expect(inertDisplayName(name), name).toBe(inert);
      expect(inertDisplayName(inert), inert).toBe(inert);
    }
  });
});
