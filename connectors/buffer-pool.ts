// Buffers of one size kept for the next use instead of left to the garbage collector: large buffers dropped at a
// high rate cost V8 collections and stay resident until one. A few at most are kept, so an idle process holds
// little; a buffer never given back is simply collected.
export class BufferPool {
  private readonly spare: Buffer[] = [];

  constructor(readonly size: number, private readonly keep: number) {}

  /** A buffer of `size` bytes, its contents undefined. */
  take(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Gives back a buffer nothing reads or writes any more; one of another size is left to the collector. */
  giveBack(buffer: Buffer): void {
    if (buffer.length === this.size && this.spare.length < this.keep) this.spare.push(buffer);
  }
}
