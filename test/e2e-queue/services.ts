// PostgreSQL and Redis for the queue-mode scenario: installed from the Debian packages (apt-get, once),
// started by this script on loopback with their data under .cache/e2e-queue/, stopped at the end.
// Nothing of the machine's own PostgreSQL/Redis service is started, stopped or changed.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

import { ManagedProcess } from '../e2e-shared';

const isRoot = process.getuid?.() === 0;

function have(cmd: string): boolean {
	try {
		execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/** The newest /usr/lib/postgresql/<major>/bin (Debian's layout; the binaries are not on PATH). */
function pgBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root)
		.filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? join(root, majors[0], 'bin') : undefined;
}

/**
 * `apt-get install postgresql redis-server` when either is missing (root, or passwordless sudo).
 * Idempotent: with both present it does nothing. Returns what it did.
 */
export function ensurePackages(): string {
	const missing: string[] = [];
	if (!pgBinDir()) missing.push('postgresql');
	if (!have('redis-server') || !have('redis-cli')) missing.push('redis-server');
	if (!have('psql')) missing.push('postgresql-client');
	if (!missing.length) return 'postgresql and redis-server already installed';
	const prefix = isRoot ? [] : ['sudo', '-n'];
	const run = (args: string[]): void => {
		const [cmd, ...rest] = [...prefix, ...args];
		execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	};
	run(['apt-get', 'update', '-qq']);
	run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
	return `apt-get installed ${missing.join(', ')}`;
}

function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): Promise<string> {
	return new Promise((res, rej) => {
		execFile(cmd, args, { env: opts.env ?? process.env, uid: opts.uid, gid: opts.gid, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
			if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
			else res(stdout);
		});
	});
}

export class Postgres {
	readonly host = '127.0.0.1';
	readonly database = 'n8n';
	readonly user = 'n8n';
	readonly password = 'n8n-e2e-queue';
	private daemon?: ManagedProcess;
	private readonly bin: string;
	private readonly dataDir: string;
	/** PostgreSQL refuses to run as root: then it runs as the Debian package's `postgres` user. */
	private readonly owner?: { uid: number; gid: number };

	constructor(
		readonly dir: string,
		readonly port: number,
	) {
		const bin = pgBinDir();
		if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin');
		this.bin = bin;
		this.dataDir = join(dir, 'data');
		if (isRoot) {
			const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
			const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
			this.owner = { uid, gid };
		}
	}

	get version(): string {
		return execFileSync(join(this.bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
	}

	/** A fresh cluster (initdb, trust on loopback), started, with role and database `n8n`. Seconds taken. */
	async start(): Promise<number> {
		const t0 = Date.now();
		rmSync(this.dir, { recursive: true, force: true });
		mkdirSync(this.dataDir, { recursive: true });
		if (this.owner) {
			chownSync(this.dir, this.owner.uid, this.owner.gid);
			chownSync(this.dataDir, this.owner.uid, this.owner.gid);
		}
		const as = this.owner ?? {};
		await exec(join(this.bin, 'initdb'), ['-D', this.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C'], as);
		this.daemon = new ManagedProcess({
			name: 'postgres',
			log: join(this.dir, 'postgres.log'),
			cmd: join(this.bin, 'postgres'),
			args: [
				'-D', this.dataDir,
				'-p', String(this.port),
				'-k', this.dir, // unix socket beside the data, not /var/run/postgresql
				'-c', `listen_addresses=${this.host}`,
				'-c', 'max_connections=200',
				// a throw-away test cluster: durability off (the scenario measures n8n, not fsync)
				'-c', 'fsync=off',
				'-c', 'synchronous_commit=off',
				'-c', 'full_page_writes=off',
			],
			...as,
			// SIGINT to the postmaster: PostgreSQL's fast shutdown
			stopSignal: 'SIGINT',
			signalProcessOnly: true,
			graceMs: 15_000,
			stopLast: true,
		});
		const ready = (): Promise<boolean> =>
			this.sql('SELECT 1', 'postgres').then(
				() => true,
				() => false,
			);
		await this.daemon.start(ready, { timeoutMs: 60_000, intervalMs: 200 });
		await this.sql(`CREATE ROLE ${this.user} LOGIN PASSWORD '${this.password}'`, 'postgres');
		await this.sql(`CREATE DATABASE ${this.database} OWNER ${this.user}`, 'postgres');
		return (Date.now() - t0) / 1000;
	}

	/** One statement through psql; rows as arrays of strings. */
	async sql(statement: string, db = this.database): Promise<string[][]> {
		const out = await exec('psql', ['-h', this.host, '-p', String(this.port), '-U', 'postgres', '-d', db, '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', statement]);
		return out
			.split('\n')
			.filter((l) => l.length > 0)
			.map((l) => l.split('\t'));
	}

	async stop(): Promise<void> {
		await this.daemon?.stop();
	}
}

export class Redis {
	readonly host = '127.0.0.1';
	private daemon?: ManagedProcess;

	constructor(
		readonly dir: string,
		readonly port: number,
	) {}

	get version(): string {
		return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 3).join(' ');
	}

	async start(): Promise<number> {
		const t0 = Date.now();
		rmSync(this.dir, { recursive: true, force: true });
		mkdirSync(this.dir, { recursive: true });
		this.daemon = new ManagedProcess({
			name: 'redis-server',
			log: join(this.dir, 'redis.log'),
			cmd: 'redis-server',
			args: ['--port', String(this.port), '--bind', this.host, '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
			cwd: this.dir,
			signalProcessOnly: true,
			graceMs: 15_000,
			stopLast: true,
		});
		const ready = (): Promise<boolean> =>
			this.cmd('PING').then(
				(r) => r.trim() === 'PONG',
				() => false, // not listening yet
			);
		await this.daemon.start(ready, { timeoutMs: 30_000, intervalMs: 100 });
		return (Date.now() - t0) / 1000;
	}

	async cmd(...args: string[]): Promise<string> {
		return exec('redis-cli', ['-h', this.host, '-p', String(this.port), '--raw', ...args]);
	}

	async stop(): Promise<void> {
		await this.daemon?.stop();
	}
}

export const whoami = (): string => userInfo().username;
