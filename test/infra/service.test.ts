/** The InvitationsService construct embedded in someone else's stack, with what they already have. */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { InvitationsService, type InvitationsServiceProps } from '../../lib/invitations-service';

const REQUIRED = {
  sender: { email: 'invitations@example.com' },
  acceptUrl: 'https://app.example.com/accept',
} satisfies InvitationsServiceProps;

function embed(props: (stack: Stack) => Partial<InvitationsServiceProps>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Product', { env: { account: '123456789012', region: 'eu-west-1' } });
  const service = new InvitationsService(stack, 'Invitations', { ...REQUIRED, ...props(stack) });
  return { stack, service, template: Template.fromStack(stack) };
}

describe('InvitationsService', () => {
  it("trusts the embedding app's user pool, serves its domain, uses its bus and drops the table with the stack", () => {
    let bus: events.IEventBus | undefined;
    const { stack, service, template } = embed((scope) => {
      const pool = new cognito.UserPool(scope, 'Users');
      const client = pool.addClient('Web');
      bus = new events.EventBus(scope, 'ProductBus');
      return {
        identity: { userPool: pool, clients: [client] },
        eventBus: bus,
        tableRemovalPolicy: RemovalPolicy.DESTROY,
        domain: {
          domainName: 'invitations.example.com',
          certificate: acm.Certificate.fromCertificateArn(
            scope,
            'Certificate',
            'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
          ),
        },
      };
    });
    expect(template.findResources('AWS::Cognito::UserPool')).toEqual({
      [stack.getLogicalId(stack.node.findChild('Users').node.defaultChild as cognito.CfnUserPool)]: expect.anything(),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('^UsersWeb') }],
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: Match.stringLikeRegexp('^Users') }]],
        },
      },
    });
    expect(service.bus).toBe(bus);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'invitations.example.com',
      DomainNameConfigurations: [Match.objectLike({ SecurityPolicy: 'TLS_1_2', EndpointType: 'REGIONAL' })],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(service.url).toBe('https://invitations.example.com/');
  });

  it('by default creates its own pool and bus and keeps the table, protected from deletion', () => {
    const { service, template } = embed(() => ({}));
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: Match.anyValue() });
    template.resourcePropertiesCountIs('AWS::Events::EventBusPolicy', {}, 0);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(service.alarmTopic).toBe(service.monitoring.topic);
    expect(service.httpApi).toBe(service.api.httpApi);
  });

  it('trusts any OIDC issuer, with an accept URL only known at deploy time', () => {
    const { template } = embed((scope) => ({
      identity: { issuer: 'https://login.example.com/', audience: ['web'] },
      acceptUrl: `https://${new cognito.UserPool(scope, 'Other').userPoolProviderName}/accept`,
    }));
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Audience: ['web'], Issuer: 'https://login.example.com/' },
    });
  });

  it('refuses props that would be unsafe or cannot work, naming them', () => {
    expect(() => embed(() => ({ corsOrigins: ['*'] }))).toThrow(/corsOrigins must name origins/);
    expect(() => embed(() => ({ sender: { email: 'not an address' } }))).toThrow(/senderEmail must be an email/);
    expect(() => embed(() => ({ identity: { issuer: 'http://login.example.com/', audience: ['web'] } }))).toThrow(
      /jwtIssuer must be an https URL/,
    );
  });
});
