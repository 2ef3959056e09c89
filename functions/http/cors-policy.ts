/**
 * The HTTP API's CORS policy, used by the CDK stack and the local gateway alike. Only the allowed
 * origins differ per deployment (the corsOrigins parameter; CORS_ORIGINS locally); with none,
 * the API answers no CORS at all.
 */
export const CORS_POLICY = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type'],
  exposeHeaders: ['location', 'retry-after'],
  maxAgeSeconds: 3600,
} as const;
