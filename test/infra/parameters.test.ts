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
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
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
  });

  it('accepts the minimum and fills in defaults', () => {
    expect(parseParameters(EXAMPLE_PARAMETERS)).toMatchObject({
      senderEmail: 'invitations@example.com',
      jwt: undefined,
      corsOrigins: [],
      throttle: { rateLimit: 50, burstLimit: 100 },
      invitationEmailsPerUserPerDay: 1000,
      logRetention: 30,
    });
  });
});
