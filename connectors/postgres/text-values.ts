// PostgreSQL's text output (DateStyle ISO) of dates, timestamps and bytea, read back into what they stand for:
// days and microseconds since 1970-01-01, and bytes. `infinity` and `-infinity` have no number: they read as null.

const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;
// timestamptz carries the session time zone's offset, down to seconds for local mean time (+00:09:21).
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;
const INFINITE = new Set(['infinity', '-infinity']);

/** Days since 1970-01-01 of a proleptic Gregorian date; `year` is astronomical (1 BC is year 0). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

// Years before Christ are written as "0044-… BC"; 1 BC is astronomical year 0.
const astronomicalYear = (year: string, bc: string | undefined) => (bc ? 1 - Number(year) : Number(year));

function unreadable(type: string, text: string): Error {
  return new Error(`cannot read ${JSON.stringify(text)} as PostgreSQL ${type} text`);
}

/** Days since 1970-01-01 of a `date`'s text; null for ±infinity. */
export function dateDays(text: string): number | null {
  if (INFINITE.has(text)) return null;
  const m = DATE.exec(text);
  if (!m) throw unreadable('date', text);
  return daysFromCivil(astronomicalYear(m[1], m[4]), Number(m[2]), Number(m[3]));
}

/**
 * Microseconds since 1970-01-01 of a `timestamp`'s or `timestamptz`'s text; null for ±infinity. A timestamptz's
 * offset is taken off, so the result is UTC; a timestamp has none and stays wall-clock time.
 */
export function timestampMicros(text: string): bigint | null {
  if (INFINITE.has(text)) return null;
  const m = TIMESTAMP.exec(text);
  if (!m) throw unreadable('timestamp', text);
  const [, year, month, day, hh, mi, ss, fraction = '', sign, oh = '0', om = '0', os = '0', bc] = m;
  const days = daysFromCivil(astronomicalYear(year, bc), Number(month), Number(day));
  const offsetSeconds = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os)) : 0;
  const seconds = days * 86_400 + Number(hh) * 3600 + Number(mi) * 60 + Number(ss) - offsetSeconds; // exact: below 2^53
  const micros = Number(fraction.padEnd(6, '0'));
  const total = seconds * 1_000_000 + micros;
  // Within about 285 years of 1970 a double holds the microseconds exactly; beyond, count in BigInt.
  return Number.isSafeInteger(total) ? BigInt(total) : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

/** The bytes of a `bytea`'s text, in either `bytea_output` style: hex (\x0aff) or escape (\012\377, \\). */
export function byteaBytes(text: Buffer): Buffer {
  if (text[0] === 0x5c && text[1] === 0x78) return Buffer.from(text.toString('latin1', 2), 'hex');
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== 0x5c) out[n++] = text[i];
    else if (text[i + 1] === 0x5c) out[n++] = text[++i];
    else {
      out[n++] = parseInt(text.toString('latin1', i + 1, i + 4), 8);
      i += 3;
    }
  }
  return out.subarray(0, n);
}
