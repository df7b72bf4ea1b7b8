/**
 * The Dockerfile editor: CodeMirror 6 with Dockerfile highlighting, problems shown at their line
 * and column, and lines lit up for the ops the graph has selected.
 */
import { basicSetup } from 'codemirror';
import { StreamLanguage } from '@codemirror/language';
import { dockerFile } from '@codemirror/legacy-modes/mode/dockerfile';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import { Decoration, type DecorationSet, EditorView } from '@codemirror/view';

/** A problem to show in the editor. Lines and columns are 1-based; `endColumn` is exclusive. */
export interface EditorProblem {
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly line: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly source?: string;
}

/** Line ranges (1-based, inclusive) to light up. */
export type LineRanges = readonly (readonly [number, number])[];

const setLit = StateEffect.define<LineRanges>();

const litLine = Decoration.line({ class: 'cm-lit' });

const litField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(setLit)) {
        const lines = new Set<number>();
        for (const [a, b] of e.value) for (let l = a; l <= b && l <= tr.state.doc.lines; l++) if (l >= 1) lines.add(l);
        const builder = new RangeSetBuilder<Decoration>();
        for (const l of [...lines].sort((x, y) => x - y)) {
          const line = tr.state.doc.line(l);
          builder.add(line.from, line.from, litLine);
        }
        return builder.finish();
      }
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface EditorCallbacks {
  /** The text changed; `at` is the time of the input event (`performance.now()` clock). */
  onChange(text: string, at: number): void;
  /** The cursor moved to another line (or the same line was clicked again). */
  onCursorLine(line: number): void;
}

export class DockerfileEditor {
  readonly view: EditorView;
  #inputAt = 0;
  #lastLine = 0;
  #litKey = '';
  #problemsKey = '';

  constructor(parent: HTMLElement, text: string, callbacks: EditorCallbacks) {
    const listener = EditorView.updateListener.of((u) => {
      if (u.docChanged) {
        this.#litKey = '';
        const typed = u.transactions.some((tr) => tr.isUserEvent('input') || tr.isUserEvent('delete') || tr.isUserEvent('undo') || tr.isUserEvent('redo'));
        callbacks.onChange(u.state.doc.toString(), typed && this.#inputAt ? this.#inputAt : performance.now());
      }
      this.#inputAt = 0;
      if (u.selectionSet && u.view.hasFocus) {
        const line = u.state.doc.lineAt(u.state.selection.main.head).number;
        if (line !== this.#lastLine || !u.docChanged) callbacks.onCursorLine(line);
        this.#lastLine = line;
      }
    });
    // The time of the key press, for keystroke-to-graph measurements.
    const timing = EditorView.domEventHandlers({
      keydown: (e) => {
        this.#inputAt = e.timeStamp;
        return false;
      },
      beforeinput: (e) => {
        if (!this.#inputAt) this.#inputAt = e.timeStamp;
        return false;
      },
    });
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: text,
        extensions: [
          basicSetup,
          StreamLanguage.define(dockerFile),
          lintGutter(),
          EditorView.lineWrapping,
          litField,
          timing,
          listener,
          EditorView.contentAttributes.of({ 'aria-label': 'Dockerfile' }),
        ],
      }),
    });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Replaces the whole text (an example was picked, a link was opened). */
  setText(text: string): void {
    if (text === this.text) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  /** Puts the cursor at a line and column (1-based), scrolled into view, and focuses the editor. */
  cursorTo(line: number, column: number): void {
    const l = this.view.state.doc.line(Math.min(Math.max(line, 1), this.view.state.doc.lines));
    const pos = Math.min(l.from + Math.max(column, 1) - 1, l.to);
    this.view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
    this.view.focus();
  }

  /** Lights up these lines (none for an empty list) and scrolls the first into view. */
  light(ranges: LineRanges, scroll = true): void {
    const key = JSON.stringify(ranges);
    if (key === this.#litKey && !scroll) return;
    this.#litKey = key;
    const effects: StateEffect<unknown>[] = [setLit.of(ranges)];
    const first = ranges.length ? Math.min(...ranges.map((r) => r[0])) : 0;
    if (scroll && first >= 1 && first <= this.view.state.doc.lines) {
      effects.push(EditorView.scrollIntoView(this.view.state.doc.line(first).from, { y: 'nearest', yMargin: 40 }));
    }
    this.view.dispatch({ effects });
  }

  /** Shows these problems (replacing the ones shown). */
  showProblems(problems: readonly EditorProblem[]): void {
    const key = JSON.stringify(problems);
    if (key === this.#problemsKey && problems.length === 0) return;
    this.#problemsKey = key;
    const doc = this.view.state.doc;
    const diagnostics: Diagnostic[] = problems.map((p) => {
      const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
      let from = line.from;
      let to = line.to;
      if (p.column !== undefined && p.column >= 1) {
        from = Math.min(line.from + p.column - 1, line.to);
        const endLine = doc.line(Math.min(Math.max(p.endLine ?? p.line, p.line), doc.lines));
        to = p.endColumn !== undefined && p.endColumn >= 1 ? Math.min(endLine.from + p.endColumn - 1, endLine.to) : line.to;
        if (to <= from) to = Math.min(from + 1, doc.length);
        if (to <= from) from = line.from;
      }
      const d: Diagnostic = { from, to, severity: p.severity, message: p.message };
      if (p.source) d.source = p.source;
      return d;
    });
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }
}
