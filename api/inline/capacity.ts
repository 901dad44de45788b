// How many inline answers this API process has in progress. Each holds a source connection and up to
// SLUICE_INLINE_MAX_BYTES of output in memory, so the most at once bounds both.
export class InlineCapacity {
  inUse = 0;

  take(): void {
    this.inUse++;
  }

  give(): void {
    this.inUse--;
  }
}
