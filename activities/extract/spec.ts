// The read spec of a run, saved by its plan and loaded by its parts. A spec for (job, run) never changes once
// saved, so each worker process keeps the ones it loaded lately.
import type { ReadSpec } from '../../domain/plan';
import type { ExtractDeps } from './deps';

const KEPT = 256;

export class SpecCache {
  private readonly specs = new Map<string, ReadSpec>();

  constructor(private readonly plans: ExtractDeps['plans']) {}

  async save(jobId: string, run: number, spec: ReadSpec): Promise<void> {
    await this.plans.save(jobId, run, spec);
    this.keep(`${jobId}/${run}`, spec);
  }

  async get(jobId: string, run: number): Promise<ReadSpec> {
    const key = `${jobId}/${run}`;
    let spec = this.specs.get(key);
    if (!spec) {
      spec = (await this.plans.get(jobId, run)) ?? undefined;
      if (!spec) throw Object.assign(new Error(`no plan is saved for run ${run} of job ${jobId}`), { code: 'plan_missing' });
      this.keep(key, spec);
    }
    return spec;
  }

  private keep(key: string, spec: ReadSpec): void {
    this.specs.delete(key);
    this.specs.set(key, spec);
    if (this.specs.size > KEPT) this.specs.delete(this.specs.keys().next().value!);
  }
}
