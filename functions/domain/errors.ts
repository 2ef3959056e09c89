/**
 * Typed domain errors. The HTTP layer maps each class to a status code and a
 * problem+json body in one place (functions/http/problem.ts).
 */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;

  constructor(
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class BadRequest extends DomainError {
  readonly status = 400;
  readonly type = 'bad-request';
  readonly title = 'Bad Request';
}

export class ValidationFailed extends DomainError {
  readonly status = 400;
  readonly type = 'validation-failed';
  readonly title = 'Validation Failed';
  constructor(errors: FieldError[]) {
    super('The request is not valid; see errors for each field.', { errors });
  }
}

export class Unauthorized extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Unauthorized';
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Forbidden';
}

export class NotFound extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not Found';
}

export class Conflict extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflict';
}

export class Gone extends DomainError {
  readonly status = 410;
  readonly type = 'gone';
  readonly title = 'Gone';
}

export class PayloadTooLarge extends DomainError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'Payload Too Large';
}

export class UnsupportedMediaType extends DomainError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Unsupported Media Type';
}

export class BusinessRuleViolated extends DomainError {
  readonly status = 422;
  readonly type = 'business-rule';
  readonly title = 'Unprocessable Content';
}

export class TooManyRequests extends DomainError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  readonly title = 'Too Many Requests';
}

/** A dependency (DynamoDB, SES) is throttling us: the client may retry later. */
export class ServiceUnavailable extends DomainError {
  readonly status = 503;
  readonly type = 'service-unavailable';
  readonly title = 'Service Unavailable';
}
