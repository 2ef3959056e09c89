import type { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { workspaceRenameFilterPatterns } from '../functions/stream/filters';
import { WORKSPACE_NAME_SYNC_HANDLER } from './bundling/options';
import type { InvitationsTable } from './invitations-table';
import { ServiceFunction } from './service-function';
import { subscribeToTableStream } from './table-stream-subscription';

export interface WorkspaceNameSyncProps {
  readonly table: InvitationsTable;
  readonly logRetention: logs.RetentionDays;
  /** TABLE_NAME and CURSOR_SECRET: the function loads the same configuration module as the API. */
  readonly environment: Record<string, string>;
}

/**
 * Carries a renamed workspace's name to its invitations: a stream function fed with workspace
 * modifications, allowed to query the byWorkspace index and update items, and nothing else.
 */
export class WorkspaceNameSync extends Construct {
  readonly handler: ServiceFunction;
  readonly failures: sqs.Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: WorkspaceNameSyncProps) {
    super(scope, id);

    this.handler = new ServiceFunction(this, 'SyncWorkspaceNames', {
      handler: WORKSPACE_NAME_SYNC_HANDLER,
      profile: 'stream',
      description: "Gives a renamed workspace's invitations its new name, from the table stream",
      logRetention: props.logRetention,
      environment: props.environment,
    });
    props.table.grant(this.handler, 'workspace-rename');

    const subscription = subscribeToTableStream(this, {
      table: props.table,
      consumer: this.handler,
      filterPatterns: workspaceRenameFilterPatterns,
      failureQueueId: 'RenameFailures',
    });
    this.failures = subscription.failures;
    this.eventSource = subscription.eventSource;
  }
}
