import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
setTimeout(async () => {
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  setTimeout(async () => {
    const { profile } = await post('Profiler.stop');
    writeFileSync(`/tmp/prof/serve-${process.pid}.cpuprofile`, JSON.stringify(profile));
  }, 40000).unref();
}, 45000).unref();
