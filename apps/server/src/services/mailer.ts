import type { ClinicScope } from '@holdspace/db';

export interface MailMessage {
  to: string;
  subject: string;
  body: string;
}

/** Where outgoing messages go. Every message is kept in the clinic's outbox, which staff can read in the app. */
export interface Mailer {
  send(scope: ClinicScope, message: MailMessage): Promise<void>;
}

/** No mail server configured: messages wait in the outbox for staff to pass on (the admin's Outbox page). */
export const outboxMailer: Mailer = {
  send: (scope, message) => scope.queueMail(message),
};
