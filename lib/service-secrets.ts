import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The service's two keys, both generated per deployment by Secrets Manager, so no key is ever
 * in the repository, the template or the cloud assembly. Both are kept when the stack is deleted
 * or the secret replaced: a new link-token key would kill every link already emailed.
 */
export class ServiceSecrets extends Construct {
  /** HMAC key of invitation link tokens, read at run time only by the functions that mint or verify tokens. */
  readonly linkTokenKey: secretsmanager.Secret;
  /** Signs pagination cursors (CURSOR_SECRET). */
  readonly cursorSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.linkTokenKey = new secretsmanager.Secret(this, 'LinkTokenKey', {
      description: 'HMAC key ring of invitation link tokens (npm run rotate-link-key rotates it)',
      // Version 1 of the ring, as plain text; rotating turns it into a JSON ring (functions/domain/link-token.ts).
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.linkTokenKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotated deliberately with npm run rotate-link-key, which adds a new signing key to the ring and keeps the ' +
        'previous one verifying the links it signed for a grace period (default 30 days, the longest an invitation ' +
        'lives); a Secrets Manager rotation schedule would replace the whole value instead.',
    });

    this.cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'Signs pagination cursors of the invitations API',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The cursor-signing key is resolved into function configuration at deploy time, so scheduled rotation ' +
        'would not reach the functions; it is rotated by updating the secret and redeploying, which only sends ' +
        'open pagination cursors back to page one.',
    });
  }

  /**
   * CURSOR_SECRET for a function's environment: a CloudFormation dynamic reference
   * (`{{resolve:secretsmanager:…}}`) that CloudFormation resolves at deploy time.
   *
   * Why this and not a Secrets Manager read at cold start: the functions read their whole
   * configuration synchronously at cold start and fail fast (functions/platform/config.ts); a read at
   * cold start would add a network round trip to every cold start, a Secrets Manager client
   * to every bundle and a grant to every function. The value still never appears in the
   * template, the cloud assembly or the repository, and Lambda encrypts environments at rest.
   * The price is that principals allowed lambda:GetFunctionConfiguration can see it. That is
   * acceptable for what it protects: it only makes cursors tamper-evident, and every page read
   * is authorized on its own, so a forged cursor reaches nothing the caller could not list anyway.
   * Rotation: update the secret and redeploy; outstanding cursors then restart at page one.
   */
  get cursorSecretValue(): string {
    return this.cursorSecret.secretValue.unsafeUnwrap();
  }
}
