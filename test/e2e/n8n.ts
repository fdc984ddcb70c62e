// Drives a real n8n installation headlessly: its CLI (import:*, execute --rawOutput), a server
// (`n8n start`) and its public API. Everything n8n writes stays in one user folder per run.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import type { Installed } from './install';

export function freePort(): Promise<number> {
	return new Promise((res, rej) => {
		const s = createServer();
		s.once('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => res(port));
		});
	});
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	seconds: number;
}

const started = new Set<N8n>();
/** Stops every server started by this process (for signal handlers). */
export async function stopAll(): Promise<void> {
	await Promise.all([...started].map((n) => n.stop()));
}

/** Running `n8n <command>` processes (each in its own process group, with its task runner). */
const cliChildren = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* gone */
	}
}

// Whatever ends this process (a signal, a crash, a closed stdout), the n8n processes it started must not outlive it.
// SIGKILL: a SIGTERMed n8n waits for its running execution, which may be polling an emulator that is gone.
process.on('exit', () => {
	for (const n of started) n.kill();
	for (const c of cliChildren) killGroup(c, 'SIGKILL');
});

export class N8n {
	readonly userFolder: string;
	readonly port: number;
	readonly baseUrl: string;
	private server?: ChildProcess;
	private serverLog: string;
	private apiKey?: string;

	constructor(
		readonly install: Installed,
		readonly runDir: string,
		port: number,
	) {
		this.userFolder = runDir;
		this.port = port;
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.serverLog = join(runDir, 'n8n-server.log');
		mkdirSync(join(runDir, '.n8n'), { recursive: true });
	}

	/** The environment every n8n process of this run gets. */
	private async env(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
		const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|N8N_|WEBHOOK_URL|DB_|EXECUTIONS_)/i.test(k)));
		return {
			...base,
			PATH: `${join(this.install.nodeBin, '..')}:${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'kling-motion-control-e2e-key',
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
			// resume URLs ($execution.resumeUrl) point at the server, also when a CLI process builds them
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_WEBHOOK_URL: `${this.baseUrl}/`,
			...this.install.target.env,
			...extra,
		};
	}

	async cli(args: string[], timeoutMs = 180_000): Promise<CliResult> {
		const t0 = Date.now();
		const env = await this.env();
		return new Promise((res, rej) => {
			const child = spawn(this.install.nodeBin, [this.install.n8nBin, ...args], { cwd: this.runDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
			cliChildren.add(child);
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
			child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
			const timer = setTimeout(() => {
				killGroup(child, 'SIGKILL');
				rej(new Error(`n8n ${args.join(' ')} timed out after ${timeoutMs / 1000} s\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
			}, timeoutMs);
			child.on('error', rej);
			child.on('exit', (code) => {
				cliChildren.delete(child);
				clearTimeout(timer);
				res({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
			});
		});
	}

	async cliOk(args: string[]): Promise<CliResult> {
		const r = await this.cli(args);
		if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} exited ${r.code}:\n${(r.stdout + r.stderr).slice(-4000)}`);
		return r;
	}

	async importCredentials(creds: unknown[]): Promise<void> {
		const file = join(this.runDir, 'credentials.json');
		writeFileSync(file, JSON.stringify(creds, null, 2));
		await this.cliOk(['import:credentials', `--input=${file}`]);
	}

	async importWorkflows(workflows: unknown[]): Promise<void> {
		const dir = join(this.runDir, 'workflows');
		mkdirSync(dir, { recursive: true });
		for (const wf of workflows) writeFileSync(join(dir, `${(wf as { id: string }).id}.json`), JSON.stringify(wf, null, 2));
		await this.cliOk(['import:workflow', '--separate', `--input=${dir}`]);
	}

	/** `n8n execute --id --rawOutput`: the run (IRun) parsed from the first stdout line that starts with `{`. */
	async execute(id: string): Promise<{ run: Run; cli: CliResult }> {
		const cli = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		const lines = cli.stdout.split('\n');
		const start = lines.findIndex((l) => l.startsWith('{'));
		if (start < 0) throw new Error(`n8n execute --id=${id} printed no JSON (exit ${cli.code}):\n${(cli.stdout + cli.stderr).slice(-4000)}`);
		let end = lines.length;
		while (end > start && !lines[end - 1].startsWith('}')) end--;
		mkdirSync(join(this.runDir, 'executions'), { recursive: true });
		writeFileSync(join(this.runDir, 'executions', `${id}.out.txt`), cli.stdout + cli.stderr);
		try {
			return { run: JSON.parse(lines.slice(start, end).join('\n')) as Run, cli };
		} catch (e) {
			throw new Error(`n8n execute --id=${id}: output is not JSON (${(e as Error).message}):\n${cli.stdout.slice(-4000)}`);
		}
	}

	// ---------- server mode ----------

	async start(): Promise<number> {
		const t0 = Date.now();
		const fd = openSync(this.serverLog, 'a');
		this.server = spawn(this.install.nodeBin, [this.install.n8nBin, 'start'], {
			cwd: this.runDir,
			env: await this.env(),
			stdio: ['ignore', fd, fd],
			detached: true, // its own process group: stop() ends n8n and its task runner together
		});
		closeSync(fd);
		started.add(this);
		const server = this.server;
		let exited: string | undefined;
		server.on('exit', (code, signal) => (exited = `n8n start exited (${signal ?? code})`));
		for (;;) {
			if (exited) throw new Error(`${exited}; log ${this.serverLog}:\n${this.logTail()}`);
			if (Date.now() - t0 > 120_000) throw new Error(`n8n start: /healthz not ready after 120 s; log:\n${this.logTail()}`);
			try {
				const r = await fetch(`${this.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				if (r.ok) break;
			} catch {
				/* not listening yet */
			}
			await sleep(300);
		}
		return (Date.now() - t0) / 1000;
	}

	logTail(lines = 40): string {
		try {
			return readFileSync(this.serverLog, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	/** Synchronous SIGKILL to the server's process group (for process 'exit'). */
	kill(): void {
		if (this.server) killGroup(this.server, 'SIGKILL');
	}

	async stop(): Promise<void> {
		const server = this.server;
		started.delete(this);
		if (!server || server.exitCode !== null || server.signalCode !== null || server.pid === undefined) return;
		const done = new Promise<void>((r) => server.once('exit', () => r()));
		try {
			process.kill(-server.pid, 'SIGTERM');
		} catch {
			return;
		}
		const timer = setTimeout(() => {
			try {
				process.kill(-server.pid!, 'SIGKILL');
			} catch {
				/* gone */
			}
		}, 20_000);
		await done;
		clearTimeout(timer);
		this.server = undefined;
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
				body: JSON.stringify({ email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'Passw0rd!Passw0rd' }),
			});
			if (setup.status !== 404 || i >= 120) break;
			await sleep(250);
		}
		if (!setup.ok) throw new Error(`owner setup: HTTP ${setup.status} ${await setup.text()}`);
		const cookie = (setup.headers.getSetCookie?.() ?? [setup.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
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
