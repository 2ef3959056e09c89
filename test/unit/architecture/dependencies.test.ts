/**
 * The direction of every import inside functions/, read from the source: each folder may use only
 * the folders below it, and no module imports itself back through others (type imports count).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../../functions');

/**
 * What each folder may import, besides itself. The top level of functions/ (handlers, the
 * wiring in services.ts, the route and consumer declarations) may import anything.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  platform: ['domain'],
  'use-cases': ['domain'],
  store: ['domain', 'use-cases', 'platform'],
  email: ['domain', 'use-cases', 'platform'],
  stream: ['domain', 'store'],
  http: ['domain', 'use-cases', 'platform'],
  events: ['domain', 'http', 'store', 'platform'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each module's relative imports, as module paths relative to functions/ without the extension. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(ROOT)) {
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((match) => match[1]);
    const module = relative(ROOT, file).replace(/\.ts$/, '');
    graph.set(
      module,
      specifiers.map((specifier) => relative(ROOT, resolve(dirname(file), specifier as string)).replace(/\.ts$/, '')),
    );
  }
  return graph;
}

/** The folder a module belongs to: its first path segment, or '' at the top level. */
const folderOf = (module: string) => (module.includes('/') ? (module.split('/')[0] as string) : '');

const graph = importGraph();

describe('imports inside functions/', () => {
  it('reads every module and finds the imports it makes', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('store/invitation-store')).toContain('use-cases/ports');
  });

  it('resolve to modules that exist', () => {
    const missing = [...graph].flatMap(([module, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) => `${module} → ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(MAY_IMPORT))('from %s/ go only to the folders below it', (folder) => {
    const allowed = new Set([folder, ...(MAY_IMPORT[folder] ?? [])]);
    const offending = [...graph]
      .filter(([module]) => folderOf(module) === folder)
      .flatMap(([module, imports]) =>
        imports.filter((target) => !allowed.has(folderOf(target))).map((target) => `${module} → ${target}`),
      );
    expect(offending, `${folder}/ may import only ${[...allowed].join(', ')}`).toEqual([]);
  });

  it('every folder has a rule', () => {
    const folders = new Set([...graph.keys()].map(folderOf).filter(Boolean));
    expect([...folders].filter((folder) => !(folder in MAY_IMPORT))).toEqual([]);
  });

  it('form no cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (module: string, path: string[]) => {
      if (state.get(module) === 'done') return;
      if (state.get(module) === 'open') {
        cycles.push([...path.slice(path.indexOf(module)), module].join(' → '));
        return;
      }
      state.set(module, 'open');
      for (const target of graph.get(module) ?? []) visit(target, [...path, module]);
      state.set(module, 'done');
    };
    for (const module of graph.keys()) visit(module, []);
    expect(cycles).toEqual([]);
  });
});
