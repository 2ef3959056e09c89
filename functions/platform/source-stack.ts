/**
 * Stack traces that point at the TypeScript sources, paid for only when an error is logged.
 *
 * Node.js's --enable-source-maps reads and decodes a bundle's whole source map while the bundle
 * loads, on every cold start, whether or not anything fails (7–11 ms of a 60–70 ms import).
 * Instead, the map that esbuild writes beside the bundle is read the first time a stack is logged,
 * and only frames inside this bundle are rewritten. Outside a bundle (tests, the local runner run
 * from TypeScript) there is no map beside the module, and stacks stay as they are.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

/** The file this module was bundled into; frames name it as a file URL. */
const BUNDLE_URL = import.meta.url;
const FRAME = new RegExp(`${escapeRegExp(BUNDLE_URL)}:(\\d+):(\\d+)`, 'g');

let bundleMap: SourceMap | null | undefined;

function sourceMap(): SourceMap | null {
  if (bundleMap === undefined) {
    try {
      bundleMap = new SourceMap(JSON.parse(readFileSync(new URL(`${BUNDLE_URL}.map`), 'utf8')));
    } catch {
      bundleMap = null;
    }
  }
  return bundleMap;
}

/** `stack` with every frame in this bundle replaced by its source position (1-based, as in stacks). */
export function sourceMappedStack(stack: string): string {
  if (!stack.includes(BUNDLE_URL)) return stack;
  const map = sourceMap();
  if (!map) return stack;
  return stack.replace(FRAME, (frame, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry)) return frame;
    return `${sourcePath(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/**
 * Gives `error` and every error in its cause chain a source-mapped stack; returns `error`.
 * Used as the logger's JSON replacer, so every logged error is mapped, whoever logs it.
 */
export function withSourceStacks<T>(error: T): T {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (typeof current.stack === 'string') current.stack = sourceMappedStack(current.stack);
  }
  return error;
}

/** Paths in the map are relative to the build directory; what matters is the part inside the project. */
function sourcePath(source: string): string {
  const dependency = source.lastIndexOf('node_modules/');
  return dependency >= 0 ? source.slice(dependency) : source.replace(/^(\.\.\/)+/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
