import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the workspaces' TypeScript sources (package.json "source" condition), not dist/:
  // vitest runs the tests in Vite's server-side environment, whose resolver reads ssr.resolve.
  ssr: {
    resolve: {
      conditions: ['source'],
    },
  },
  test: {
    include: [
      'textmodel/src/**/*.test.ts',
      'catalog/src/**/*.test.ts',
      'api/src/**/*.test.ts',
      'registry/src/**/*.test.ts',
      'kube/src/**/*.test.ts',
      'trainer-job/src/**/*.test.ts',
      'model-server/src/**/*.test.ts',
      'operator/src/**/*.test.ts',
      'console/src/**/*.test.ts',
      'stack/**/*.test.ts',
      'bench/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
