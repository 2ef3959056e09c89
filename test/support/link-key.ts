/**
 * A link-token key file for the functions that mint or verify invitation links, and the codec to
 * mint links in tests. The functions read the key's location when they are first imported, which
 * `call()` does lazily, so importing this module anywhere in a test file is early enough.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkTokens } from '../../functions/domain/link-token';

const KEY = 'test-link-token-key-0123456789abcdefghijkl';
const keyFile = join(mkdtempSync(join(tmpdir(), 'link-key-')), 'token.key');
writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
process.env.TOKEN_KEY_FILE = keyFile;
delete process.env.TOKEN_KEY_SECRET_ARN;

export const testLinkTokens = new LinkTokens(Buffer.from(KEY));
