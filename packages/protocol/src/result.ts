import { z } from 'zod';

export const errorCodes = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'TWO_FACTOR_REQUIRED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RULE_VIOLATION',
  'RATE_LIMITED',
  /** FAIR2: the circle's queue is full; sent again later. */
  'BUSY',
  'PROTOCOL_MISMATCH',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

export const failureSchema = z.object({
  ok: z.literal(false),
  code: errorCodeSchema,
  message: z.string(),
  /** The SPEC.md rule that refused a command, for RULE_VIOLATION. */
  rule: z.string().optional(),
  issues: z.array(fieldIssueSchema).optional(),
});
export type Failure = z.infer<typeof failureSchema>;

/** Every socket acknowledgement and every HTTP error body has this shape. */
export type Result<T> = { ok: true; data: T } | Failure;

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string, extra: Pick<Failure, 'rule' | 'issues'> = {}): Failure => ({
  ok: false,
  code,
  message,
  ...extra,
});

const typeNames: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object', record: 'an object', date: 'a date' };

/** zod's default wording for a missing or mistyped field ("Invalid input: expected string, received undefined"), as a person would say it. */
export function issueMessage(message: string): string {
  const typed = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (!typed) return message;
  return typed[2] === 'undefined' ? 'Required' : `Should be ${typeNames[typed[1]!] ?? typed[1]}`;
}

/** zod issues as `{path, message}` pairs a form can show beside its fields. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: issueMessage(i.message) }));
}

/** A 400 naming the first issue in its message and carrying all of them. */
export function issuesFailure(issues: FieldIssue[]): Failure {
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'Invalid input';
  return fail('BAD_REQUEST', `Invalid input (${summary}${issues.length > 1 ? `, and ${issues.length - 1} more` : ''})`, { issues });
}

export function validationFailure(error: z.ZodError): Failure {
  return issuesFailure(fieldIssues(error));
}
