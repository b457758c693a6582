import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Tests build real indexes and start real servers on loopback: generous limits, no timing assertions.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
