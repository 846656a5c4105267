import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { fail, failureSchema, type ErrorCode, type Failure } from '@holdspace/protocol';

/** An error a route throws on purpose: its message is safe to show. */
export class HttpError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: ErrorCode,
    message: string,
    /** The SPEC.md rule that refused it, for RULE_VIOLATION. */
    public readonly rule?: string,
  ) {
    super(message);
  }
}

const codeForStatus = (status: number): ErrorCode =>
  status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST';

/** One error handler: 4xx with a clear message and field issues, 5xx without internals. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: [error.validationContext, ...v.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.') || '(body)',
        message: v.message ?? 'Invalid value',
      }));
      const body: Failure = fail('BAD_REQUEST', `Invalid input (${issues[0]?.path}: ${issues[0]?.message})`, { issues });
      return reply.status(400).send(body);
    }
    if (error instanceof HttpError) return reply.status(error.statusCode).send(fail(error.code, error.message, error.rule ? { rule: error.rule } : {}));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = error.message || 'Bad request';
      // Unparseable bodies and the like: still say which part was wrong.
      return reply.status(status).send(fail(codeForStatus(status), message, status === 400 ? { issues: [{ path: '(body)', message }] } : {}));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(fail('INTERNAL', 'Something went wrong on our side. Nothing was changed.'));
  });
}

/** The error answers every authenticated route may give, for its OpenAPI description. */
export const errorResponses = { 400: failureSchema, 401: failureSchema, 403: failureSchema, 404: failureSchema, 409: failureSchema };
