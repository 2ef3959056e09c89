/**
 * The CDK app: `npx cdk deploy` deploys the invitations service into the account and region of
 * the caller's credentials. Deployment parameters come from CDK context (see lib/parameters.ts
 * and the Deploy section of the README). Every synth runs the AWS Solutions checks of cdk-nag.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvitationsStack } from '../lib/invitations-stack';
import { readParameters } from '../lib/parameters';

const app = new App();
const stackName = app.node.tryGetContext('stackName') ?? 'Invitations';
new InvitationsStack(app, stackName, {
  description: 'Invitations service: invite people by email into private workspaces',
  parameters: parametersOrExit(),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

/** A parameter mistake is the operator's to fix: say what is wrong, without a stack trace. */
function parametersOrExit() {
  try {
    return readParameters(app.node);
  } catch (error) {
    console.error(
      `${(error as Error).message}\n\nPass parameters with -c name=value; see the Deploy section of README.md.`,
    );
    process.exit(1);
  }
}
