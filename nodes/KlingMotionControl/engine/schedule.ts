import { sleep } from 'n8n-workflow';

/** Limits how many tasks are in flight at once; waiters are served in item order. */
export class Slots {
	private free: number;
	private readonly waiting: Array<() => void> = [];

	constructor(size: number) {
		this.free = Math.max(1, Math.floor(size));
	}

	async acquire(): Promise<void> {
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.free++;
	}
}

/** Runs `work` for every entry, at most `limit` at a time (the one concurrency primitive: Slots). */
export async function eachLimited<T>(entries: readonly T[], limit: number, work: (entry: T) => Promise<void>): Promise<void> {
	const slots = new Slots(limit);
	await Promise.all(
		entries.map(async (entry) => {
			await slots.acquire();
			try {
				await work(entry);
			} finally {
				slots.release();
			}
		}),
	);
}

export class CanceledError extends Error {
	constructor() {
		super('The execution was stopped');
		this.name = 'CanceledError';
	}
}

/** `sleep` from n8n-workflow, ended early by "Stop execution" or n8n's execution timeout. */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (signal?.aborted) throw new CanceledError();
	if (ms <= 0) return;
	// sleep() rejects only when the signal aborts.
	const slept = await sleep(ms, signal).then(
		() => true,
		() => false,
	);
	if (!slept || signal?.aborted) throw new CanceledError();
}

export type EarlyVerdict = 'ended' | 'running' | 'unknown';

/**
 * One early status check per wave of submits. Tasks submitted within `windowMs` of each other run
 * the same model on the same provider: the first of them to reach its early check (the scout)
 * checks for all. If the scout has already ended, the others check at once (fast jobs come back
 * fast); if it is still running, they skip their early check and settle at the poll interval —
 * a batch of 100 costs one early request instead of 100. A scout whose check failed
 * (network, 5xx) leaves everyone to check for themselves.
 */
export class EarlyChecks {
	private scout: { startedAt: number; verdict: Promise<EarlyVerdict> } | undefined;

	constructor(private readonly windowMs: number) {}

	/** `report` for the scout (call it once with what its check found), or the scout's verdict for the others. */
	join(startedAt: number): { role: 'scout'; report: (verdict: EarlyVerdict) => void } | { role: 'follower'; verdict: Promise<EarlyVerdict> } {
		const current = this.scout;
		if (current && startedAt >= current.startedAt && startedAt - current.startedAt <= this.windowMs) {
			return { role: 'follower', verdict: current.verdict };
		}
		let report: (verdict: EarlyVerdict) => void = () => {};
		const verdict = new Promise<EarlyVerdict>((resolve) => (report = resolve));
		this.scout = { startedAt, verdict };
		return { role: 'scout', report };
	}
}
