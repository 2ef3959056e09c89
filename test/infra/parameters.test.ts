/**
 * Deployment parameters: an operator's own identity provider, a sender domain with Easy DKIM,
 * CORS origins, throttling and alarm email reach the template; bad values stop the synth.
 * (Template only: bundling is skipped here, the stack test covers the bundles.)
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_VARIABLES } from '../../functions/access';
import type { InvitationsStack } from '../../lib/invitations-stack';
import { parseParameters } from '../../lib/parameters';
import { EXAMPLE_PARAMETERS, logicalId, synthesize } from './synth';

describe('with an external identity provider, a sender domain and CORS', () => {
  let stack: InvitationsStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synthesize(
      {
        ...EXAMPLE_PARAMETERS,
        senderEmail: 'Invitations@Mail.Example.com',
        senderName: 'Example Invitations',
        senderDomain: 'mail.example.com',
        jwtIssuer: 'https://login.example.com/',
        jwtAudience: 'invitations-api, invitations-web',
        corsOrigins: 'https://app.example.com,https://admin.example.com',
        alarmEmail: 'ops@example.com',
        throttleRateLimit: '200',
        throttleBurstLimit: '400',
        publicThrottleRateLimit: '5',
        publicThrottleBurstLimit: '7',
        invitationEmailsPerUserPerDay: '250',
        workspacesPerUser: '7',
        membersPerWorkspace: '60',
        pendingInvitationsPerWorkspace: '40',
        workspaceRenamesPerMinute: '1',
        logRetentionDays: '90',
      },
      { bundle: false },
    ));
  }, 60_000);

  it('trusts the given issuer and audiences and creates no user pool', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://login.example.com/', Audience: ['invitations-api', 'invitations-web'] },
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(Object.keys(template.findOutputs('*'))).not.toContain('UserPoolId');
  });

  it('verifies the domain with Easy DKIM and outputs its DNS records', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.example.com',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
    });
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['DkimRecord1', 'DkimRecord2', 'DkimRecord3']),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Condition: { StringEquals: { 'ses:FromAddress': 'invitations@mail.example.com' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SES_FROM_ADDRESS: 'Example Invitations <invitations@mail.example.com>' }),
      },
    });
  });

  it('allows exactly the given origins', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com', 'https://admin.example.com'],
        AllowHeaders: ['authorization', 'content-type'],
        AllowMethods: Match.arrayWith(['GET', 'POST', 'DELETE']),
      },
    });
  });

  it('gives each limit to the routes that enforce it, and to no other function', () => {
    const resources = template.toJSON().Resources;
    const functions = [...stack.api.functions, stack.email.sender, stack.events.nameSync, stack.feedback.handler];
    const limitsOf = (fn: (typeof functions)[number]) =>
      Object.fromEntries(
        Object.entries(resources[logicalId(fn)].Properties.Environment.Variables as Record<string, unknown>).filter(
          ([name]) => Object.values(LIMIT_VARIABLES).includes(name as never),
        ),
      );
    const withLimits = Object.fromEntries(
      functions.flatMap((fn) => (Object.keys(limitsOf(fn)).length ? [[fn.handlerName, limitsOf(fn)]] : [])),
    );
    expect(withLimits).toEqual({
      'create-workspace': { WORKSPACES_PER_USER: '7' },
      'update-workspace': { WORKSPACE_RENAMES_PER_MINUTE: '1' },
      'create-invitation': { INVITATION_EMAILS_PER_USER_PER_DAY: '250', PENDING_INVITATIONS_PER_WORKSPACE: '40' },
      'accept-invitation': { MEMBERS_PER_WORKSPACE: '60' },
      'accept-invitation-token': { MEMBERS_PER_WORKSPACE: '60' },
      'resend-invitation': { INVITATION_EMAILS_PER_USER_PER_DAY: '250' },
    });
  });

  it('applies the throttling, retention and alarm subscription', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      RouteSettings: {
        'GET /api/invitation-tokens/{token}': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 7 },
        'GET /api/openapi.json': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 7 },
      },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('with the created Cognito pool and its own sign-in addresses', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = synthesize(
      {
        ...EXAMPLE_PARAMETERS,
        authCallbackUrls: 'https://app.example.com/signed-in, http://localhost:5173/signed-in',
        authLogoutUrls: 'https://app.example.com/bye',
        authDomainPrefix: 'example-invitations',
      },
      { bundle: false },
    ));
  }, 60_000);

  it('returns people only to the given addresses, from the given sign-in domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://app.example.com/signed-in', 'http://localhost:5173/signed-in'],
      LogoutURLs: ['https://app.example.com/bye'],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'example-invitations' });
  });
});

describe('parameter checks', () => {
  const problems = (raw: Record<string, unknown>) => {
    try {
      parseParameters(raw);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('requires a sender and an accept page', () => {
    const message = problems({});
    expect(message).toContain('senderEmail is required');
    expect(message).toContain('acceptUrl is required');
  });

  it('rejects half an identity provider, an insecure issuer and wildcard or path-bearing CORS origins', () => {
    expect(problems({ ...EXAMPLE_PARAMETERS, jwtIssuer: 'https://login.example.com/' })).toContain(
      'jwtAudience is required',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, jwtAudience: 'api' })).toContain('jwtIssuer is required');
    expect(problems({ ...EXAMPLE_PARAMETERS, jwtIssuer: 'http://login.example.com/', jwtAudience: 'api' })).toContain(
      'https',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, corsOrigins: '*' })).toContain('corsOrigins must name origins');
    expect(problems({ ...EXAMPLE_PARAMETERS, corsOrigins: 'https://app.example.com/path' })).toContain(
      'without a path',
    );
  });

  it('rejects a sender outside the sender domain, bad numbers and unknown retentions', () => {
    expect(problems({ ...EXAMPLE_PARAMETERS, senderDomain: 'other.example.com' })).toContain(
      'senderEmail must be an address at senderDomain',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, throttleRateLimit: 'fast' })).toContain('throttleRateLimit');
    expect(problems({ ...EXAMPLE_PARAMETERS, invitationEmailsPerUserPerDay: '0' })).toContain(
      'invitationEmailsPerUserPerDay must be a whole number from 1',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, logRetentionDays: '31' })).toContain('logRetentionDays');
    expect(problems({ ...EXAMPLE_PARAMETERS, publicThrottleBurstLimit: '0' })).toContain('publicThrottleBurstLimit');
    expect(problems({ ...EXAMPLE_PARAMETERS, workspaceRenamesPerMinute: '61' })).toContain(
      'workspaceRenamesPerMinute must be a whole number from 1 to 60',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, membersPerWorkspace: '1.5' })).toContain('membersPerWorkspace');
  });

  it('rejects sign-in addresses that are not https (but localhost) and sign-in domains Cognito refuses', () => {
    expect(problems({ ...EXAMPLE_PARAMETERS, authCallbackUrls: 'http://app.example.com/in' })).toContain(
      'authCallbackUrls entry http://app.example.com/in must be https',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, authLogoutUrls: 'not a url' })).toContain(
      'authLogoutUrls must be an http(s) URL',
    );
    expect(problems({ ...EXAMPLE_PARAMETERS, authDomainPrefix: 'my-cognito-login' })).toContain('authDomainPrefix');
    expect(problems({ ...EXAMPLE_PARAMETERS, authDomainPrefix: 'Bad_Prefix' })).toContain('authDomainPrefix');
  });

  it('accepts the minimum and fills in defaults', () => {
    expect(parseParameters(EXAMPLE_PARAMETERS)).toMatchObject({
      senderEmail: 'invitations@example.com',
      jwt: undefined,
      corsOrigins: [],
      signIn: {
        callbackUrls: ['https://app.example.com/invitations/accept'],
        logoutUrls: ['https://app.example.com/'],
        domainPrefix: undefined,
      },
      throttle: { authenticated: { rateLimit: 50, burstLimit: 100 }, public: { rateLimit: 10, burstLimit: 20 } },
      invitationEmailsPerUserPerDay: 1000,
      limits: {
        workspacesPerUser: 20,
        membersPerWorkspace: 1000,
        pendingInvitationsPerWorkspace: 500,
        workspaceRenamesPerMinute: 3,
      },
      logRetention: 30,
    });
  });
});
