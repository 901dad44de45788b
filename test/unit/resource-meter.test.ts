// CPU time is shared among the parts running at once; peak memory is the process's RSS while a part ran.
import { ResourceMeter } from '../../activities/extract/resource-meter';

// Spends `ms` of this process's CPU time (not wall time, so a busy machine does not change the figures).
const burn = (ms: number) => {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
};

test('one part alone gets the CPU time spent while it ran', () => {
  const meter = new ResourceMeter(10_000);
  const share = meter.start();
  burn(200);
  const usage = meter.stop(share);
  expect(usage.cpuMs).toBeGreaterThanOrEqual(150);
  expect(usage.peakRssBytes).toBeGreaterThan(0);
});

test('two parts running together share the time spent while both ran', () => {
  const meter = new ResourceMeter(10_000);
  const a = meter.start();
  const b = meter.start();
  burn(200);
  const ua = meter.stop(a);
  burn(200);
  const ub = meter.stop(b);
  expect(Math.abs(ua.cpuMs - 100)).toBeLessThan(60); // half of the shared 200 ms
  expect(ub.cpuMs - ua.cpuMs).toBeGreaterThanOrEqual(150); // plus the 200 ms it ran alone
});

test('time before a part started is not charged to it', () => {
  const meter = new ResourceMeter(10_000);
  burn(200);
  const share = meter.start();
  expect(meter.stop(share).cpuMs).toBeLessThan(50);
});
