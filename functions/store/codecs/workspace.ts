/**
 * Items of the workspace aggregate: the workspace (with the counts its limits are checked
 * against), its members, and the per-address claims that keep "one live invitation per address,
 * never one for a member" atomic. Each codec is the one place that maps its entity to its item
 * and keys.
 */
import type { Member, Workspace } from '../../domain/workspace';
import type { Expression } from '../dynamo/expression';
import type { Item } from '../dynamo/table';
import { ENTITY, indexKeys, keys, userPartition, WORKSPACE_PREFIX } from '../keys';
import { TABLE } from '../table-definition';
import { metadataAttribute, strip, ttlAt, withMetadata } from './item';

/**
 * The counts a workspace's limits are checked against, kept on the workspace item itself so that
 * a write that counts needs no item of its own: members and pending invitations (only ever
 * counted up, see store/workspace-limits.ts), and `countChanges`, bumped by every count, so that
 * a recount can tell whether it raced one. Counting never changes `lastModified`, the version
 * that writes depending on the workspace's settings are conditioned on. A workspace stored
 * before the counts moved here has none of them: its first count recounts it.
 */
export interface WorkspaceCounts {
  memberCount: number;
  pendingCount: number;
  countChanges: number;
}

export const COUNT_ATTRIBUTES = [
  'memberCount',
  'pendingCount',
  'countChanges',
] as const satisfies readonly (keyof WorkspaceCounts)[];

export const workspaceCodec = {
  key: keys.workspace,
  toItem: (workspace: Workspace, counts?: WorkspaceCounts): Item => ({
    ...keys.workspace(workspace.id),
    entity: ENTITY.workspace,
    ...workspace,
    ...counts,
  }),
  /** The workspace as the domain knows it: its counts are the store's business. */
  fromItem: (item: Item | undefined): Workspace | undefined => {
    if (item?.entity !== ENTITY.workspace) return undefined;
    const workspace = strip<Record<string, unknown>>(item);
    for (const name of COUNT_ATTRIBUTES) delete workspace[name];
    return workspace as unknown as Workspace;
  },
  /** The counts on a workspace item; undefined for a workspace stored before they moved onto it. */
  countsOf: (item: Item | undefined): WorkspaceCounts | undefined =>
    item?.countChanges === undefined
      ? undefined
      : {
          memberCount: Number(item.memberCount ?? 0),
          pendingCount: Number(item.pendingCount ?? 0),
          countChanges: Number(item.countChanges),
        },
};

export const memberCodec = {
  key: keys.member,
  /** A membership is listed under its user in the byUser index, so a user's workspaces are one query. */
  toItem: (member: Member): Item => ({
    ...keys.member(member.workspaceId, member.userId),
    entity: ENTITY.member,
    ...member,
    ...metadataAttribute(member.metadata),
    ...indexKeys('byUser', userPartition(member.userId), `${WORKSPACE_PREFIX}${member.workspaceId}`),
  }),
  fromItem: (item: Item | undefined): Member | undefined =>
    item?.entity === ENTITY.member ? withMetadata(strip<Member>(item)) : undefined,
};

/**
 * The (workspace, address) claim. An invitation's claim lives as long as the invitation; a
 * member's is permanent. A claim whose invitation has expired may be taken over at once (TTL
 * deletes it hours or days late): that rule is `claimFree`, and its complement `claimLive`.
 */
export const claimCodec = {
  key: keys.emailClaim,
  invited: (invitation: { id: string; workspaceId: string; email: string; expiresAt: string }): Item => ({
    ...keys.emailClaim(invitation.workspaceId, invitation.email),
    entity: ENTITY.emailClaim,
    kind: 'INVITED',
    invitationId: invitation.id,
    expiresAt: invitation.expiresAt,
    [TABLE.ttlAttribute]: ttlAt(invitation.expiresAt),
  }),
  member: (member: Member): Item => ({
    ...keys.emailClaim(member.workspaceId, member.email as string),
    entity: ENTITY.emailClaim,
    kind: 'MEMBER',
    userId: member.userId,
    invitationId: member.invitationId,
  }),
};

export function claimFree(now: Date): Expression {
  return {
    expression: 'attribute_not_exists(#pk) OR (kind = :invitedClaim AND expiresAt <= :claimNow)',
    names: { '#pk': TABLE.partitionKey },
    values: { ':invitedClaim': 'INVITED', ':claimNow': now.toISOString() },
  };
}

export function claimLive(now: Date): Expression {
  return {
    expression: 'kind = :invitedClaim AND expiresAt > :claimNow',
    values: { ':invitedClaim': 'INVITED', ':claimNow': now.toISOString() },
  };
}

/** The claim still belongs to this invitation or member (or is already gone); another's claim is left alone. */
export function claimHeldBy(owner: 'invitationId' | 'userId', value: string): Expression {
  return {
    expression: 'attribute_not_exists(#pk) OR #claimOwner = :claimOwner',
    names: { '#pk': TABLE.partitionKey, '#claimOwner': owner },
    values: { ':claimOwner': value },
  };
}
