import type { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WORKSPACE_NAME_SYNC } from '../functions/consumers';
import type { ServiceResources } from './function-needs';
import { ServiceFunction } from './service-function';
import { subscribeToTableStream } from './table-stream-subscription';

export interface WorkspaceNameSyncProps {
  /** The table and keys; the function gets what its consumer entry declares (functions/consumers.ts). */
  readonly resources: ServiceResources;
  readonly logRetention: logs.RetentionDays;
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
      handler: WORKSPACE_NAME_SYNC.handler,
      profile: WORKSPACE_NAME_SYNC.profile,
      description: WORKSPACE_NAME_SYNC.description,
      logRetention: props.logRetention,
      environment: props.resources.environmentFor(WORKSPACE_NAME_SYNC),
    });
    props.resources.grant(this.handler, WORKSPACE_NAME_SYNC);

    const subscription = subscribeToTableStream(this, {
      table: props.resources.table,
      consumer: this.handler,
      entry: WORKSPACE_NAME_SYNC,
    });
    this.failures = subscription.failures;
    this.eventSource = subscription.eventSource;
  }
}
