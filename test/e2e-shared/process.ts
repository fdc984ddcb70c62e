// One managed-process class for everything the end-to-end suites start (n8n main/workers, PostgreSQL,
// Redis, …): each child in its own process group with its output in a log file, a readiness wait, a
// graceful stop with a SIGKILL fallback, and a crash (SIGKILL). `runCaptured` runs a short command whose
// output is read (n8n CLI). Whatever ends this process, nothing it started outlives it.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

/** A readiness check: the URL answers 2xx. */
export const httpReady =
	(url: string) =>
	async (): Promise<boolean> => {
		try {
			const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
			return r.ok;
		} catch {
			return false; // not listening yet
		}
	};

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* gone */
	}
}

export interface ProcessOptions {
	/** Used in messages ("main exited (SIGKILL)"). */
	name: string;
	cmd: string;
	args: string[];
	/** stdout and stderr are appended here. */
	log: string;
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	uid?: number;
	gid?: number;
	/** How stop() asks it to end (default SIGTERM); after graceMs (default 20 s) its group gets SIGKILL. */
	stopSignal?: NodeJS.Signals;
	graceMs?: number;
	/** stopSignal to the process alone instead of its group (PostgreSQL: SIGINT to the postmaster = fast shutdown). */
	signalProcessOnly?: boolean;
	/** Stopped after the others by stopAll() (services the others use: database, Redis). */
	stopLast?: boolean;
}

const running = new Set<ManagedProcess>();
const captured = new Set<ChildProcess>();

export class ManagedProcess {
	private child?: ChildProcess;
	/** Why it ended, once it has ("main exited (1)"). */
	exited?: string;

	constructor(readonly o: ProcessOptions) {}

	get name(): string {
		return this.o.name;
	}
	get log(): string {
		return this.o.log;
	}
	get pid(): number | undefined {
		return this.child?.pid;
	}
	get alive(): boolean {
		return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
	}

	/** Spawns it (own process group, output to the log). */
	spawn(): void {
		this.exited = undefined;
		const fd = openSync(this.o.log, 'a');
		writeFileSync(fd, `\n===== ${new Date().toISOString()} ${this.o.cmd} ${this.o.args.join(' ')}\n`);
		const child = spawn(this.o.cmd, this.o.args, {
			cwd: this.o.cwd,
			env: this.o.env ?? process.env,
			uid: this.o.uid,
			gid: this.o.gid,
			stdio: ['ignore', fd, fd],
			detached: true, // its own process group: stop()/kill() reach its children (n8n's task runner) too
		});
		closeSync(fd);
		this.child = child;
		running.add(this);
		child.on('exit', (code, signal) => {
			this.exited = `${this.o.name} exited (${signal ?? code})`;
			running.delete(this);
		});
	}

	/** Spawns it and waits until `ready()` says so; seconds taken. Throws with the log's tail when it exits or times out. */
	async start(ready: () => Promise<boolean>, { timeoutMs = 120_000, what = 'ready', intervalMs = 300 } = {}): Promise<number> {
		const t0 = Date.now();
		this.spawn();
		for (;;) {
			this.assertAlive();
			if (Date.now() - t0 > timeoutMs) throw new Error(`${this.o.name}: not ${what} after ${timeoutMs / 1000} s; log ${this.o.log}:\n${this.tail()}`);
			if (await ready()) break;
			await sleep(intervalMs);
		}
		return (Date.now() - t0) / 1000;
	}

	assertAlive(): void {
		if (this.exited) throw new Error(`${this.exited}; log ${this.o.log}:\n${this.tail()}`);
	}

	tail(lines = 40): string {
		try {
			return readFileSync(this.o.log, 'utf8').split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	logText(): string {
		try {
			return readFileSync(this.o.log, 'utf8');
		} catch {
			return '';
		}
	}

	/** The graceful stop (stopSignal), SIGKILL to the group after `graceMs`. */
	async stop(signal: NodeJS.Signals = this.o.stopSignal ?? 'SIGTERM', graceMs = this.o.graceMs ?? 20_000): Promise<void> {
		const child = this.child;
		if (!child || !this.alive || child.pid === undefined) return;
		const done = new Promise<void>((r) => child.once('exit', () => r()));
		try {
			process.kill(this.o.signalProcessOnly && signal !== 'SIGKILL' ? child.pid : -child.pid, signal);
		} catch {
			return;
		}
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		await done;
		clearTimeout(timer);
	}

	/** A crash: SIGKILL to the whole group at once, no shutdown code runs. */
	async kill(): Promise<void> {
		await this.stop('SIGKILL', 5_000);
	}

	/** Synchronous SIGKILL to the group (for process 'exit'). */
	killNow(): void {
		if (this.child) killGroup(this.child, 'SIGKILL');
	}
}

export interface CapturedResult {
	code: number | null;
	stdout: string;
	stderr: string;
	seconds: number;
}

/** A short command whose output is read (own process group, SIGKILLed after `timeoutMs`). */
export function runCaptured(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CapturedResult> {
	const t0 = Date.now();
	const timeoutMs = o.timeoutMs ?? 180_000;
	return new Promise((res, rej) => {
		const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		captured.add(child);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const timer = setTimeout(() => {
			killGroup(child, 'SIGKILL');
			rej(new Error(`${args.join(' ')} timed out after ${timeoutMs / 1000} s\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
		}, timeoutMs);
		child.on('error', rej);
		child.on('exit', (code) => {
			captured.delete(child);
			clearTimeout(timer);
			res({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
		});
	});
}

/** Stops every process still running: the others first, then the `stopLast` ones (database, Redis). */
export async function stopAll(): Promise<void> {
	const all = [...running];
	await Promise.all(all.filter((p) => !p.o.stopLast).map((p) => p.stop().catch(() => undefined)));
	await Promise.all(all.filter((p) => p.o.stopLast).map((p) => p.stop().catch(() => undefined)));
}

// Whatever ends this process (a signal, a crash, a closed stdout), what it started must not outlive it.
// SIGKILL: a SIGTERMed n8n waits for its running execution, which may be polling an emulator that is gone.
process.on('exit', () => {
	for (const p of running) p.killNow();
	for (const c of captured) killGroup(c, 'SIGKILL');
});

/** Ctrl-C / kill: `before` (optional), then stopAll(), then exit 130. */
export function stopOnSignals(log: (s: string) => void, before?: () => Promise<unknown>): void {
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			log(`\n${signal}: stopping what this run started`);
			void (before?.() ?? Promise.resolve())
				.catch(() => undefined)
				.then(stopAll)
				.finally(() => process.exit(130));
		});
	}
}
