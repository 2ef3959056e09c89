import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientSources } from '../../../client/generate';
import { PROJECT_ROOT } from '../../../lib/bundling/options';

describe('the generated client sources', () => {
  it('are those of the current route table (npm run client:generate writes them)', async () => {
    for (const [file, text] of Object.entries(await clientSources())) {
      expect(readFileSync(join(PROJECT_ROOT, 'client', file), 'utf8'), `client/${file} is stale`).toBe(text);
    }
  });
});
