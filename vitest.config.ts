import { defineConfig } from 'vitest/config';

/**
 * Three kinds of test. Unit tests run pure functions on text and payloads: no index, no server, seconds in all
 * (`npm run test:unit` while editing). Integration tests build real indexes and start real servers on loopback;
 * end-to-end tests drive the real discord.js client and the command-line programs. `npm test` runs all three.
 */
const slow = {
  globalSetup: ['tests/support/global-setup.ts'],
  // Real indexes and real servers on loopback: generous limits, no timing assertions.
  testTimeout: 60_000,
  hookTimeout: 180_000,
};

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 10_000 } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...slow } },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], ...slow } },
    ],
  },
});
