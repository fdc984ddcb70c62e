// One call for a suite that needs "a real n8n with the package installed, talking to the emulator":
// install (cached) → build + pack (once per run) → user folder with the package → emulator credentials
// and workflows imported → `n8n start` → owner + API key → workflows published. See
// /test/e2e-shared/README.md for the API.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Emulator } from '../emulator';
import { startEmulator } from '../emulator';
import type { Installed, N8nTarget } from './install';
import { ensureTarget } from './install';
import { N8n, OWNER } from './n8n';
import { installPackages, packageTarball } from './package';
import { freePort } from './process';
import { credentials as emulatorCredentials } from './workflows';

type OrFromEmulator<T> = T | ((emu: Emulator) => T);

export interface StartOptions {
	/** The n8n to run: a target or its label (default `2.x`, n8n 2.41.1 on Node 24), or an install already made. */
	target?: N8nTarget | string | Installed;
	/** The package tarball; default: this repository built and packed once per run (`skipBuild` reuses dist/). */
	tarball?: string;
	skipBuild?: boolean;
	/** More community-package tarballs to install beside it. */
	packages?: string[];
	/** An emulator to use (then stop() leaves it running); default: a new one, closed by stop(). */
	emulator?: Emulator;
	/** Options for the emulator started here. */
	emulatorOptions?: Parameters<typeof startEmulator>[0];
	/** Credentials to import; default: one per provider, pointing at the emulator. */
	credentials?: OrFromEmulator<unknown[]>;
	/** Workflows to import before n8n starts. */
	workflows?: OrFromEmulator<Array<{ id: string }>>;
	/** Ids of imported workflows to publish once n8n runs (their triggers, e.g. webhooks, go live). */
	activate?: string[];
	/** Extra environment for every n8n command (e.g. OPENAI base URL settings). */
	env?: NodeJS.ProcessEnv;
	/** The user folder; default `<tmp>/kling-mc-e2e/<name>` (outside the repository: see below), emptied first. */
	runDir?: string;
	name?: string;
	log?: (s: string) => void;
}

export interface StartedN8n {
	n8n: N8n;
	/** http://127.0.0.1:<port> — the editor, REST, webhooks, public API. */
	url: string;
	/** Public API key (header X-N8N-API-KEY); `n8n.api()` uses it. */
	apiKey: string;
	/** The owner account (email, password) for the editor's sign-in form or `n8n.login()`. */
	owner: typeof OWNER;
	/** The owner's session cookie (`n8n-auth=…`), for a browser context or REST calls. */
	cookie: string;
	emulator: Emulator;
	install: Installed;
	runDir: string;
	/** Seconds of each setup step. */
	seconds: { imports: number; start: number };
	/** Stops n8n, and the emulator when this call started it. */
	stop(): Promise<void>;
}

export async function startN8nWithPackage(o: StartOptions = {}): Promise<StartedN8n> {
	const install = o.target && typeof o.target === 'object' && 'n8nBin' in o.target ? o.target : await ensureTarget(o.target ?? '2.x');
	// Outside the repository: from inside it, Node would resolve the package's peer n8n-workflow to the
	// project's own node_modules instead of the n8n under test, which a real install never does.
	const runDir = o.runDir ?? join(tmpdir(), 'kling-mc-e2e', o.name ?? `run-${install.target.label}`);
	rmSync(runDir, { recursive: true, force: true });
	mkdirSync(runDir, { recursive: true });
	installPackages([o.tarball ?? packageTarball(o.skipBuild), ...(o.packages ?? [])], runDir);
	const emulator = o.emulator ?? (await startEmulator(o.emulatorOptions));
	const ownEmulator = !o.emulator;
	const n8n = new N8n({ install, userFolder: runDir, port: await freePort(), env: o.env });
	const of = <T>(v: OrFromEmulator<T> | undefined, fallback: T): T => (typeof v === 'function' ? (v as (emu: Emulator) => T)(emulator) : (v ?? fallback));
	const stop = async (): Promise<void> => {
		await n8n.stop();
		if (ownEmulator) await emulator.close();
	};
	try {
		let t = Date.now();
		const creds = of(o.credentials, emulatorCredentials(emulator));
		const workflows = of(o.workflows, []);
		await n8n.importCredentials(creds);
		if (workflows.length) await n8n.importWorkflows(workflows);
		const imports = (Date.now() - t) / 1000;
		o.log?.(
			`  ${install.target.label}: n8n ${install.target.version} on Node ${execFileSync(install.nodeBin, ['--version'], { encoding: 'utf8' }).trim()}; imported ${creds.length} credentials, ${workflows.length} workflows (${imports.toFixed(1)} s)`,
		);
		t = Date.now();
		const started = await n8n.start(120_000);
		await n8n.setupPublicApi();
		await n8n.login(); // the owner's sign-in, as the editor does it: new suites get a fresh session cookie
		for (const id of o.activate ?? []) await n8n.api('POST', `/workflows/${id}/activate`);
		o.log?.(`  ${install.target.label}: n8n start ready in ${started.toFixed(1)} s; owner, API key, login${o.activate?.length ? `, ${o.activate.length} workflows active` : ''} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
		return {
			n8n,
			url: n8n.baseUrl,
			apiKey: n8n.apiKey!,
			owner: OWNER,
			cookie: n8n.cookie!,
			emulator,
			install,
			runDir,
			seconds: { imports, start: (Date.now() - t) / 1000 },
			stop,
		};
	} catch (e) {
		await stop();
		throw e;
	}
}
