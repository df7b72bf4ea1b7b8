/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The explorer page (web/) in a real browser: Debian's Chromium driven by playwright-core. The
 * page is built once and one browser is shared by every test. Without Chromium the tests report
 * themselves as not run. `UPDATE_SCREENSHOTS=1` writes the screenshots to docs/explorer/.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, compile, diff, type ImageMetadataFile, whatIf } from '../../src/index';
import { buildPage, CHROMIUM, chromiumAvailable, launchChromium, serveStatic } from '../../web/scripts/harness.mjs';
import { repoRoot, runCli } from '../helpers/cli';

const available = chromiumAvailable();
if (!available) console.log(`explorer browser tests: not run (no Chromium at ${CHROMIUM}; .ci/run installs Debian's chromium)`);

const images = JSON.parse(readFileSync(join(repoRoot, 'examples/images.json'), 'utf8')) as ImageMetadataFile;

/** Every example the page offers: its Dockerfile and build context in the repository. */
const EXAMPLES: Record<string, { dockerfile: string; context: string }> = {
  fullstack: { dockerfile: 'web/examples/fullstack.Dockerfile', context: 'web/examples' },
  copy: { dockerfile: 'docs/copy-link/copy.Dockerfile', context: 'docs/copy-link' },
  'copy-link': { dockerfile: 'docs/copy-link/copy-link.Dockerfile', context: 'docs/copy-link' },
  'go-link': { dockerfile: 'examples/go-link/Dockerfile', context: 'examples/go-link' },
  'node-cache': { dockerfile: 'examples/node-cache/Dockerfile', context: 'examples/node-cache' },
  heredocs: { dockerfile: 'examples/heredocs/Dockerfile', context: 'examples/heredocs' },
  hello: { dockerfile: 'examples/hello/Dockerfile', context: 'examples/hello' },
};

const SCREENSHOTS = join(repoRoot, 'docs/explorer');

/** `dockerfile-llb dump` of a Dockerfile: the digests, in Definition order. */
async function dumpDigests(args: readonly string[], input?: string): Promise<string[]> {
  const r = await runCli(['dump', ...args, '--images', 'examples/images.json'], input === undefined ? {} : { input });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { Digest: string }).Digest);
}

describe.skipIf(!available)('explorer page in Chromium', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let outDir: string;
  let shotsDir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'explorer-dist-'));
    shotsDir = mkdtempSync(join(tmpdir(), 'explorer-shots-'));
    await buildPage(outDir);
    server = await serveStatic(outDir);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (process.env.UPDATE_SCREENSHOTS === '1' && shotsDir) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      for (const name of ['explorer-ops.png', 'explorer-selected.png', 'explorer-changes.png', 'explorer-copy-link.png', 'explorer-copy-nolink.png', 'explorer-error.png']) {
        if (existsSync(join(shotsDir, name))) copyFileSync(join(shotsDir, name), join(SCREENSHOTS, name));
      }
    }
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    if (shotsDir) rmSync(shotsDir, { recursive: true, force: true });
  });

  /** Waits until the page has drawn everything for its latest input. */
  async function settled(page: Page): Promise<void> {
    await page.waitForFunction(() => document.body.dataset.pending === '0');
  }

  async function open(hash = '', viewport = { width: 1600, height: 960 }): Promise<Page> {
    const page = await browser.newPage({ viewport, acceptDownloads: true });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.goto(`${server.url}index.html${hash}`);
    await settled(page);
    return page;
  }

  async function shownDigests(page: Page): Promise<{ digests: string[]; texts: string[] }> {
    return page.$$eval('#graph g.node[data-digest]', (nodes) => ({
      digests: nodes.map((n) => n.getAttribute('data-digest')!),
      texts: nodes.map((n) => n.querySelector('text.digest')?.textContent ?? ''),
    }));
  }

  async function replaceText(page: Page, text: string): Promise<void> {
    await page.click('.cm-content');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type(text);
    await settled(page);
  }

  async function shoot(page: Page, name: string): Promise<void> {
    const buf = await page.screenshot({ path: join(shotsDir, name) });
    expect(buf.length).toBeGreaterThan(10_000);
  }

  it('loads with the default example, draws every op, and logs no errors', async () => {
    const page = await open();
    const expected = await dumpDigests(['-f', EXAMPLES.fullstack.dockerfile, EXAMPLES.fullstack.context]);
    const shown = await shownDigests(page);
    expect(shown.digests).toEqual(expected);
    // COPY --link: a scratch node per linked copy, drawn into the copy.
    const scratch = await page.$$eval('#graph g.node.k-scratch', (n) => n.length);
    expect(scratch).toBe(2);
    expect(await page.$$eval('#graph g.cluster', (n) => n.map((c) => c.getAttribute('data-stage')))).toEqual(['ui', 'api', 'stage-2']);
    expect(await page.textContent('#status')).toContain(`${expected.length} ops`);
    await shoot(page, 'explorer-ops.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows for every example the digests `dockerfile-llb dump` prints', async () => {
    const page = await open();
    const offered = await page.$$eval('#example option:not([disabled])', (o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const [id, ex] of Object.entries(EXAMPLES)) {
      await page.selectOption('#example', id);
      await settled(page);
      const expected = await dumpDigests(['-f', ex.dockerfile, ex.context]);
      const shown = await shownDigests(page);
      expect(shown.digests, id).toEqual(expected);
      expect(shown.texts, id).toEqual(expected.map((d) => d.slice('sha256:'.length, 'sha256:'.length + 12)));
    }
    await page.close();
  });

  it('recompiles as you type: the graph is the Dockerfile typed', async () => {
    const page = await open();
    const text = 'FROM alpine:3.20 AS base\nRUN echo one\n\nFROM base\nWORKDIR /app\nRUN echo two\n';
    await replaceText(page, text);
    expect(await page.evaluate(() => document.querySelector('.cm-content')!.textContent)).toBe(text.replace(/\n/g, ''));
    const expected = await dumpDigests(['-f', '-', '.'], text);
    expect((await shownDigests(page)).digests).toEqual(expected);
    // One more keystroke: a new digest for the RUN and what follows it, drawn.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.type('!');
    await settled(page);
    const edited = 'FROM alpine:3.20 AS base\nRUN echo one\n\nFROM base\nWORKDIR /app\nRUN echo two!\n';
    expect((await shownDigests(page)).digests).toEqual(await dumpDigests(['-f', '-', '.'], edited));
    expect(Number(await page.getAttribute('body', 'data-last-update-ms'))).toBeGreaterThan(0);
    await page.close();
  });

  it('clicking a node lights up its Dockerfile lines; putting the cursor on a line lights up its nodes', async () => {
    const page = await open();
    const dockerfile = readFileSync(join(repoRoot, EXAMPLES.fullstack.dockerfile), 'utf8');
    const result = await compile(dockerfile, { images });
    const run = analyze(result).steps.find((s) => s.name.includes('go build'))!;
    const ranges = result.definition.source!.locations[run.digest].flatMap((l) => l.ranges.map((r) => [r.start.line, r.end.line]));
    expect(ranges).toEqual([
      [19, 19],
      [20, 20],
      [21, 21],
    ]);
    await page.click(`#graph g.node[data-digest="${run.digest}"]`);
    const lit = await page.$$eval('.cm-line.cm-lit', (lines) => lines.map((l) => l.textContent));
    expect(lit).toEqual(dockerfile.split('\n').slice(18, 21));
    expect(await page.getAttribute(`#graph g.node[data-digest="${run.digest}"]`, 'class')).toContain('selected');
    expect(await page.textContent('#side .card.selected .digest-full')).toBe(run.digest);
    expect(await page.textContent('#side .card.selected pre.json')).toContain('"CGO_ENABLED=0 go build');
    // Zooming keeps the selected node in view.
    for (let i = 0; i < 3; i++) await page.click('#zoom-in');
    const box = (await page.locator(`#graph g.node[data-digest="${run.digest}"]`).boundingBox())!;
    const pane = (await page.locator('#graph').boundingBox())!;
    expect(box.x >= pane.x && box.x + box.width <= pane.x + pane.width && box.y >= pane.y && box.y + box.height <= pane.y + pane.height).toBe(true);
    await shoot(page, 'explorer-selected.png');

    // A line: the ops that come from it.
    const copy = analyze(result).steps.filter((s) => s.location?.line === 26);
    expect(copy.length).toBe(2); // the copy onto scratch and its merge
    await page.click('.cm-line >> text=COPY --link --from=api');
    const litNodes = await page.$$eval('#graph g.node.lit', (n) => n.map((x) => x.getAttribute('data-digest')));
    expect(litNodes.sort()).toEqual(copy.map((s) => s.digest).sort());
    await page.close();
  });

  it('shows an error at its line and column', async () => {
    const page = await open(`#dockerfile=${encodeURIComponent('FROM alpine:3.20\nRUN echo ok\n')}`);
    const before = (await shownDigests(page)).digests;
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('COPYY a b');
    await settled(page);
    expect(await page.textContent('#status')).toBe('✗ line 3:1: unknown instruction: COPYY (did you mean COPY?)');
    const marked = await page.$$eval('.cm-lintRange-error', (m) => m.map((x) => ({ text: x.textContent, line: [...x.closest('.cm-content')!.children].indexOf(x.closest('.cm-line')!) + 1 })));
    expect(marked).toEqual([{ text: 'COPYY a b', line: 3 }]);
    // The graph stays, dimmed, with a note.
    expect((await shownDigests(page)).digests).toEqual(before);
    expect(await page.isVisible('#stale')).toBe(true);
    await shoot(page, 'explorer-error.png');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Backspace');
    await settled(page);
    expect(await page.textContent('#status')).toContain('✓');
    expect(await page.$$eval('.cm-lintRange-error', (m) => m.length)).toBe(0);
    await page.close();
  });

  it('shows build check warnings in the editor at their lines', async () => {
    const text = 'FROM alpine:3.20 as build\nRUN true\n';
    const page = await open(`#dockerfile=${encodeURIComponent(text)}`);
    const { warnings } = await compile(text, { images });
    expect(warnings.map((w) => w.ruleName)).toContain('FromAsCasing');
    const marked = await page.$$eval('.cm-lintRange-warning', (m) => m.map((x) => [...x.closest('.cm-content')!.children].indexOf(x.closest('.cm-line')!) + 1));
    expect(marked).toEqual(warnings.flatMap((w) => w.location.ranges.map((r) => r.start.line)));
    expect(await page.textContent('#status')).toContain(`${warnings.length} warning`);
    // Hovering the mark shows the rule's message.
    await page.hover('.cm-lintRange-warning');
    await page.waitForSelector('.cm-tooltip-lint');
    expect(await page.textContent('.cm-tooltip-lint')).toContain(warnings[0].detail);
    await page.close();
  });

  it('keeps the state in the URL: a link reproduces the view', async () => {
    const text = 'ARG V=1\nFROM alpine:3.20 AS build\nARG V\nRUN echo $V > /v\n\nFROM alpine:3.21 AS other\nRUN true\n';
    const page = await open(`#dockerfile=${encodeURIComponent(text)}`);
    expect(await page.evaluate(() => document.querySelector('.cm-content')!.textContent)).toBe(text.replace(/\n/g, ''));
    await page.selectOption('#target', 'build');
    await page.selectOption('#platform', 'linux/arm64');
    await page.click('#options-toggle');
    await page.fill('#build-args', 'V=2');
    await settled(page);
    await page.click('.views button[data-view="changes"]');
    await settled(page);
    // The URL follows once typing pauses.
    const want = `#dockerfile=${encodeURIComponent(text)}&target=build&platform=${encodeURIComponent('linux/arm64')}&arg=${encodeURIComponent('V=2')}&view=changes`;
    await page.waitForFunction((w) => location.hash === w, want);
    const url = page.url();
    const shown = (await shownDigests(page)).digests;
    const expected = await dumpDigests(['-f', '-', '.', '--target', 'build', '--platform', 'linux/arm64', '--build-arg', 'V=2'], text);
    expect(shown).toEqual(expected);

    const again = await open(url.slice(url.indexOf('#')));
    expect(await again.evaluate(() => document.querySelector('.cm-content')!.textContent)).toBe(text.replace(/\n/g, ''));
    expect(await again.inputValue('#target')).toBe('build');
    expect(await again.inputValue('#platform')).toBe('linux/arm64');
    expect(await again.inputValue('#build-args')).toBe('V=2');
    expect(await again.getAttribute('.views button[data-view="changes"]', 'aria-selected')).toBe('true');
    expect((await shownDigests(again)).digests).toEqual(shown);
    expect(again.url()).toBe(url);
    await page.close();
    await again.close();
  });

  it('marks the right steps in the changes view after an edit', async () => {
    const page = await open();
    const path = EXAMPLES.fullstack.dockerfile;
    const oldText = readFileSync(join(repoRoot, path), 'utf8');
    await page.click('.views button[data-view="changes"]');
    await settled(page);
    expect(await page.$$eval('#graph g.node.s-changed, #graph g.node.s-added', (n) => n.length)).toBe(0);
    // Edit the default of an ARG that the api stage's go build reads.
    await page.click('.cm-line >> text=ARG VERSION=dev');
    await page.keyboard.press('End');
    await page.keyboard.type('2');
    await settled(page);
    const newText = oldText.replace('ARG VERSION=dev\n', 'ARG VERSION=dev2\n');
    expect(newText).not.toBe(oldText);
    const d = diff(await compile(oldText, { images }), await compile(newText, { images }));
    const statuses = await page.$$eval('#graph g.node[data-digest]', (nodes) =>
      Object.fromEntries(nodes.map((n) => [n.getAttribute('data-digest'), [...n.classList].find((c) => c.startsWith('s-'))?.slice(2)])),
    );
    const expected = Object.fromEntries(d.steps.filter((e) => e.status !== 'removed').map((e) => [e.step.digest, e.status]));
    expect(statuses).toEqual(expected);
    // go build; the linked copy of its output and that copy's merge; the next merge; the result.
    expect(Object.values(expected).filter((s) => s === 'changed').length).toBe(5);
    expect(await page.textContent('#changes-summary')).toBe(`${d.summary.unchanged} same${d.summary.changed} new digest${d.summary.added} new${d.summary.removed} removed`);
    await shoot(page, 'explorer-changes.png');
    await page.close();
  });

  it('shows what a base image move does with and without --link', async () => {
    const page = await open();
    await page.selectOption('#example', 'copy-link');
    await settled(page);
    await page.click('.views button[data-view="base"]');
    await settled(page);
    const text = readFileSync(join(repoRoot, EXAMPLES['copy-link'].dockerfile), 'utf8');
    const classOf = () =>
      page.$$eval('#graph g.node[data-digest]', (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-digest'), [...n.classList].find((c) => c.startsWith('s-'))?.slice(2)])));
    const expectedFor = async (dockerfile: string) => {
      const r = await whatIf(dockerfile, { images }, { image: { ref: 'alpine:3.20' } });
      return Object.fromEntries(r.steps.filter((e) => e.status !== 'removed').map((e) => [e.old?.digest ?? e.step.digest, e.status]));
    };
    const asWritten = await expectedFor(text);
    expect(await classOf()).toEqual(asWritten);
    // The linked copy keeps its digest; its merge does not.
    const steps = analyze(await compile(text, { images })).steps;
    expect(asWritten[steps.find((s) => s.link === 'copy')!.digest]).toBe('unchanged');
    expect(asWritten[steps.find((s) => s.link === 'merge')!.digest]).toBe('changed');
    await shoot(page, 'explorer-copy-link.png');

    await page.click('.segmented button[data-mode="no-link"]');
    await settled(page);
    const withoutLink = await expectedFor(text.replace('COPY --link', 'COPY'));
    expect(await classOf()).toEqual(withoutLink);
    const copy = analyze(await compile(text.replace('COPY --link', 'COPY'), { images })).steps.find((s) => s.kind === 'file')!;
    expect(withoutLink[copy.digest]).toBe('changed');
    await shoot(page, 'explorer-copy-nolink.png');
    expect(await page.$$eval('#variants tbody tr', (rows) => rows.map((r) => r.getAttribute('data-mode')))).toEqual(['as-written', 'link', 'no-link']);
    await page.close();
  });

  it('downloads the Definition and the dump JSON that the CLI writes', async () => {
    const page = await open();
    const ex = EXAMPLES['node-cache'];
    await page.selectOption('#example', 'node-cache');
    await settled(page);
    const [pb] = await Promise.all([page.waitForEvent('download'), page.click('#download-pb')]);
    const pbBytes = readFileSync(await pb.path());
    const compiled = await runCli(['-f', ex.dockerfile, ex.context, '--images', 'examples/images.json']);
    expect(compiled.code).toBe(0);
    expect(Buffer.compare(pbBytes, compiled.stdout)).toBe(0);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const dumped = await runCli(['dump', '-f', ex.dockerfile, ex.context, '--images', 'examples/images.json']);
    expect(readFileSync(await json.path(), 'utf8')).toBe(dumped.stdout.toString('utf8'));
    await page.close();
  });

  it('logged no console errors, page errors or failed requests in any test', () => {
    expect(problems).toEqual([]);
  });
});
