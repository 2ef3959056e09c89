import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type FunctionNeeds,
  LIMIT_VARIABLES,
  PRIMING_CONNECTIONS_VARIABLE,
  PRIMING_VARIABLE,
  primingConnectionsOf,
  primingReadsOf,
  type ServiceLimit,
} from '../functions/access';
import type { InvitationsTable } from './invitations-table';
import type { ServiceSecrets } from './service-secrets';

/** Every abuse limit, as the deployment parameters set it. */
export type ServiceLimits = Readonly<Record<ServiceLimit, number>>;

/**
 * What the service's functions may be given: the table, the two keys and the limits. A function
 * gets exactly what its declaration names (functions/access.ts): the grants, and the environment
 * that goes with them, nothing else.
 */
export class ServiceResources {
  constructor(
    readonly table: InvitationsTable,
    readonly secrets: ServiceSecrets,
    readonly limits: ServiceLimits,
    /** The bus the service publishes its events on, and their source. */
    readonly events: { readonly bus: events.IEventBus; readonly source: string },
  ) {}

  /**
   * TABLE_NAME with table access, each declared key's variable, each declared limit's variable,
   * and the declared read the function primes its DynamoDB client with at init.
   */
  environmentFor(needs: FunctionNeeds): Record<string, string> {
    const secrets = needs.secrets ?? [];
    const priming = primingReadsOf(needs);
    const connections = primingConnectionsOf(needs);
    return {
      ...(needs.table ? { TABLE_NAME: this.table.table.tableName } : {}),
      ...(priming.length > 0 ? { [PRIMING_VARIABLE]: priming.join(',') } : {}),
      ...(connections > priming.length ? { [PRIMING_CONNECTIONS_VARIABLE]: String(connections) } : {}),
      ...(needs.events ? { EVENT_BUS_NAME: this.events.bus.eventBusName, EVENT_SOURCE: this.events.source } : {}),
      ...(secrets.includes('cursorKey') ? { CURSOR_SECRET: this.secrets.cursorSecretValue } : {}),
      ...(secrets.includes('linkTokenKey') ? { TOKEN_KEY_SECRET_ARN: this.secrets.linkTokenKey.secretArn } : {}),
      ...Object.fromEntries((needs.limits ?? []).map((limit) => [LIMIT_VARIABLES[limit], String(this.limits[limit])])),
    };
  }

  /**
   * The declared table actions and index queries, and read access to the link-token key when
   * declared. The cursor key needs no grant: it reaches the environment at deploy time.
   */
  grant(fn: lambda.IFunction, needs: FunctionNeeds): void {
    if (needs.table) this.table.grant(fn, needs.table);
    // events:PutEvents on the service's bus and no other.
    if (needs.events?.includes('PutEvents')) this.events.bus.grantPutEventsTo(fn);
    if (needs.secrets?.includes('linkTokenKey')) this.secrets.linkTokenKey.grantRead(fn);
  }
}
