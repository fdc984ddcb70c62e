// Tooling lint (see ../eslint.tooling.mjs).
export { default } from '../eslint.tooling.mjs';
