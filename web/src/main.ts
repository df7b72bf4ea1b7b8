/**
 * The explorer page: a Dockerfile editor beside the LLB graph it compiles to, recompiled as you
 * type, with the analysis of what a change rebuilds and what a base image move does with and
 * without `--link`. Everything shown comes from the dockerfile-llb library running in the page.
 */
import './style.css';
import { type DiffResult, dumpDefinition, type DumpEntry, listTargets, StaticImageResolver, type StepDiff } from 'dockerfile-llb';
import { type BaseMoves, type Build, baseImages, baseMoves, buildInput, changes, type Images, type Outcome, type Problem, readImages, sourceLines } from './build';
import { h, download, replace } from './dom';
import { DockerfileEditor, type EditorProblem, type LineRanges } from './editor';
import { bundledImages, defaultExample, examples } from './examples';
import { type GraphModel, graphOf } from './graph';
import { type Decorations, GraphView, type NodeStatus, shortDigest } from './graph-view';
import { type GraphLayout, layoutGraph } from './layout';
import { basePanel, changesPanel, reasonOf, selectedPanel, summaryPanel } from './panels';
import { type BuildInput, decodeState, encodeState, type ExplorerState, type LinkMode, sameInput, type View } from './state';

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/386', 'linux/ppc64le', 'linux/s390x', 'linux/riscv64', 'windows/amd64'];

/** How long typing must pause before the URL is updated. */
const HASH_DELAY_MS = 250;

const $ = <T extends Element>(sel: string): T => document.querySelector<T>(sel)!;

/** What the graph currently draws: a build (or a variant of it) and its layout. */
interface Shown {
  readonly analysis: Build['analysis'];
  readonly lines: Build['lines'];
  readonly definition: Build['result']['definition'];
  readonly model: GraphModel;
  readonly layout: GraphLayout;
  readonly deco: Decorations;
  /** In the changes and base-image views: each drawn op's entry in the diff, and the build compared with. */
  readonly compared?: Compared;
  dumpCache?: readonly DumpEntry[];
}

interface Compared {
  readonly of: ReadonlyMap<string, StepDiff>;
  /** The diff's new build (its causes name its ops). */
  readonly after: Build['analysis'];
}

/**
 * Node marks for a diff. `onOld`: mark the old build's ops (the base-image view draws the build
 * as it is, before the move), else the new build's.
 */
function compare(d: DiffResult, onOld: boolean): { deco: Decorations; compared: Compared } {
  const status = new Map<string, NodeStatus>();
  const reason = new Map<string, string>();
  const of = new Map<string, StepDiff>();
  for (const e of d.steps) {
    if (e.status === 'removed') continue;
    const digest = onOld ? (e.old?.digest ?? e.step.digest) : e.step.digest;
    status.set(digest, e.status);
    reason.set(digest, reasonOf(e, d.new));
    of.set(digest, e);
  }
  return { deco: { status, reason }, compared: { of, after: d.new } };
}

/** A layout depends only on the graph's shape: while typing inside an instruction, it is reused. */
function shapeKey(model: GraphModel): string {
  const index = new Map(model.nodes.map((n, i) => [n.id, i]));
  const nodes = model.nodes.map((n) => `${n.kind}/${n.stage ?? ''}/${n.link ?? ''}`).join(',');
  const edges = model.edges.map((e) => `${index.get(e.from)}>${index.get(e.to)}:${e.label ?? ''}`).join(',');
  return `${nodes}|${edges}|${model.clusters.map((c) => c.id).join(',')}`;
}

class Explorer {
  state: ExplorerState;
  /** The input the page opened with: "before" until the user keeps another. */
  opened: BuildInput;
  readonly editor: DockerfileEditor;
  readonly graph: GraphView;
  #images: { key: string | undefined; value: Images } | undefined;
  #build: Build | undefined;
  #problem: Problem | undefined;
  /** The build checks that fired before the current error. */
  #failedWarnings: readonly Problem[] = [];
  #before: { input: BuildInput; outcome: Outcome } | undefined;
  #moves: { key: string; value: BaseMoves } | undefined;
  #layoutCache: { key: string; layout: GraphLayout } | undefined;
  #shown: Shown | undefined;
  #generation = 0;
  #selected: string | undefined;
  #cursorLine: number | undefined;
  #inputAt = 0;
  /** Milliseconds of the last update: compile and analyse, layout, SVG, and all of it (`update`). */
  #phases = { compile: 0, layout: 0, draw: 0, update: 0 };
  #hashWritten = '';
  #targetsKey = '';

  constructor(state: ExplorerState) {
    this.state = state;
    this.opened = state.before ?? state.input;
    this.editor = new DockerfileEditor($('#editor'), state.input.dockerfile, {
      onChange: (text, at) => {
        this.#inputAt = at;
        this.setInput({ ...this.state.input, dockerfile: text }, false);
      },
      onCursorLine: (line) => {
        this.#cursorLine = line;
        this.#markGraph();
      },
    });
    this.graph = new GraphView($('#graph'), { onSelect: (id) => this.select(id, true) });
    this.#wireControls();
    this.#syncControls();
    void this.update(true);
    window.addEventListener('hashchange', () => {
      if (location.hash.slice(1) === this.#hashWritten) return;
      const next = decodeState(location.hash);
      if (next) this.load(next);
    });
    window.addEventListener('resize', () => this.graph.fit());
  }

  /** Opens a whole new state (an example, a pasted link). */
  load(state: ExplorerState): void {
    this.state = state;
    this.opened = state.before ?? state.input;
    this.#selected = undefined;
    this.#inputAt = 0;
    this.editor.setText(state.input.dockerfile);
    this.#syncControls();
    void this.update(true);
  }

  setInput(input: BuildInput, syncControls = true): void {
    this.state = { ...this.state, input };
    if (syncControls) this.#syncControls();
    void this.update(false);
  }

  setView(view: View): void {
    this.state = { ...this.state, view };
    this.#syncControls();
    void this.update(false);
  }

  // ----- compiling ---------------------------------------------------------------------------------

  #imagesFor(input: BuildInput): Images {
    const cached = this.#images;
    if (cached && cached.key === input.images) return cached.value;
    const value: Images = input.images === undefined ? { ok: true, file: bundledImages, resolver: new StaticImageResolver(bundledImages, { source: 'examples/images.json' }) } : readImages(input.images);
    this.#images = { key: input.images, value };
    return value;
  }

  async #beforeOutcome(): Promise<Outcome> {
    const input = this.state.before ?? this.opened;
    if (this.#before && sameInput(this.#before.input, input)) return this.#before.outcome;
    const outcome = await buildInput(input, this.#imagesFor(input));
    this.#before = { input, outcome };
    return outcome;
  }

  /**
   * Recompiles and redraws. Later calls win: a stale compile never draws. `data-pending` on the
   * body is `1` until the latest update has drawn everything (tests wait for `0`).
   */
  async update(refit: boolean): Promise<void> {
    const generation = ++this.#generation;
    document.body.dataset.pending = '1';
    try {
      await this.#update(generation, refit);
    } finally {
      if (generation === this.#generation) document.body.dataset.pending = '0';
    }
  }

  async #update(generation: number, refit: boolean): Promise<void> {
    const input = this.state.input;
    const started = performance.now();
    const outcome = await buildInput(input, this.#imagesFor(input));
    if (generation !== this.#generation) return;
    this.#phases = { compile: performance.now() - started, layout: 0, draw: 0, update: 0 };
    if (outcome.ok) {
      this.#build = outcome.build;
      this.#problem = undefined;
      this.#failedWarnings = [];
    } else {
      this.#problem = outcome.problem;
      this.#failedWarnings = outcome.warnings;
    }
    this.#refreshTargets(input.dockerfile);
    let diffResult: DiffResult | undefined;
    let beforeProblem: string | undefined;
    if (this.state.view === 'changes' && this.#build) {
      const before = await this.#beforeOutcome();
      if (generation !== this.#generation) return;
      if (before.ok) diffResult = changes(before.build, this.#build);
      else beforeProblem = before.problem.message;
    }
    this.#draw(refit, diffResult, beforeProblem);
    this.#scheduleHash();
    this.#phases.update = performance.now() - started;
    this.#reportTiming();
    if (this.state.view === 'base' && this.#build && !this.#problem) await this.#updateMoves(generation, this.#build);
  }

  #movesKey(build: Build, moved: readonly string[]): string {
    return `${encodeState({ ...this.state, input: build.input, view: 'ops', linkMode: 'as-written', baseImage: '', before: undefined })}|${moved.join(',')}`;
  }

  #moved(build: Build): string[] {
    const all = baseImages(build);
    return this.state.baseImage && all.includes(this.state.baseImage) ? [this.state.baseImage] : all;
  }

  async #updateMoves(generation: number, build: Build): Promise<void> {
    const moved = this.#moved(build);
    const key = this.#movesKey(build, moved);
    if (this.#moves?.key === key || moved.length === 0) return;
    // Let the graph of the current text paint first; skip the work if more typing follows.
    await new Promise((r) => setTimeout(r, 30));
    if (generation !== this.#generation) return;
    const moves = await baseMoves(build, this.#imagesFor(build.input), moved);
    if (generation !== this.#generation) return;
    this.#moves = { key, value: moves };
    this.#draw(false, undefined, undefined);
  }

  // ----- drawing -----------------------------------------------------------------------------------

  #layout(model: GraphModel): GraphLayout {
    const key = shapeKey(model);
    const cached = this.#layoutCache;
    if (cached && cached.key === key) {
      // Same shape: same positions, new ids and titles.
      return {
        ...cached.layout,
        nodes: cached.layout.nodes.map((p, i) => ({ ...model.nodes[i], x: p.x, y: p.y, width: p.width, height: p.height })),
        edges: cached.layout.edges.map((p, i) => ({ ...p, from: model.edges[i].from, to: model.edges[i].to })),
      };
    }
    const layout = layoutGraph(model);
    this.#layoutCache = { key, layout };
    return layout;
  }

  #show(analysis: Build['analysis'], lines: Build['lines'], definition: Shown['definition'], marks: { deco: Decorations; compared?: Compared } | undefined, refit: boolean): void {
    const deco = marks?.deco ?? {};
    const previous = this.#shown;
    const model = graphOf(analysis);
    const t0 = performance.now();
    const layout = this.#layout(model);
    const t1 = performance.now();
    const shown: Shown = marks?.compared ? { analysis, lines, definition, model, layout, deco, compared: marks.compared } : { analysis, lines, definition, model, layout, deco };
    this.#shown = shown;
    this.graph.render(layout, deco, refit);
    this.#phases.layout = t1 - t0;
    this.#phases.draw = performance.now() - t1;
    if (this.#selected && previous && !model.nodes.some((n) => n.id === this.#selected)) this.#selected = follow(this.#selected, previous.analysis, analysis);
    this.#markGraph();
  }

  #draw(refit: boolean, diffResult: DiffResult | undefined, beforeProblem: string | undefined): void {
    const build = this.#build;
    this.#showProblems();
    document.body.classList.toggle('has-error', this.#problem !== undefined);
    $('#stale').toggleAttribute('hidden', !(this.#problem && build));
    if (!build) {
      replace($('#side'), h('section', { class: 'card' }, h('h2', {}, 'Nothing compiled yet'), h('p', {}, 'Fix the error to see the graph.')));
      return;
    }
    const side = $('#side');
    if (!side.querySelector('#side-view')) replace(side, h('div', { id: 'side-selected' }), h('div', { id: 'side-view' }));
    const view = $('#side-view');
    switch (this.state.view) {
      case 'ops':
        this.#show(build.analysis, build.lines, build.result.definition, undefined, refit);
        replace(view, summaryPanel(build));
        break;
      case 'changes': {
        this.#show(build.analysis, build.lines, build.result.definition, diffResult ? compare(diffResult, false) : undefined, refit);
        replace(view, changesPanel(diffResult, beforeProblem, this.state.before === undefined || sameInput(this.state.before, this.opened), this.#changesActions()));
        break;
      }
      case 'base':
        this.#drawBase(build, refit);
        break;
    }
    this.#legend();
    this.#renderSelected();
  }

  /** The base-image view: the chosen variant of the Dockerfile, marked with what the move does. */
  #drawBase(build: Build, refit: boolean): void {
    const moved = this.#moved(build);
    const moves = this.#moves?.key === this.#movesKey(build, moved) ? this.#moves.value : undefined;
    const variant = moves?.variants.find((v) => v.mode === this.state.linkMode);
    if (variant) {
      // Drawn on the ops as they are now (before the move), so the digests are today's.
      const before = variant.result.before;
      this.#show(variant.result.old, sourceLines(before), before.definition, compare(variant.result, true), refit);
    } else {
      this.#show(build.analysis, build.lines, build.result.definition, undefined, refit);
    }
    replace(
      $('#side-view'),
      basePanel(baseImages(build), this.state.baseImage, this.state.linkMode, moves, {
        ...this.#panelActions(),
        setImage: (ref) => {
          this.state = { ...this.state, baseImage: ref };
          void this.update(false);
        },
        setMode: (mode: LinkMode) => {
          this.state = { ...this.state, linkMode: mode };
          this.#selected = undefined;
          void this.update(false);
        },
      }),
    );
  }

  #changesActions() {
    return {
      ...this.#panelActions(),
      keepAsBefore: () => {
        this.state = { ...this.state, before: this.state.input };
        this.opened = this.state.input;
        void this.update(false);
      },
      restoreBefore: () => {
        const before = this.state.before ?? this.opened;
        this.editor.setText(before.dockerfile);
        this.setInput(before);
      },
    };
  }

  #panelActions() {
    return {
      select: (id: string | undefined) => this.select(id, true),
      revealLines: (ranges: LineRanges) => this.editor.light(ranges, true),
    };
  }

  #renderSelected(): void {
    const holder = document.querySelector('#side-selected');
    const shown = this.#shown;
    if (!holder) return;
    if (!this.#selected || !shown) {
      replace(holder);
      return;
    }
    const node = shown.model.nodes.find((n) => n.id === this.#selected);
    if (!node) {
      replace(holder);
      return;
    }
    const dump = () => (shown.dumpCache ??= dumpDefinition(shown.definition));
    const status = node.digest ? shown.compared?.of.get(node.digest) : undefined;
    const change = status && shown.compared ? { entry: status, after: shown.compared.after } : undefined;
    replace(holder, selectedPanel(node.id, { analysis: shown.analysis, lines: shown.lines, dump }, node.kind, change, this.#panelActions()));
  }

  select(id: string | undefined, fromUser: boolean): void {
    this.#selected = id;
    const shown = this.#shown;
    if (shown && id) {
      const digest = id.startsWith('scratch:') ? id.slice('scratch:'.length) : id;
      this.editor.light(shown.lines.get(digest) ?? [], fromUser);
      if (fromUser) this.graph.reveal(id);
    } else {
      this.editor.light([], false);
    }
    this.#markGraph();
    this.#renderSelected();
  }

  /** Marks the selected node and the nodes of the cursor's line. */
  #markGraph(): void {
    const shown = this.#shown;
    const lit = new Set<string>();
    const line = this.#cursorLine;
    if (shown && line !== undefined) {
      for (const [digest, ranges] of shown.lines) if (ranges.some(([a, b]) => a <= line && line <= b)) lit.add(digest);
    }
    this.graph.mark(this.#selected, lit);
    if (this.#selected && shown) {
      const digest = this.#selected.startsWith('scratch:') ? this.#selected.slice(8) : this.#selected;
      this.editor.light(shown.lines.get(digest) ?? [], false);
    }
  }

  #legend(): void {
    const legend = $('#legend');
    if (this.state.view === 'ops') {
      const kinds: [string, string][] = [
        ['image', 'image'],
        ['context', 'context'],
        ['exec', 'exec'],
        ['file', 'file'],
        ['merge', 'merge'],
        ['scratch', 'scratch'],
      ];
      replace(legend, kinds.map(([k, label]) => h('span', { class: `key k-${k}` }, h('i', {}), label)));
    } else {
      replace(legend, h('span', { class: 'key s-unchanged' }, h('i', {}), 'same digest'), h('span', { class: 'key s-changed' }, h('i', {}), 'new digest'), h('span', { class: 'key s-added' }, h('i', {}), 'new op'));
    }
  }

  #showProblems(): void {
    const problems: Problem[] = [];
    if (this.#problem) problems.push(this.#problem, ...this.#failedWarnings);
    else if (this.#build) problems.push(...this.#build.problems);
    const located: EditorProblem[] = problems.filter((p) => p.at).map((p) => ({ severity: p.severity, message: p.message, ...p.at! }));
    this.editor.showProblems(located);
    const status = $('#status');
    const build = this.#build;
    if (this.#problem) {
      const at = this.#problem.at ? `line ${this.#problem.at.line}${this.#problem.at.column ? `:${this.#problem.at.column}` : ''}: ` : '';
      replace(status, h('span', { class: 'bad', id: 'error-message' }, `✗ ${at}${this.#problem.message}`));
      status.className = 'status error';
    } else if (build) {
      const warn = build.problems.length ? h('span', { class: 'warn' }, ` · ${build.problems.length} warning${build.problems.length > 1 ? 's' : ''}`) : '';
      const result = build.analysis.steps[build.analysis.steps.length - 1];
      replace(
        status,
        h('span', { class: 'ok' }, '✓ '),
        `${build.analysis.steps.length} ops · ${plural(build.result.stages.filter((s) => s.reachable).length, 'stage')} · ${build.result.platform.os}/${build.result.platform.architecture}${build.result.platform.variant ? `/${build.result.platform.variant}` : ''} · result `,
        h('span', { class: 'mono', title: result?.digest }, result ? shortDigest(result.digest) : ''),
        ` · compiled in ${build.ms.toFixed(1)} ms`,
        warn,
      );
      status.className = 'status';
    }
  }

  /**
   * After the frame that shows the update is painted: the time from the key press (or input
   * event) to then, as `data-last-update-ms` and an `explorer:rendered` event (for benchmarks).
   */
  #reportTiming(): void {
    const at = this.#inputAt;
    this.#inputAt = 0;
    const phases = { ...this.#phases };
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const ms = at ? performance.now() - at : undefined;
        if (ms !== undefined) document.body.dataset.lastUpdateMs = ms.toFixed(2);
        const detail = { ms, ...phases, ops: this.#build?.analysis.steps.length ?? 0, error: this.#problem?.message };
        window.dispatchEvent(new CustomEvent('explorer:rendered', { detail }));
      };
      channel.port2.postMessage(undefined);
    });
  }

  #hashTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Writes the state into the URL once typing pauses: `history.replaceState` with a long URL
   * (a pasted images.json) costs more than a whole recompile.
   */
  #scheduleHash(): void {
    if (this.#hashTimer !== undefined) clearTimeout(this.#hashTimer);
    this.#hashTimer = setTimeout(() => {
      this.#hashTimer = undefined;
      this.#writeHash();
    }, HASH_DELAY_MS);
  }

  #writeHash(): void {
    if (this.#hashTimer !== undefined) clearTimeout(this.#hashTimer);
    this.#hashTimer = undefined;
    const hash = encodeState(this.state);
    if (hash === this.#hashWritten) return;
    this.#hashWritten = hash;
    history.replaceState(null, '', `#${hash}`);
  }

  // ----- controls ----------------------------------------------------------------------------------

  #refreshTargets(text: string): void {
    let names: string[];
    try {
      names = listTargets(text).flatMap((t) => (t.name ? [t.name] : []));
    } catch {
      return;
    }
    const key = names.join('\n') + '\u0000' + this.state.input.target;
    if (key === this.#targetsKey) return;
    this.#targetsKey = key;
    const select = $<HTMLSelectElement>('#target');
    const current = this.state.input.target;
    if (current && !names.includes(current)) names.push(current);
    replace(select, h('option', { value: '' }, 'last stage'), names.map((n) => h('option', { value: n, selected: n === current }, n)));
    select.value = current;
  }

  #syncControls(): void {
    const input = this.state.input;
    const platform = $<HTMLSelectElement>('#platform');
    const list = input.platform && !PLATFORMS.includes(input.platform) ? [...PLATFORMS, input.platform] : PLATFORMS;
    replace(platform, h('option', { value: '' }, 'linux/amd64 (default)'), list.map((p) => h('option', { value: p }, p)));
    platform.value = input.platform;
    this.#targetsKey = '';
    this.#refreshTargets(input.dockerfile);
    const args = $<HTMLTextAreaElement>('#build-args');
    const argsText = input.buildArgs.map(([k, v]) => `${k}=${v}`).join('\n');
    if (args.value.trim() !== argsText) args.value = argsText;
    $<HTMLButtonElement>('#options-toggle').textContent = `Options${input.buildArgs.length ? ` · ${input.buildArgs.length} arg${input.buildArgs.length > 1 ? 's' : ''}` : ''}${input.images !== undefined ? ' · own images' : ''}`;
    const ignore = $<HTMLTextAreaElement>('#dockerignore');
    if (ignore.value !== input.dockerignore) ignore.value = input.dockerignore;
    const own = input.images !== undefined;
    $<HTMLInputElement>('#images-bundled').checked = !own;
    $<HTMLInputElement>('#images-pasted').checked = own;
    const imagesText = $<HTMLTextAreaElement>('#images-json');
    if (own && imagesText.value !== input.images) imagesText.value = input.images!;
    imagesText.disabled = !own;
    const example = examples.find((e) => e.dockerfile === input.dockerfile && e.dockerignore === input.dockerignore);
    $<HTMLSelectElement>('#example').value = example?.id ?? '';
    for (const b of document.querySelectorAll<HTMLButtonElement>('.views button')) b.setAttribute('aria-selected', String(b.dataset.view === this.state.view));
    document.body.dataset.view = this.state.view;
  }

  #wireControls(): void {
    const example = $<HTMLSelectElement>('#example');
    replace(example, h('option', { value: '', disabled: true }, 'your Dockerfile'), examples.map((e) => h('option', { value: e.id }, e.title)));
    example.addEventListener('change', () => {
      const e = examples.find((x) => x.id === example.value);
      if (!e) return;
      const input: BuildInput = { dockerfile: e.dockerfile, dockerignore: e.dockerignore, target: '', platform: '', buildArgs: [] };
      this.load({ ...this.state, input, before: undefined, baseImage: '' });
    });
    $<HTMLSelectElement>('#target').addEventListener('change', (e) => this.setInput({ ...this.state.input, target: (e.target as HTMLSelectElement).value }));
    $<HTMLSelectElement>('#platform').addEventListener('change', (e) => this.setInput({ ...this.state.input, platform: (e.target as HTMLSelectElement).value }));
    const toggle = $<HTMLButtonElement>('#options-toggle');
    toggle.addEventListener('click', () => {
      const panel = $<HTMLElement>('#options');
      const open = panel.hidden;
      panel.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      this.graph.fit();
    });
    $<HTMLTextAreaElement>('#build-args').addEventListener('input', (e) => {
      const buildArgs = (e.target as HTMLTextAreaElement).value
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .map((l): [string, string] => {
          const eq = l.indexOf('=');
          return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
        });
      this.setInput({ ...this.state.input, buildArgs }, false);
    });
    $<HTMLTextAreaElement>('#dockerignore').addEventListener('input', (e) => this.setInput({ ...this.state.input, dockerignore: (e.target as HTMLTextAreaElement).value }, false));
    const imagesText = $<HTMLTextAreaElement>('#images-json');
    $<HTMLInputElement>('#images-bundled').addEventListener('change', () => this.setInput({ ...this.state.input, images: undefined }));
    $<HTMLInputElement>('#images-pasted').addEventListener('change', () => {
      if (!imagesText.value.trim()) imagesText.value = JSON.stringify(bundledImages, null, 2);
      this.setInput({ ...this.state.input, images: imagesText.value });
    });
    imagesText.addEventListener('input', () => this.setInput({ ...this.state.input, images: imagesText.value }, false));
    $<HTMLInputElement>('#images-file').addEventListener('change', (e) => {
      const file = (e.target as HTMLInputElement).files?.[0];
      if (!file) return;
      void file.text().then((text) => {
        imagesText.value = text;
        this.setInput({ ...this.state.input, images: text });
      });
    });
    for (const b of document.querySelectorAll<HTMLButtonElement>('.views button')) b.addEventListener('click', () => this.setView(b.dataset.view as View));
    $('#zoom-in').addEventListener('click', () => this.graph.zoomBy(1.25, this.#selected));
    $('#zoom-out').addEventListener('click', () => this.graph.zoomBy(0.8, this.#selected));
    $('#zoom-fit').addEventListener('click', () => this.graph.fit());
    $('#download-pb').addEventListener('click', () => {
      if (this.#build) download('Dockerfile.llb.pb', this.#build.result.bytes, 'application/octet-stream');
    });
    $('#download-json').addEventListener('click', () => {
      if (this.#build) download('Dockerfile.llb.json', dumpDefinition(this.#build.result.definition).map((e) => `${JSON.stringify(e)}\n`).join(''), 'application/json');
    });
    $('#share').addEventListener('click', () => {
      this.#writeHash();
      const button = $<HTMLButtonElement>('#share');
      const done = (text: string) => {
        button.textContent = text;
        setTimeout(() => (button.textContent = 'Copy link'), 1600);
      };
      navigator.clipboard.writeText(location.href).then(
        () => done('Link copied'),
        () => done('Link is in the address bar'),
      );
    });
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** After an edit, the op that takes the place of a selected one: same kind, link role and line. */
function follow(old: string, before: Build['analysis'], after: Build['analysis']): string | undefined {
  const prev = before.byDigest.get(old.startsWith('scratch:') ? old.slice(8) : old);
  if (!prev?.location) return undefined;
  const same = after.steps.find((s) => s.kind === prev.kind && s.link === prev.link && s.location?.line === prev.location!.line);
  if (!same) return undefined;
  return old.startsWith('scratch:') ? `scratch:${same.digest}` : same.digest;
}

function initialState(): ExplorerState {
  const fromUrl = decodeState(location.hash);
  if (fromUrl) return fromUrl;
  return { input: { dockerfile: defaultExample.dockerfile, dockerignore: defaultExample.dockerignore, target: '', platform: '', buildArgs: [] }, view: 'ops', baseImage: '', linkMode: 'as-written' };
}

const explorer = new Explorer(initialState());
/** For benchmarks and tests: put the editor's cursor somewhere without clicking. */
Object.assign(window, { explorer: { cursorTo: (line: number, column: number) => explorer.editor.cursorTo(line, column) } });
