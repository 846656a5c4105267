import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { fail, failureSchema, issueMessage, issuesFailure, type ErrorCode } from '@holdspace/protocol';

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

/**
 * What Fastify's own 4xx errors may say: a fixed sentence per kind, never its message, which can quote the input
 * (a media type, a URL, a fragment of the body).
 */
const frameworkMessages: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty; send JSON.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the body as application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The body’s length does not match its Content-Length.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The body is too large.',
  FST_ERR_BAD_URL: 'The address is not valid.',
};

export function frameworkMessage(error: Pick<FastifyError, 'code' | 'statusCode'>): string {
  return frameworkMessages[error.code] ?? (error.statusCode === 413 ? 'The body is too large.' : 'The request could not be read.');
}

/** Fastify's own early errors (a malformed URL) in the project's shape: `frameworkErrors`. */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.status(status).header('cache-control', 'no-store').send(fail(codeForStatus(status), frameworkMessage(error)));
}

/** Errors Node's HTTP parser meets before Fastify sees a request (a 5 KB path, bad headers): `clientErrorHandler`. */
export function clientError(error: NodeJS.ErrnoException, socket: Duplex) {
  if (!socket.writable) return socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_URI_TOO_LONG' ? 414 : 400;
  const body = JSON.stringify(fail('BAD_REQUEST', status === 400 ? 'The request could not be read.' : 'The request’s address or headers are too long.'));
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 414 ? 'URI Too Long' : 'Bad Request'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** One error handler: 4xx with a clear message and field issues, 5xx without internals. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: [error.validationContext, ...v.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.') || '(body)',
        message: issueMessage(v.message ?? 'Invalid value'),
      }));
      return reply.status(400).send(issuesFailure(issues));
    }
    if (error instanceof HttpError) return reply.status(error.statusCode).send(fail(error.code, error.message, error.rule ? { rule: error.rule } : {}));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = error.code?.startsWith('FST_') ? frameworkMessage(error) : error.message || 'Bad request';
      // Unparseable bodies and the like: still say which part was wrong.
      return reply.status(status).send(fail(codeForStatus(status), message, status === 400 ? { issues: [{ path: '(body)', message }] } : {}));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send(fail('INTERNAL', 'Something went wrong on our side. Nothing was changed.'));
  });
}

/** The error answers every authenticated route may give, for its OpenAPI description. */
export const errorResponses = { 400: failureSchema, 401: failureSchema, 403: failureSchema, 404: failureSchema, 409: failureSchema };
