// The range and step of GET /v1/syncs/:id/metrics: defaults, relative and absolute times, and each refusal naming its field.
import { parseMetricsRange } from '../../api/metrics-range';
import { Problem } from '../../api/problem';

const now = Date.parse('2026-03-01T12:00:00Z');
const range = (query: Record<string, unknown>) => {
  const r = parseMetricsRange(query, now);
  return { from: r.from.toISOString(), to: r.to.toISOString(), step: r.stepSeconds };
};

test.each<[Record<string, unknown>, { from: string; to: string; step: number }]>([
  [{}, { from: '2026-03-01T11:00:00.000Z', to: '2026-03-01T12:00:00.000Z', step: 10 }],
  [{ from: '-15m' }, { from: '2026-03-01T11:45:00.000Z', to: '2026-03-01T12:00:00.000Z', step: 10 }],
  [{ from: '-7d', to: 'now' }, { from: '2026-02-22T12:00:00.000Z', to: '2026-03-01T12:00:00.000Z', step: 605 }],
  [{ from: '-2h', to: '-1h', step: '1m' }, { from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T11:00:00.000Z', step: 60 }],
  [{ from: '2026-03-01T10:00:00Z', to: '2026-03-01T11:30:00+01:00' }, { from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T10:30:00.000Z', step: 10 }],
  [{ to: '2026-03-01T10:00:00.500Z' }, { from: '2026-03-01T09:00:00.500Z', to: '2026-03-01T10:00:00.500Z', step: 10 }],
  [{ from: '-1h', step: '5s' }, { from: '2026-03-01T11:00:00.000Z', to: '2026-03-01T12:00:00.000Z', step: 5 }],
])('%j', (query, expected) => {
  expect(range(query)).toEqual(expected);
});

test.each<[Record<string, unknown>, string]>([
  [{ from: 'yesterday' }, 'from'],
  [{ from: '2026-03-01' }, 'from'], // no time, no offset: ambiguous
  [{ from: '2026-02-30T00:00:00Z' }, 'from'],
  [{ from: '2026-03-01T12:00:00' }, 'from'],
  [{ to: '-1x' }, 'to'],
  [{ from: '-1h', to: '-2h' }, 'from'],
  [{ from: '-32d' }, 'from'],
  [{ step: '0s' }, 'step'],
  [{ step: '10' }, 'step'],
  [{ step: '1s', from: '-1h' }, 'step'], // 3600 points
  [{ from: ['-1h', '-2h'] }, 'from'],
  [{ window: '1h' }, 'query'],
  [{ from: 'x'.repeat(41) }, 'from'],
])('%j is refused, naming %s', (query, field) => {
  let thrown: unknown;
  try {
    parseMetricsRange(query, now);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(Problem);
  const p = thrown as Problem;
  expect(p.status).toBe(400);
  expect((p.extra.errors as { field: string }[])[0].field).toBe(field);
});
