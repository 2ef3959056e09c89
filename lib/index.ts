/** The package's construct entry point: `import { InvitationsService } from 'invitations-service'`. */
export {
  type InvitationsDomain,
  type InvitationsIdentity,
  InvitationsService,
  type InvitationsServiceProps,
  type RequestThrottle,
} from './invitations-service';
export { InvitationsStack, type InvitationsStackProps } from './invitations-stack';
export { type DeploymentParameters, parseParameters, readParameters } from './parameters';
