/**
 * Run as its own process by tests/integration/flood.test.ts, as an attacker's machine would: one person's devices
 * sending circle commands as fast as they are answered, connecting again a second after they are cut off (as
 * socket.io-client itself would). Prints a JSON line when flooding starts and one when done.
 */
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION, type Result } from '@holdspace/protocol';
import { newCommandId } from '@holdspace/client';

const { URL: url = '', COOKIE: cookie = '', CIRCLE_ID: circleId = '' } = process.env;
const devices = Number(process.env.DEVICES ?? 50);
const floodMs = Number(process.env.FLOOD_MS ?? 3000);

let cuts = 0;
const connect = () =>
  io(url, {
    transports: ['websocket'],
    auth: { protocolVersion: PROTOCOL_VERSION },
    extraHeaders: { cookie, origin: url },
    forceNew: true,
  });
const joined = async (s: Socket, until = Infinity) => {
  if (!s.connected) {
    const connected = await new Promise<boolean>((resolve) => {
      const timer = until === Infinity ? undefined : setTimeout(() => resolve(false), Math.max(0, until - Date.now()));
      s.once('connect', () => (clearTimeout(timer), resolve(true)));
    });
    if (!connected) return;
  }
  for (;;) {
    const result = (await s.timeout(10_000).emitWithAck('circle:join', { circleId, device: 'phone' })) as Result<unknown>;
    if (result.ok) return;
    if (result.code !== 'UNAVAILABLE' && result.code !== 'RATE_LIMITED' && result.code !== 'BUSY') throw new Error(`join refused: ${result.code}`);
  }
};
const sockets = Array.from({ length: devices }, connect);
// A socket the server cut or refused is not reconnected by socket.io-client on its own: the attacker does it.
let refusedConnects = 0;
for (const s of sockets) {
  s.on('disconnect', (reason) => {
    cuts++;
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
  });
  s.on('connect_error', () => {
    refusedConnects++;
    setTimeout(() => s.connect(), 1000);
  });
}
await Promise.all(sockets.map(joined));

const answers: Record<string, number> = {};
const count = (code: string) => (answers[code] = (answers[code] ?? 0) + 1);
const startedAt = Date.now();
let lastAdmittedAt = startedAt;
console.log(JSON.stringify({ started: startedAt }));
await Promise.all(
  sockets.map(async (s, i) => {
    for (let n = 0; Date.now() - startedAt < floodMs; n++) {
      try {
        if (!s.connected) {
          await joined(s, startedAt + floodMs);
          continue;
        }
        const command = { type: n % 2 === i % 2 ? 'hand.raise' : 'hand.lower' };
        const result = (await s.timeout(5000).emitWithAck('circle:command', { circleId, commandId: newCommandId(), command })) as Result<unknown>;
        const code = result.ok ? 'ok' : result.code === 'RULE_VIOLATION' ? `rule ${result.rule ?? ''}` : result.code;
        count(code);
        if (code !== 'RATE_LIMITED' && code !== 'BUSY') lastAdmittedAt = Date.now();
      } catch {
        count('no answer');
      }
    }
  }),
);
const stoppedAt = Date.now();
for (const s of sockets) s.off('disconnect').disconnect();
console.log(JSON.stringify({ answers, cuts, refusedConnects, startedAt, lastAdmittedAt, stoppedAt }));
