/** The service's own metrics, named once for the functions that publish them and the alarms (lib/) that read them. */
/** Where the service's own metrics are published, unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const METRICS_NAMESPACE = 'Invitations';

/** The service's own metric names, shared by the functions that publish them and the alarms on them. */
export const METRIC = {
  emailAttempts: 'EmailAttempts',
  emailsSent: 'EmailsSent',
  emailsFailed: 'EmailsFailed',
  emailsHeld: 'EmailsHeld',
  emailsRetried: 'EmailsRetried',
  emailSendLatency: 'EmailSendLatency',
  /** A gauge from the sweep: how many sends wait for the operator right now. */
  heldEmails: 'HeldEmails',
  emailsRequeued: 'EmailsRequeued',
  /** An API response its route entry does not document (functions/http/documented-answers.ts). */
  undocumentedAnswers: 'UndocumentedAnswers',
} as const;
