/**
 * Deployment parameters: an operator's own identity provider, a sender domain with Easy DKIM,
 * CORS origins, throttling and alarm email reach the template; bad values stop the synth.
 * (Template only: bundling is skipped here, the stack test covers the bundles.)
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('gives the daily email allowance to the two routes that ask for emails, and to no other function', () => {
    const resources = template.toJSON().Resources;
    const functions = [...stack.api.functions, stack.email.sender, stack.nameSync.handler, stack.feedback.handler];
    const withAllowance = functions.flatMap((fn) => {
      const value = resources[logicalId(fn)].Properties.Environment.Variables.INVITATION_EMAILS_PER_USER_PER_DAY;
      return value === undefined ? [] : [[fn.handlerName, value]];
    });
    expect(Object.fromEntries(withAllowance)).toEqual({ 'create-invitation': '250', 'resend-invitation': '250' });
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
      logRetention: 30,
    });
  });
});
