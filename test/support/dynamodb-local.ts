import { inject } from 'vitest';

/** The DynamoDB Local the run started; only the projects whose globalSetup is test/support/global-setup.ts have one. */
export function dynamoEndpoint(): string {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint)
    throw new Error(
      'this test file needs DynamoDB Local, but its Vitest project does not start it: move the file to a ' +
        'project with test/support/global-setup.ts in vitest.config.ts',
    );
  return endpoint;
}
