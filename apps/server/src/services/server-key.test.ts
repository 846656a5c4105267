import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerKey, ServerKeys } from './server-key.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the server key', () => {
  it('is generated once into its file (mode 0600) and read back after', () => {
    const file = join(dir, 'data', 'server.key');
    const first = loadServerKey(undefined, file);
    expect(first.source).toBe('generated');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadServerKey(undefined, file);
    expect(again).toEqual({ key: first.key, source: 'file' });
    expect(readFileSync(file, 'utf8')).not.toBe('');
  });

  it('comes from SERVER_KEY when set, and must be 32 bytes', () => {
    const hex = 'ab'.repeat(32);
    expect(loadServerKey(hex, join(dir, 'unused')).key).toEqual(Buffer.from(hex, 'hex'));
    expect(() => loadServerKey('too-short', join(dir, 'unused'))).toThrow(/32 bytes/);
  });

  it('seals with AES-256-GCM: opens only with the same key and context, and any change is detected', () => {
    const keys = new ServerKeys(Buffer.alloc(32, 1));
    const sealed = keys.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(keys.seal('JBSWY3DPEHPK3PXP', 'user-1')).not.toBe(sealed); // a fresh IV each time
    expect(keys.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => keys.open(sealed, 'user-2')).toThrow();
    expect(() => new ServerKeys(Buffer.alloc(32, 2)).open(sealed, 'user-1')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => keys.open(`v1:${raw.toString('base64')}`, 'user-1')).toThrow();
  });

  it('signs cookies: a changed value or signature is refused', () => {
    const keys = new ServerKeys(Buffer.alloc(32, 1));
    const signed = keys.sign('user-1:device-1');
    expect(keys.verify(signed)).toBe('user-1:device-1');
    expect(keys.verify(signed.replace('user-1', 'user-2'))).toBeNull();
    expect(keys.verify(`${signed.slice(0, -2)}xx`)).toBeNull();
    expect(new ServerKeys(Buffer.alloc(32, 2)).verify(signed)).toBeNull();
    expect(keys.verify(undefined)).toBeNull();
  });
});
