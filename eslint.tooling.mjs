// ESLint config for the repository's tooling: tests, emulator, e2e runners, bench, demo and scripts.
// The node's own code (nodes/, credentials/, package.json) is linted by eslint.config.mjs, which must stay
// n8n's template verbatim (`n8n-node lint` refuses a modified one in strict mode). Each tooling folder has
// a one-line eslint.config.mjs that re-exports this file; ESLint 9 uses those nested configs when run with
// ESLINT_FLAGS=unstable_config_lookup_from_file (the default from ESLint 10), which `npm run lint` sets.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: {
			// The demo and the test harness load the built node and its TypeScript source by path.
			'@typescript-eslint/no-require-imports': 'off',
		},
	},
);
