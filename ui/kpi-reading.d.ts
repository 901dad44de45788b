// Types of kpi-reading.js for the TypeScript tests that import it.
export interface KpiPoint {
  idleTimeMs: number | null;
  emitEventTimeMs: number | null;
  instanceRps?: number | null;
}
export interface KpiSync {
  state: string;
  phase: string;
  metrics: (KpiPoint & { instanceRps: number; stale?: boolean }) | null;
}
export interface KpiReading {
  code: 'inactive' | 'stale' | 'copying' | 'waiting' | 'normal' | 'no-source-data' | 'falling-behind';
  label: string;
  detail: string;
  idle: string | null;
  emit: string | null;
  rate: string | null;
}
export declare const READING_DEFAULTS: { idleLowMs: number; emitHighMs: number; growthMs: number; trendPoints: number };
export declare function increasing(values: readonly (number | null | undefined)[], by: number): boolean;
export declare function readKpis(sync: KpiSync, recent?: readonly KpiPoint[], options?: Partial<typeof READING_DEFAULTS>): KpiReading;
