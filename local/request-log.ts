/**
 * One console line per request the local gateway answers: method, route, status, duration and
 * request id, with email addresses and link or bearer tokens masked, so a shared terminal or a
 * pasted log gives nothing away.
 */

export interface RequestLogEntry {
  method: string;
  /** The route template when a route matched (`GET /api/invitations/{invitationId}`), else the path. */
  route: string;
  status: number;
  durationMs: number;
  requestId?: string;
}

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)/g;
/** Anything token-like: a long run of base64url or JWT characters (UUIDs have at most 12 in a run). */
const TOKEN = /[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+){0,2}/g;

export function maskSecrets(text: string): string {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // not percent-encoded: mask it as it is
  }
  return decoded.replace(EMAIL, '$1…@$2').replace(TOKEN, '…');
}

export function requestLogLine(entry: RequestLogEntry): string {
  const parts = [entry.method, maskSecrets(entry.route), String(entry.status), `${Math.round(entry.durationMs)} ms`];
  if (entry.requestId) parts.push(entry.requestId);
  return parts.join(' ');
}
