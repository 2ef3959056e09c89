/** Key shapes of every entity in the table (see README, "Data model"). */
export const ENTITY = {
  workspace: 'Workspace',
  member: 'Member',
  invitation: 'Invitation',
  emailClaim: 'EmailClaim',
  emailAllowance: 'EmailAllowance',
  workspaceCounts: 'WorkspaceCounts',
  renameWindow: 'RenameWindow',
  workspaceQuota: 'WorkspaceQuota',
} as const;

export const keys = {
  workspace: (workspaceId: string) => ({ PK: `WS#${workspaceId}`, SK: 'WORKSPACE' }),
  member: (workspaceId: string, userId: string) => ({ PK: `WS#${workspaceId}`, SK: `MEMBER#${userId}` }),
  invitation: (invitationId: string) => ({ PK: `INV#${invitationId}`, SK: 'INVITATION' }),
  /**
   * One item per (workspace, email) that is either invited (a live PENDING invitation) or a
   * member. It makes "one live invitation per address" and "never invite a member" atomic.
   */
  emailClaim: (workspaceId: string, email: string) => ({ PK: `WS#${workspaceId}`, SK: `EMAIL#${email}` }),
  /** How many invitation emails a person asked for on one UTC day; TTL removes it afterwards. */
  emailAllowance: (userId: string, day: string) => ({ PK: `USER#${userId}`, SK: `EMAILS#${day}` }),
  /**
   * A workspace's member and pending-invitation counts, which the limits are checked against.
   * Only ever counted up; a recount (when a limit seems reached) brings them back to the truth.
   */
  workspaceCounts: (workspaceId: string) => ({ PK: `WS#${workspaceId}`, SK: 'COUNTS' }),
  /** Renames of a workspace in one UTC minute; TTL removes it afterwards. */
  renameWindow: (workspaceId: string, minute: string) => ({ PK: `WS#${workspaceId}`, SK: `RENAMES#${minute}` }),
  /** How many workspaces a person has created. */
  workspaceQuota: (userId: string) => ({ PK: `USER#${userId}`, SK: 'WORKSPACES' }),
};

export const userPartition = (userId: string) => `USER#${userId}`;
export const emailPartition = (email: string) => `EMAIL#${email}`;
export const workspacePartition = (workspaceId: string) => `WS#${workspaceId}`;
export const invitationSortKey = (created: string, invitationId: string) => `INV#${created}#${invitationId}`;
export const MEMBER_PREFIX = 'MEMBER#';
export const EMAIL_CLAIM_PREFIX = 'EMAIL#';
export const INVITATION_PREFIX = 'INV#';
export const WORKSPACE_PREFIX = 'WS#';
