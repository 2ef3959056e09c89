import { describe, expect, it } from 'vitest';
import {
  emailDomain,
  isEmailDomainAllowed,
  isValidDomain,
  isValidEmail,
  maskEmail,
  normalizeEmail,
} from '../../../functions/domain/email';

describe('email rules', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM \n')).toBe('jane.doe@example.com');
  });

  it.each([
    ['jane@example.com', true],
    ['jane+tag@sub.example.co.uk', true],
    ["o'brien@example.ie", true],
    ['  JANE@EXAMPLE.COM  ', true],
    ['jane', false],
    ['jane@', false],
    ['@example.com', false],
    ['jane@example', false],
    ['jane doe@example.com', false],
    ['jane@exa mple.com', false],
    ['<script>@example.com', false],
    ['jane@example.com<script>', false],
    ["' OR 1=1 --@example.com", false],
    ['jane@@example.com', false],
    [`${'a'.repeat(65)}@example.com`, false],
    [`a@${'b'.repeat(250)}.com`, false],
  ])('%s is valid: %s', (email, valid) => {
    expect(isValidEmail(email)).toBe(valid);
  });

  it('rejects addresses longer than 254 characters', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
    expect(`${local}@${domain}`.length).toBeGreaterThan(254);
    expect(isValidEmail(`${local}@${domain}`)).toBe(false);
  });

  it('reads the domain of a normalized address', () => {
    expect(emailDomain(' Jane@Sub.Example.com ')).toBe('sub.example.com');
  });

  it('allows every domain when the workspace lists none', () => {
    expect(isEmailDomainAllowed('jane@anything.org', [])).toBe(true);
    expect(isEmailDomainAllowed('jane@anything.org', undefined)).toBe(true);
  });

  it('allows listed domains and their subdomains only', () => {
    const allowed = ['example.com', 'acme.io'];
    expect(isEmailDomainAllowed('jane@example.com', allowed)).toBe(true);
    expect(isEmailDomainAllowed('jane@eu.example.com', allowed)).toBe(true);
    expect(isEmailDomainAllowed('JANE@ACME.IO', allowed)).toBe(true);
    expect(isEmailDomainAllowed('jane@badexample.com', allowed)).toBe(false);
    expect(isEmailDomainAllowed('jane@example.com.evil.org', allowed)).toBe(false);
  });

  it('validates domains', () => {
    expect(isValidDomain('example.com')).toBe(true);
    expect(isValidDomain('@Example.com')).toBe(true);
    expect(isValidDomain('example')).toBe(false);
    expect(isValidDomain('exa_mple.com')).toBe(false);
    expect(isValidDomain('<b>.com')).toBe(false);
  });

  it('masks the local part', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j*******@example.com');
    expect(maskEmail('j@example.com')).toBe('j*@example.com');
  });
});
