/** Key shapes of every entity in the table (see README, "Data model"). */
export const ENTITY = {
  workspace: 'Workspace',
  member: 'Member',
  invitation: 'Invitation',
  emailClaim: 'EmailClaim',
  emailAllowance: 'EmailAllowance',
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
};

export const userPartition = (userId: string) => `USER#${userId}`;
export const emailPartition = (email: string) => `EMAIL#${email}`;
export const workspacePartition = (workspaceId: string) => `WS#${workspaceId}`;
export const invitationSortKey = (created: string, invitationId: string) => `INV#${created}#${invitationId}`;
export const MEMBER_PREFIX = 'MEMBER#';
export const INVITATION_PREFIX = 'INV#';
export const WORKSPACE_PREFIX = 'WS#';
