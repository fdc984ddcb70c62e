// The n8n the browser suite drives: n8n 2.41.1 on Node 24 (installed by the e2e suite's installer into
// .cache/e2e/), this package built, packed and installed as a community package, the provider emulator,
// one credential per provider pointing at it, the suite's workflows imported, `n8n start` and an owner.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Emulator } from '../emulator';
import { startEmulator } from '../emulator';
import type { N8nTarget } from '../e2e/install';
import { CACHE, ensureN8n, ensureNode24, ROOT } from '../e2e/install';
import { freePort, N8n } from '../e2e/n8n';
import type { Workflow } from '../e2e/workflows';
import { credentials } from '../e2e/workflows';

/** The n8n the editor is tested on (the e2e suite's 2.x target: same spec, so its install is reused). */
export const TARGET: N8nTarget = {
	label: '2.x',
	version: '2.41.1',
	node: 'node24',
	overrides: { linkedom: '0.18.14', '@langchain/langgraph': '1.4.18', '@langchain/langgraph-sdk': '1.12.4' },
};

export const OWNER = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'Passw0rd!Passw0rd' };

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

export interface Server {
	n8n: N8n;
	emu: Emulator;
	baseUrl: string;
	/** The installed package's folder inside the n8n user folder. */
	packageDir: string;
	stop(): Promise<void>;
}

function buildAndPack(skipBuild: boolean): string {
	const out = join(CACHE, 'pack-browser');
	rmSync(out, { recursive: true, force: true });
	mkdirSync(out, { recursive: true });
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
	if (!skipBuild) {
		const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, env, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`npm run build failed:\n${`${r.stdout}\n${r.stderr}`.slice(-4000)}`);
	}
	const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out, '--loglevel=error'], { cwd: ROOT, env, encoding: 'utf8' })) as Array<{
		filename: string;
	}>;
	return join(out, packed[0].filename);
}

/** Where n8n's Community Nodes screen installs a package: `<user folder>/.n8n/nodes/node_modules/<name>`. */
function installPackage(tarball: string, userFolder: string): string {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const dest = join(nodesDir, 'node_modules', PKG.name);
	mkdirSync(dest, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1']);
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PKG.name]: PKG.version } }, null, 2));
	return dest;
}

export interface StartOptions {
	skipBuild?: boolean;
	workflows?: (emu: Emulator) => Workflow[];
	/** Extra credentials (e.g. one with a wrong key), imported with the emulator's. */
	extraCredentials?: (emu: Emulator) => unknown[];
	/** Called with the installed package folder before n8n starts (exploration: patch a copy of dist/). */
	patchPackage?: (packageDir: string) => void;
	log?: (s: string) => void;
	/** Folder name under <tmp>/kling-mc-e2e-browser/ (a scratch server next to a test run). */
	runName?: string;
}

export async function startServer(o: StartOptions = {}): Promise<Server> {
	const log = o.log ?? ((): void => undefined);
	const node24 = await ensureNode24();
	const installed = await ensureN8n(TARGET, node24);
	log(`n8n ${TARGET.version} ${installed.seconds ? `installed in ${installed.seconds.toFixed(0)} s` : 'reused'} (${installed.dir})`);
	const tarball = buildAndPack(o.skipBuild ?? false);
	// Outside the repository, so the package's peer n8n-workflow resolves to the n8n under test (see test/e2e/run.ts).
	const runDir = join(tmpdir(), 'kling-mc-e2e-browser', o.runName ?? 'run');
	rmSync(runDir, { recursive: true, force: true });
	mkdirSync(runDir, { recursive: true });
	const packageDir = installPackage(tarball, runDir);
	o.patchPackage?.(packageDir);
	const emu = await startEmulator({ jobMs: 1500 });
	const n8n = new N8n(installed, runDir, await freePort());
	try {
		await n8n.importCredentials([...credentials(emu), ...(o.extraCredentials?.(emu) ?? [])]);
		const wfs = o.workflows?.(emu) ?? [];
		if (wfs.length) await n8n.importWorkflows(wfs);
		const started = await n8n.start();
		log(`n8n start ready in ${started.toFixed(1)} s at ${n8n.baseUrl}`);
		await ownerSetup(n8n.baseUrl);
	} catch (e) {
		await n8n.stop();
		await emu.close();
		throw e;
	}
	return {
		n8n,
		emu,
		baseUrl: n8n.baseUrl,
		packageDir,
		async stop() {
			await n8n.stop();
			await emu.close();
		},
	};
}

/** Creates the owner account (the browser then signs in with it). */
async function ownerSetup(baseUrl: string): Promise<void> {
	let res: Response | undefined;
	// /healthz can answer before the REST controllers are mounted
	for (let i = 0; i < 120; i++) {
		res = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
		if (res.status !== 404) break;
		await new Promise((r) => setTimeout(r, 250));
	}
	if (!res?.ok) throw new Error(`owner setup: HTTP ${res?.status} ${await res?.text()}`);
}
