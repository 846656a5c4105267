import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CircleConnection } from '@holdspace/client';
import { closeAllConnections, createTestDatabase, waitFor, type TestDatabase } from '../support/harness.js';
import { freePort, repoRoot, serverFleet, type ServerProcess } from '../support/process.js';
import { DosingScript, participantKeys, signInCast, type Who } from '../support/dosing-fixture.js';

const NGINX = '/usr/sbin/nginx';
const haveNginx = existsSync(NGINX);
if (!haveNginx) console.log(`skipped: ${NGINX} is missing (Debian package nginx; .ci/run installs it)`);

/** infra's nginx config (the plain-HTTP one), pointed at `upstreams` and listening on `port`, in a prefix of its own. */
function nginxConfig(dir: string, port: number, upstreams: string[]): string {
  const site = readFileSync(join(repoRoot, 'infra/nginx/compose.conf'), 'utf8');
  const servers = upstreams.map((u) => `    server ${new URL(u).host} max_fails=1 fail_timeout=5s;`).join('\n');
  const pointed = site.replace(/^(\s*server [^\s{]+:\d+[^;]*;\n)+/m, `${servers}\n`).replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  if (!pointed.includes(servers) || !pointed.includes(`listen 127.0.0.1:${port};`)) throw new Error('infra/nginx/compose.conf no longer has the upstream servers and listen line this test replaces');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t)};`).join('\n');
  return `daemon off;\nworker_processes 1;\npid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')} warn;\nevents { worker_connections 256; }\nhttp {\n  access_log ${join(dir, 'access.log')};\n${temp}\n${pointed}\n}\n`;
}

// Issue 11, a real load balancer: two nodes behind infra's nginx config, run by the Debian nginx binary.
describe.skipIf(!haveNginx)('two nodes behind nginx', () => {
  let database: TestDatabase | undefined;
  let nginx: ChildProcess | undefined;
  let dir: string | undefined;
  let log = '';
  const fleet = serverFleet();
  afterAll(async () => {
    closeAllConnections();
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await fleet.end();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a circle end to end through nginx: sign-in over HTTP, sockets upgraded, a support request reaches the facilitator on the other node', { timeout: 120_000 }, async () => {
    database = await createTestDatabase('postgres');
    const env = { ...database.env, CLUSTER_ADAPTER: 'postgres', CLUSTER_CHANNEL: `hs-nginx-${randomUUID().slice(0, 8)}`, TRUST_PROXY: '127.0.0.1', AUTH_RATE_LIMIT_PER_MINUTE: '10000' };
    const nodeIds = ['nginx-a', 'nginx-b'];
    const nodes: ServerProcess[] = await Promise.all(nodeIds.map((id) => fleet.start({ ...env, NODE_ID: id })));

    dir = mkdtempSync(join(tmpdir(), 'hs-nginx-'));
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, nodes.map((n) => n.url)));
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    nginx.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const health = await waitFor(
      async () => {
        if (nginx!.exitCode !== null) throw new Error(`nginx exited (${nginx!.exitCode}):\n${log}${readFileSync(join(dir!, 'error.log'), 'utf8')}`);
        const h = await fetch(`${url}/api/health`).then((r) => (r.ok ? (r.json() as Promise<{ cluster: { adapter: string; nodes: number } }>) : null)).catch(() => null);
        return h && h.cluster.nodes === 2 ? h : null;
      },
      { timeout: 30_000, interval: 200, message: 'nginx serving a node that counts two nodes' },
    );
    expect(health.cluster.adapter).toBe('postgres');

    // Everything goes through nginx: sign-in, the circle list, and every socket.
    const cast = await signInCast(url);
    const everyone: Who[] = ['facilitator', ...participantKeys];
    const devices = {} as Record<Who, CircleConnection>;
    for (const w of everyone) {
      const { person } = w === 'facilitator' ? cast.facilitator : cast.participants[w];
      devices[w] = person.connect(cast.circleId, { url, device: w === 'facilitator' ? 'desktop' : 'phone', headers: { origin: url, cookie: person.cookie } });
      await waitFor(() => devices[w].status === 'live', { timeout: 20_000, message: `${w} live through nginx` });
    }
    const script = new DosingScript(cast, (who, command) => devices[who].send(command));
    await script.run('admit');

    // Which node each socket reached: its connection id names the node (PRS5).
    const nodeOf = (w: Who) => {
      const id = w === 'facilitator' ? cast.facilitator.id : cast.participants[w].id;
      return Object.keys(devices.facilitator.state?.presence[id]?.connections ?? {})[0]?.split('/')[0];
    };
    await waitFor(() => everyone.every((w) => nodeOf(w)), { message: 'everyone present' });
    const spread = Object.fromEntries(everyone.map((w) => [w, nodeOf(w)]));
    console.log(`figure: sockets through nginx (least_conn): ${JSON.stringify(spread)}`);
    const caller = participantKeys.find((k) => nodeOf(k) !== nodeOf('facilitator'));
    expect(caller, 'a participant on the node the facilitator is not on').toBeDefined();

    const sentAt = Date.now();
    const ack = await devices[caller!].send({ type: 'checkin.journey', signal: 'support' });
    expect(ack.ok).toBe(true);
    const alert = await waitFor(
      () => Object.values(devices.facilitator.state?.alerts ?? {}).find((a) => a.kind === 'support' && a.personId === cast.participants[caller!].id),
      { timeout: 2000, interval: 10, message: 'the support request on the facilitator’s dashboard' },
    );
    console.log(`figure: ${caller}'s support request through nginx and ${nodeOf(caller!)} reached the facilitator on ${nodeOf('facilitator')} in ${Date.now() - sentAt} ms`);
    expect(alert.detail).toBe('Asked for support');
    // nginx really was in the way: it logged the sign-ins, and each socket is a WebSocket it upgraded (logged once
    // the socket closes, as nginx logs a request when it ends).
    for (const w of everyone) expect(devices[w].socket.io.engine.transport.name).toBe('websocket');
    closeAllConnections();
    const access = () => readFileSync(join(dir!, 'access.log'), 'utf8');
    expect(access()).toMatch(/POST \/api\/auth\/sign-in [^"]*" 200/);
    await waitFor(() => (access().match(/GET \/socket\.io\/\?[^"]*transport=websocket[^"]*" 101/g) ?? []).length === everyone.length, { message: 'nginx logged every upgrade' });
  });
});
