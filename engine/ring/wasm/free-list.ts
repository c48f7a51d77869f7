/**
 * Free blocks of the heap, kept sorted by address and coalesced with their neighbours, so that
 * memory freed at one size can serve another (polynomials shrink level by level). Allocation
 * is best fit, splitting the chosen block. Sizes and addresses are multiples of the heap's
 * alignment; the list does not know about the memory itself.
 */
export class FreeList {
  private readonly starts: number[] = [];
  private readonly sizes: number[] = [];

  /** Number of free blocks. */
  get length(): number {
    return this.starts.length;
  }

  /** Address of a free block of exactly `size` bytes carved from the best-fitting block, if any. */
  take(size: number): number | undefined {
    let best = -1;
    for (let i = 0; i < this.sizes.length; i++) {
      const s = this.sizes[i]!;
      if (s >= size && (best < 0 || s < this.sizes[best]!)) {
        best = i;
        if (s === size) break;
      }
    }
    if (best < 0) return undefined;
    const address = this.starts[best]!;
    const rest = this.sizes[best]! - size;
    if (rest === 0) {
      this.starts.splice(best, 1);
      this.sizes.splice(best, 1);
    } else {
      this.starts[best] = address + size;
      this.sizes[best] = rest;
    }
    return address;
  }

  /** Adds the block [address, address + size), merging it with adjacent free blocks. */
  give(address: number, size: number): void {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.starts[middle]! < address) low = middle + 1;
      else high = middle;
    }
    let start = address;
    let length = size;
    let index = low;
    if (index > 0 && this.starts[index - 1]! + this.sizes[index - 1]! === start) {
      index--;
      start = this.starts[index]!;
      length += this.sizes[index]!;
      this.starts.splice(index, 1);
      this.sizes.splice(index, 1);
    }
    if (index < this.starts.length && start + length === this.starts[index]!) {
      length += this.sizes[index]!;
      this.starts.splice(index, 1);
      this.sizes.splice(index, 1);
    }
    this.starts.splice(index, 0, start);
    this.sizes.splice(index, 0, length);
  }

  /**
   * When the last free block ends at `top`, removes it and returns its start (the new top);
   * otherwise returns `top`.
   */
  trimTop(top: number): number {
    const last = this.starts.length - 1;
    if (last < 0 || this.starts[last]! + this.sizes[last]! !== top) return top;
    const start = this.starts[last]!;
    this.starts.pop();
    this.sizes.pop();
    return start;
  }
}
