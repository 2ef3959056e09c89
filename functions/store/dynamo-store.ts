import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { assertResendAllowed, coolDownRemaining, lastSendRequestedAt } from '../domain/delivery';
import { Conflict, Forbidden, NotFound, TooManyRequests } from '../domain/errors';
import { assertTransition, effectiveStatus, type Invitation, purgeAfter, type Transition } from '../domain/invitation';
import { DEFAULT_WORKSPACE_LIMITS, type Member, type Workspace, type WorkspaceLimits } from '../domain/workspace';
import {
  type CreatorAuthority,
  type EndedMembership,
  type Page,
  type PageRequest,
  type RoleRequirement,
  type Store,
  WorkspaceChanged,
  type WorkspaceInvitationFilter,
} from '../use-cases/ports';
import { backoff, batchGetItems, RETRY_ATTEMPTS } from './batch-get';
import type { CursorCodec, PageKey } from './cursor';
import {
  EMAIL_CLAIM_PREFIX,
  ENTITY,
  emailPartition,
  emailStateKeys,
  INVITATION_PREFIX,
  invitationSortKey,
  keys,
  MEMBER_PREFIX,
  userPartition,
  WORKSPACE_PREFIX,
  workspacePartition,
} from './keys';
import { type IndexName, keyAttributeNames, TABLE } from './table-definition';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** A transaction item with a name, so that a failed condition can be traced back to its meaning. */
interface Labelled {
  label: string;
  item: TransactItem;
}

/** A condition inside a transaction failed; `current` is the item as it is now, if it exists. */
class ConditionFailed extends Error {
  constructor(
    readonly label: string,
    readonly current: Item | undefined,
  ) {
    super(`condition failed: ${label}`);
  }
}

/** A filtered list page reads at most this many times before it settles for a short page. */
const MAX_FILTERED_ROUNDS = 5;
/** Items a filtered query evaluates per round trip, so sparse matches need few round trips. */
const FILTERED_READ_SIZE = 50;
/** On an invitation: the workspace's lastModified that its workspaceName was copied at. */
const WORKSPACE_VERSION = 'workspaceVersion';
/** Invitations renamed at once when a workspace's name changes. */
const RENAME_CONCURRENCY = 10;
/** Attributes that serve the table, not the entities: never part of what the store returns. */
const KEY_ATTRIBUTES = new Set([...keyAttributeNames(), TABLE.ttlAttribute, 'entity', WORKSPACE_VERSION]);

export class DynamoStore implements Store {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Only functions that list are given the cursor key; a store without it cannot page. */
    private readonly cursorCodec?: CursorCodec,
    private readonly limits: WorkspaceLimits = DEFAULT_WORKSPACE_LIMITS,
  ) {}

  // ---------------------------------------------------------------- workspaces

  async createWorkspace(workspace: Workspace, owner: Member): Promise<void> {
    const items: Labelled[] = [
      this.put('workspace', { ...keys.workspace(workspace.id), entity: ENTITY.workspace, ...workspace }, true),
      this.put('member', this.memberItem(owner), true),
    ];
    if (owner.email) items.push(this.put('claim', this.memberClaimItem(owner), true));
    items.push(
      this.put(
        'counts',
        {
          ...keys.workspaceCounts(workspace.id),
          entity: ENTITY.workspaceCounts,
          memberCount: 1,
          pendingCount: 0,
          changes: 0,
        },
        true,
      ),
      {
        label: 'quota',
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.workspaceQuota(owner.userId),
            UpdateExpression: 'SET entity = :entity ADD created :one',
            ConditionExpression: 'attribute_not_exists(created) OR created < :limit',
            ExpressionAttributeValues: {
              ':entity': ENTITY.workspaceQuota,
              ':one': 1,
              ':limit': this.limits.workspacesPerUser,
            },
          },
        },
      },
    );
    await this.transact(items).catch((error: unknown) => {
      if (error instanceof ConditionFailed && error.label === 'quota') {
        throw new TooManyRequests(
          `You have created ${this.limits.workspacesPerUser} workspaces, the most one person may create.`,
        );
      }
      return this.unexpectedCondition(error);
    });
  }

  async getWorkspaceAndMember(workspaceId: string, userId: string) {
    const found = await this.batchGet([keys.workspace(workspaceId), keys.member(workspaceId, userId)]);
    return {
      workspace: this.entity<Workspace>(found, ENTITY.workspace),
      member: this.entity<Member>(found, ENTITY.member),
    };
  }

  async getMembers(workspaceId: string, userIds: readonly string[]): Promise<Map<string, Member>> {
    const unique = [...new Set(userIds)];
    const found = unique.length ? await this.batchGet(unique.map((id) => keys.member(workspaceId, id))) : [];
    return new Map(found.map((item) => [item.userId as string, strip<Member>(item)]));
  }

  async getMembershipsOf(userId: string, workspaceIds: readonly string[]): Promise<Map<string, Member>> {
    const unique = [...new Set(workspaceIds)];
    const found = unique.length ? await this.batchGet(unique.map((id) => keys.member(id, userId))) : [];
    return new Map(found.map((item) => [item.workspaceId as string, strip<Member>(item)]));
  }

  async updateWorkspace(
    workspace: Workspace,
    previousVersion: string,
    authorizedBy: RoleRequirement,
    renamed: boolean,
  ): Promise<void> {
    const minute = workspace.lastModified.slice(0, 16);
    const renames: Labelled[] = renamed
      ? [
          {
            label: 'renames',
            item: {
              Update: {
                TableName: this.tableName,
                Key: keys.renameWindow(workspace.id, minute),
                UpdateExpression: 'SET entity = :entity, #ttl = :ttl ADD renames :one',
                ConditionExpression: 'attribute_not_exists(renames) OR renames < :limit',
                ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
                ExpressionAttributeValues: {
                  ':entity': ENTITY.renameWindow,
                  ':ttl': Math.floor(Date.parse(`${minute}:00.000Z`) / 1000) + 3600,
                  ':one': 1,
                  ':limit': this.limits.workspaceRenamesPerMinute,
                },
              },
            },
          },
        ]
      : [];
    await this.transact([
      ...renames,
      {
        label: 'workspace',
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.workspace(workspace.id),
            UpdateExpression:
              'SET #name = :name, allowedDomains = :domains, invitationTtlDays = :ttlDays, lastModified = :now',
            ConditionExpression: 'lastModified = :previous',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: {
              ':name': workspace.name,
              ':domains': workspace.allowedDomains,
              ':ttlDays': workspace.invitationTtlDays,
              ':now': workspace.lastModified,
              ':previous': previousVersion,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      this.roleCheck(authorizedBy),
    ]).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'renames') {
        // Each rename rewrites every invitation of the workspace, so renames are rationed per minute.
        const nextMinute = Date.parse(`${minute}:00.000Z`) + 60_000;
        throw new TooManyRequests(
          `This workspace was renamed ${this.limits.workspaceRenamesPerMinute} times this minute, the most it may be; retry after a minute.`,
          { retryAfterSeconds: Math.max(1, Math.ceil((nextMinute - Date.now()) / 1000)) },
        );
      }
      if (error.label === 'workspace' && error.current) throw new WorkspaceChanged();
      if (error.label === 'workspace') throw new NotFound('The workspace does not exist.');
      throw new Forbidden('Only an OWNER or ADMIN of the workspace may change it.');
    });
  }

  async listMembers(workspaceId: string, page: PageRequest): Promise<Page<Member>> {
    return this.query<Member>(`members:${workspaceId}`, page, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': workspacePartition(workspaceId), ':prefix': MEMBER_PREFIX },
    });
  }

  async listWorkspacesOf(userId: string, page: PageRequest) {
    const memberships = await this.query<Member>(`workspaces:${userId}`, page, {
      ...this.indexCondition('byUser', userPartition(userId), WORKSPACE_PREFIX),
    });
    const found = memberships.items.length
      ? await this.batchGet(
          memberships.items.map((member) => keys.workspace(member.workspaceId)),
          false,
        )
      : [];
    const workspaces = new Map(found.map((item) => [item.id as string, strip<Workspace>(item)]));
    return {
      ...memberships,
      items: memberships.items.flatMap((member) => {
        const workspace = workspaces.get(member.workspaceId);
        return workspace ? [{ workspace, member }] : [];
      }),
    };
  }

  async removeMember(member: Member, authorizedBy?: RoleRequirement): Promise<void> {
    const items: Labelled[] = [this.deleteMemberItem(member)];
    if (member.email) items.push(this.deleteClaimOf(member.workspaceId, member.email, 'userId', member.userId));
    if (member.role === 'OWNER') items.push(this.changeOwnerCount(member.workspaceId, -1));
    if (authorizedBy) items.push(this.roleCheck(authorizedBy));
    await this.transact(items).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'member') throw new NotFound('The member does not exist.');
      if (error.label === 'owners') throw new Conflict('A workspace keeps at least one OWNER; this is the last one.');
      if (error.label === 'role') throw new Forbidden('Your role does not allow removing this member.');
      throw new Conflict('The membership changed while it was being removed; retry.');
    });
  }

  // ---------------------------------------------------------------- invitations

  async getInvitation(invitationId: string): Promise<Invitation | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.invitation(invitationId), ConsistentRead: true }),
    );
    return Item?.entity === ENTITY.invitation ? strip<Invitation>(Item) : undefined;
  }

  async createInvitation(
    invitation: Invitation,
    authorizedBy: RoleRequirement,
    workspaceVersion: string,
    now: Date,
  ): Promise<void> {
    const item = {
      ...keys.invitation(invitation.id),
      entity: ENTITY.invitation,
      ...invitation,
      [WORKSPACE_VERSION]: workspaceVersion,
      GSI1PK: userPartition(invitation.creatorId),
      GSI1SK: invitationSortKey(invitation.created, invitation.id),
      GSI2PK: emailPartition(invitation.email),
      GSI2SK: invitationSortKey(invitation.created, invitation.id),
      GSI3PK: workspacePartition(invitation.workspaceId),
      GSI3SK: invitationSortKey(invitation.created, invitation.id),
      ...emailStateKeys('OWED', invitation.id, invitation.created),
      ttl: purgeAfter(invitation.expiresAt),
    };
    const claim: Labelled = {
      label: 'claim',
      item: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.emailClaim(invitation.workspaceId, invitation.email),
            entity: ENTITY.emailClaim,
            kind: 'INVITED',
            invitationId: invitation.id,
            expiresAt: invitation.expiresAt,
            ttl: Math.floor(Date.parse(invitation.expiresAt) / 1000),
          },
          // A claim whose invitation has expired may be taken over: TTL deletes it hours or days late.
          ConditionExpression: 'attribute_not_exists(PK) OR (kind = :invited AND expiresAt <= :now)',
          ExpressionAttributeValues: { ':invited': 'INVITED', ':now': now.toISOString() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    };
    // The workspace must still be as the invitation was built from it: its settings were checked,
    // and a rename after this point reaches the invitation only if the invitation exists by then.
    const workspaceUnchanged: Labelled = {
      label: 'workspace',
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.workspace(invitation.workspaceId),
          ConditionExpression: 'lastModified = :version',
          ExpressionAttributeValues: { ':version': workspaceVersion },
        },
      },
    };
    const items = [
      this.put('invitation', item, true),
      claim,
      this.roleCheck(authorizedBy),
      workspaceUnchanged,
      this.countUp(invitation.workspaceId, 'pendingCount', this.limits.pendingInvitationsPerWorkspace),
    ];
    await this.transactWithinLimit(items, invitation.workspaceId, now).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'pendingCount') {
        throw new TooManyRequests(
          `This workspace has ${this.limits.pendingInvitationsPerWorkspace} pending invitations, the most it may have at once. ` +
            'Withdraw some, or wait until they are accepted, declined or expire.',
        );
      }
      if (error.label === 'workspace') {
        throw new Conflict('The workspace changed while the invitation was being created; retry.');
      }
      if (error.label === 'claim' && error.current?.kind === 'MEMBER') {
        throw new Conflict('This address already belongs to a member of the workspace.');
      }
      if (error.label === 'claim') {
        throw new Conflict('A pending invitation for this address already exists in this workspace.');
      }
      if (error.label === 'role') throw new Forbidden('Your role in this workspace does not allow this invitation.');
      throw error;
    });
  }

  async acceptInvitation(
    invitation: Invitation,
    member: Member,
    creator: CreatorAuthority | undefined,
    now: Date,
  ): Promise<void> {
    const nowIso = now.toISOString();
    const items: Labelled[] = [
      {
        label: 'invitation',
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.invitation(invitation.id),
            UpdateExpression:
              'SET #status = :accepted, acceptedAt = :now, acceptedBy = :user, lastModified = :now REMOVE #ttl',
            ConditionExpression: '#status = :pending AND expiresAt > :now AND email = :email',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute },
            ExpressionAttributeValues: {
              ':accepted': 'ACCEPTED',
              ':pending': 'PENDING',
              ':now': nowIso,
              ':user': member.userId,
              ':email': invitation.email,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      this.put('member', this.memberItem(member), true),
      {
        label: 'claim',
        item: {
          Put: {
            TableName: this.tableName,
            Item: this.memberClaimItem(member),
            ConditionExpression: 'invitationId = :invitation',
            ExpressionAttributeValues: { ':invitation': invitation.id },
          },
        },
      },
      member.role === 'OWNER'
        ? this.changeOwnerCount(member.workspaceId, +1)
        : {
            label: 'workspace',
            item: {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.workspace(member.workspaceId),
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
          },
      this.countUp(member.workspaceId, 'memberCount', this.limits.membersPerWorkspace),
    ];
    if (creator) items.push(this.creatorCheck(creator));
    await this.transactWithinLimit(items, member.workspaceId, now).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'memberCount') {
        throw new TooManyRequests(
          `This workspace has ${this.limits.membersPerWorkspace} members, the most it may have; a member must leave first.`,
        );
      }
      if (error.label === 'invitation') this.explainTransition('accept', error.current, now);
      if (error.label === 'member' || error.label === 'claim') {
        throw new Conflict('You are already a member of this workspace.');
      }
      if (error.label === 'creator') explainCreatorRefusal(invitation, creator, error.current);
      throw new NotFound('The workspace of this invitation no longer exists.');
    });
  }

  async declineInvitation(invitation: Invitation, now: Date): Promise<void> {
    await this.transact([
      this.statusChange(invitation, 'DECLINED', now, 'PENDING'),
      this.deleteClaimOf(invitation.workspaceId, invitation.email, 'invitationId', invitation.id),
    ]).catch(this.transitionFailure('decline', now));
  }

  async withdrawInvitation(
    invitation: Invitation,
    grantedMember: Member | undefined,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void> {
    const items: Labelled[] = [this.statusChange(invitation, 'REVOKED', now, invitation.status)];
    // A live invitation holds its address's claim; an accepted one passed it on to the membership it granted.
    if (invitation.status === 'PENDING' || grantedMember) {
      items.push(this.deleteClaimOf(invitation.workspaceId, invitation.email, 'invitationId', invitation.id));
    }
    // When the caller withdraws the invitation that made them a member, their role is checked on
    // the membership being deleted: a transaction may touch each item only once.
    const selfGranted = authorizedBy && grantedMember && authorizedBy.userId === grantedMember.userId;
    if (grantedMember) {
      // The member still holds the role the caller's right to remove them was decided on.
      const role = selfGranted ? roleCondition(authorizedBy) : undefined;
      items.push({
        label: 'member',
        item: {
          Delete: {
            TableName: this.tableName,
            Key: keys.member(grantedMember.workspaceId, grantedMember.userId),
            ConditionExpression: `invitationId = :invitation AND #role = :grantedRole${role ? ` AND ${role.expression}` : ''}`,
            ExpressionAttributeNames: { '#role': 'role' },
            ExpressionAttributeValues: {
              ':invitation': invitation.id,
              ':grantedRole': grantedMember.role,
              ...role?.values,
            },
          },
        },
      });
      if (grantedMember.role === 'OWNER') items.push(this.changeOwnerCount(grantedMember.workspaceId, -1));
    }
    if (authorizedBy && !selfGranted) items.push(this.roleCheck(authorizedBy));
    await this.transact(items).catch((error: unknown) => {
      if (error instanceof ConditionFailed && error.label === 'owners') {
        throw new Conflict('Withdrawing this invitation would remove the last OWNER of the workspace.');
      }
      if (error instanceof ConditionFailed && error.label === 'member') {
        throw new Conflict('The membership this invitation granted changed meanwhile; retry.');
      }
      return this.transitionFailure('withdraw', now)(error);
    });
  }

  async deleteInvitation(invitation: Invitation, authorizedBy: RoleRequirement | undefined, now: Date): Promise<void> {
    const items: Labelled[] = [
      {
        label: 'invitation',
        item: {
          Delete: {
            TableName: this.tableName,
            Key: keys.invitation(invitation.id),
            ConditionExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': invitation.status },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
    ];
    // Only a live invitation still holds its address's claim; an expired one's claim may already be another's.
    if (effectiveStatus(invitation, now) === 'PENDING') {
      items.push(this.deleteClaimOf(invitation.workspaceId, invitation.email, 'invitationId', invitation.id));
    }
    if (authorizedBy) items.push(this.roleCheck(authorizedBy));
    await this.transact(items).catch(this.transitionFailure('delete', now));
  }

  async revokeInvitationsOf(membership: EndedMembership, now: Date): Promise<number> {
    const nowIso = now.toISOString();
    // The invitations this membership created: those that recorded it, and older ones created while it lasted.
    const createdByIt =
      'creatorId = :creator AND #status = :pending AND expiresAt > :now AND attribute_not_exists(createdBySystemAdmin) AND ' +
      '(creatorJoinedAt = :joinedAt OR (attribute_not_exists(creatorJoinedAt) AND #created >= :joinedAt))';
    const values = {
      ':creator': membership.userId,
      ':pending': 'PENDING',
      ':now': nowIso,
      ':joinedAt': membership.joinedAt,
    };
    let revoked = 0;
    let resumeAt: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          ...this.indexCondition('byWorkspace', workspacePartition(membership.workspaceId), INVITATION_PREFIX),
          TableName: this.tableName,
          FilterExpression: createdByIt,
          ProjectionExpression: '#id, email',
          ExpressionAttributeNames: { '#status': 'status', '#created': 'created', '#id': 'id' },
          ExpressionAttributeValues: {
            ':pk': workspacePartition(membership.workspaceId),
            ':prefix': INVITATION_PREFIX,
            ...values,
          },
          ExclusiveStartKey: resumeAt,
        }),
      );
      for (const found of page.Items ?? []) {
        if (
          await this.revokeOne(found.id as string, membership.workspaceId, found.email as string, createdByIt, values)
        )
          revoked += 1;
      }
      resumeAt = page.LastEvaluatedKey;
    } while (resumeAt);
    return revoked;
  }

  /**
   * Withdraws one invitation if it still matches `condition`, and lets its address be invited
   * again: its claim is marked expired now, which a new invitation may take over (updates only,
   * so the stream consumer doing this needs no right to delete).
   */
  private async revokeOne(
    invitationId: string,
    workspaceId: string,
    email: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const nowIso = values[':now'] as string;
    const revoke: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: keys.invitation(invitationId),
        UpdateExpression: 'SET #status = :revoked, lastModified = :now',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status', '#created': 'created' },
        ExpressionAttributeValues: { ...values, ':revoked': 'REVOKED' },
      },
    };
    const release: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: keys.emailClaim(workspaceId, email),
        UpdateExpression: 'SET expiresAt = :now, #ttl = :ttl',
        ConditionExpression: 'invitationId = :invitation AND kind = :invited',
        ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':now': nowIso,
          ':ttl': Math.floor(Date.parse(nowIso) / 1000),
          ':invitation': invitationId,
          ':invited': 'INVITED',
        },
      },
    };
    try {
      await this.transact([
        { label: 'invitation', item: revoke },
        { label: 'claim', item: release },
      ]);
      return true;
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      // Accepted, withdrawn or changed meanwhile: nothing left to revoke.
      if (error.label === 'invitation') return false;
    }
    // The claim is no longer this invitation's (taken over after an expiry): revoke the invitation alone.
    try {
      await this.client.send(new UpdateCommand(revoke.Update as ConstructorParameters<typeof UpdateCommand>[0]));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  // ---------------------------------------------------------------- invitation emails

  async resendInvitation(
    previous: Invitation,
    resent: Invitation,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void> {
    const nowIso = now.toISOString();
    // Optimistic: the send number read before must still be the latest, so two resends racing
    // through the cool-down check cannot both queue an email.
    const sameSend = previous.delivery
      ? 'delivery.sendNumber = :previousSend AND (delivery.#status <> :sending OR delivery.leaseUntil <= :now)'
      : 'attribute_not_exists(delivery)';
    // The new send is owed from now on: the email sweep watches it until it settles.
    const owed = emailStateKeys('OWED', resent.id, nowIso);
    const items: Labelled[] = [
      {
        label: 'invitation',
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.invitation(resent.id),
            UpdateExpression:
              'SET expiresAt = :expiresAt, #ttl = :purge, lastModified = :now, delivery = :delivery, ' +
              '#statePartition = :statePartition, #stateSince = :stateSince',
            ConditionExpression: `#status = :pending AND expiresAt > :now AND ${sameSend}`,
            ExpressionAttributeNames: {
              '#status': 'status',
              '#ttl': TABLE.ttlAttribute,
              '#statePartition': TABLE.indexes.byEmailState.partitionKey,
              '#stateSince': TABLE.indexes.byEmailState.sortKey,
            },
            ExpressionAttributeValues: {
              ':statePartition': owed.GSI4PK,
              ':stateSince': owed.GSI4SK,
              ':expiresAt': resent.expiresAt,
              ':purge': purgeAfter(resent.expiresAt),
              ':now': nowIso,
              ':delivery': resent.delivery,
              ':pending': 'PENDING',
              ...(previous.delivery ? { ':previousSend': previous.delivery.sendNumber, ':sending': 'SENDING' } : {}),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      {
        // The address stays claimed for as long as the invitation now lives.
        label: 'claim',
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.emailClaim(resent.workspaceId, resent.email),
            UpdateExpression: 'SET expiresAt = :expiresAt, #ttl = :expiry',
            ConditionExpression: 'invitationId = :invitation',
            ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
            ExpressionAttributeValues: {
              ':expiresAt': resent.expiresAt,
              ':expiry': Math.floor(Date.parse(resent.expiresAt) / 1000),
              ':invitation': resent.id,
            },
          },
        },
      },
    ];
    if (authorizedBy) items.push(this.roleCheck(authorizedBy));
    await this.transact(items).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'role') throw new Forbidden('Your role in this workspace does not allow this.');
      if (error.label !== 'invitation') throw new Conflict('The invitation changed while it was being updated; retry.');
      const current = error.current;
      if (!current || current.entity !== ENTITY.invitation) throw new NotFound('The invitation does not exist.');
      const invitation = strip<Invitation>(current);
      assertResendAllowed(effectiveStatus(invitation, now));
      const wait = Math.max(1, coolDownRemaining(lastSendRequestedAt(invitation), now));
      throw new TooManyRequests('Another email for this invitation was just requested or is being sent.', {
        retryAfterSeconds: wait,
      });
    });
  }

  /**
   * Gives the workspace's invitations its name as of `version` (the workspace's lastModified).
   * Each invitation records the version its name comes from, and only an older one is replaced,
   * so renames applied late or out of order never bring back an earlier name.
   */
  async renameWorkspaceInvitations(workspaceId: string, name: string, version: string): Promise<number> {
    const outdated = '(attribute_not_exists(#version) OR #version < :version)';
    let renamed = 0;
    let resumeAt: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          ...this.indexCondition('byWorkspace', workspacePartition(workspaceId), INVITATION_PREFIX),
          TableName: this.tableName,
          FilterExpression: outdated,
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, '#version': WORKSPACE_VERSION },
          ExpressionAttributeValues: {
            ':pk': workspacePartition(workspaceId),
            ':prefix': INVITATION_PREFIX,
            ':version': version,
          },
          ExclusiveStartKey: resumeAt,
        }),
      );
      const keysToRename = (page.Items ?? []).map((item) => ({
        [TABLE.partitionKey]: item[TABLE.partitionKey],
        [TABLE.sortKey]: item[TABLE.sortKey],
      }));
      for (let start = 0; start < keysToRename.length; start += RENAME_CONCURRENCY) {
        const results = await Promise.all(
          keysToRename.slice(start, start + RENAME_CONCURRENCY).map((key) => this.renameOne(key, name, version)),
        );
        renamed += results.filter(Boolean).length;
      }
      resumeAt = page.LastEvaluatedKey;
    } while (resumeAt);
    return renamed;
  }

  private async renameOne(key: Record<string, unknown>, name: string, version: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET workspaceName = :name, #version = :version',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#version) OR #version < :version)',
          ExpressionAttributeNames: { '#version': WORKSPACE_VERSION },
          ExpressionAttributeValues: { ':name': name, ':version': version },
        }),
      );
      return true;
    } catch (error) {
      // Deleted meanwhile, or already named by a newer rename.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async takeEmailAllowance(userId: string, day: string, limit: number, keepUntil: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.emailAllowance(userId, day),
          UpdateExpression: 'SET emailCount = if_not_exists(emailCount, :zero) + :one, entity = :entity, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(emailCount) OR emailCount < :limit',
          ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':one': 1,
            ':limit': limit,
            ':entity': ENTITY.emailAllowance,
            ':ttl': Math.floor(keepUntil.getTime() / 1000),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async returnEmailAllowance(userId: string, day: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.emailAllowance(userId, day),
          UpdateExpression: 'SET emailCount = emailCount - :one',
          ConditionExpression: 'emailCount > :zero',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  listSentInvitations(creatorId: string, page: PageRequest): Promise<Page<Invitation>> {
    return this.query<Invitation>(`sent:${creatorId}`, page, {
      ...this.indexCondition('byUser', userPartition(creatorId), INVITATION_PREFIX),
      ScanIndexForward: false,
    });
  }

  listReceivedInvitations(email: string, page: PageRequest): Promise<Page<Invitation>> {
    return this.query<Invitation>(`received:${email}`, page, {
      ...this.indexCondition('byEmail', emailPartition(email), INVITATION_PREFIX),
      ScanIndexForward: false,
    });
  }

  listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>> {
    const base = this.indexCondition('byWorkspace', workspacePartition(workspaceId), INVITATION_PREFIX);
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...base.ExpressionAttributeValues };
    if (filter.status) {
      names['#status'] = 'status';
      values[':now'] = now.toISOString();
      if (filter.status === 'PENDING' || filter.status === 'EXPIRED') {
        values[':status'] = 'PENDING';
        conditions.push(
          filter.status === 'PENDING'
            ? '#status = :status AND expiresAt > :now'
            : '#status = :status AND expiresAt <= :now',
        );
      } else {
        values[':status'] = filter.status;
        conditions.push('#status = :status');
        delete values[':now'];
      }
    }
    if (filter.creatorId) {
      values[':creator'] = filter.creatorId;
      conditions.push('creatorId = :creator');
    }
    // The filter is part of the scope: a cursor from the unfiltered list cannot page a filtered one.
    const scope = `workspace:${workspaceId}:${filter.status ?? '*'}:${filter.creatorId ?? '*'}`;
    return this.query<Invitation>(scope, page, {
      ...base,
      ExpressionAttributeValues: values,
      ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ScanIndexForward: false,
    });
  }

  // ---------------------------------------------------------------- limits

  /**
   * One more member or pending invitation, on condition that the workspace has fewer than
   * `limit`. The counts only ever go up here: leaving, withdrawing, declining and expiry do not
   * count down, so a count is never below the truth and the limit holds under any concurrency.
   * When a count reaches the limit, or does not exist yet, `recount` sets it to the truth.
   */
  private countUp(workspaceId: string, count: 'memberCount' | 'pendingCount', limit: number): Labelled {
    return {
      label: count,
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.workspaceCounts(workspaceId),
          UpdateExpression: 'ADD #count :one, changes :one',
          ConditionExpression: 'attribute_exists(changes) AND #count < :limit',
          ExpressionAttributeNames: { '#count': count },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit },
        },
      },
    };
  }

  /** A transaction with a `countUp`: when the count says the limit is reached, recount and try once more. */
  private async transactWithinLimit(items: Labelled[], workspaceId: string, now: Date): Promise<void> {
    try {
      await this.transact(items);
    } catch (error) {
      if (!(error instanceof ConditionFailed) || (error.label !== 'memberCount' && error.label !== 'pendingCount')) {
        throw error;
      }
      const counts = await this.recount(workspaceId, now);
      const limit =
        error.label === 'memberCount' ? this.limits.membersPerWorkspace : this.limits.pendingInvitationsPerWorkspace;
      if (counts[error.label] >= limit) throw error;
      await this.transact(items);
    }
  }

  /**
   * Sets a workspace's counts to the truth: its member items, and its address claims held by a
   * live invitation (both in the workspace's own partition, read strongly consistent). The write
   * succeeds only if no count changed since it was read, so a member or invitation added
   * meanwhile is never lost; it then reads again.
   */
  async recount(workspaceId: string, now: Date): Promise<{ memberCount: number; pendingCount: number }> {
    for (let attempt = 1; attempt <= RETRY_ATTEMPTS; attempt++) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.workspaceCounts(workspaceId), ConsistentRead: true }),
      );
      const partition = workspacePartition(workspaceId);
      const [memberCount, pendingCount] = await Promise.all([
        this.countItems({
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': partition, ':prefix': MEMBER_PREFIX },
        }),
        this.countItems({
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: 'kind = :invited AND expiresAt > :now',
          ExpressionAttributeValues: {
            ':pk': partition,
            ':prefix': EMAIL_CLAIM_PREFIX,
            ':invited': 'INVITED',
            ':now': now.toISOString(),
          },
        }),
      ]);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.workspaceCounts(workspaceId),
              entity: ENTITY.workspaceCounts,
              memberCount,
              pendingCount,
              changes: ((Item?.changes as number | undefined) ?? 0) + 1,
            },
            ...(Item
              ? { ConditionExpression: 'changes = :seen', ExpressionAttributeValues: { ':seen': Item.changes } }
              : { ConditionExpression: 'attribute_not_exists(PK)' }),
          }),
        );
        return { memberCount, pendingCount };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await backoff(attempt);
      }
    }
    throw new Conflict('The workspace is changing too fast to be counted; retry.');
  }

  private async countItems(input: Omit<QueryCommandInput, 'TableName' | 'Select' | 'ConsistentRead'>) {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  // ---------------------------------------------------------------- building blocks

  private memberItem(member: Member): Item {
    return {
      ...keys.member(member.workspaceId, member.userId),
      entity: ENTITY.member,
      ...member,
      GSI1PK: userPartition(member.userId),
      GSI1SK: `${WORKSPACE_PREFIX}${member.workspaceId}`,
    };
  }

  private memberClaimItem(member: Member): Item {
    return {
      ...keys.emailClaim(member.workspaceId, member.email as string),
      entity: ENTITY.emailClaim,
      kind: 'MEMBER',
      userId: member.userId,
      invitationId: member.invitationId,
    };
  }

  private put(label: string, item: Item, mustBeNew: boolean): Labelled {
    return {
      label,
      item: {
        Put: {
          TableName: this.tableName,
          Item: item,
          ...(mustBeNew ? { ConditionExpression: 'attribute_not_exists(PK)' } : {}),
        },
      },
    };
  }

  private deleteMemberItem(member: Member): Labelled {
    return {
      label: 'member',
      item: {
        Delete: {
          TableName: this.tableName,
          Key: keys.member(member.workspaceId, member.userId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
    };
  }

  /** Removes the (workspace, email) claim if it still belongs to the given owner; leaves another's claim alone by failing. */
  private deleteClaimOf(
    workspaceId: string,
    email: string,
    ownerAttribute: 'invitationId' | 'userId',
    ownerValue: string,
  ): Labelled {
    return {
      label: 'claim',
      item: {
        Delete: {
          TableName: this.tableName,
          Key: keys.emailClaim(workspaceId, email),
          ConditionExpression: `attribute_not_exists(PK) OR #owner = :owner`,
          ExpressionAttributeNames: { '#owner': ownerAttribute },
          ExpressionAttributeValues: { ':owner': ownerValue },
        },
      },
    };
  }

  private changeOwnerCount(workspaceId: string, delta: 1 | -1): Labelled {
    return {
      label: delta > 0 ? 'workspace' : 'owners',
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.workspace(workspaceId),
          UpdateExpression: 'SET ownerCount = ownerCount + :delta',
          ConditionExpression: delta > 0 ? 'attribute_exists(PK)' : 'ownerCount > :one',
          ExpressionAttributeValues: delta > 0 ? { ':delta': delta } : { ':delta': delta, ':one': 1 },
        },
      },
    };
  }

  /** The invitation's creator is still the member they were when inviting, with a role that may grant it. */
  private creatorCheck(creator: CreatorAuthority): Labelled {
    const { expression, names, values } = roleCondition(creator);
    const sameMembership = creator.joinedAt ? 'joinedAt = :joinedAt' : 'joinedAt <= :joinedAt';
    return {
      label: 'creator',
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.member(creator.workspaceId, creator.userId),
          ConditionExpression: `${expression} AND ${sameMembership}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':joinedAt': creator.joinedAt ?? creator.createdBefore },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    };
  }

  private roleCheck(requirement: RoleRequirement): Labelled {
    const { expression, names, values } = roleCondition(requirement);
    return {
      label: 'role',
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.member(requirement.workspaceId, requirement.userId),
          ConditionExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    };
  }

  /** Moves an invitation from `from` to `to`; a PENDING one only while it has not expired. */
  private statusChange(invitation: Invitation, to: string, now: Date, from: string): Labelled {
    const nowIso = now.toISOString();
    const stillLive = from === 'PENDING' ? ' AND expiresAt > :now' : '';
    return {
      label: 'invitation',
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.invitation(invitation.id),
          UpdateExpression: 'SET #status = :to, lastModified = :now',
          ConditionExpression: `#status = :from${stillLive}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':now': nowIso },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    };
  }

  private transitionFailure(transition: Transition, now: Date) {
    return (error: unknown): never => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'invitation') this.explainTransition(transition, error.current, now);
      if (error.label === 'role') throw new Forbidden('Your role in this workspace does not allow this.');
      throw new Conflict('The invitation changed while it was being updated; retry.');
    };
  }

  /** The invitation's condition failed: say why, from the item as it is now. */
  private explainTransition(transition: Transition, current: Item | undefined, now: Date): never {
    if (!current || current.entity !== ENTITY.invitation) throw new NotFound('The invitation does not exist.');
    assertTransition(transition, effectiveStatus(strip<Invitation>(current), now));
    throw new Conflict('The invitation changed while it was being updated; retry.');
  }

  private readonly unexpectedCondition = (error: unknown): never => {
    if (error instanceof ConditionFailed) throw new Conflict('The resource already exists; retry.');
    throw error;
  };

  private entity<T>(items: Item[], entity: string): T | undefined {
    const found = items.find((item) => item.entity === entity);
    return found ? strip<T>(found) : undefined;
  }

  private indexCondition(index: IndexName, partition: string, sortPrefix: string) {
    const { name, partitionKey, sortKey } = TABLE.indexes[index];
    return {
      IndexName: name,
      KeyConditionExpression: `${partitionKey} = :pk AND begins_with(${sortKey}, :prefix)`,
      ExpressionAttributeValues: { ':pk': partition, ':prefix': sortPrefix } as Record<string, unknown>,
    };
  }

  /**
   * One page of a collection. It asks for one item more than the page holds, so a next link is
   * given only when another item exists; and because DynamoDB applies a filter after `Limit`, a
   * filtered query reads on until the page is full, the collection ends or MAX_FILTERED_ROUNDS
   * round trips are spent (then the page is short, and its next link continues where reading stopped).
   */
  private async query<T>(
    scope: string,
    page: PageRequest,
    input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  ): Promise<Page<T>> {
    const cursors = this.cursors();
    const start = page.cursor ? cursors.decode(scope, page.cursor) : undefined;
    const wanted = page.size + 1;
    const rounds = input.FilterExpression ? MAX_FILTERED_ROUNDS : 1;
    const found: Item[] = [];
    let resumeAt = start?.key;
    for (let round = 0; round < rounds && found.length < wanted; round++) {
      const result = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          Limit: input.FilterExpression ? Math.max(wanted, FILTERED_READ_SIZE) : wanted,
          ExclusiveStartKey: resumeAt,
        }),
      );
      found.push(...(result.Items ?? []));
      resumeAt = result.LastEvaluatedKey as PageKey | undefined;
      if (!resumeAt) break;
    }
    const items = found.slice(0, page.size);
    const last = items.at(-1);
    const nextKey = found.length > page.size && last ? this.pageKeyOf(last, input.IndexName) : resumeAt;
    const pageNumber = start?.pageNumber ?? 0;
    return {
      items: items.map((item) => strip<T>(item)),
      pageNumber,
      nextCursor: nextKey ? cursors.encode(scope, pageNumber + 1, nextKey) : undefined,
    };
  }

  private cursors(): CursorCodec {
    if (!this.cursorCodec) {
      throw new Error('This function pages a list but has no cursor key: its route must declare cursorKey.');
    }
    return this.cursorCodec;
  }

  /** The start key that resumes a query after `item`: the table's key and, on an index, the index's. */
  private pageKeyOf(item: Item, indexName: string | undefined): PageKey {
    const index = Object.values(TABLE.indexes).find((candidate) => candidate.name === indexName);
    const names = [TABLE.partitionKey, TABLE.sortKey, ...(index ? [index.partitionKey, index.sortKey] : [])];
    return Object.fromEntries(names.map((name) => [name, item[name] as string]));
  }

  private batchGet(keyList: Record<string, string>[], consistent = true): Promise<Item[]> {
    return batchGetItems(this.client, this.tableName, keyList, consistent);
  }

  /**
   * Runs a transaction. A failed condition becomes a ConditionFailed naming the item; a conflict
   * with a concurrent transaction is retried with jittered backoff, because the other
   * transaction's outcome decides which of the conditions now hold.
   */
  private async transact(items: Labelled[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items.map((labelled) => labelled.item) }));
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
        if (failed >= 0) {
          const current = reasons[failed]?.Item;
          throw new ConditionFailed(
            items[failed]?.label ?? 'unknown',
            current ? unmarshall(current as Record<string, AttributeValue>) : undefined,
          );
        }
        const retryable = reasons.some((reason) => reason.Code === 'TransactionConflict');
        if (!retryable) throw error;
        if (attempt >= RETRY_ATTEMPTS) {
          throw new Conflict('A concurrent request changed the same data; retry.');
        }
        await backoff(attempt);
      }
    }
  }
}

/** "The member item holds one of these roles", as a condition expression. */
function roleCondition(requirement: RoleRequirement) {
  const values = Object.fromEntries(requirement.roles.map((role, i) => [`:role${i}`, role]));
  return {
    expression: `#role IN (${Object.keys(values).join(', ')})`,
    names: { '#role': 'role' },
    values,
  };
}

/** An accept refused because of the invitation's creator: why, from their membership as it is now. */
function explainCreatorRefusal(
  invitation: Invitation,
  creator: CreatorAuthority | undefined,
  current: Item | undefined,
): never {
  const again = 'Ask an OWNER or ADMIN of the workspace for a new invitation.';
  const sameMembership =
    current?.entity === ENTITY.member &&
    (creator?.joinedAt ? current.joinedAt === creator.joinedAt : String(current.joinedAt) <= invitation.created);
  if (!sameMembership) {
    throw new Conflict(`The person who sent this invitation is no longer a member of the workspace. ${again}`);
  }
  throw new Conflict(
    `The person who sent this invitation is now ${current.role} and can no longer grant the ${invitation.role} role it offers. ${again}`,
  );
}

/** The entity as the domain knows it: the item without the attributes that serve the table. */
export function strip<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name))) as T;
}
