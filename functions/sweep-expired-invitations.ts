/**
 * The expiry sweep, on a schedule (EventBridge Scheduler; a timer under `npm start`): records the
 * expiry of every PENDING invitation past its expiresAt, which the event publisher announces as
 * invitation.expired.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './platform/observability';
import { dynamo, tableName } from './store/client';
import { dynamoExpiries } from './store/stores';
import { type ExpiryReport, sweepExpired } from './use-cases/expiry-sweep';

const expiries = dynamoExpiries(dynamo, tableName);

export const handler = middy<unknown, ExpiryReport, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const report = await sweepExpired(expiries, new Date());
    if (report.examined > 0) logger.info('Expired invitations recorded', { ...report });
    return report;
  });
