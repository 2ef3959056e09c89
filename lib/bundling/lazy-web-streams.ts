/**
 * Stands in for `node:stream/web` inside Lambda bundles (see options.ts).
 *
 * Of every bundled dependency only @middy/core imports it, for its ReadableStream, which it uses
 * in one `instanceof` check on the streamed-response path; no function of the service streams its
 * response. Loading Node.js's web streams still costs about 2.2 ms of every cold start (measured:
 * `require('node:stream/web')` after the modules the AWS SDK loads anyway, median of 15 fresh
 * processes). This stand-in is Node.js's own ReadableStream, looked up only when something
 * constructs it, checks against it or reads from it. Importing any other name from
 * `node:stream/web` fails the build, so nothing can come to depend on the stand-in unawares.
 */
type ReadableStreamClass = typeof globalThis.ReadableStream;

const real = (): ReadableStreamClass => globalThis.ReadableStream;

// A plain function as the target: a class's `prototype` cannot be forwarded (it is read-only).
export const ReadableStream = new Proxy(function ReadableStream() {}, {
  construct: (_target, args, newTarget) =>
    Reflect.construct(real(), args, newTarget === ReadableStream ? real() : newTarget),
  apply: (_target, self, args) => Reflect.apply(real(), self, args),
  get: (_target, property) => Reflect.get(real(), property),
  has: (_target, property) => Reflect.has(real(), property),
  getPrototypeOf: () => Reflect.getPrototypeOf(real()),
}) as unknown as ReadableStreamClass;
