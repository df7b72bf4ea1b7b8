/** src/image is the browser-safe core: it must not reach for Node APIs. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(__dirname, '..', '..', 'src', 'image');

describe('src/image is browser-safe', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    it(file, () => {
      const code = readFileSync(join(DIR, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(/from\s+['"](node:|fs|path|os|crypto|child_process|http|https|net|url)['"/]/);
      expect(code).not.toMatch(/\b(Buffer|process|require|__dirname|structuredClone)\b/);
      expect(code).not.toMatch(/reference types="node"/);
    });
  }
});
