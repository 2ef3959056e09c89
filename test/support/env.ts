/** Runs before every test file: the configuration the functions read at import time. */
import { inject } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';

process.env.TABLE_NAME = 'invitations-test';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.EVENT_BUS_NAME = 'invitations-test';
process.env.CURSOR_SECRET = 'test-cursor-secret-that-is-long-enough-0123456789';
// Only the projects that run against DynamoDB Local have an endpoint; elsewhere none is inherited from the shell.
const dynamoEndpoint = inject('dynamoEndpoint');
if (dynamoEndpoint) process.env.DYNAMODB_ENDPOINT = dynamoEndpoint;
else delete process.env.DYNAMODB_ENDPOINT;
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// Tests that assert metrics turn them on for themselves.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Any answer a route entry does not document fails its request (functions/http/documented-answers.ts).
process.env.UNDOCUMENTED_ANSWERS = 'fail';
