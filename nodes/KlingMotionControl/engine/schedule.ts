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
