import { expect } from '@playwright/test';
import { DEMO_PASSWORD } from '../pages/people';

/** Calls the API as one signed-in person, as a second device or a test's own hands would: JSON, with the Origin. */
export class ApiCaller {
  private constructor(
    readonly baseURL: string,
    readonly cookie: string,
  ) {}

  static async signIn(baseURL: string, email: string, password = DEMO_PASSWORD): Promise<ApiCaller> {
    const res = await fetch(`${baseURL}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseURL },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status, `sign-in of ${email}`).toBe(200);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return new ApiCaller(baseURL, cookie);
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const headers: Record<string, string> = { origin: this.baseURL, accept: 'application/json', cookie: this.cookie };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseURL}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
    return res.json;
  }
}
