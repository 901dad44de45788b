// Two projects: pure unit tests run bare; everything else shares one stack (PostgreSQL, Temporal, MinIO)
// started by test/support/global-setup.ts on free loopback ports.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];
// The dashboard's scripts (ui/) are ES modules for the browser; Jest compiles them to CommonJS for their unit tests.
const esmToCommonJs = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }];
const transform = { '^.+\\.ts$': tsJest, '/ui/[^/]+\\.js$': esmToCommonJs };

module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'stack',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/{workflows,integration,api,dev,ui}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 120000,
};
