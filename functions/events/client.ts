/**
 * The EventBridge client and the events configuration, created once per cold start like the
 * DynamoDB client (functions/store/client.ts). The local runner holds this client to the
 * publisher's declaration (local/declared-access.ts), as IAM holds it deployed.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadEventsConfig } from './config';

export const eventsConfig = loadEventsConfig(process.env);

export const eventBridge = new EventBridgeClient({
  region: eventsConfig.AWS_REGION,
  endpoint: eventsConfig.EVENTS_ENDPOINT,
});
