// The handlers every job kind gives its user actions: a signal that takes the action if the lifecycle allows it
// (the Web UI and CLI), and an update that refuses at once what it does not allow and otherwise answers with the
// state the job comes to rest in (the API).
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { transition, type JobAction, type JobKind, type StateOf } from '../domain/lifecycle';
import { ACTION_NOT_ALLOWED } from './action-refusal';

/** One signal per action, named after it. */
export const signalsFor = <A extends JobAction>(actions: readonly A[]) =>
  Object.fromEntries(actions.map((a) => [a, defineSignal<[]>(a)])) as Record<A, SignalDefinition<[]>>;

/** One update per action, named after it, answered with the job's snapshot. */
export const updatesFor = <A extends JobAction, S>(actions: readonly A[]) =>
  Object.fromEntries(actions.map((a) => [a, defineUpdate<S, []>(a)])) as Record<A, UpdateDefinition<S, []>>;

export interface ActionDesk<K extends JobKind, A extends JobAction, S extends { state: StateOf[K] }> {
  kind: K;
  /** How refusals name the job: "the job", "the sync". */
  noun: string;
  actions: readonly A[];
  signals: Record<A, SignalDefinition<[]>>;
  updates: Record<A, UpdateDefinition<S, []>>;
  snap(): S;
  deleted(): boolean;
  /** Times the job came to rest (waiting, running, paused, ended, deleted): an update answers after the next one. */
  rests(): number;
  /** The lifecycle allows `action`: the workflow takes it; `interrupts` says the work in flight must stop. */
  accepted(action: A, interrupts: boolean): void;
}

export function registerActions<K extends JobKind, A extends JobAction, S extends { state: StateOf[K] }>(d: ActionDesk<K, A, S>): void {
  const accept = (action: A): void => {
    const t = transition(d.kind, d.snap().state, action);
    if (!t.ok || d.deleted()) return;
    d.accepted(action, t.interrupts === true);
  };
  for (const action of d.actions) {
    const signal: SignalDefinition<[]> = d.signals[action];
    const update: UpdateDefinition<S, []> = d.updates[action];
    setHandler(signal, () => accept(action));
    setHandler(update, async () => {
      const from = d.snap().state;
      const before = d.rests();
      accept(action);
      // A resumed extraction is Running when a slot is free at once, Queued when it waits for one; a job may
      // also fail meanwhile.
      await condition(() => d.rests() > before && (d.snap().state !== from || d.deleted()));
      return d.snap();
    }, {
      validator: () => {
        const state = d.snap().state;
        if (d.deleted()) throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: `${d.noun} was deleted`, details: [{ state, allowed: [] }] });
        const t = transition(d.kind, state, action);
        if (!t.ok) throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: `${action} is not allowed while ${d.noun} is ${t.state}`, details: [{ state: t.state, allowed: t.allowed }] });
      },
    });
  }
}
