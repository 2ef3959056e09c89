/**
 * The bundles' stand-in for `node:stream/web` (lib/bundling/lazy-web-streams.ts): it behaves as
 * Node.js's ReadableStream, loads Node.js's web streams only once used, and middy is the only
 * bundled code that imports it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ReadableStream as StandIn } from '../../../lib/bundling/lazy-web-streams';
import { esbuildBuildOptions, handlerEntry, PROJECT_ROOT } from '../../../lib/bundling/options';

const run = promisify(execFile);
const STAND_IN = join(PROJECT_ROOT, 'lib/bundling/lazy-web-streams.ts');

describe("the stand-in for node:stream/web's ReadableStream", () => {
  it("is Node.js's own ReadableStream to every use", async () => {
    const made = new StandIn({
      start: (controller) => {
        controller.enqueue('a');
        controller.close();
      },
    });
    expect(made).toBeInstanceOf(globalThis.ReadableStream);
    expect(new globalThis.ReadableStream()).toBeInstanceOf(StandIn);
    expect({}).not.toBeInstanceOf(StandIn);
    expect(Readable.from(['a'])).not.toBeInstanceOf(StandIn);
    expect(StandIn.prototype).toBe(globalThis.ReadableStream.prototype);
    const chunks: unknown[] = [];
    for await (const chunk of made) chunks.push(chunk);
    expect(chunks).toEqual(['a']);
  });

  it("loads Node.js's web streams only when something uses it", async () => {
    const { outputFiles } = await build({
      entryPoints: [STAND_IN],
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
    });
    const code = outputFiles[0]?.text ?? '';
    const probe = [
      code.replace(/^export \{[^}]*\};?\s*$/m, ''),
      "const loaded = () => process.moduleLoadList.some((name) => name.includes('webstreams/readablestream'));",
      'const before = loaded();',
      'const same = ReadableStream.prototype === globalThis.ReadableStream.prototype;',
      'console.log(JSON.stringify({ before, after: loaded(), same }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe]);
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true, same: true });
  });

  it('stands in only for @middy/core in a Lambda bundle', async () => {
    const { metafile } = await build({
      ...esbuildBuildOptions(handlerEntry('create-invitation'), '/dev/null/index.mjs'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) => input.imports.some((imported) => join(PROJECT_ROOT, imported.path) === STAND_IN))
      .map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(importers).toEqual(['@middy/core/index.js']);
  });
});
