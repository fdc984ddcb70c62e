// n8n in queue mode: one main (`n8n start`) and N workers (`n8n worker --concurrency=C`), each with its
// own user folder (as on separate machines) holding the community package, all on one PostgreSQL and
// one Redis. Every process is an ../e2e-shared N8n (main also serves the public API client).
import { join } from 'node:path';

import type { Installed } from '../e2e-shared';
import { freePort, installPackages, N8n } from '../e2e-shared';
import type { Postgres, Redis } from './services';

export interface ClusterOptions {
	install: Installed;
	dir: string;
	pg: Postgres;
	redis: Redis;
	workers: number;
	concurrency: number;
	/** The package tarball, unpacked into `<userFolder>/.n8n/nodes/node_modules/<name>` of every process. */
	tarball: string;
	/** Extra environment for every process (e.g. Bull lock settings). */
	env?: NodeJS.ProcessEnv;
}

export class QueueCluster {
	main!: N8n;
	workers: N8n[] = [];
	port = 0;
	baseUrl = '';

	constructor(readonly o: ClusterOptions) {}

	/** Main: owner, API key, public API. */
	get api(): N8n {
		return this.main;
	}

	/** What every n8n process of the cluster shares: database, Redis, encryption key, queue mode. */
	private get env(): NodeJS.ProcessEnv {
		const { pg, redis } = this.o;
		return {
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
			...this.o.env,
		};
	}

	private process(name: string, o: { command: string[]; readyUrl?: string; env?: NodeJS.ProcessEnv }): N8n {
		const userFolder = join(this.o.dir, name);
		const n8n = new N8n({
			install: this.o.install,
			userFolder,
			// main's port and URL for all: resume URLs ($execution.resumeUrl) are built on the workers and must point at main
			port: this.port,
			name,
			encryptionKey: 'kling-motion-control-e2e-queue-key',
			env: { ...this.env, ...o.env },
			command: o.command,
			readyUrl: o.readyUrl,
			graceMs: 40_000,
		});
		installPackages([this.o.tarball], userFolder);
		return n8n;
	}

	async prepare(): Promise<void> {
		this.port = await freePort();
		this.baseUrl = `http://127.0.0.1:${this.port}`;
		this.main = this.process('main', { command: ['start'] });
		for (let i = 1; i <= this.o.workers; i++) {
			const port = await freePort();
			this.workers.push(
				this.process(`worker-${i}`, {
					command: ['worker', `--concurrency=${this.o.concurrency}`],
					readyUrl: `http://127.0.0.1:${port}/healthz/readiness`,
					env: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
				}),
			);
		}
	}

	/** `n8n import:credentials` against the cluster's database (main's environment); seconds. */
	async importCredentials(creds: unknown[]): Promise<number> {
		return this.main.importCredentials(creds);
	}

	async importWorkflows(workflows: Array<{ id: string }>): Promise<number> {
		return this.main.importWorkflows(workflows);
	}

	/** Main first (it owns the webhooks and the leader's queue recovery), then the workers together. */
	async start(): Promise<{ main: number; workers: number[] }> {
		const main = await this.main.start();
		const workers = await Promise.all(this.workers.map((w) => w.start()));
		return { main, workers };
	}

	/** The worker whose log says it started this execution. */
	workerRunning(executionId: string): N8n | undefined {
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
