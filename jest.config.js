/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
  // Integration suites start real servers on ephemeral ports; two workers match the 2-core machine.
  maxWorkers: 2,
};
