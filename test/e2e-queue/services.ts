// PostgreSQL and Redis for the queue-mode scenario: installed from the Debian packages (apt-get, once),
// started by this script on loopback with their data under .cache/e2e-queue/, stopped at the end.
// Nothing of the machine's own PostgreSQL/Redis service is started, stopped or changed.
import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

import { sleep } from '../e2e/n8n';

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

/** A server process of ours, in its own process group, output to a log file. */
class Daemon {
	private child?: ChildProcess;
	private exited?: string;

	constructor(
		readonly name: string,
		readonly log: string,
	) {}

	start(cmd: string, args: string[], opts: { uid?: number; gid?: number; cwd?: string } = {}): void {
		const fd = openSync(this.log, 'a');
		this.child = spawn(cmd, args, { stdio: ['ignore', fd, fd], detached: true, uid: opts.uid, gid: opts.gid, cwd: opts.cwd });
		closeSync(fd);
		this.child.on('exit', (code, signal) => (this.exited = `${this.name} exited (${signal ?? code})`));
	}

	assertAlive(): void {
		if (this.exited) throw new Error(`${this.exited}; log ${this.log}:\n${this.tail()}`);
	}

	tail(lines = 30): string {
		try {
			return readFileSync(this.log, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	/** `signal` to the process itself (PostgreSQL: SIGINT = fast shutdown), SIGKILL after `graceMs`. */
	async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
		const done = new Promise<void>((r) => child.once('exit', () => r()));
		try {
			process.kill(child.pid, signal);
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

export class Postgres {
	readonly host = '127.0.0.1';
	readonly database = 'n8n';
	readonly user = 'n8n';
	readonly password = 'n8n-e2e-queue';
	private readonly daemon: Daemon;
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
		this.daemon = new Daemon('postgres', join(dir, 'postgres.log'));
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
		this.daemon.start(
			join(this.bin, 'postgres'),
			[
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
			as,
		);
		for (;;) {
			this.daemon.assertAlive();
			if (Date.now() - t0 > 60_000) throw new Error(`postgres not ready after 60 s:\n${this.daemon.tail()}`);
			try {
				await this.sql('SELECT 1', 'postgres');
				break;
			} catch {
				await sleep(200);
			}
		}
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
		await this.daemon.stop('SIGINT');
	}
}

export class Redis {
	readonly host = '127.0.0.1';
	private readonly daemon: Daemon;

	constructor(
		readonly dir: string,
		readonly port: number,
	) {
		this.daemon = new Daemon('redis-server', join(dir, 'redis.log'));
	}

	get version(): string {
		return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 3).join(' ');
	}

	async start(): Promise<number> {
		const t0 = Date.now();
		rmSync(this.dir, { recursive: true, force: true });
		mkdirSync(this.dir, { recursive: true });
		this.daemon.start(
			'redis-server',
			['--port', String(this.port), '--bind', this.host, '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
			{ cwd: this.dir },
		);
		for (;;) {
			this.daemon.assertAlive();
			if (Date.now() - t0 > 30_000) throw new Error(`redis not ready after 30 s:\n${this.daemon.tail()}`);
			try {
				if ((await this.cmd('PING')).trim() === 'PONG') break;
			} catch {
				/* not listening yet */
			}
			await sleep(100);
		}
		return (Date.now() - t0) / 1000;
	}

	async cmd(...args: string[]): Promise<string> {
		return exec('redis-cli', ['-h', this.host, '-p', String(this.port), '--raw', ...args]);
	}

	async stop(): Promise<void> {
		await this.daemon.stop('SIGTERM');
	}
}

export const whoami = (): string => userInfo().username;
