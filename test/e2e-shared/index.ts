// The shared end-to-end runner: one import for a suite (see README.md beside this file).
export * from './install';
export * from './n8n';
export * from './package';
export * from './process';
export * from './runner';
export * from './start';
export * from './workflows';
