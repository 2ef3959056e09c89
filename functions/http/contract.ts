/**
 * What a request may be: the schemas the route entries (functions/routes.ts) name for their
 * path, query and body. The wrapper validates with them, and GET /api/openapi.json is generated
 * from them (with ./responses.ts, which only that document needs, so the other functions do not
 * build the response schemas at cold start). zod/mini keeps the Lambda bundles small, and each
 * schema is marked pure so that a handler's bundle keeps only those its own route entry names.
 */
import * as z from 'zod/mini';
import { carriesAddress, hasInvisibleCharacters, hasMarkup, MAX_DISPLAY_NAME_LENGTH } from '../domain/display-name';
import { isValidDomain, isValidEmail, MAX_EMAIL_LENGTH } from '../domain/email';
import { MAX_TTL_DAYS, MIN_TTL_DAYS, STATUSES } from '../domain/invitation';
import { type Metadata, metadataProblem } from '../domain/metadata';
import { ROLES } from '../domain/roles';
import { isUsableSubject, MAX_SUBJECT_BYTES } from './caller';
import { userIdFromPathSegment } from './member-path';

// ---------------------------------------------------------------- building blocks

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const id = (what: string) => z.uuidv4({ error: `${what} must be a version 4 UUID` });

/** A workspace name, by the display-name policy (functions/domain/display-name.ts): refused rather than cleaned. */
const displayName = (what: string) =>
  z.string({ error: `${what} must be a string` }).check(
    z.trim(),
    z.minLength(1, `${what} must not be empty`),
    z.refine(
      (value) => Array.from(value).length <= MAX_DISPLAY_NAME_LENGTH,
      `${what} must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`,
    ),
    z.refine(
      (value) => !hasInvisibleCharacters(value),
      `${what} must not contain control, format or bidirectional characters, or unpaired surrogates`,
    ),
    z.refine((value) => !hasMarkup(value), `${what} must not contain < or >`),
    z.refine((value) => !carriesAddress(value), `${what} must not contain a web address or an email address`),
  );

const email = z
  .string({ error: 'email must be a string' })
  .check(
    z.maxLength(MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`),
    z.refine(isValidEmail, 'email must be a valid email address'),
  );

const domain = z
  .string({ error: 'a domain must be a string' })
  .check(
    z.maxLength(253, 'a domain must be at most 253 characters'),
    z.refine(isValidDomain, 'a domain must look like example.com'),
  );

export const role = /* @__PURE__ */ z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });
export const status = /* @__PURE__ */ z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` });
export const timestamp = /* @__PURE__ */ z.iso.datetime();

// ---------------------------------------------------------------- requests

export const PageQuery = /* @__PURE__ */ z.strictObject({
  size: z.optional(
    z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, `size must be a whole number from 1 to ${MAX_PAGE_SIZE}`)),
  ),
  cursor: z.optional(
    z.string().check(z.maxLength(2048, 'cursor is too long'), z.regex(/^[\w-]+\.[\w-]+$/, 'cursor is not valid')),
  ),
});

export const InvitationListQuery = /* @__PURE__ */ z.strictObject({
  ...PageQuery.shape,
  email: z.optional(email),
  status: z.optional(status),
});

export const WorkspaceInvitationListQuery = /* @__PURE__ */ z.strictObject({
  ...PageQuery.shape,
  status: z.optional(status),
});

/** An event type's shape (`invitation.email.sent`); which types exist is the handler's to say (404), so no other bundle carries the list. */
export const EventTypePath = /* @__PURE__ */ z.object({
  eventType: z.string().check(z.regex(/^[a-z]+(\.[a-z]+)+$/, 'eventType must look like invitation.created')),
});

export const InvitationPath = /* @__PURE__ */ z.object({ invitationId: id('invitationId') });
export const WorkspacePath = /* @__PURE__ */ z.object({ workspaceId: id('workspaceId') });
/** Any text up to a bound: a truncated or altered link is answered like an unknown one (404), not as bad input. */
export const InvitationTokenPath = /* @__PURE__ */ z.object({
  token: z.string().check(z.minLength(1), z.maxLength(256, 'token is too long')),
});
export const MemberPath = /* @__PURE__ */ z.object({
  workspaceId: id('workspaceId'),
  /** Any user id the service admits (functions/http/caller.ts), in its path form (./member-path.ts). */
  userId: z.pipe(
    z.pipe(z.string().check(z.maxLength(400, 'userId is too long')), z.transform(userIdFromPathSegment)),
    z
      .string()
      .check(
        z.refine(
          isUsableSubject,
          `userId must be 1 to ${MAX_SUBJECT_BYTES} bytes of text without control or format characters`,
        ),
      ),
  ),
});

export const CreateWorkspaceBody = /* @__PURE__ */ z.strictObject({
  name: displayName('name'),
  allowedDomains: z.optional(z.array(domain).check(z.maxLength(50, 'at most 50 allowed domains'))),
});

export const UpdateWorkspaceBody = z
  .strictObject({
    name: z.optional(displayName('name')),
    allowedDomains: z.optional(z.array(domain).check(z.maxLength(50, 'at most 50 allowed domains'))),
    invitationTtlDays: z.optional(
      z
        .int({ error: 'invitationTtlDays must be a whole number' })
        .check(
          z.gte(MIN_TTL_DAYS, `invitationTtlDays must be at least ${MIN_TTL_DAYS}`),
          z.lte(MAX_TTL_DAYS, `invitationTtlDays must be at most ${MAX_TTL_DAYS}`),
        ),
    ),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'the body must change at least one field'));

/** A JSON object of at most MAX_METADATA_BYTES (functions/domain/metadata.ts); each refusal names the rule broken. */
function metadataSchema(): z.ZodMiniType<Metadata> {
  // looseObject and refine, not record and superRefine: every API bundle carries this schema.
  return z.looseObject({}, { error: 'metadata must be a JSON object' }).check(
    z.refine((value) => metadataProblem(value) === undefined, {
      error: (issue) => metadataProblem(issue.input) ?? 'metadata is not valid',
    }),
  ) as unknown as z.ZodMiniType<Metadata>;
}

export const metadata = /* @__PURE__ */ metadataSchema();

export const CreateInvitationBody = /* @__PURE__ */ z.strictObject({
  email,
  role: z.optional(role),
  /** Caller data (a JSON object, at most MAX_METADATA_BYTES as JSON) kept with the invitation and its membership. */
  metadata: /* @__PURE__ */ z.optional(metadata),
});
