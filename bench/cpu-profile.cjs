// Preloaded into the worker by `BENCH_WORKER_CPU_PROFILE=<dir> npm run bench:extract` (NODE_OPTIONS="--require …";
// node refuses --cpu-prof in NODE_OPTIONS). Profiles the process that runs the script — not the tsx launcher —
// from start to exit and writes <dir>/worker-<pid>.cpuprofile (open it in Chrome DevTools or speedscope).
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE_DIR;
const launcher = /[\\/](tsx|cli\.mjs)$/.test(process.argv[1] ?? '');
if (dir && !launcher) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // Same-thread inspector sessions answer synchronously, so this completes before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (err) return console.error('cpu profile:', err);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `worker-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
