import type { FastifyReply } from 'fastify';

/** A download: the browser saves it under `filename`, and nothing in between keeps a copy. */
export function sendFile(reply: FastifyReply, body: string, type: string, filename: string) {
  return reply.header('content-type', type).header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'no-store').send(body);
}

export const fileSlug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'export';

export function sendFhir(reply: FastifyReply, bundle: object, name: string) {
  return sendFile(reply, JSON.stringify(bundle, null, 2), 'application/fhir+json; charset=utf-8', `${fileSlug(name)}-fhir.json`);
}
