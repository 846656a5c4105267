/**
 * Logs never hold health data. A failed query carries its parameters (check-in texts, journal entries, screening
 * notes) in several places: postgres.js's PostgresError (`parameters`, and `detail` quoting values), drizzle's
 * DrizzleQueryError (`params`, and a message ending in "params: ..."), PGlite's errors. This serializer keeps what
 * helps an operator (the kind of error, its code, the SQL with placeholders, the stack's frames) and drops the rest,
 * along the whole `cause` chain.
 */

const KEPT = ['name', 'code', 'severity', 'routine', 'constraint_name', 'table_name', 'column_name', 'errno', 'statusCode'] as const;

/** Drizzle puts the parameters in the message itself: "Failed query: select ...\nparams: a,b". */
const withoutParams = (text: string): string => text.replace(/\nparams:[\s\S]*?(?=\n\s+at |$)/, '\nparams: [redacted]');

export function safeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return typeof error === 'string' ? withoutParams(error) : error;
  const source = error as Record<string, unknown>;
  const out: Record<string, unknown> = { type: (error as { constructor?: { name?: string } }).constructor?.name ?? 'Object' };
  // PostgreSQL quotes the offending value in some messages ('invalid input syntax for type integer: "..."').
  const fromDatabase = typeof source.code === 'string' && /^[0-9A-Z]{5}$/.test(source.code);
  const clean = (text: string) => (fromDatabase ? withoutParams(text).replace(/"(?:[^"]|"")*"/g, '"[redacted]"') : withoutParams(text));
  if (typeof source.message === 'string') out.message = clean(source.message);
  if (typeof source.stack === 'string') out.stack = clean(source.stack);
  for (const key of KEPT) if (source[key] !== undefined && typeof source[key] !== 'object') out[key] = source[key];
  // The SQL text holds placeholders, not values; keep it so an operator knows which statement failed.
  if (typeof source.query === 'string') out.query = source.query.slice(0, 2000);
  if (source.cause !== undefined && depth < 5) out.cause = safeError(source.cause, depth + 1);
  return out;
}

/** Pino options every logger of the server uses: the error serializer, and request bodies never written. */
export const logSafety = {
  serializers: { err: safeError, error: safeError },
  // An error logged on its own would give its message (parameters and all) as the line's text: give a plain one.
  hooks: {
    logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
      if (args[0] instanceof Error && typeof args[1] !== 'string') return method.apply(this, [args[0], 'error', ...args.slice(1)]);
      return method.apply(this, args);
    },
  },
  redact: { paths: ['req.body', 'body', 'params', 'parameters', '*.params', '*.parameters', 'request.body'], censor: '[redacted]' },
};
