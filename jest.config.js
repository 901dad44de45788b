// Two projects: pure unit tests run bare; everything else shares one stack (PostgreSQL, Temporal, MinIO)
// started by test/support/global-setup.ts on free loopback ports.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];
// hyparquet-writer and its hyparquet ship only ES modules, which Node loads from CommonJS but Jest's module
// loader does not: Jest compiles them to CommonJS.
const esmOnly = ['hyparquet', 'hyparquet-writer'];
const esmToCommonJs = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }];
// The dashboard's scripts (ui/) are ES modules for the browser; their unit tests load them the same way.
const transform = { '^.+\\.ts$': tsJest, [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: esmToCommonJs, '/ui/[^/]+\\.js$': esmToCommonJs };
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];

module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, transformIgnorePatterns, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'stack',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/{workflows,integration,api,dev,ui}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 120000,
};
