import { type Route, routes } from '../functions/routes';

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

type Compiled = { route: Route; pattern: RegExp; names: string[] };

const compiled: Compiled[] = routes.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
});

/**
 * Finds the route for a method and raw path the way API Gateway does: literal segments win over
 * parameters because the table lists no ambiguous pairs. Parameters are URL-decoded.
 * `methodAllowed` is false when the path exists under another method (405 rather than 404).
 */
export function matchRoute(method: string, path: string): RouteMatch | { route: undefined; methodAllowed: boolean } {
  let pathExists = false;
  for (const { route, pattern, names } of compiled) {
    const found = pattern.exec(path);
    if (!found) continue;
    pathExists = true;
    if (route.method !== method.toUpperCase()) continue;
    const pathParameters: Record<string, string> = {};
    names.forEach((name, i) => {
      pathParameters[name] = safeDecode(found[i + 1] as string);
    });
    return { route, pathParameters };
  }
  return { route: undefined, methodAllowed: pathExists };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
