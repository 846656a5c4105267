// The baselines Holdspace is measured against: bare Socket.IO with the same rooms and the same fan-out as a
// check-in (to the sender and to the circle's facilitators), and no accounts, rules or log. With BENCH_INSERT_URL, each
// command is one INSERT before it is broadcast and acknowledged: the smallest server that keeps what it is told.
import { createServer } from 'node:http';
import postgres from 'postgres';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const insertUrl = process.env.BENCH_INSERT_URL;
const sql = insertUrl ? postgres(insertUrl, { max: 10, onnotice: () => {} }) : null;
if (sql) {
  await sql`create table if not exists bench_events (circle_id uuid not null, seq integer not null, type text not null, actor uuid not null, payload jsonb not null, command_id text unique, at timestamptz not null, primary key (circle_id, seq))`;
}

const http = createServer((req, res) => {
  res.writeHead(req.url === '/api/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, adapter: 'none', insert: Boolean(sql) }));
});
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024, pingInterval: 10_000, pingTimeout: 5_000 });
const seqs = new Map<string, number>();

interface Command {
  circleId: string;
  commandId: string;
  command: { type: string; signal?: string };
}
type Ack = (result: unknown) => void;

io.on('connection', (socket) => {
  const { person, role } = socket.handshake.auth as { person: string; role: 'facilitator' | 'participant' };
  socket.on('circle:join', async ({ circleId }: { circleId: string }, ack: Ack) => {
    const rooms = [`${circleId}:all`, `${circleId}:person:${person}`];
    if (role === 'facilitator') rooms.push(`${circleId}:staff`);
    await socket.join(rooms);
    ack({ ok: true, value: { mode: 'replay', events: [], seq: seqs.get(circleId) ?? 0 } });
  });
  socket.on('circle:command', async ({ circleId, commandId, command }: Command, ack: Ack) => {
    try {
      const seq = (seqs.get(circleId) ?? 0) + 1;
      seqs.set(circleId, seq);
      const event = { circleId, seq, type: command.type, payload: { personId: person, signal: command.signal }, actor: person, audience: `person:${person}`, at: new Date().toISOString() };
      if (sql) await sql`insert into bench_events ${sql({ circle_id: circleId, seq, type: event.type, actor: person, payload: sql.json(event.payload), command_id: commandId, at: event.at })}`;
      io.to([`${circleId}:staff`, `${circleId}:person:${person}`]).emit('circle:event', event);
      ack({ ok: true, value: { seq, duplicate: false } });
    } catch (error) {
      ack({ ok: false, code: 'INTERNAL', message: String(error) });
    }
  });
});

http.listen(port, '127.0.0.1');
const stop = () => {
  void io.close();
  void sql?.end({ timeout: 1 }).finally(() => process.exit(0));
  if (!sql) process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
