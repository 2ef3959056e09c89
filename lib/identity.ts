import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface IdentityProps {
  /** An operator's own identity provider. Without it, a Cognito user pool is created. */
  readonly jwt?: { readonly issuer: string; readonly audience: string[] };
}

/**
 * Who may call the API: the issuer and audiences the JWT authorizer trusts. Either the
 * operator's provider (Auth0, Entra ID, Okta, an existing Cognito pool) or, so that a first
 * deploy works without one, a Cognito user pool made for this service.
 */
export class Identity extends Construct {
  readonly issuer: string;
  readonly audience: string[];
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    if (props.jwt) {
      this.issuer = props.jwt.issuer;
      this.audience = props.jwt.audience;
      return;
    }

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Invitees create their own account to accept; the email they verify is what an invitation matches.
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
        nickname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection needs the Cognito Plus plan, billed for every active user, where Essentials is free for ' +
        'the first 10,000 a month. This pool is the zero-configuration fallback: strong passwords and required TOTP ' +
        'MFA are enforced, and production deployments are expected to bring their own identity provider ' +
        '(jwtIssuer/jwtAudience) or move the pool to Plus.',
    });

    this.userPoolClient = this.userPool.addClient('ApiClient', {
      // A browser or mobile app: a public client, so no secret that could leak from it.
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, nickname: true })
        .withCustomAttributes(),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true, nickname: true }),
    });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    // The ID token carries the claims the handlers read (email, email_verified, name) and names the client in `aud`.
    this.audience = [this.userPoolClient.userPoolClientId];
  }
}
