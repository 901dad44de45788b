// Reduces a run of decoded changes to what applying them in sets needs (design.md §5): per table, the final
// state of each key — deleted, or an upsert of a whole row — with truncates as barriers. Pure.
//
// Values are PostgreSQL text (null for NULL). `undefined` marks a TOASTed column the update left unchanged: its
// value is taken from an earlier change in the batch, else from the target's row at `fillFrom` before the batch
// (the old key when the primary key changed), else from the source's current row.
export type RowValues = Record<string, string | null | undefined>;

export type Change =
  | { kind: 'insert'; table: string; row: RowValues }
  | { kind: 'update'; table: string; row: RowValues; oldKey?: RowValues }
  | { kind: 'delete'; table: string; oldKey: RowValues }
  | { kind: 'truncate'; tables: string[] };

export interface Upsert {
  row: RowValues;
  /** Key whose pre-batch target row supplies the unchanged (undefined) columns; absent when the row is whole. */
  fillFrom?: RowValues;
}

export type ApplyStep =
  | { kind: 'rows'; table: string; deletes: RowValues[]; upserts: Upsert[] }
  | { kind: 'truncate'; tables: string[] };

type Final = { op: 'delete'; key: RowValues } | { op: 'upsert'; upsert: Upsert };

const keyOf = (row: RowValues, keyColumns: string[]): RowValues => Object.fromEntries(keyColumns.map((c) => [c, row[c]]));
// Map keys: a single-column key's text itself (key values are never NULL), else the values as JSON.
const keyText = (row: RowValues, keyColumns: string[]): string =>
  keyColumns.length === 1 ? (row[keyColumns[0]] as string) : JSON.stringify(keyColumns.map((c) => row[c] ?? null));
const isWhole = (row: RowValues) => {
  for (const c in row) if (row[c] === undefined) return false;
  return true;
};

/** The steps that leave a target in the state the changes, applied one by one in order, would. */
export function reduceChanges(changes: Iterable<Change>, keyColumnsOf: (table: string) => string[]): ApplyStep[] {
  const steps: ApplyStep[] = [];
  let pending = new Map<string, Map<string, Final>>();
  const flush = () => {
    for (const [table, finals] of pending) {
      const deletes: RowValues[] = [];
      const upserts: Upsert[] = [];
      for (const f of finals.values()) (f.op === 'delete' ? deletes.push(f.key) : upserts.push(f.upsert));
      steps.push({ kind: 'rows', table, deletes, upserts });
    }
    pending = new Map();
  };
  const finalsOf = (table: string) => {
    let finals = pending.get(table);
    if (!finals) pending.set(table, (finals = new Map()));
    return finals;
  };

  for (const change of changes) {
    if (change.kind === 'truncate') {
      flush();
      steps.push({ kind: 'truncate', tables: change.tables });
      continue;
    }
    const keyColumns = keyColumnsOf(change.table);
    const finals = finalsOf(change.table);
    if (change.kind === 'delete') {
      const key = keyOf(change.oldKey, keyColumns);
      finals.set(keyText(key, keyColumns), { op: 'delete', key });
      continue;
    }
    const newText = keyText(change.row, keyColumns);
    const oldKey = change.kind === 'update' && change.oldKey ? keyOf(change.oldKey, keyColumns) : undefined;
    const oldText = oldKey ? keyText(oldKey, keyColumns) : newText;
    const before = finals.get(oldText);
    let upsert: Upsert;
    if (isWhole(change.row)) {
      upsert = { row: change.row };
    } else if (before?.op === 'upsert') {
      // The unchanged columns are those of the row as the batch left it.
      const row = { ...change.row };
      for (const [c, v] of Object.entries(row)) if (v === undefined) row[c] = before.upsert.row[c];
      upsert = { row, ...(before.upsert.fillFrom ? { fillFrom: before.upsert.fillFrom } : {}) };
    } else {
      upsert = { row: { ...change.row }, fillFrom: oldKey ?? keyOf(change.row, keyColumns) };
    }
    if (oldText !== newText) finals.set(oldText, { op: 'delete', key: oldKey! });
    finals.delete(newText); // re-inserted last: the map's order is the order of final changes
    finals.set(newText, { op: 'upsert', upsert });
  }
  flush();
  return steps;
}
