/** Maps offsets in a logical (continuation-joined) instruction line back to file positions. */
import type { Position, SourceRange } from '../errors.js';

/**
 * The segments of a logical line: each is a piece of one physical line, and a map knows where
 * each piece starts in the logical line and in the file. Segments are kept flat (four numbers
 * each: offset in the logical line, length, 1-based line and column in the file), and a map for
 * a substring ({@link LineMap.shifted}) is a view on the same segments with a base offset: the
 * parser makes one per argument list, so neither copies anything.
 */
export class LineMap {
  /** off, len, line, col of each segment, in order. */
  private readonly segs: number[];
  /** Logical offset 0 of this map is offset `base` of the segments. */
  private readonly base: number;

  constructor(segs: number[] = [], base = 0) {
    this.segs = segs;
    this.base = base;
  }

  /** Adds a segment; only on a map that is not a view. */
  add(off: number, len: number, line: number, col: number): void {
    this.segs.push(off, len, line, col);
  }

  /** Index (in segments) of the segment holding absolute offset `off`. */
  private find(off: number, preferEnd: boolean, first: number): number {
    const segs = this.segs;
    let lo = first;
    let hi = (segs.length >> 2) - 1;
    // last segment whose start is <= off (for ends: < off, so an end at a boundary stays on the earlier line)
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const s = segs[mid << 2];
      if (preferEnd ? s < off : s <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The first segment a view sees: the first one that does not end before its base (the last
   * one when every segment does; a view past the end then sits just after the last character).
   */
  private firstVisible(): number {
    const segs = this.segs;
    const n = segs.length >> 2;
    if (this.base === 0) return 0;
    for (let i = 0; i < n; i++) if (segs[i * 4] + segs[i * 4 + 1] >= this.base) return i;
    return n - 1;
  }

  /** Position of logical offset `off`; `end` selects the end-exclusive interpretation. */
  position(off: number, end = false): Position {
    const segs = this.segs;
    if (segs.length === 0) return { line: 1, column: 1 };
    const first = this.firstVisible();
    const abs = off + this.base;
    const i = this.find(abs, end, first) << 2;
    const segOff = segs[i];
    const segLen = segs[i + 1];
    // A view starts its first segment at its base: offsets before it clamp there.
    const from = Math.max(segOff, this.base);
    if (from > segOff + segLen) return { line: segs[i + 2], column: segs[i + 3] + segLen };
    const cut = from - segOff;
    return { line: segs[i + 2], column: segs[i + 3] + cut + Math.min(Math.max(abs - from, 0), segLen - cut) };
  }

  /** The file range of logical offsets [start, end). */
  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(Math.max(start, end), end > start) };
  }

  /** A map for a substring starting at logical offset `base`. */
  shifted(base: number): LineMap {
    return new LineMap(this.segs, this.base + base);
  }
}

const NOWHERE: Position = Object.freeze({ line: 0, column: 0 });
/** One frozen range at line 0, column 0: where words kept without ranges are, and a placeholder. */
export const NOWHERE_RANGE: SourceRange = Object.freeze({ start: NOWHERE, end: NOWHERE });

/** A map that puts every offset at line 0, column 0 (one shared range): for words kept without ranges. */
class NoRanges extends LineMap {
  override position(): Position {
    return NOWHERE;
  }

  override range(): SourceRange {
    return NOWHERE_RANGE;
  }

  override shifted(): LineMap {
    return this;
  }
}

/** The map of a parse that gives words no ranges (see the parser's `argumentRanges` option). */
export const NO_RANGES: LineMap = new NoRanges();
