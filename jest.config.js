// Two projects: pure unit tests run bare; everything else shares one stack (PostgreSQL, Temporal, MinIO)
// started by test/support/global-setup.ts on free loopback ports.
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] };

module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform: tsJest, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'stack',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/{workflows,integration,api}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 120000,
};
