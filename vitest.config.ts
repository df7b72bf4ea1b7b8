import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One line when the golden corpus (the extended corpus) is absent and its tests are skipped.
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
