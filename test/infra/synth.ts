/** Synthesizes the stack the way `cdk deploy` would, once per test file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { PROJECT_ROOT } from '../../lib/bundling/options';
import { InvitationsStack } from '../../lib/invitations-stack';
import { parseParameters, type RawParameters } from '../../lib/parameters';

export const EXAMPLE_PARAMETERS: RawParameters = {
  senderEmail: 'invitations@example.com',
  acceptUrl: 'https://app.example.com/invitations/accept',
};

export interface Synthesized {
  stack: InvitationsStack;
  template: Template;
  /** The cloud assembly directory, where the bundled function code lives (asset.<hash>/index.mjs). */
  assemblyDir: string;
}

/** The feature flags `cdk synth` applies, so that tests see the template a deploy would. */
const cdkJsonContext = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: object })
  .context;

/** `bundle: false` skips esbuild (placeholder code) for tests that only look at the template. */
export function synthesize(parameters: RawParameters, { bundle }: { bundle: boolean }): Synthesized {
  const app = new App({ context: { ...cdkJsonContext, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = new InvitationsStack(app, 'Invitations', {
    parameters: parseParameters(parameters),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const assembly = app.synth();
  return {
    stack,
    template: Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template),
    assemblyDir: assembly.directory,
  };
}

export function logicalId(construct: IFunction): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnFunction);
}

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of the identity policies attached to a function's role. */
export function statementsOf(template: Template, fn: IFunction): PolicyStatement[] {
  const stack = Stack.of(fn);
  const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: PolicyStatement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

export function actionsOf(statements: PolicyStatement[]): string[] {
  return statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}
