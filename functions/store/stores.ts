/** The stores of every aggregate over one table. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_WORKSPACE_LIMITS, type WorkspaceLimits } from '../domain/workspace';
import type { Stores } from '../use-cases/ports';
import type { CursorCodec } from './cursor';
import { Table } from './dynamo/table';
import { DynamoEmailAllowances } from './email-allowance-store';
import { EmailDeliveryStore } from './email-delivery-store';
import { DynamoInvitationExpiries } from './expiry-store';
import { DynamoInvitationLists } from './invitation-lists';
import { DynamoInvitationStore } from './invitation-store';
import { DynamoRemovals } from './removal-store';
import { DynamoWorkspaceInvitations } from './workspace-invitations';
import { DynamoWorkspaceStore } from './workspace-store';

export interface StoreOptions {
  /** Only functions that list are given the cursor key; stores without it cannot page. */
  cursors?: CursorCodec;
  limits?: WorkspaceLimits;
}

export function dynamoStores(client: DynamoDBDocumentClient, tableName: string, options: StoreOptions = {}): Stores {
  const table = new Table(client, tableName);
  const limits = options.limits ?? DEFAULT_WORKSPACE_LIMITS;
  return {
    workspaces: new DynamoWorkspaceStore(table, limits, options.cursors),
    invitations: new DynamoInvitationStore(table, limits),
    invitationLists: new DynamoInvitationLists(table, options.cursors),
    workspaceInvitations: new DynamoWorkspaceInvitations(table),
    allowances: new DynamoEmailAllowances(table),
  };
}

/** The email-delivery store: only the email sender, the sweep and the feedback recorder use it, so no API bundle carries it. */
export function dynamoDeliveries(client: DynamoDBDocumentClient, tableName: string): EmailDeliveryStore {
  return new EmailDeliveryStore(new Table(client, tableName));
}

/** The expiry index's store: only the expiry sweep uses it, so no other bundle carries it. */
export function dynamoExpiries(client: DynamoDBDocumentClient, tableName: string): DynamoInvitationExpiries {
  return new DynamoInvitationExpiries(new Table(client, tableName));
}

/** The removal records' reader: only the event publisher uses it. */
export function dynamoRemovals(client: DynamoDBDocumentClient, tableName: string): DynamoRemovals {
  return new DynamoRemovals(new Table(client, tableName));
}
