// PostgreSQL's text output of dates, timestamps and bytea, read back exactly.
import { byteaBytes, dateDays, daysFromCivil, timestampMicros } from '../../connectors/postgres/text-values';

const DAY_MS = 86_400_000;

test('daysFromCivil agrees with Date.UTC on every first and last day of a month from 1600 to 2400', () => {
  for (let year = 1600; year <= 2400; year++) {
    for (let month = 1; month <= 12; month++) {
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      for (const day of [1, last]) {
        const utc = new Date(0);
        utc.setUTCFullYear(year, month - 1, day);
        expect(daysFromCivil(year, month, day)).toBe(utc.getTime() / DAY_MS);
      }
    }
  }
});

describe('dateDays', () => {
  test.each<[string, number | null]>([
    ['1970-01-01', 0],
    ['1969-12-31', -1],
    ['2024-02-29', 19782],
    ['2000-01-01', 10957],
    // 1 BC is astronomical year 0, a leap year; PostgreSQL's first day is 4714-11-24 BC, Julian day 0.
    ['0001-01-01 BC', daysFromCivil(0, 1, 1)],
    ['0001-12-31 BC', daysFromCivil(1, 1, 1) - 1],
    ['4714-11-24 BC', -2440588],
    ['5874897-12-31', 2145042905], // Julian day 2147483493 − 2440588,
    ['infinity', null],
    ['-infinity', null],
  ])('%s → %s', (text, days) => {
    expect(dateDays(text)).toBe(days);
  });

  test('a text that is no ISO date is an error, not a wrong number', () => {
    expect(() => dateDays('01/02/2024')).toThrow('cannot read "01/02/2024" as PostgreSQL date text');
  });
});

describe('timestampMicros', () => {
  test.each<[string, bigint | null]>([
    ['1970-01-01 00:00:00', 0n],
    ['1970-01-01 00:00:00+00', 0n],
    ['1969-12-31 23:59:59.999999', -1n],
    ['2024-02-29 23:59:59.999999+00', 1709251199999999n],
    ['2000-01-01 00:00:00.5', 946684800500000n],
    ['2000-01-01 00:00:00.000001', 946684800000001n],
    // The offset of timestamptz text is taken off: these are one instant.
    ['2000-01-01 05:30:00+05:30', 946684800000000n],
    ['1999-12-31 16:00:00-08', 946684800000000n],
    // Local mean time has offsets in seconds (Europe/Paris before 1911: +00:09:21).
    ['1900-01-01 00:09:21+00:09:21', BigInt(daysFromCivil(1900, 1, 1)) * 86_400_000_000n],
    ['0044-03-15 12:00:00+00 BC', (BigInt(daysFromCivil(-43, 3, 15)) * 86_400n + 43_200n) * 1_000_000n],
    ['4713-01-01 00:00:00 BC', BigInt(daysFromCivil(-4712, 1, 1)) * 86_400_000_000n],
    ['294276-12-31 23:59:59.999999', BigInt(daysFromCivil(294277, 1, 1)) * 86_400_000_000n - 1n],
    ['infinity', null],
    ['-infinity', null],
  ])('%s → %s', (text, micros) => {
    expect(timestampMicros(text)).toBe(micros);
  });

  test('agrees with Date.parse to the millisecond over a spread of instants and offsets', () => {
    for (let ms = -2e12; ms < 4e12; ms += 7_777_777_777) {
      const iso = new Date(ms).toISOString(); // 2024-02-29T23:59:59.999Z
      const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}-03:30`;
      expect(timestampMicros(text)).toBe(BigInt(ms + 3.5 * 3_600_000) * 1000n);
    }
  });

  test('a text that is no ISO timestamp is an error', () => {
    expect(() => timestampMicros('Sat Jan 01 00:00:00 2000')).toThrow('as PostgreSQL timestamp text');
  });
});

describe('byteaBytes', () => {
  test.each<[string, number[]]>([
    ['\\x', []],
    ['\\x00', [0]],
    ['\\x000102ff5c', [0, 1, 2, 255, 0x5c]],
    // bytea_output = escape: octal for non-printable bytes, \\ for a backslash, other bytes as they are
    ['', []],
    ['abc', [0x61, 0x62, 0x63]],
    ['\\000\\377a\\\\b', [0, 255, 0x61, 0x5c, 0x62]],
  ])('%s', (text, bytes) => {
    expect([...byteaBytes(Buffer.from(text, 'latin1'))]).toEqual(bytes);
  });
});
