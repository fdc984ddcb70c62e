// Drives a real n8n installation headlessly: its CLI (import:*, execute --rawOutput), its server
// processes (`n8n start`, `n8n worker`) and its public API. Everything one n8n process writes stays in its
// user folder. Used by every e2e suite (single instance, queue mode, and what comes next).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Installed } from './install';
import type { CapturedResult } from './process';
import { freePort, httpReady, ManagedProcess, runCaptured, sleep } from './process';

export type CliResult = CapturedResult;

/** The owner every suite sets up (log in with these in a browser, or with N8n.login()). */
export const OWNER = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'Passw0rd!Passw0rd' } as const;

export interface N8nOptions {
	install: Installed;
	/** N8N_USER_FOLDER; the package goes into `<userFolder>/.n8n/nodes`, logs and imports beside it. */
	userFolder: string;
	/** The port of the n8n main this process belongs to (N8N_PORT, WEBHOOK_URL): its own, or main's for a worker. */
	port: number;
	/** Log name: `<userFolder>/<name>.log`; default `n8n-server`. */
	name?: string;
	/** What `start()` runs; default `['start']` (a worker: `['worker', '--concurrency=2']`). */
	command?: string[];
	/** What says it is up; default main's `/healthz/readiness`. */
	readyUrl?: string;
	encryptionKey?: string;
	/** Extra environment for every command of this process (queue mode, database, …). */
	env?: NodeJS.ProcessEnv;
	/** How long a graceful stop may take before SIGKILL; default 20 s. */
	graceMs?: number;
}

export class N8n {
	readonly userFolder: string;
	readonly port: number;
	readonly baseUrl: string;
	readonly name: string;
	readonly install: Installed;
	/** The server process, once started. */
	server?: ManagedProcess;
	apiKey?: string;
	/** Owner's session cookie (after setupPublicApi() or login()). */
	cookie?: string;

	constructor(readonly o: N8nOptions) {
		this.install = o.install;
		this.userFolder = o.userFolder;
		this.port = o.port;
		this.baseUrl = `http://127.0.0.1:${o.port}`;
		this.name = o.name ?? 'n8n-server';
		mkdirSync(join(o.userFolder, '.n8n'), { recursive: true });
	}

	get log(): string {
		return join(this.userFolder, `${this.name}.log`);
	}

	/** The environment every n8n command of this process gets. */
	async env(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
		const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|N8N_|WEBHOOK_URL|DB_|EXECUTIONS_|QUEUE_|OFFLOAD_)/i.test(k)));
		return {
			...base,
			PATH: `${join(this.install.nodeBin, '..')}:${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: this.o.encryptionKey ?? 'kling-motion-control-e2e-key',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_SECURE_COOKIE: 'false',
			// `n8n execute` prints its result through the logger at level info
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_ENABLED: 'true',
			// a task broker per process: the server and CLI executions run side by side
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			// resume URLs ($execution.resumeUrl) point at main, also when a CLI process or a worker builds them
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_WEBHOOK_URL: `${this.baseUrl}/`,
			...this.install.target.env,
			...this.o.env,
			...extra,
		};
	}

	async cli(args: string[], timeoutMs = 180_000): Promise<CliResult> {
		return runCaptured(this.install.nodeBin, [this.install.n8nBin, ...args], { cwd: this.userFolder, env: await this.env(), timeoutMs });
	}

	async cliOk(args: string[], timeoutMs?: number): Promise<CliResult> {
		const r = await this.cli(args, timeoutMs);
		if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-4000)}`);
		return r;
	}

	/** `n8n import:credentials`; seconds taken (the first command on a fresh database runs n8n's migrations). */
	async importCredentials(creds: unknown[]): Promise<number> {
		const file = join(this.userFolder, 'credentials.json');
		writeFileSync(file, JSON.stringify(creds, null, 2));
		return (await this.cliOk(['import:credentials', `--input=${file}`], 300_000)).seconds;
	}

	/** `n8n import:workflow --separate`; seconds taken. */
	async importWorkflows(workflows: Array<{ id: string }>): Promise<number> {
		const dir = join(this.userFolder, 'workflows');
		mkdirSync(dir, { recursive: true });
		for (const wf of workflows) writeFileSync(join(dir, `${wf.id}.json`), JSON.stringify(wf, null, 2));
		return (await this.cliOk(['import:workflow', '--separate', `--input=${dir}`], 300_000)).seconds;
	}

	/** `n8n execute --id --rawOutput`: the run (IRun) parsed from the first stdout line that starts with `{`. */
	async execute(id: string): Promise<{ run: Run; cli: CliResult }> {
		const cli = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		const lines = cli.stdout.split('\n');
		const start = lines.findIndex((l) => l.startsWith('{'));
		if (start < 0) throw new Error(`n8n execute --id=${id} printed no JSON (exit ${cli.code}):\n${(cli.stdout + cli.stderr).slice(-4000)}`);
		let end = lines.length;
		while (end > start && !lines[end - 1].startsWith('}')) end--;
		mkdirSync(join(this.userFolder, 'executions'), { recursive: true });
		writeFileSync(join(this.userFolder, 'executions', `${id}.out.txt`), cli.stdout + cli.stderr);
		try {
			return { run: JSON.parse(lines.slice(start, end).join('\n')) as Run, cli };
		} catch (e) {
			throw new Error(`n8n execute --id=${id}: output is not JSON (${(e as Error).message}):\n${cli.stdout.slice(-4000)}`);
		}
	}

	// ---------- server mode ----------

	/** Starts `n8n <command>` (default `start`) and waits until it is ready; seconds taken. Again after stop()/kill(): a restart. */
	async start(timeoutMs = 180_000): Promise<number> {
		const command = this.o.command ?? ['start'];
		this.server = new ManagedProcess({
			name: this.name,
			cmd: this.install.nodeBin,
			args: [this.install.n8nBin, ...command],
			log: this.log,
			cwd: this.userFolder,
			env: await this.env(),
			graceMs: this.o.graceMs ?? 20_000,
		});
		return this.server.start(httpReady(this.o.readyUrl ?? `${this.baseUrl}/healthz/readiness`), { timeoutMs, what: 'ready' });
	}

	get alive(): boolean {
		return !!this.server?.alive;
	}

	logTail(lines = 40): string {
		return this.server?.tail(lines) ?? '(not started)';
	}

	logText(): string {
		return this.server?.logText() ?? '';
	}

	/** SIGTERM to the group (n8n's graceful shutdown), SIGKILL after graceMs. */
	async stop(): Promise<void> {
		await this.server?.stop();
	}

	/** A crash: SIGKILL to n8n and its task runner at once. */
	async kill(): Promise<void> {
		await this.server?.kill();
	}

	/** Owner setup + an API key for the public API (runtime.md §4.5). */
	async setupPublicApi(): Promise<void> {
		const headers = { 'content-type': 'application/json', 'browser-id': 'kling-e2e-browser' };
		// n8n 1.x answers /healthz before its REST controllers are mounted: retry a 404 for a while
		let setup: Response;
		for (let i = 0; ; i++) {
			setup = await fetch(`${this.baseUrl}/rest/owner/setup`, {
				method: 'POST',
				headers,
				body: JSON.stringify(OWNER),
			});
			if (setup.status !== 404 || i >= 120) break;
			await sleep(250);
		}
		if (!setup.ok) throw new Error(`owner setup: HTTP ${setup.status} ${await setup.text()}`);
		const cookie = cookieOf(setup);
		this.cookie = cookie;
		const scopes = ['execution:read', 'execution:list', 'workflow:read', 'workflow:list', 'workflow:activate'];
		let res = await fetch(`${this.baseUrl}/rest/api-keys`, {
			method: 'POST',
			headers: { ...headers, cookie },
			body: JSON.stringify({ label: 'e2e', expiresAt: null, scopes }),
		});
		let text = await res.text();
		if (!res.ok) throw new Error(`create API key: HTTP ${res.status} ${text}`);
		const body = JSON.parse(text) as { data: { rawApiKey?: string; apiKey?: string } };
		this.apiKey = body.data.rawApiKey ?? body.data.apiKey;
		if (!this.apiKey) throw new Error(`create API key: no key in ${text}`);
		// sanity check
		res = await fetch(`${this.baseUrl}/api/v1/workflows?limit=1`, { headers: { 'X-N8N-API-KEY': this.apiKey } });
		text = await res.text();
		if (!res.ok) throw new Error(`public API with the new key: HTTP ${res.status} ${text}`);
	}

	async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
			method,
			headers: { 'X-N8N-API-KEY': this.apiKey ?? '', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`public API ${method} ${path}: HTTP ${res.status} ${text.slice(0, 1000)}`);
		return JSON.parse(text) as T;
	}

	/** Polls the public API until the workflow has an execution in a final state (not new/running/waiting). */
	async waitForExecution(workflowId: string, timeoutMs: number, seen = new Set<string>()): Promise<ApiExecution> {
		const t0 = Date.now();
		let last: ApiExecution[] = [];
		for (;;) {
			const list = await this.api<{ data: ApiExecution[] }>('GET', `/executions?workflowId=${workflowId}&includeData=false&limit=20`);
			last = list.data;
			const done = list.data.find((e) => !seen.has(String(e.id)) && !['new', 'running', 'waiting'].includes(e.status) && e.stoppedAt);
			if (done) return this.api<ApiExecution>('GET', `/executions/${done.id}?includeData=true`);
			if (Date.now() - t0 > timeoutMs)
				throw new Error(`no finished execution of workflow ${workflowId} after ${timeoutMs / 1000} s; executions: ${JSON.stringify(last.map((e) => ({ id: e.id, status: e.status, mode: e.mode })))}`);
			await sleep(500);
		}
	}
	/** Logs in as the owner (REST, as the editor does); the session cookie (`n8n-auth=…`), also kept in `cookie`. */
	async login(): Promise<string> {
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'kling-e2e-browser' },
			// n8n 2.x names the field emailOrLdapLoginId, 1.x email
			body: JSON.stringify({ email: OWNER.email, emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		if (!res.ok) throw new Error(`login: HTTP ${res.status} ${await res.text()}`);
		this.cookie = cookieOf(res);
		return this.cookie;
	}

}

function cookieOf(res: Response): string {
	return (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
}

// ---------- the shapes we read (subset of n8n's IRun / public API execution) ----------

export interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType?: string; fileName?: string; fileSize?: string; bytes?: number; id?: string; data?: string }>;
	pairedItem?: { item: number } | Array<{ item: number }>;
}
export interface TaskData {
	executionStatus?: string;
	error?: { message?: string; description?: string };
	data?: { main?: Array<Item[] | null> };
}
export interface Run {
	status?: string;
	finished?: boolean;
	data: { resultData: { runData: Record<string, TaskData[]>; error?: { message?: string; description?: string; node?: { name?: string } }; lastNodeExecuted?: string } };
}
export interface ApiExecution {
	id: string | number;
	status: string;
	mode: string;
	finished: boolean;
	stoppedAt?: string | null;
	waitTill?: string | null;
	workflowId: string;
	data?: Run['data'];
}

/** Items a node emitted on one output in its last run. */
export function outputOf(data: Run['data'] | undefined, node: string, output = 0): Item[] {
	const runData = data?.resultData.runData ?? {};
	const runs = runData[node];
	if (!runs?.length) throw new Error(`node "${node}" did not run (ran: ${Object.keys(runData).join(', ')})`);
	const last = runs[runs.length - 1];
	if (last.error) throw new Error(`node "${node}" failed: ${last.error.message}${last.error.description ? ` — ${last.error.description}` : ''}`);
	return last.data?.main?.[output] ?? [];
}

export function runError(data: Run['data'] | undefined): string | undefined {
	const e = data?.resultData.error;
	if (!e) return undefined;
	return `${e.node?.name ? `[${e.node.name}] ` : ''}${e.message}${e.description ? ` — ${e.description}` : ''}`;
}
