// n8n in queue mode: one main (`n8n start`) and N workers (`n8n worker --concurrency=C`), each with its
// own user folder (as on separate machines) holding the community package, all on one PostgreSQL and
// one Redis. The public API client of ../e2e/n8n.ts is reused for owner setup, API key and executions.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Installed } from '../e2e/install';
import { freePort, N8n, sleep } from '../e2e/n8n';
import type { Postgres, Redis } from './services';

export interface ClusterOptions {
	install: Installed;
	dir: string;
	pg: Postgres;
	redis: Redis;
	workers: number;
	concurrency: number;
	/** Unpacks the community package into `<userFolder>/.n8n/nodes/node_modules/<name>`. */
	installPackage: (userFolder: string) => void;
	/** Extra environment for every process (e.g. Bull lock settings). */
	env?: NodeJS.ProcessEnv;
}

export class N8nProcess {
	private child?: ChildProcess;
	exited?: string;
	readonly log: string;

	constructor(
		readonly name: string,
		readonly userFolder: string,
		readonly args: string[],
		readonly env: NodeJS.ProcessEnv,
		readonly readyUrl: string,
		private readonly install: Installed,
	) {
		this.log = join(userFolder, `${name}.log`);
	}

	get pid(): number | undefined {
		return this.child?.pid;
	}

	get alive(): boolean {
		return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
	}

	async start(timeoutMs = 180_000): Promise<number> {
		const t0 = Date.now();
		this.exited = undefined;
		const fd = openSync(this.log, 'a');
		writeFileSync(fd, `\n===== ${new Date().toISOString()} n8n ${this.args.join(' ')}\n`);
		this.child = spawn(this.install.nodeBin, [this.install.n8nBin, ...this.args], {
			cwd: this.userFolder,
			env: this.env,
			stdio: ['ignore', fd, fd],
			detached: true, // own process group: n8n and its task runner are stopped (or killed) together
		});
		closeSync(fd);
		const child = this.child;
		child.on('exit', (code, signal) => (this.exited = `${this.name} exited (${signal ?? code})`));
		for (;;) {
			if (this.exited) throw new Error(`${this.exited}; log ${this.log}:\n${this.tail()}`);
			if (Date.now() - t0 > timeoutMs) throw new Error(`${this.name}: ${this.readyUrl} not ready after ${timeoutMs / 1000} s; log:\n${this.tail()}`);
			try {
				const r = await fetch(this.readyUrl, { signal: AbortSignal.timeout(2000) });
				if (r.ok) break;
			} catch {
				/* not listening yet */
			}
			await sleep(300);
		}
		return (Date.now() - t0) / 1000;
	}

	tail(lines = 40): string {
		try {
			return readFileSync(this.log, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	logText(): string {
		try {
			return readFileSync(this.log, 'utf8');
		} catch {
			return '';
		}
	}

	/** SIGTERM to the group (n8n's graceful shutdown), SIGKILL after `graceMs`. */
	async stop(graceMs = 40_000): Promise<void> {
		await this.signal('SIGTERM', graceMs);
	}

	/** A crash: SIGKILL to n8n and its task runner at once, no shutdown code runs. */
	async kill(): Promise<void> {
		await this.signal('SIGKILL', 5_000);
	}

	private async signal(signal: NodeJS.Signals, graceMs: number): Promise<void> {
		const child = this.child;
		if (!child || !this.alive || child.pid === undefined) return;
		const done = new Promise<void>((r) => child.once('exit', () => r()));
		try {
			process.kill(-child.pid, signal);
		} catch {
			return;
		}
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				/* gone */
			}
		}, graceMs);
		await done;
		clearTimeout(timer);
	}
}

export class QueueCluster {
	main!: N8nProcess;
	workers: N8nProcess[] = [];
	/** Public API client (owner, API key, executions) of the single-instance suite, pointed at main. */
	api!: N8n;
	port = 0;
	baseUrl = '';

	constructor(readonly o: ClusterOptions) {}

	/** What every n8n process of the cluster shares: database, Redis, encryption key, queue mode. */
	private async env(userFolder: string, extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
		const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|N8N_|WEBHOOK_URL|DB_|EXECUTIONS_|QUEUE_|OFFLOAD_)/i.test(k)));
		const { pg, redis } = this.o;
		return {
			...base,
			PATH: `${join(this.o.install.nodeBin, '..')}:${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: 'kling-motion-control-e2e-queue-key',
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: pg.host,
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: pg.database,
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: pg.password,
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// what queue mode uses by default in n8n 2.x (BinaryDataConfig: queue ? 'database' : 'filesystem'),
			// set explicitly: filesystem mode would leave each worker's files on its own disk
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_SECURE_COOKIE: 'false',
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(this.port),
			// resume URLs ($execution.resumeUrl) are built on the workers: they must point at main
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_WEBHOOK_URL: `${this.baseUrl}/`,
			...this.o.env,
			...extra,
		};
	}

	private folder(name: string): string {
		const dir = join(this.o.dir, name);
		mkdirSync(join(dir, '.n8n'), { recursive: true });
		this.o.installPackage(dir);
		return dir;
	}

	async prepare(): Promise<void> {
		this.port = await freePort();
		this.baseUrl = `http://127.0.0.1:${this.port}`;
		const mainDir = this.folder('main');
		this.main = new N8nProcess('main', mainDir, ['start'], await this.env(mainDir, {}), `${this.baseUrl}/healthz/readiness`, this.o.install);
		this.api = new N8n(this.o.install, mainDir, this.port);
		for (let i = 1; i <= this.o.workers; i++) {
			const dir = this.folder(`worker-${i}`);
			const port = await freePort();
			const env = await this.env(dir, { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' });
			this.workers.push(
				new N8nProcess(`worker-${i}`, dir, ['worker', `--concurrency=${this.o.concurrency}`], env, `http://127.0.0.1:${port}/healthz/readiness`, this.o.install),
			);
		}
	}

	/** An n8n CLI command against the cluster's database (main's environment). */
	async cli(args: string[], timeoutMs = 300_000): Promise<{ stdout: string; seconds: number }> {
		const t0 = Date.now();
		return new Promise((res, rej) => {
			const child = spawn(this.o.install.nodeBin, [this.o.install.n8nBin, ...args], { cwd: this.main.userFolder, env: this.main.env, stdio: ['ignore', 'pipe', 'pipe'] });
			let out = '';
			child.stdout.on('data', (d: Buffer) => (out += d.toString()));
			child.stderr.on('data', (d: Buffer) => (out += d.toString()));
			const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
			child.on('error', rej);
			child.on('exit', (code) => {
				clearTimeout(timer);
				if (code === 0) res({ stdout: out, seconds: (Date.now() - t0) / 1000 });
				else rej(new Error(`n8n ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`));
			});
		});
	}

	async importCredentials(creds: unknown[]): Promise<number> {
		const file = join(this.o.dir, 'credentials.json');
		writeFileSync(file, JSON.stringify(creds, null, 2));
		return (await this.cli(['import:credentials', `--input=${file}`])).seconds;
	}

	async importWorkflows(workflows: Array<{ id: string }>): Promise<number> {
		const dir = join(this.o.dir, 'workflows');
		mkdirSync(dir, { recursive: true });
		for (const wf of workflows) writeFileSync(join(dir, `${wf.id}.json`), JSON.stringify(wf, null, 2));
		return (await this.cli(['import:workflow', '--separate', `--input=${dir}`])).seconds;
	}

	/** Main first (it owns the webhooks and the leader's queue recovery), then the workers together. */
	async start(): Promise<{ main: number; workers: number[] }> {
		const main = await this.main.start();
		const workers = await Promise.all(this.workers.map((w) => w.start()));
		return { main, workers };
	}

	/** The worker whose log says it started this execution. */
	workerRunning(executionId: string): N8nProcess | undefined {
		const re = new RegExp(`Worker started execution ${executionId} \\(job`);
		return this.workers.find((w) => re.test(w.logText()));
	}

	/** Executions each worker started, from their logs. */
	startedPerWorker(): Record<string, number> {
		return Object.fromEntries(this.workers.map((w) => [w.name, (w.logText().match(/Worker started execution \d+/g) ?? []).length]));
	}

	/** Graceful stop of every process at once; seconds each took. */
	async stop(): Promise<Record<string, number>> {
		const took: Record<string, number> = {};
		await Promise.all(
			[this.main, ...this.workers]
				.filter((p) => p !== undefined)
				.map(async (p) => {
					const t0 = Date.now();
					await p.stop();
					took[p.name] = (Date.now() - t0) / 1000;
				}),
		);
		return took;
	}
}
