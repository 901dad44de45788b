// What part and stream activities report while they run: a heartbeat every second (the worker throttles what it
// sends to Temporal) carrying where they are, and a row in the part progress store every couple of seconds
// (store/part-progress.ts) for the API. A part waiting on a lock says so in both at once. After a report, a part
// tries the job's job.progress event when the interval has passed since its last try.
import { CancelledFailure, ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ReadSession } from '../../connectors/postgres/read-session';
import type { PartReadyEvent } from '../../domain/running-job-events';
import type { PartAttempt, PartCounts, PartWaiting } from '../../store/part-progress';
import type { ExtractDeps } from './deps';
import { writeProgressEvent } from './progress-event';
import type { RunRef } from './read';

export interface PartHeartbeat {
  rows: number;
  bytes: number;
  /** 'lock' while the part's source session waits on a lock. */
  waiting?: PartWaiting | null;
}

const HEARTBEAT_MS = 1000;
const PROGRESS_EVERY_TICKS = 2;
const WRITE_TIMEOUT_MS = 5000;
// A part file's event is worth waiting longer for: not getting it through means doing the file again.
const EVENT_WRITE_TIMEOUT_MS = 30_000;

export class PartTracker {
  /** The source session whose waits are reported; set by the activity once it has one. */
  session: ReadSession | null = null;
  readonly attempt: PartAttempt;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private writing: Promise<void> | null = null;
  private reportedWaiting: PartWaiting | null = null;
  private progressEventTriedAt = 0;
  private readonly ref: RunRef;

  constructor(
    private readonly deps: ExtractDeps,
    private readonly ctx: Context,
    part: RunRef & { part: number },
    private readonly details: () => Omit<PartHeartbeat, 'waiting'> & Record<string, unknown>,
  ) {
    const { tenantId, ...attempt } = part;
    this.ref = { jobId: part.jobId, tenantId, run: part.run };
    this.attempt = { ...attempt, attempt: ctx.info.attempt, scheduledAt: new Date(ctx.info.scheduledTimestampMs) };
  }

  private get waiting(): PartWaiting | null {
    return this.session?.wait.waiting ?? null;
  }

  /** Starts beating, and records the attempt's start (from `from` rows and bytes) before any report. */
  begin(from?: PartCounts): void {
    this.writing = this.quietly(() => this.deps.progress.start(this.attempt, from)).finally(() => (this.writing = null));
    this.beat();
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  private beat(): void {
    const details = this.details();
    const waiting = this.waiting;
    this.ctx.heartbeat({ ...details, waiting });
    this.ticks++;
    if (this.writing || (this.ticks % PROGRESS_EVERY_TICKS !== 0 && waiting === this.reportedWaiting)) return;
    this.reportedWaiting = waiting;
    this.writing = this.quietly(() => this.deps.progress.report(this.attempt, { rows: details.rows, bytes: details.bytes, waiting }))
      .then(() => (this.progressEventDue() ? this.quietly(() => writeProgressEvent(this.deps, this.ref)) : undefined))
      .finally(() => (this.writing = null));
  }

  private progressEventDue(): boolean {
    const now = Date.now();
    if (now - this.progressEventTriedAt < this.deps.progressEventSeconds * 1000) return false;
    this.progressEventTriedAt = now;
    return true;
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing; // a report landing after the final write would undo it
  }

  // A write that carries a part file's event is not quiet: when it fails (or hangs) the attempt fails, and its
  // retry writes the file and the event again, so no file goes without its event (nor has two: its dedupe key).
  /** The part is done; `ready` is the event of its file (a stream's files had theirs as they were finished). */
  async succeeded(counts: PartCounts, ready: PartReadyEvent | null = null): Promise<void> {
    await this.stop();
    if (ready) await bounded(() => this.deps.progress.finish(this.attempt, counts, ready), EVENT_WRITE_TIMEOUT_MS);
    else await this.quietly(() => this.deps.progress.finish(this.attempt, counts));
  }

  /** A stream finished one of its files: its counts so far (that file included), with the file's event. */
  async fileReady(counts: PartCounts, ready: PartReadyEvent): Promise<void> {
    await bounded(() => this.deps.progress.report(this.attempt, { ...counts, waiting: null }, ready), EVENT_WRITE_TIMEOUT_MS);
  }

  /**
   * The attempt ends with `failure` (an activity failure, see failure.ts). A cancelled part leaves no row; one
   * that Temporal will retry shows the next attempt and why.
   */
  async failed(failure: Error): Promise<void> {
    await this.stop();
    const { info, cancellationDetails: cancelled } = this.ctx;
    const max = info.retryPolicy?.maximumAttempts ?? 0;
    const attemptsLeft = !max || info.attempt < max;
    if (failure instanceof CancelledFailure) {
      if (!cancelled || cancelled.cancelRequested) await this.quietly(() => this.deps.progress.remove(this.attempt));
      else if (attemptsLeft) await this.quietly(() => this.deps.progress.failed(this.attempt, cancelReason(cancelled)));
    } else if (failure instanceof ApplicationFailure && !failure.nonRetryable && attemptsLeft) {
      await this.quietly(() => this.deps.progress.failed(this.attempt, failure.message));
    } else {
      // Failed for good: the job's error tells why; the part waits for nothing any more.
      const { rows, bytes } = this.details();
      await this.quietly(() => this.deps.progress.report(this.attempt, { rows, bytes, waiting: null }));
    }
  }

  // Progress is for people watching: a write that fails must not fail the part, nor one that hangs (Sluice's
  // database slow or away) hold it up.
  private async quietly(write: () => Promise<void>): Promise<void> {
    try {
      await bounded(write, WRITE_TIMEOUT_MS);
    } catch (err) {
      this.ctx.log.warn('part progress not recorded', { error: (err as Error).message });
    }
  }
}

/** `write`, or an error once it has taken `ms` (it may still land later). */
async function bounded(write: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  try {
    await Promise.race([write(), late]);
  } finally {
    clearTimeout(timer);
  }
}

function cancelReason(c: NonNullable<Context['cancellationDetails']>): string {
  if (c.timedOut) return 'the attempt timed out (no heartbeat reached Temporal in time)';
  if (c.workerShutdown) return 'the worker running it shut down';
  return 'the attempt was stopped by Temporal';
}
