/**
 * What a request may be: the schemas the route entries (functions/routes.ts) name for their
 * path, query and body. The wrapper validates with them, and GET /api/openapi.json is generated
 * from them (with ./responses.ts, which only that document needs, so the other functions do not
 * build the response schemas at cold start). zod/mini keeps the Lambda bundles small, and each
 * schema is built inside `schema(…)`, a call esbuild may drop, so that a handler's bundle builds
 * at import only those its own route entry names (create-invitation: 57 zod schemas, 137 before).
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

/**
 * A schema built by `build`, in a call esbuild may drop when nothing uses its result. esbuild
 * honours neither zod's own side-effect annotations nor a `@__PURE__` mark on an outer call whose
 * arguments call zod, so without this every bundle would build every route's schemas at import.
 */
const schema = /* @__NO_SIDE_EFFECTS__ */ <T>(build: () => T): T => build();

/** `schema.check(...checks)` as a plain call. */
const checked = /* @__NO_SIDE_EFFECTS__ */ <S extends z.ZodMiniType>(schema: S, ...checks: Parameters<S['check']>): S =>
  schema.check(...checks);

const id = /* @__NO_SIDE_EFFECTS__ */ (what: string) => z.uuidv4({ error: `${what} must be a version 4 UUID` });

/** A workspace name, by the display-name policy (functions/domain/display-name.ts): refused rather than cleaned. */
const displayName = /* @__NO_SIDE_EFFECTS__ */ (what: string) =>
  checked(
    z.string({ error: `${what} must be a string` }),
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

const email = schema(() =>
  checked(
    z.string({ error: 'email must be a string' }),
    z.maxLength(MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`),
    z.refine(isValidEmail, 'email must be a valid email address'),
  ),
);

const domain = schema(() =>
  checked(
    z.string({ error: 'a domain must be a string' }),
    z.maxLength(253, 'a domain must be at most 253 characters'),
    z.refine(isValidDomain, 'a domain must look like example.com'),
  ),
);

export const role = schema(() => z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }));
export const status = schema(() => z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` }));
export const timestamp = schema(() => z.iso.datetime());

// ---------------------------------------------------------------- requests

/** The query of every collection: the page size and the cursor from a `next` link. */
const pageFields = /* @__NO_SIDE_EFFECTS__ */ () => ({
  size: z.optional(
    checked(z.string(), z.regex(/^(100|[1-9][0-9]?)$/, `size must be a whole number from 1 to ${MAX_PAGE_SIZE}`)),
  ),
  cursor: z.optional(
    checked(z.string(), z.maxLength(2048, 'cursor is too long'), z.regex(/^[\w-]+\.[\w-]+$/, 'cursor is not valid')),
  ),
});

export const PageQuery = schema(() => z.strictObject(pageFields()));

export const InvitationListQuery = schema(() =>
  z.strictObject({
    ...pageFields(),
    email: z.optional(email),
    status: z.optional(status),
  }),
);

export const WorkspaceInvitationListQuery = schema(() =>
  z.strictObject({
    ...pageFields(),
    status: z.optional(status),
  }),
);

/** An event type's shape (`invitation.email.sent`); which types exist is the handler's to say (404), so no other bundle carries the list. */
export const EventTypePath = schema(() =>
  z.object({
    eventType: checked(z.string(), z.regex(/^[a-z]+(\.[a-z]+)+$/, 'eventType must look like invitation.created')),
  }),
);

export const InvitationPath = schema(() => z.object({ invitationId: id('invitationId') }));
export const WorkspacePath = schema(() => z.object({ workspaceId: id('workspaceId') }));
/** Any text up to a bound: a truncated or altered link is answered like an unknown one (404), not as bad input. */
export const InvitationTokenPath = schema(() =>
  z.object({
    token: checked(z.string(), z.minLength(1), z.maxLength(256, 'token is too long')),
  }),
);
export const MemberPath = schema(() =>
  z.object({
    workspaceId: id('workspaceId'),
    /** Any user id the service admits (functions/http/caller.ts), in its path form (./member-path.ts). */
    userId: z.pipe(
      z.pipe(checked(z.string(), z.maxLength(400, 'userId is too long')), z.transform(userIdFromPathSegment)),
      checked(
        z.string(),
        z.refine(
          isUsableSubject,
          `userId must be 1 to ${MAX_SUBJECT_BYTES} bytes of text without control or format characters`,
        ),
      ),
    ),
  }),
);

const allowedDomains = /* @__NO_SIDE_EFFECTS__ */ () =>
  z.optional(checked(z.array(domain), z.maxLength(50, 'at most 50 allowed domains')));

export const CreateWorkspaceBody = schema(() =>
  z.strictObject({
    name: displayName('name'),
    allowedDomains: allowedDomains(),
  }),
);

export const UpdateWorkspaceBody = schema(() =>
  checked(
    z.strictObject({
      name: z.optional(displayName('name')),
      allowedDomains: allowedDomains(),
      invitationTtlDays: z.optional(
        checked(
          z.int({ error: 'invitationTtlDays must be a whole number' }),
          z.gte(MIN_TTL_DAYS, `invitationTtlDays must be at least ${MIN_TTL_DAYS}`),
          z.lte(MAX_TTL_DAYS, `invitationTtlDays must be at most ${MAX_TTL_DAYS}`),
        ),
      ),
    }),
    z.refine((body) => Object.keys(body).length > 0, 'the body must change at least one field'),
  ),
);

/** A JSON object of at most MAX_METADATA_BYTES (functions/domain/metadata.ts); each refusal names the rule broken. */
function metadataSchema(): z.ZodMiniType<Metadata> {
  // looseObject and refine, not record and superRefine: every API bundle carries this schema.
  return checked(
    z.looseObject({}, { error: 'metadata must be a JSON object' }),
    z.refine((value) => metadataProblem(value) === undefined, {
      error: (issue) => metadataProblem(issue.input) ?? 'metadata is not valid',
    }),
  ) as unknown as z.ZodMiniType<Metadata>;
}

export const metadata = schema(() => metadataSchema());

export const CreateInvitationBody = schema(() =>
  z.strictObject({
    email,
    role: z.optional(role),
    /** Caller data (a JSON object, at most MAX_METADATA_BYTES as JSON) kept with the invitation and its membership. */
    metadata: /* @__PURE__ */ z.optional(metadata),
  }),
);
