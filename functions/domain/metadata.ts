/**
 * Caller metadata on an invitation: a small JSON object the embedding product attaches (its own
 * ids, a plan, where the invitation came from). It is copied onto the membership an accept
 * creates and carried by every event about either, and never shown to the invitee or publicly.
 */
export type Metadata = { [key: string]: MetadataValue };
export type MetadataValue = string | number | boolean | null | MetadataValue[] | { [key: string]: MetadataValue };

/** At most this many bytes as UTF-8 JSON (JSON.stringify, no spaces). */
export const MAX_METADATA_BYTES = 2048;
/** Objects and arrays nest at most this deep, the metadata object itself counting as 1. */
export const MAX_METADATA_DEPTH = 8;

/** Why `value` is not acceptable metadata, or undefined when it is. */
export function metadataProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'metadata must be a JSON object';
  const problem = valueProblem(value, 1);
  if (problem) return problem;
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METADATA_BYTES) {
    return `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON`;
  }
  return undefined;
}

function valueProblem(value: unknown, depth: number): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  // JSON.parse turns 1e400 into Infinity, which JSON.stringify would silently write as null.
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'metadata numbers must be finite';
  if (depth > MAX_METADATA_DEPTH) return `metadata must nest at most ${MAX_METADATA_DEPTH} levels deep`;
  if (Array.isArray(value)) return firstProblem(value, depth + 1);
  if (isPlainObject(value)) return firstProblem(Object.values(value), depth + 1);
  return 'metadata must hold only JSON values';
}

function firstProblem(values: readonly unknown[], depth: number): string | undefined {
  for (const value of values) {
    const problem = valueProblem(value, depth);
    if (problem) return problem;
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
