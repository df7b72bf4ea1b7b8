/**
 * The side panel: the selected op, and what each view says about the build (its ops, the changes
 * since "before", what a base image move does with and without `--link`).
 */
import type { DiffResult, DumpEntry, Step, StepDiff } from 'dockerfile-llb';
import type { BaseMoves, Build } from './build';
import { h } from './dom';
import type { LineRanges } from './editor';
import { type NodeKind, shortImage, stepTitle } from './graph';
import { shortDigest } from './graph-view';
import type { LinkMode } from './state';

export interface PanelActions {
  select(id: string | undefined): void;
  revealLines(ranges: LineRanges): void;
}

/** `19–21`, `3, 7`: the lines of ranges, runs of adjacent lines joined. */
export function linesText(ranges: LineRanges | undefined): string {
  if (!ranges || ranges.length === 0) return 'none (not from a Dockerfile line)';
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const runs: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = runs[runs.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else runs.push([a, b]);
  }
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
}

function stepLink(step: Step, actions: PanelActions, extra?: string): HTMLElement {
  return h(
    'button',
    { class: 'steplink', type: 'button', title: step.digest, onclick: () => actions.select(step.digest) },
    h('span', { class: 'mono' }, shortDigest(step.digest)),
    ' ',
    stepTitle(step),
    extra ? h('span', { class: 'muted' }, ` ${extra}`) : '',
  );
}

const KIND_NAMES: Record<NodeKind, string> = {
  image: 'base image (source op)',
  context: 'build context (source op)',
  git: 'git repository (source op)',
  http: 'HTTP download (source op)',
  oci: 'OCI layout (source op)',
  exec: 'exec op: runs a command',
  file: 'file op: copies, makes directories',
  merge: 'merge op: stacks layers',
  diff: 'diff op',
  build: 'build op',
  result: 'the terminal op: the build result',
  scratch: 'scratch',
};

/** The selected op: what it is, where it comes from, its fields as `dump` prints them. */
export function selectedPanel(
  id: string,
  shown: { analysis: Build['analysis']; lines: Build['lines']; dump: () => readonly DumpEntry[] },
  kind: NodeKind,
  change: { entry: StepDiff; after: Build['analysis'] } | undefined,
  actions: PanelActions,
): HTMLElement {
  const close = h('button', { class: 'close', type: 'button', title: 'Clear the selection', onclick: () => actions.select(undefined) }, '×');
  if (id.startsWith('scratch:')) {
    const copy = shown.analysis.byDigest.get(id.slice('scratch:'.length));
    return h(
      'section',
      { class: 'card selected', 'data-selected': id },
      close,
      h('h2', {}, 'scratch: an empty filesystem'),
      h(
        'p',
        {},
        'Not an op. A ',
        h('code', {}, 'COPY --link'),
        ' copies onto nothing (its copy action reads input ',
        h('code', {}, '-1'),
        '), so its digest does not depend on the base image. A merge op then stacks that layer on the stage.',
      ),
      copy ? h('p', {}, 'The copy: ', stepLink(copy, actions)) : '',
    );
  }
  const step = shown.analysis.byDigest.get(id);
  if (!step) return h('section', { class: 'card selected' }, close, h('p', {}, 'This op is no longer in the build.'));
  const entry = shown.dump().find((e) => e.Digest === step.digest);
  const ranges = shown.lines.get(step.digest);
  const deps = (shown.analysis.dependents.get(step.digest) ?? []).map((d) => shown.analysis.byDigest.get(d)!).filter(Boolean);
  const inputs = step.inputs.map((i) => shown.analysis.byDigest.get(i.digest)).filter((s): s is Step => s !== undefined);
  return h(
    'section',
    { class: `card selected k-${kind}`, 'data-selected': step.digest },
    close,
    h('div', { class: 'kindline' }, h('span', { class: 'chip' }), KIND_NAMES[kind], step.link === 'copy' ? ' · the copy of a COPY --link' : step.link === 'merge' ? ' · the merge of a COPY --link' : ''),
    h('h2', {}, stepTitle(step)),
    step.name ? h('code', { class: 'fullname' }, step.name) : '',
    h(
      'dl',
      {},
      h('dt', {}, 'Digest'),
      h('dd', { class: 'mono digest-full' }, step.digest),
      step.stage ? [h('dt', {}, 'Stage'), h('dd', {}, step.stage)] : '',
      h('dt', {}, 'Lines'),
      h('dd', {}, ranges ? h('button', { class: 'linkish', type: 'button', onclick: () => actions.revealLines(ranges) }, linesText(ranges)) : linesText(ranges)),
      change ? [h('dt', {}, 'Change'), h('dd', { class: 'change' }, change.entry.status === 'unchanged' ? 'same digest' : `${STATUS_LABEL[change.entry.status]}: ${reasonOf(change.entry, change.after)}`)] : '',
    ),
    inputs.length ? h('div', { class: 'list' }, h('h3', {}, 'Inputs'), inputs.map((s, i) => stepLink(s, actions, step.inputs[i].output ? `output ${step.inputs[i].output}` : undefined))) : '',
    deps.length ? h('div', { class: 'list' }, h('h3', {}, 'Used by'), deps.map((s) => stepLink(s, actions))) : '',
    entry ? h('h3', {}, 'Op ', h('span', { class: 'muted' }, '(as dockerfile-llb dump prints it)')) : '',
    entry ? h('pre', { class: 'json' }, JSON.stringify(entry.Op, null, 2)) : '',
    entry?.OpMetadata ? h('h3', {}, 'Metadata') : '',
    entry?.OpMetadata ? h('pre', { class: 'json' }, JSON.stringify(entry.OpMetadata, null, 2)) : '',
  );
}

/** The ops view without a selection: what the build is made of. */
export function summaryPanel(build: Build): HTMLElement {
  const counts = new Map<string, number>();
  for (const s of build.analysis.steps) {
    const k = s.kind === 'source' ? String((s.op.source as { identifier?: string } | undefined)?.identifier ?? '').split('://')[0] : s.kind;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const cfg = build.result.imageConfig.config ?? {};
  const rows: [string, string][] = [];
  if (cfg.Entrypoint) rows.push(['Entrypoint', JSON.stringify(cfg.Entrypoint)]);
  if (cfg.Cmd) rows.push(['Cmd', JSON.stringify(cfg.Cmd)]);
  if (cfg.WorkingDir) rows.push(['WorkingDir', cfg.WorkingDir]);
  if (cfg.User) rows.push(['User', cfg.User]);
  if (cfg.ExposedPorts) rows.push(['Ports', Object.keys(cfg.ExposedPorts).join(', ')]);
  for (const e of cfg.Env ?? []) rows.push(['Env', e]);
  const target = build.result.target;
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'The build'),
    h('p', {}, `${build.analysis.steps.length} ops: `, [...counts].map(([k, n], i) => `${i ? ', ' : ''}${n} ${k === 'docker-image' ? 'image' : k}`).join('')),
    h(
      'ul',
      { class: 'stages' },
      build.result.stages.map((s) =>
        h('li', { class: s.reachable ? '' : 'muted' }, h('b', {}, s.name || `stage-${s.index}`), ` FROM ${shortImage(s.baseName)}`, s.name === target || (!target && s.index === build.result.stages.length - 1) ? ' · target' : '', s.reachable ? '' : ' · not built'),
      ),
    ),
    h('h3', {}, `Image config (${build.result.platform.os}/${build.result.platform.architecture}${build.result.platform.variant ? `/${build.result.platform.variant}` : ''})`),
    rows.length ? h('dl', { class: 'config' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { class: 'mono' }, v)])) : h('p', { class: 'muted' }, 'empty'),
    h('p', { class: 'hint' }, 'Click an op to see its fields and light up its Dockerfile lines; put the cursor on a line to light up its ops.'),
  );
}

/** Why an op changed, in the page's short step titles (the cause is the library's). */
export function reasonOf(e: StepDiff, analysis: Build['analysis']): string {
  const c = e.cause;
  if (!c) return '';
  const titleOf = (digest: string, fallback: string) => {
    const step = analysis.byDigest.get(digest);
    return step ? stepTitle(step) : fallback;
  };
  switch (c.type) {
    case 'fields':
      return `its own fields: ${c.fields.join(', ')}`;
    case 'added':
      return 'a new op';
    case 'removed':
      return 'no longer in the build';
    case 'input': {
      let text = `input changed: ${titleOf(c.input.digest, c.input.label)}`;
      if (c.inputs.length > 1) text += ` (+${c.inputs.length - 1} more)`;
      if (c.fields.length) text += `; also its own fields: ${c.fields.join(', ')}`;
      return text;
    }
  }
}

const STATUS_LABEL: Record<StepDiff['status'], string> = { unchanged: 'same', changed: 'new digest', added: 'new op', removed: 'removed' };

export interface ChangesActions extends PanelActions {
  keepAsBefore(): void;
  restoreBefore(): void;
}

/** The changes view: every op of the current build against "before". */
export function changesPanel(d: DiffResult | undefined, beforeProblem: string | undefined, beforeIsOpened: boolean, actions: ChangesActions): HTMLElement {
  const head = h(
    'div',
    { class: 'row' },
    h('button', { type: 'button', id: 'keep-before', onclick: () => actions.keepAsBefore(), title: 'Compare later edits with the Dockerfile and options as they are now' }, 'Keep this as “before”'),
    h('button', { type: 'button', id: 'restore-before', onclick: () => actions.restoreBefore(), title: 'Put the “before” Dockerfile and options back' }, 'Restore “before”'),
  );
  const intro = h('p', {}, 'Each op of the current build against ', beforeIsOpened ? 'the Dockerfile as the page opened it' : 'the version you kept', ': same digest (cached), or new digest and why. Edit the Dockerfile or the options to see what a change rebuilds.');
  if (beforeProblem) return h('section', { class: 'card' }, h('h2', {}, 'Changes'), intro, head, h('p', { class: 'error' }, `“Before” does not compile: ${beforeProblem}`));
  if (!d) return h('section', { class: 'card' }, h('h2', {}, 'Changes'), intro, head);
  const s = d.summary;
  const entry = (e: StepDiff) =>
    h(
      'li',
      { class: `s-${e.status}`, 'data-digest': e.step.digest, 'data-status': e.status },
      h('span', { class: `pill s-${e.status}` }, STATUS_LABEL[e.status]),
      e.status === 'removed' ? h('span', {}, stepTitle(e.step)) : stepLink(e.step, actions),
      e.status !== 'unchanged' ? h('div', { class: 'reason' }, reasonOf(e, e.status === 'removed' ? d.old : d.new)) : '',
    );
  const changed = d.steps.filter((e) => e.status !== 'unchanged');
  const same = d.steps.filter((e) => e.status === 'unchanged');
  return h(
    'section',
    { class: 'card changes' },
    h('h2', {}, 'Changes'),
    intro,
    head,
    h(
      'p',
      { class: 'summary', id: 'changes-summary' },
      h('span', { class: 'pill s-unchanged' }, `${s.unchanged} same`),
      h('span', { class: 'pill s-changed' }, `${s.changed} new digest`),
      h('span', { class: 'pill s-added' }, `${s.added} new`),
      h('span', { class: 'pill s-removed' }, `${s.removed} removed`),
    ),
    changed.length ? h('ol', { class: 'difflist' }, changed.map(entry)) : h('p', { class: 'muted' }, 'Every op keeps its digest.'),
    same.length ? h('details', { class: 'same' }, h('summary', {}, `${same.length} ops keep their digest`), h('ol', { class: 'difflist' }, same.map(entry))) : '',
  );
}

export interface BaseActions extends PanelActions {
  setImage(ref: string): void;
  setMode(mode: LinkMode): void;
}

const MODE_LABEL: Record<LinkMode, string> = { 'as-written': 'as written', link: 'all --link', 'no-link': 'no --link' };
const MODE_TITLE: Record<LinkMode, string> = { 'as-written': 'The Dockerfile as written', link: 'With --link on every COPY and ADD', 'no-link': 'With --link on no COPY or ADD' };

/** The base-image view: what moving base images does, with and without `--link`. */
export function basePanel(images: readonly string[], chosen: string, mode: LinkMode, moves: BaseMoves | undefined, actions: BaseActions): HTMLElement {
  const imageSelect = h(
    'select',
    { id: 'base-image', onchange: (e: Event) => actions.setImage((e.target as HTMLSelectElement).value) },
    h('option', { value: '' }, 'every base image'),
    images.map((r) => h('option', { value: r, selected: r === chosen }, shortImage(r))),
  );
  const modes = h(
    'div',
    { class: 'segmented', role: 'radiogroup', 'aria-label': 'Compile the Dockerfile' },
    (['as-written', 'link', 'no-link'] as const).map((m) =>
      h('button', { type: 'button', role: 'radio', title: MODE_TITLE[m], 'aria-checked': String(m === mode), 'data-mode': m, class: m === mode ? 'on' : '', onclick: () => actions.setMode(m) }, MODE_LABEL[m]),
    ),
  );
  const parts: (HTMLElement | string)[] = [];
  if (images.length === 0) parts.push(h('p', { class: 'muted' }, 'This build has no base image (only scratch).'));
  else if (!moves) parts.push(h('p', { class: 'muted' }, 'Compiling the variants…'));
  else {
    parts.push(
      h(
        'table',
        { class: 'variants', id: 'variants' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Dockerfile'), h('th', {}, 'ops'), h('th', {}, 'merges'), h('th', {}, 'keep their digest'))),
        h(
          'tbody',
          {},
          moves.variants.map((v) =>
            h(
              'tr',
              { class: v.mode === mode ? 'on' : '', 'data-mode': v.mode },
              h('td', { title: MODE_TITLE[v.mode] }, MODE_LABEL[v.mode]),
              h('td', {}, String(v.ops)),
              h('td', {}, String(v.merges)),
              h('td', {}, h('b', {}, `${v.kept}`), ` of ${v.ops}`),
            ),
          ),
          moves.errors.map((e) => h('tr', {}, h('td', {}, MODE_LABEL[e.mode]), h('td', { colspan: 3, class: 'error' }, e.message))),
        ),
      ),
    );
    const copies = moves.report?.copies ?? [];
    if (copies.length) {
      const word = (s: string | undefined) => (s === 'unchanged' ? 'kept' : s === undefined ? '–' : 'rebuilt');
      parts.push(
        h('h3', {}, 'Each COPY/ADD after the move'),
        h(
          'table',
          { class: 'copies' },
          h('thead', {}, h('tr', {}, h('th', {}, 'line'), h('th', {}, 'with --link: copy, merge'), h('th', {}, 'without: copy'))),
          h(
            'tbody',
            {},
            copies.map((c) =>
              h(
                'tr',
                {},
                h('td', { title: c.name }, `${c.line} ${c.instruction}${c.linkFlag ? ' --link' : ''}`),
                h('td', {}, c.withLink ? `${word(c.withLink.copy.status)}, ${word(c.withLink.merge?.status)}` : '–'),
                h('td', {}, c.withoutLink ? word(c.withoutLink.copy.status) : '–'),
              ),
            ),
          ),
        ),
      );
    }
  }
  return h(
    'section',
    { class: 'card base' },
    h('h2', {}, 'What if the base image moves?'),
    h('p', {}, 'Compiles the Dockerfile again with the base image at another digest (a new release of the same tag) and marks which ops keep their digest, that is, their cache key.'),
    h('label', { class: 'field' }, 'Move ', imageSelect),
    h('div', { class: 'field' }, 'Compile ', modes),
    ...parts,
    h(
      'p',
      { class: 'hint' },
      'A plain COPY writes into the base, so its digest covers the base and changes with it. A ',
      h('code', {}, 'COPY --link'),
      ' copies onto scratch, so the copy keeps its digest; a merge op stacks it on the base, and the merge and everything after it change. ',
      'The article ',
      h('a', { href: 'https://depot.dev/blog/why-you-should-avoid-copy-link-in-your-dockerfile', target: '_blank', rel: 'noopener' }, 'Why you should avoid COPY --link'),
      ' weighs the extra merges against that.',
    ),
  );
}
