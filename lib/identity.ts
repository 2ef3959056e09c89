import { Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface IdentityProps {
  /** An operator's own identity provider. Without it (and without `userPool`), a Cognito user pool is created. */
  readonly jwt?: { readonly issuer: string; readonly audience: string[] };
  /** An existing Cognito user pool, trusted for the ID tokens of the given app clients. */
  readonly userPool?: { readonly pool: cognito.IUserPool; readonly clients: readonly cognito.IUserPoolClient[] };
  /** Where the created pool's sign-in may send people back to (the front end's pages), and after signing out. */
  readonly signIn: {
    readonly callbackUrls: string[];
    readonly logoutUrls: string[];
    /** The prefix of the pool's sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`); derived from the stack id when absent. */
    readonly domainPrefix?: string;
  };
}

/**
 * How long what the created app client issues stays valid. ID and access tokens: one hour, so a
 * removed user or a stolen token stops working soon. Refresh tokens: 30 days, so people sign in
 * about once a month; revoking one (sign-out) ends it at once. A sign-in session (the minutes
 * between entering the password and the MFA code): 3 minutes, Cognito's minimum.
 */
export const TOKEN_LIFETIMES = {
  idToken: Duration.hours(1),
  accessToken: Duration.hours(1),
  refreshToken: Duration.days(30),
  authSession: Duration.minutes(3),
} as const;

/**
 * The claims the service reads from an ID token (sub, email, email_verified, name, nickname):
 * `openid` for the ID token itself, `email` and `profile` for the rest. Nothing else: no
 * `aws.cognito.signin.user.admin`, which would let the token change the user's own attributes
 * through Cognito's API, and no phone.
 */
export const SIGN_IN_SCOPES = [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE];

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
  readonly domain?: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    if (props.userPool) {
      const { pool, clients } = props.userPool;
      if (clients.length === 0)
        throw new Error('userPool needs at least one app client: its ID tokens are what the API accepts');
      this.issuer = `https://cognito-idp.${Stack.of(pool).region}.amazonaws.com/${pool.userPoolId}`;
      this.audience = clients.map((client) => client.userPoolClientId);
      return;
    }
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

    // The sign-in pages (managed login) the code flow starts at.
    this.domain = this.userPool.addDomain('SignInDomain', {
      cognitoDomain: {
        // Unique per stack without exposing the account id: the stack id's UUID.
        domainPrefix:
          props.signIn.domainPrefix ??
          Fn.join('-', ['invitations', Fn.select(2, Fn.split('/', Stack.of(this).stackId))]),
      },
    });

    this.userPoolClient = this.userPool.addClient('ApiClient', {
      // A browser or mobile app: a public client, so no secret that could leak from it, and for
      // that reason the authorization-code flow only, which the app completes with PKCE; no
      // implicit flow (tokens in the URL) and no client credentials.
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: SIGN_IN_SCOPES,
        callbackUrls: props.signIn.callbackUrls,
        logoutUrls: props.signIn.logoutUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      // No direct password or SRP sign-in through the API: people sign in on the managed pages,
      // where MFA is enforced. Only refreshing tokens is allowed besides.
      authFlows: { userSrp: false },
      preventUserExistenceErrors: true,
      idTokenValidity: TOKEN_LIFETIMES.idToken,
      accessTokenValidity: TOKEN_LIFETIMES.accessToken,
      refreshTokenValidity: TOKEN_LIFETIMES.refreshToken,
      authSessionValidity: TOKEN_LIFETIMES.authSession,
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
