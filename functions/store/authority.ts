/**
 * The caller's and the creator's authority, re-checked inside a write's transaction, so a
 * concurrent demotion or removal cannot slip through between the read and the write.
 */
import type { CreatorAuthority, RoleRequirement } from '../use-cases/ports';
import { memberCodec } from './codecs/workspace';
import { allOf, type Expression } from './dynamo/expression';
import type { Table, Write } from './dynamo/table';

/** "The member item holds one of these roles". */
export function holdsRole(roles: readonly string[]): Expression {
  const values = Object.fromEntries(roles.map((role, i) => [`:role${i}`, role]));
  return { expression: `#role IN (${Object.keys(values).join(', ')})`, names: { '#role': 'role' }, values };
}

/** The caller is still a member holding one of the required roles (in the membership that began at `joinedAt`, when given). */
export function roleCheck(table: Table, requirement: RoleRequirement): Write {
  const role = holdsRole(requirement.roles);
  return table.check(
    'role',
    memberCodec.key(requirement.workspaceId, requirement.userId),
    requirement.joinedAt === undefined
      ? role
      : allOf(role, { expression: 'joinedAt = :memberJoinedAt', values: { ':memberJoinedAt': requirement.joinedAt } }),
  );
}

/** The invitation's creator is still the member they were when inviting, with a role that may grant it. */
export function creatorCheck(table: Table, creator: CreatorAuthority): Write {
  const role = holdsRole(creator.roles);
  const sameMembership = creator.joinedAt ? 'joinedAt = :joinedAt' : 'joinedAt <= :joinedAt';
  return table.check(
    'creator',
    memberCodec.key(creator.workspaceId, creator.userId),
    {
      expression: `${role.expression} AND ${sameMembership}`,
      names: role.names,
      values: { ...role.values, ':joinedAt': creator.joinedAt ?? creator.createdBefore },
    },
    true,
  );
}
