import {
  circleListSchema,
  circleSummarySchema,
  healthSchema,
  meSchema,
  type CircleSummary,
  type Failure,
  type Health,
  type Me,
  type Result,
  type SignInBody,
} from '@holdspace/protocol';
import type { z } from 'zod';

export interface ApiOptions {
  /** Absolute origin for Node callers; the browser uses relative URLs. */
  baseUrl?: string;
  /** Node callers hold the session cookie themselves; browsers leave it to the cookie jar. */
  cookieJar?: { cookie: string | null };
  fetch?: typeof fetch;
}

/** Typed fetch client for /api: every answer is a Result, never a thrown HTTP error. */
export class HoldspaceApi {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  constructor(private readonly options: ApiOptions = {}) {
    this.base = options.baseUrl ?? '';
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get origin(): string {
    return this.base;
  }

  async request<T>(method: string, path: string, schema: z.ZodType<T> | null, body?: unknown): Promise<Result<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const jar = this.options.cookieJar;
    if (jar?.cookie) headers.cookie = jar.cookie;
    if (this.base && method !== 'GET') headers.origin = this.base;
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch {
      return { ok: false, code: 'UNAVAILABLE', message: 'Cannot reach Holdspace. Check your connection.' };
    }
    if (jar) {
      const setCookie = res.headers.get('set-cookie');
      if (setCookie) jar.cookie = setCookie.split(';')[0] ?? null;
    }
    const json: unknown = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const f = json as Partial<Failure> | null;
      return { ok: false, code: f?.code ?? 'INTERNAL', message: f?.message ?? `Request failed (${res.status})`, ...(f?.issues ? { issues: f.issues } : {}), ...(f?.rule ? { rule: f.rule } : {}) };
    }
    if (!schema) return { ok: true, data: null as T };
    const parsed = schema.safeParse(json);
    return parsed.success ? { ok: true, data: parsed.data } : { ok: false, code: 'INTERNAL', message: 'Unexpected answer from the server.' };
  }

  signIn(body: SignInBody) {
    return this.request('POST', '/api/auth/sign-in', meSchema, body);
  }
  signOut() {
    return this.request('POST', '/api/auth/sign-out', null, {});
  }
  me(): Promise<Result<Me>> {
    return this.request('GET', '/api/auth/me', meSchema);
  }
  async circles(): Promise<Result<CircleSummary[]>> {
    const r = await this.request('GET', '/api/circles', circleListSchema);
    return r.ok ? { ok: true, data: r.data.circles } : r;
  }
  circle(circleId: string): Promise<Result<CircleSummary>> {
    return this.request('GET', `/api/circles/${encodeURIComponent(circleId)}`, circleSummarySchema);
  }
  health(): Promise<Result<Health>> {
    return this.request('GET', '/api/health', healthSchema);
  }
}
