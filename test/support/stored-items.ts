/**
 * A workspace and a membership as the store's codecs write them (functions/store/codecs), for the
 * tests of what reads the table's stream: the event publisher, the replay of parked events and
 * the removal records. Built by the codecs, so the images carry what the table really holds.
 */
import type { Member, Workspace } from '../../functions/domain/workspace';
import { memberCodec, workspaceCodec } from '../../functions/store/codecs/workspace';
import type { Item } from '../../functions/store/dynamo/table';

/** When the stored workspaces were created and the stored memberships began. */
export const STORED_AT = '2026-03-01T10:00:00.000Z';

/** A workspace its owner created at STORED_AT and has not changed since. */
export function storedWorkspace(id: string, name: string): Item {
  const workspace: Workspace = {
    id,
    name,
    alias: 'abcdefg',
    allowedDomains: [],
    invitationTtlDays: 7,
    created: STORED_AT,
    lastModified: STORED_AT,
    createdBy: 'user|owner',
    ownerCount: 1,
  };
  return workspaceCodec.toItem(workspace);
}

/** Bob, a MEMBER of the workspace since `joinedAt`. */
export function bob(workspaceId: string, joinedAt = STORED_AT): Member {
  return { workspaceId, userId: 'user|bob', name: 'Bob', role: 'MEMBER', joinedAt };
}

/** Bob's membership as the table holds it. */
export function storedBob(workspaceId: string, joinedAt = STORED_AT): Item {
  return memberCodec.toItem(bob(workspaceId, joinedAt));
}
