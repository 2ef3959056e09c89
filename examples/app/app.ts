/**
 * A product's CDK app: its own user pool and web client, its own queue for the service's events,
 * and the invitations service embedded beside them, trusting that pool.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { InvitationsService } from 'invitations-service';

const app = new App();
const stack = new Stack(app, 'Product', { env: { account: '123456789012', region: 'eu-west-1' } });

const users = new cognito.UserPool(stack, 'Users', {
  selfSignUpEnabled: true,
  signInAliases: { email: true },
  autoVerify: { email: true },
  removalPolicy: RemovalPolicy.DESTROY,
});
const web = users.addClient('Web', { authFlows: { userSrp: true } });

const invitations = new InvitationsService(stack, 'Invitations', {
  sender: { email: 'invitations@product.example.com', name: 'Product' },
  acceptUrl: 'https://app.product.example.com/invitations/accept',
  identity: { userPool: users, clients: [web] },
  corsOrigins: ['https://app.product.example.com'],
  throttle: { authenticated: { rateLimit: 20, burstLimit: 40 } },
  // A test environment: the table goes with the stack.
  tableRemovalPolicy: RemovalPolicy.DESTROY,
});

// The product reacts to the service's events with a queue of its own.
const inbox = new sqs.Queue(stack, 'InvitationEvents', { enforceSSL: true });
new events.Rule(stack, 'ToInbox', {
  eventBus: invitations.bus,
  eventPattern: { source: ['invitations'] },
  targets: [new targets.SqsQueue(inbox)],
});

app.synth();
