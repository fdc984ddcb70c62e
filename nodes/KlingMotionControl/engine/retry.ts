// The one retry/backoff policy of the engine: every loop that asks again (submit refusals, ambiguous
// submits, idempotency lookups, status checks, polling through errors) takes its delays from here.

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 10));
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export interface RetryPolicy {
	baseMs: number;
	capMs: number;
	/** Tries before giving up (undefined: until the deadline). */
	attempts?: number;
}

export const RETRY = {
	/** A submit that was refused (HTTP 429, nothing sent): nothing was created, so it is sent again. */
	refusedSubmit: { baseMs: 500, capMs: 30_000 },
	/** A 5xx submit whose task is provably absent (idempotency lookup) before it is sent again. */
	absentSubmit: { baseMs: 500, capMs: 10_000 },
	/** Looking a submit up by its idempotency key. */
	lookup: { baseMs: 500, capMs: 5000, attempts: 5 },
	/** Get Status: one answer wanted, a few tries through transient errors. */
	statusCheck: { baseMs: 500, capMs: 5000, attempts: 3 },
} satisfies Record<string, RetryPolicy>;

/** The wait before try `attempt + 1`: the backoff, or longer when the provider asked (Retry-After). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
	return Math.max(retryAfterMs ?? 0, backoffMs(attempt, policy.baseMs, policy.capMs));
}

/** Polling through transient errors: the backoff from the poll interval, at most 4 intervals (or 60 s). */
export function pollRetryDelayMs(pollIntervalMs: number, streak: number, retryAfterMs?: number): number {
	const backoff = backoffMs(streak, Math.min(1000, pollIntervalMs), 60_000);
	return Math.max(retryAfterMs ?? 0, Math.min(pollIntervalMs * 4, backoff));
}

/** Answers that say "ask again later" rather than "no". */
export function isTransientStatus(statusCode: number): boolean {
	return statusCode === 408 || statusCode === 425 || statusCode === 429 || statusCode >= 500;
}
