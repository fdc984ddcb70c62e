// `npm run check:packages`: n8n's own gates on every package `npm run build:packages` wrote, and on the
// all-in-one package (this repository, `--all-in-one`; it needs `npm run build` first):
//   1. `n8n-node lint` (@n8n/node-cli, strict mode: the template eslint.config.mjs, unmodified);
//   2. `n8n-node cloud-support` (must say "eligible");
//   3. the rules of @n8n/scan-community-package, run through its exported `analyzePackage` the way its
//      CLI does once it has downloaded a package: on the packed tarball's compiled .js and package.json,
//      and on the package's nodes/ and credentials/ sources. (The CLI's provenance and source-download
//      steps need the package on npmjs.org; provenance comes from the publish workflow.)
// Prints one line per gate and package, the tools' own output for any failure, and exits 1 on failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const N8N_NODE = join(ROOT, 'node_modules', '@n8n', 'node-cli', 'bin', 'n8n-node.mjs');
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

function n8nNode(args, cwd, env = {}) {
	const result = spawnSync(process.execPath, [N8N_NODE, ...args], {
		cwd,
		encoding: 'utf8',
		env: { ...process.env, FORCE_COLOR: '0', ...env },
	});
	return { ok: result.status === 0, output: plain(`${result.stdout}${result.stderr}`).trim() };
}

async function scan(dir, tarball) {
	const unpacked = mkdtempSync(join(tmpdir(), 'kmc-scan-'));
	try {
		execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
		const dist = await analyzePackage(unpacked, ['**/*.js', 'package.json']);
		const source = await analyzePackage(dir, SOURCE_FILE_PATTERNS);
		const failed = [dist, source].filter((r) => !r.passed);
		return { ok: failed.length === 0, output: failed.map((r) => `${r.message}\n${r.details ?? ''}`).join('\n') };
	} finally {
		rmSync(unpacked, { recursive: true, force: true });
	}
}

function packRoot() {
	if (!existsSync(join(ROOT, 'dist', 'nodes'))) throw new Error('dist/ is missing: run `npm run build` first');
	const out = mkdtempSync(join(tmpdir(), 'kmc-pack-'));
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8' }));
	return { tarball: join(out, packed.filename), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

const targets = [];
if (process.argv.includes('--all-in-one')) {
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	// The repository also holds the tooling, whose own eslint.config.mjs files ESLint 9 reads with this flag.
	targets.push({ name: pkg.name, dir: ROOT, env: { ESLINT_FLAGS: 'unstable_config_lookup_from_file' }, pack: packRoot });
}
const listFile = join(ROOT, '.packages', 'packages.json');
if (existsSync(listFile)) {
	for (const pkg of JSON.parse(readFileSync(listFile, 'utf8'))) {
		targets.push({ name: pkg.name, dir: join(ROOT, pkg.dir), env: {}, pack: () => ({ tarball: join(ROOT, pkg.tarball), cleanup() {} }) });
	}
}
if (!targets.length) {
	console.error('Nothing to check: run `npm run build:packages` first (or pass --all-in-one).');
	process.exit(1);
}

let failures = 0;
for (const target of targets) {
	const lint = n8nNode(['lint'], target.dir, target.env);
	const cloud = n8nNode(['cloud-support'], target.dir);
	const eligible = cloud.ok && /Status: eligible for n8n Cloud verification/.test(cloud.output);
	const { tarball, cleanup } = target.pack();
	const scanned = await scan(target.dir, tarball);
	cleanup();
	const gates = [
		['n8n-node lint', lint.ok, lint.output],
		['n8n-node cloud-support', eligible, cloud.output],
		['scan-community-package rules', scanned.ok, scanned.output],
	];
	for (const [gate, ok, output] of gates) {
		console.log(`${ok ? 'PASS' : 'FAIL'}  ${target.name.padEnd(44)} ${gate}${ok && gate === 'n8n-node cloud-support' ? ' (eligible)' : ''}`);
		if (!ok) {
			failures++;
			console.log(output.replace(/^/gm, '      '));
		}
	}
}
console.log(failures ? `\n${failures} gate(s) failed` : `\nAll gates passed for ${targets.length} package(s)`);
process.exit(failures ? 1 : 0);
