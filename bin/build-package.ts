/**
 * `npm run build`: what the published package runs. The construct and the client as ES modules
 * (their npm dependencies left as imports), and their type declarations. The handler sources ship
 * as they are: the construct bundles them with esbuild when the embedding app synthesizes.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_TARGET, PROJECT_ROOT } from '../lib/bundling/options';

const dist = join(PROJECT_ROOT, 'dist');
rmSync(dist, { recursive: true, force: true });
const common = { bundle: true, format: 'esm', target: ESBUILD_TARGET, packages: 'external', sourcemap: true } as const;
await build({
  ...common,
  platform: 'node',
  entryPoints: [join(PROJECT_ROOT, 'lib/index.ts')],
  outfile: join(dist, 'construct.js'),
});
// The client runs in browsers too: nothing of Node.js in it.
await build({
  ...common,
  platform: 'neutral',
  entryPoints: [join(PROJECT_ROOT, 'client/index.ts')],
  outfile: join(dist, 'client.js'),
});
execFileSync(join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', join(PROJECT_ROOT, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
console.log('built dist/construct.js, dist/client.js and dist/types/');
