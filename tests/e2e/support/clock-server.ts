// A Holdspace server whose clock a browser test can move forward: questionnaires open weeks after a circle, and a
// test should not wait for them. Time is outside the system, so it is the one thing mocked. Run with IPC (fork):
// it sends {url} when listening and answers each {advanceDays} or {advanceMinutes} with {offsetDays}.
import { loadConfig, startServer } from '@holdspace/server';

const DAY = 86_400_000;
let offsetDays = 0;
const running = await startServer(loadConfig(process.env), { now: () => new Date(Date.now() + offsetDays * DAY) });
process.send?.({ url: running.url });
process.on('message', (message: { advanceDays?: number; advanceMinutes?: number }) => {
  if (typeof message.advanceDays === 'number') offsetDays += message.advanceDays;
  if (typeof message.advanceMinutes === 'number') offsetDays += message.advanceMinutes / 1440;
  process.send?.({ offsetDays });
});
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
