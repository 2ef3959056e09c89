import type { Metadata } from './metadata';
import type { Role } from './roles';

export interface Workspace {
  id: string;
  name: string;
  alias: string;
  allowedDomains: string[];
  invitationTtlDays: number;
  created: string;
  lastModified: string;
  createdBy: string;
  /** The user whose request made the latest change of its settings (internal). */
  lastChangedBy?: string;
  ownerCount: number;
}

export interface Member {
  workspaceId: string;
  userId: string;
  email?: string;
  name: string;
  handle?: string;
  role: Role;
  joinedAt: string;
  /** The invitation whose acceptance created this membership; absent for the workspace's creator. */
  invitationId?: string;
  /** The metadata of that invitation, copied when it was accepted. */
  metadata?: Metadata;
}

const ALIAS_ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

/** A short, human-friendly, non-unique label for a workspace (seven lower-case letters). */
export function newAlias(randomBytes: Uint8Array): string {
  return Array.from(randomBytes.slice(0, 7), (b) => ALIAS_ALPHABET[b % ALIAS_ALPHABET.length]).join('');
}

/**
 * The lastModified of a workspace changed at `now`: strictly later than the previous one even if
 * this machine's clock is behind the one that wrote it, because invitations order the
 * workspace's renames by it.
 */
export function nextWorkspaceVersion(previous: string, now: Date): string {
  return new Date(Math.max(now.getTime(), Date.parse(previous) + 1)).toISOString();
}

/**
 * Abuse limits: what one person or one workspace may take of the service. Each can be set per
 * deployment; the defaults are far above what a real team needs.
 */
export interface WorkspaceLimits {
  /** Workspaces one person may create. */
  readonly workspacesPerUser: number;
  /** Members one workspace may have. */
  readonly membersPerWorkspace: number;
  /** Invitations one workspace may have PENDING (and not expired) at once. */
  readonly pendingInvitationsPerWorkspace: number;
  /** Renames of one workspace per UTC minute: each one rewrites every invitation of the workspace. */
  readonly workspaceRenamesPerMinute: number;
}

export const DEFAULT_WORKSPACE_LIMITS: WorkspaceLimits = {
  workspacesPerUser: 20,
  membersPerWorkspace: 1000,
  pendingInvitationsPerWorkspace: 500,
  workspaceRenamesPerMinute: 3,
};
