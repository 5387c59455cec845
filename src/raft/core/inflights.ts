// Flow control for one follower in replicate state: the append messages sent but not yet acknowledged,
// as (last index, bytes) in a ring buffer. Full means "stop sending until acks free some room".

export class Inflights {
  private readonly indexes: Float64Array;
  private readonly sizes: Float64Array;
  private start = 0;
  count = 0;
  bytes = 0;

  constructor(
    readonly capacity: number,
    /** 0 = no byte limit. */
    readonly maxBytes: number,
  ) {
    this.indexes = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  add(index: number, bytes: number): void {
    if (this.count >= this.capacity) throw new Error("inflights overflow");
    const slot = (this.start + this.count) % this.capacity;
    this.indexes[slot] = index;
    this.sizes[slot] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Acknowledge every message whose last index is <= index. */
  freeLE(index: number): void {
    while (this.count > 0 && this.indexes[this.start]! <= index) {
      this.bytes -= this.sizes[this.start]!;
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
    if (this.count === 0) {
      this.start = 0;
      this.bytes = 0;
    }
  }

  full(): boolean {
    return this.count >= this.capacity || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
