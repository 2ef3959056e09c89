/**
 * `npm run client:generate`: writes the OpenAPI document the service serves (client/openapi.json)
 * and the client's TypeScript types generated from it by openapi-typescript (client/api-types.ts).
 * A test fails when either is older than the route table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientSources } from '../client/generate';
import { PROJECT_ROOT } from '../lib/bundling/options';

const sources = await clientSources();
for (const [file, text] of Object.entries(sources)) {
  writeFileSync(join(PROJECT_ROOT, 'client', file), text);
  console.log(`wrote client/${file}`);
}
