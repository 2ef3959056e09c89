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
  return (
    valueProblem(value, 1) ??
    (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES
      ? `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON`
      : undefined)
  );
}

function valueProblem(value: unknown, depth: number): string | undefined {
  // JSON.parse turns 1e400 into Infinity, which JSON.stringify would silently write as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'metadata numbers must be finite';
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_METADATA_DEPTH) return `metadata must nest at most ${MAX_METADATA_DEPTH} levels deep`;
  for (const inner of Object.values(value)) {
    const problem = valueProblem(inner, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** What JSON.parse makes of `{…}`: the only input metadata ever comes from. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
