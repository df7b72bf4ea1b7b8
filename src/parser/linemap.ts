/** Maps offsets in a logical (continuation-joined) instruction line back to file positions. */
import type { Position, SourceRange } from '../errors.js';

interface Segment {
  /** Offset of the segment in the logical line. */
  readonly off: number;
  readonly len: number;
  /** 1-based line and column where the segment starts in the file. */
  readonly line: number;
  readonly col: number;
}

export class LineMap {
  private readonly segs: Segment[] = [];

  add(off: number, len: number, line: number, col: number): void {
    this.segs.push({ off, len, line, col });
  }

  private find(off: number, preferEnd: boolean): Segment {
    const segs = this.segs;
    let lo = 0;
    let hi = segs.length - 1;
    // last segment whose start is <= off (for ends: < off, so an end at a boundary stays on the earlier line)
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const s = segs[mid].off;
      if (preferEnd ? s < off : s <= off) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo];
  }

  /** Position of logical offset `off`; `end` selects the end-exclusive interpretation. */
  position(off: number, end = false): Position {
    if (this.segs.length === 0) return { line: 1, column: 1 };
    const s = this.find(off, end);
    return { line: s.line, column: s.col + Math.min(Math.max(off - s.off, 0), s.len) };
  }

  /** The file range of logical offsets [start, end). */
  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(Math.max(start, end), end > start) };
  }

  /** A map for a substring starting at logical offset `base`. */
  shifted(base: number): LineMap {
    const m = new LineMap();
    for (const s of this.segs) {
      const e = s.off + s.len;
      if (e < base) continue;
      const cut = Math.max(0, base - s.off);
      m.add(s.off + cut - base, s.len - cut, s.line, s.col + cut);
    }
    if (m.segs.length === 0 && this.segs.length > 0) {
      const last = this.segs[this.segs.length - 1];
      m.add(0, 0, last.line, last.col + last.len);
    }
    return m;
  }
}
