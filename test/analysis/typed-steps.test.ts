/**
 * The analysis reads the typed graph and the parser's own nodes (issue 13): `--link` pairs from
 * the graph's progress groups, not from step names; `--link` toggled at the flags the parser
 * found; an op that stages share placed in the stage its name names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysisToJson, analysisToTable, analyze, setLinkFlags } from '../../src/analysis/index';
import { compile } from '../../src/compile';
import type { Definition } from '../../src/llb/definition';
import type { ImageMetadataFile } from '../../src/image/types';

const images = JSON.parse(readFileSync(join(__dirname, '../fixtures/rebuild/images.json'), 'utf8')) as ImageMetadataFile;
const FROM = 'FROM localhost:5000/busybox:latest';

describe('--link pairs come from the graph', () => {
  it('marks the copy onto scratch and its merge by their progress groups', async () => {
    const a = analyze(await compile(`${FROM}\nCOPY --link a.txt /a.txt\n`, { images }));
    const copy = a.steps.find((s) => s.link === 'copy')!;
    const merge = a.steps.find((s) => s.link === 'merge')!;
    expect(copy.kind).toBe('file');
    expect(merge.kind).toBe('merge');
    expect(copy.linkPeer).toBe(merge.digest);
    expect(merge.linkPeer).toBe(copy.digest);
  });

  it('does not take a step named `LINK COPY --link …` for a link merge without its progress group', async () => {
    const def = (await compile(`${FROM}\nCOPY --link a.txt /a.txt\n`, { images })).definition;
    const metadata: Definition['metadata'] = Object.fromEntries(
      Object.entries(def.metadata).map(([d, m]) => {
        const { progressGroup: _dropped, ...rest } = m;
        return [d, rest];
      }),
    );
    const a = analyze({ ...def, metadata });
    expect(a.steps.some((s) => s.name.includes('LINK COPY --link'))).toBe(true);
    expect(a.steps.filter((s) => s.link !== undefined)).toEqual([]);
  });

  it('does not mark a copy that BuildKit did not link, whatever its name says (--chmod)', async () => {
    const a = analyze(await compile(`${FROM}\nCOPY --link --chmod=755 a.sh /a.sh\n`, { images }));
    expect(a.steps.find((s) => s.name.includes('COPY --link'))!.link).toBeUndefined();
  });
});

describe('setLinkFlags rewrites the flags the parser found', () => {
  it('finds --link after a quoted flag value with a blank in it', () => {
    const df = `${FROM}\nCOPY --exclude="a b" --link src /dst\n`;
    expect(setLinkFlags(df, false)).toBe(`${FROM}\nCOPY --exclude="a b" src /dst\n`);
    expect(setLinkFlags(`${FROM}\nCOPY --exclude="a b" --link=false src /dst\n`, true)).toBe(`${FROM}\nCOPY --link --exclude="a b" src /dst\n`);
  });

  it('finds flags on continuation lines, with the escape directive, and keeps every line', () => {
    const df = `# escape=\`\n${FROM}\nCOPY \`\n  --link \`\n  --from=0 a /b\n`;
    const off = setLinkFlags(df, false);
    expect(off).toBe(`# escape=\`\n${FROM}\nCOPY \`\n  \`\n  --from=0 a /b\n`);
    expect(off.split('\n').length).toBe(df.split('\n').length);
  });
});

describe('an op that stages share', () => {
  const df = `${FROM} AS a\nRUN echo hi\n${FROM} AS b\nRUN echo hi\nFROM a\nCOPY --from=b /etc/passwd /x\n`;

  it('has the stage and line of the stage its name names, and every location', async () => {
    const a = analyze(await compile(df, { images }));
    const run = a.steps.find((s) => s.command === 'RUN echo hi')!;
    expect(run.name).toBe('[b 2/2] RUN echo hi');
    expect(run.stage).toBe('b');
    expect(run.location?.line).toBe(4);
    expect(run.locations.map((l) => [l.stage, l.line])).toEqual([
      ['a', 2],
      ['b', 4],
    ]);
    const json = analysisToJson(a).steps.find((s) => s.name === run.name)!;
    expect([json.stage, json.line]).toEqual(['b', 4]);
    expect(analysisToTable(a)).toContain('b (a)    4 (2)');
  });
});
