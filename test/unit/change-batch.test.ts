import { reduceChanges, type ApplyStep, type Change } from '../../domain/change-batch';

const T = 's.t';
const keys = () => ['id'];
const ins = (id: string, v: string | null | undefined, big?: string | null): Change => ({ kind: 'insert', table: T, row: { id, v, ...(big !== undefined ? { big } : {}) } });
const upd = (id: string, row: Record<string, string | null | undefined>, oldId?: string): Change => ({ kind: 'update', table: T, row: { id, ...row }, ...(oldId ? { oldKey: { id: oldId } } : {}) });
const del = (id: string): Change => ({ kind: 'delete', table: T, oldKey: { id } });
const rows = (deletes: string[], upserts: unknown[]): ApplyStep => ({ kind: 'rows', table: T, deletes: deletes.map((id) => ({ id })), upserts: upserts as never });

test.each<[string, Change[], ApplyStep[]]>([
  ['an insert is an upsert of the whole row', [ins('1', 'a')], [rows([], [{ row: { id: '1', v: 'a' } }])]],
  ['the last change to a key wins', [ins('1', 'a'), upd('1', { v: 'b' }), upd('1', { v: 'c' })], [rows([], [{ row: { id: '1', v: 'c' } }])]],
  ['insert then delete leaves a delete (harmless when the row never reached the target)', [ins('1', 'a'), del('1')], [rows(['1'], [])]],
  ['delete then insert leaves the insert', [del('1'), ins('1', 'b')], [rows([], [{ row: { id: '1', v: 'b' } }])]],
  ['an unchanged TOASTed value comes from the target row', [upd('1', { v: 'b', big: undefined })], [rows([], [{ row: { id: '1', v: 'b', big: undefined }, fillFrom: { id: '1' } }])]],
  ['… or from an earlier change in the batch', [ins('1', 'a', 'BIG'), upd('1', { v: 'b', big: undefined })], [rows([], [{ row: { id: '1', v: 'b', big: 'BIG' } }])]],
  ['a key change deletes the old key and upserts the new one', [upd('2', { v: 'a' }, '1')], [rows(['1'], [{ row: { id: '2', v: 'a' } }])]],
  ['a key change with an unchanged TOASTed value fills it from the old key', [upd('2', { v: 'a', big: undefined }, '1')], [rows(['1'], [{ row: { id: '2', v: 'a', big: undefined }, fillFrom: { id: '1' } }])]],
  ['a key changed twice in the batch keeps the value from the first row', [ins('1', 'a', 'BIG'), upd('2', { v: 'a', big: undefined }, '1'), upd('3', { v: 'a', big: undefined }, '2')],
    [rows(['1', '2'], [{ row: { id: '3', v: 'a', big: 'BIG' } }])]],
  ['keys swapped in one batch', [upd('3', { v: 'x' }, '1'), upd('1', { v: 'y' }, '2'), upd('2', { v: 'z' }, '3')],
    [rows(['3'], [{ row: { id: '1', v: 'y' } }, { row: { id: '2', v: 'z' } }])]],
  ['a truncate is a barrier', [ins('1', 'a'), { kind: 'truncate', tables: [T] }, ins('2', 'b')],
    [rows([], [{ row: { id: '1', v: 'a' } }]), { kind: 'truncate', tables: [T] }, rows([], [{ row: { id: '2', v: 'b' } }])]],
])('%s', (_name, changes, steps) => {
  expect(reduceChanges(changes, keys)).toEqual(steps);
});

test('tables are reduced separately, in one step each', () => {
  const steps = reduceChanges([ins('1', 'a'), { kind: 'insert', table: 's.u', row: { id: '1', w: 'b' } }, del('2')], keys);
  expect(steps).toEqual([rows(['2'], [{ row: { id: '1', v: 'a' } }]), { kind: 'rows', table: 's.u', deletes: [], upserts: [{ row: { id: '1', w: 'b' } }] }]);
});
