// What the six KPIs say about a sync, read as the data sync guide (design seed 001, "Interpreting Metrics") reads
// them: normal (Idle Time minimal, Emit Event Time low and stable), no source data (Idle Time high but stable,
// Emit Event Time low and unchanged, RPS zero), falling behind (Idle / Emit Event Time high and increasing).
// Pure: the page and the unit tests call it alike.

export const READING_DEFAULTS = {
  /** Idle Time below this is "minimal" (the guide's < 1000 ms). */
  idleLowMs: 1000,
  /** Emit Event Time above this, while data flows, is high (a sync that keeps up applies in milliseconds). */
  emitHighMs: 2000,
  /** How much a series must rise, end to end, to count as increasing (a heartbeat saw-tooth does not). */
  growthMs: 2000,
  /** The trend is that of the latest this many points (the current value included): a stall shows within them. */
  trendPoints: 8,
};

const present = (v) => v !== null && v !== undefined;

/** The later half of `values` lies wholly above the earlier half, and the whole rises by more than `by`. */
export function increasing(values, by) {
  const v = values.filter(present);
  if (v.length < 4) return false;
  const half = Math.floor(v.length / 2);
  return Math.min(...v.slice(half)) > Math.max(...v.slice(0, half)) && v[v.length - 1] - v[0] > by;
}

/**
 * `sync`: { state, phase, metrics: { idleTimeMs, emitEventTimeMs, instanceRps, stale, ageMs } | null } as
 * GET /v1/syncs/:id answers; `recent`: the latest points of its metrics series, oldest first.
 * Answers { code, label, detail } and a word for the Idle, Emit and rate tiles (null where none applies).
 * Codes: inactive, stale, copying, waiting, normal, no-source-data, falling-behind.
 */
export function readKpis(sync, recent = [], options = {}) {
  const o = { ...READING_DEFAULTS, ...options };
  const m = sync.metrics;
  const none = { idle: null, emit: null, rate: null };
  if (sync.state !== 'Running') {
    return { code: 'inactive', label: `Not running (${sync.state})`, detail: 'A sync moves data only while it is Running.', ...none };
  }
  if (!m || m.stale) {
    return { code: 'stale', label: 'No recent readings', detail: 'No worker has reported on this sync lately: check that a worker runs.', ...none };
  }
  const rps = m.instanceRps ?? 0;
  const rate = rps > 0 ? 'flowing' : 'zero';
  if (sync.phase !== 'streaming') {
    return { code: 'copying', label: 'Copying tables', detail: 'Idle and Emit Event Time apply once the change stream starts.', idle: null, emit: null, rate };
  }
  if (!present(m.idleTimeMs)) {
    return { code: 'waiting', label: 'No readings yet', detail: 'The stream has not applied anything yet.', idle: null, emit: null, rate };
  }
  const idles = [...recent.map((p) => p.idleTimeMs), m.idleTimeMs].slice(-o.trendPoints);
  const emits = [...recent.map((p) => p.emitEventTimeMs), m.emitEventTimeMs].slice(-o.trendPoints);
  const idleRising = increasing(idles, o.growthMs);
  const emitRising = increasing(emits, o.growthMs);
  const emitHigh = present(m.emitEventTimeMs) && m.emitEventTimeMs > o.emitHighMs;
  const idleLow = m.idleTimeMs < o.idleLowMs;
  const idle = idleLow ? 'minimal' : idleRising ? 'high, increasing' : 'high, stable';
  const emit = !present(m.emitEventTimeMs) ? 'no data change yet' : emitRising ? 'high, increasing' : emitHigh ? 'high' : 'low, stable';
  const words = { idle, emit, rate };
  // A high Emit Event Time on a quiet source is the lag of its last change, long applied: it counts while data flows.
  if (idleRising || emitRising || (emitHigh && rps > 0)) {
    const what = idleRising && emitRising ? 'Idle Time and Emit Event Time are high and increasing: the sync does not keep up with the source.'
      : idleRising ? 'Idle Time is increasing: the sync has taken in nothing new from the source, not even its heartbeats.'
        : 'Emit Event Time is high: changes reach the target late.';
    return { code: 'falling-behind', label: 'Falling behind', detail: `${what} Check the worker, the target (locks, load) and the warnings below.`, ...words };
  }
  if (idleLow || rps > 0) {
    return { code: 'normal', label: 'Normal', detail: 'Idle Time is minimal and Emit Event Time low and stable: changes reach the target as they are made.', ...words };
  }
  return {
    code: 'no-source-data', label: 'No source data',
    detail: 'Idle Time is high but stable, Emit Event Time unchanged and nothing flows: the source has no new changes (heartbeats keep Idle Time near their interval).',
    ...words,
  };
}
