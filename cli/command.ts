// What a `sluice` command is, and how commands print: aligned columns for people, or JSON (--json) for scripts.
import type { ParseArgsConfig } from 'node:util';
import type { TenantAdmin } from '../store/tenant-admin';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** e.g. "keys revoke <key id>": the words to type, then what follows. */
  usage: string;
  summary: string;
  /** How many positional arguments follow the command's words. */
  positionals: number;
  options?: ParseArgsConfig['options'];
  run(admin: TenantAdmin, args: string[], values: Values, out: Output): Promise<void>;
}

export interface Output {
  json: boolean;
  line(text: string): void;
}

/** Rows as aligned columns under a header; null and empty cells show as "-". */
export function table(out: Output, header: string[], rows: (string | null)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === '' ? '-' : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const r of cells) out.line(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

/** An ISO time to the second, as a table shows it. */
export const when = (iso: string | null) => iso && iso.replace(/\.\d{3}Z$/, 'Z');
