// Runs `work` every `intervalMs`, one run at a time (a slow run makes the next wait, never overlap); a failed run
// is logged and the next goes on. Returns a function that stops it.
export function every(intervalMs: number, work: () => Promise<unknown>, log: { warn(obj: unknown, msg: string): void }, failed: string): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((err) => log.warn({ err }, failed))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
