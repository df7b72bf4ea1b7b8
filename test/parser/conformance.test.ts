import { expect, it } from 'vitest';
import { DockerfileError } from '../../src/errors.js';
import { dumpNode, parse } from '../../src/parser/index.js';
import { describeGolden } from '../helpers/corpus.js';
import { goldenDirs, readGolden } from '../helpers/golden.js';

describeGolden("BuildKit's parser suite (Node.Dump)", () => {
  const dirs = goldenDirs('conformance/parser');
  it('has the 33 cases', () => expect(dirs.length).toBe(33));
  for (const d of dirs) {
    it(d, () => {
      const res = parse(readGolden('conformance/parser', d, 'Dockerfile'));
      const expected = readGolden('conformance/parser', d, 'result');
      expect(dumpNode(res.ast) + '\n').toBe(expected.endsWith('\n') ? expected : expected + '\n');
    });
  }
});

describeGolden("BuildKit's negative parser cases", () => {
  // BuildKit rejects these either in the parser or when turning nodes into instructions;
  // see test/instructions for the latter.
  for (const d of goldenDirs('conformance/parser-negative')) {
    it(`${d} is rejected by parse() or parseInstructions()`, async () => {
      const { parseInstructions } = await import('../../src/instructions/index.js');
      const text = readGolden('conformance/parser-negative', d, 'Dockerfile');
      expect(() => parseInstructions(parse(text).ast)).toThrow(DockerfileError);
    });
  }
});
