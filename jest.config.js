// jest runs the compiled tests in dist/ as ES modules (node --experimental-vm-modules);
// README "Tests" says why. One project per tier; test/run.js picks the tier and its concurrency.
const tier = (name, testTimeoutMs) => ({
  displayName: name,
  testEnvironment: '<rootDir>/dist/test/support/jest-environment.js',
  setupFilesAfterEnv: ['<rootDir>/dist/test/support/jest-setup.js'],
  globals: { tierTestTimeoutMs: testTimeoutMs },
  roots: [`<rootDir>/dist/test/${name}`],
  testMatch: ['**/*.test.js'],
  transform: {},
});

export default {
  projects: [
    tier('unit', 30_000),
    tier('integration', 120_000),
    tier('e2e', 600_000),
    // The bench harness's own arithmetic; not a tier (make bench measures, it does not test).
    tier('bench', 30_000),
  ],
};
