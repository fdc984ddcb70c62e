import type { IExecuteFunctions } from 'n8n-workflow';

import { ResponseShapeError } from '../providers/common';
import type {
	MotionControlRequest,
	ProviderAdapter,
	ProviderContext,
	RequestSpec,
	SubmitMode,
	SubmitResult,
	TaskHandle,
	TaskState,
} from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import { backoffMs, CanceledError, EarlyChecks, pause, type EarlyVerdict } from './schedule';
import { callProvider, NetworkError, retryAfterMs, type HttpResult } from './transport';

/** Per-run settings of the waiting engine (from the node's options). */
export interface EngineSettings {
	pollIntervalMs: number;
	timeoutMs: number;
	/** Per-request HTTP timeout for ordinary calls. */
	requestTimeoutMs: number;
}

export interface Runtime {
	fns: IExecuteFunctions;
	adapter: ProviderAdapter;
	ctx: ProviderContext;
	settings: EngineSettings;
	signal: AbortSignal | undefined;
	/** Task ids created in this run, by item: reported if the run stops, so no paid task is lost. */
	journal: Map<number, string>;
	/** Shares the early status check among tasks submitted together (see EarlyChecks). */
	early: EarlyChecks;
}

const FIRST_POLL_MAX_MS = 2000;

export function newEarlyChecks(): EarlyChecks {
	return new EarlyChecks(FIRST_POLL_MAX_MS);
}

/** Runs an adapter's response parser; a body without the documented shape becomes a reason, not a crash. */
function tryParse<T>(parse: () => T): { value: T } | { problem: string } {
	try {
		return { value: parse() };
	} catch (error) {
		const problem = error instanceof ResponseShapeError ? error.message : `unreadable answer (${String(error)})`;
		return { problem };
	}
}

function resumeHint(adapter: ProviderAdapter, taskId: string): string {
	return `It may still finish (and be billed) at ${adapter.displayName}: resume it with the operation "Wait for Completion" (or check it with "Get Status") and Task ID ${taskId}.`;
}

function isTransientStatus(statusCode: number): boolean {
	return statusCode === 408 || statusCode === 425 || statusCode === 429 || statusCode >= 500;
}

/**
 * Submits one task. A refusal that created nothing (HTTP 429, a connection that never opened) is
 * retried until the deadline; an answer that leaves the outcome unknown is never re-sent blindly.
 */
export async function submitTask(
	rt: Runtime,
	request: MotionControlRequest,
	mode: SubmitMode,
	deadline: number,
): Promise<SubmitResult> {
	const { adapter, ctx } = rt;
	const spec = adapter.buildSubmit(request, ctx, mode);
	for (let attempt = 0; ; attempt++) {
		// A synchronous submit (Prospolabs) answers when the job ends: give it the rest of the timeout.
		const timeout = spec.longRunning ? Math.max(1000, deadline - Date.now()) : rt.settings.requestTimeoutMs;
		const response = await callProvider(rt.fns, adapter, spec, timeout);
		if (response instanceof NetworkError) {
			const error = response;
			if (error.failure === 'aborted') throw new CanceledError();
			if (error.failure === 'notSent') {
				await waitBeforeRetry(rt, attempt, undefined, deadline, () =>
					new TaskFailure(
						`Could not reach ${adapter.displayName} to submit the task (${error.code ?? error.message}) before the timeout. Nothing was submitted.`,
						{ provider: adapter.id, status: 'notSubmitted' },
						'api',
					),
				);
				continue;
			}
			const reason = spec.longRunning
				? `the synchronous request got no answer within the timeout (${error.message}); the generation may still be running`
				: `the connection failed after the request was sent (${error.message})`;
			const recovered = await recoverAmbiguousSubmit(rt, request, reason);
			if (recovered !== 'resubmit') return recovered;
			continue;
		}

		if (response.statusCode >= 200 && response.statusCode < 300) {
			let reason = 'the answer was not valid JSON';
			if (!response.invalidJson) {
				const parsed = tryParse(() => adapter.parseSubmit(response.body));
				if ('value' in parsed) return parsed.value;
				reason = parsed.problem;
			}
			const recovered = await recoverAmbiguousSubmit(rt, request, reason);
			if (recovered !== 'resubmit') return recovered;
			continue;
		}

		const providerError = adapter.parseError(response.statusCode, response.body);
		if (response.statusCode === 429 && providerError.retryable !== false) {
			// Refused, not accepted: nothing was created, so sending again cannot double-bill.
			const retryAfter = retryAfterMs(response.headers, Date.now());
			await waitBeforeRetry(rt, attempt, retryAfter, deadline, () => {
				const failure = apiFailure(adapter, 429, response.body, { during: 'submitting' });
				return new TaskFailure(
					`${failure.message}. ${adapter.displayName} kept refusing new tasks (HTTP 429) until the timeout; nothing was submitted. Lower the Concurrency option or raise Timeout.`,
					failure.details,
					'api',
				);
			});
			continue;
		}
		if (response.statusCode >= 500 || response.statusCode === 408) {
			const recovered = await recoverAmbiguousSubmit(rt, request, `HTTP ${response.statusCode}: ${providerError.message}`);
			if (recovered !== 'resubmit') return recovered;
			await pause(backoffMs(attempt, 500, 10_000), rt.signal);
			continue;
		}
		if (adapter.capabilities.idempotentSubmit && request.idempotencyKey && response.statusCode === 400) {
			// A re-run of this execution (e.g. "Retry On Fail") is refused as a duplicate key: adopt the task.
			const found = await lookupByKey(rt, request.idempotencyKey);
			if (found !== 'absent' && found !== 'unknown') return found;
		}
		throw apiFailure(adapter, response.statusCode, response.body, { during: 'submitting' });
	}
}

async function waitBeforeRetry(
	rt: Runtime,
	attempt: number,
	retryAfter: number | undefined,
	deadline: number,
	onDeadline: () => TaskFailure,
): Promise<void> {
	const delay = Math.max(retryAfter ?? 0, backoffMs(attempt, 500, 30_000));
	if (Date.now() + delay > deadline) throw onDeadline();
	await pause(delay, rt.signal);
}

type Lookup = SubmitResult | 'absent' | 'unknown';

/** Kling: find the task a submit with this external_task_id created ('absent' = provably none). */
async function lookupByKey(rt: Runtime, key: string): Promise<Lookup> {
	const { adapter, ctx } = rt;
	if (!adapter.buildLookup) return 'unknown';
	for (let attempt = 0; attempt < 5; attempt++) {
		const response = await callProvider(rt.fns, adapter, adapter.buildLookup(key, ctx), rt.settings.requestTimeoutMs);
		if (response instanceof NetworkError) {
			if (response.failure === 'aborted') throw new CanceledError();
			await pause(backoffMs(attempt, 500, 5000), rt.signal);
			continue;
		}
		if (response.statusCode === 404) return 'absent';
		if (response.statusCode >= 200 && response.statusCode < 300 && !response.invalidJson) {
			const parsed = tryParse(() => {
				const result = adapter.parseSubmit(response.body);
				return { handle: result.handle, state: adapter.parseStatus(response.body, result.handle) };
			});
			return 'value' in parsed ? parsed.value : 'unknown';
		}
		if (!isTransientStatus(response.statusCode)) return 'unknown';
		await pause(Math.max(retryAfterMs(response.headers, Date.now()) ?? 0, backoffMs(attempt, 500, 5000)), rt.signal);
	}
	return 'unknown';
}

/**
 * The submit may or may not have created a (paid) task. Find it by its idempotency key where the
 * provider has one ('absent' means it is safe to send again); otherwise say so — never resubmit.
 */
async function recoverAmbiguousSubmit(
	rt: Runtime,
	request: MotionControlRequest,
	reason: string,
): Promise<SubmitResult | 'resubmit'> {
	const { adapter } = rt;
	if (adapter.capabilities.idempotentSubmit && request.idempotencyKey) {
		const found = await lookupByKey(rt, request.idempotencyKey);
		if (found === 'absent') return 'resubmit';
		if (found !== 'unknown') return found;
	}
	const key = request.idempotencyKey
		? ` Look it up with Get Status and Task ID ${request.idempotencyKey} (the external task id we sent).`
		: ` Check the task list in your ${adapter.displayName} dashboard before running this item again.`;
	throw new TaskFailure(
		`The submit to ${adapter.displayName} has an unknown outcome (${reason}). A task may have been created and billed, so it was not sent again.${key}`,
		{ provider: adapter.id, status: 'unknown', taskId: undefined },
		'api',
	);
}

/** One status request, with the fal-style result step when the provider needs it. */
export async function checkOnce(rt: Runtime, handle: TaskHandle): Promise<HttpOutcome> {
	const { adapter, ctx } = rt;
	const outcome = await send(rt, adapter.buildStatus(handle, ctx));
	if (outcome.kind !== 'ok') return outcome;
	const parsed = tryParse(() => adapter.parseStatus(outcome.response.body, handle));
	if (!('value' in parsed)) return { kind: 'transient', reason: parsed.problem };
	const state = parsed.value;
	if (state.needsResult && adapter.buildResult && adapter.parseResult) {
		const result = await send(rt, adapter.buildResult(handle, ctx), true);
		if (result.kind !== 'ok') return result;
		return { kind: 'state', state: adapter.parseResult(result.response.body, result.response.statusCode) };
	}
	return { kind: 'state', state };
}

export type HttpOutcome =
	| { kind: 'ok'; response: HttpResult }
	| { kind: 'state'; state: TaskState }
	| { kind: 'transient'; reason: string; retryAfter?: number }
	| { kind: 'fatal'; statusCode: number; body: unknown };

async function send(rt: Runtime, spec: RequestSpec, acceptClientErrors = false): Promise<HttpOutcome> {
	const response = await callProvider(rt.fns, rt.adapter, spec, rt.settings.requestTimeoutMs);
	if (response instanceof NetworkError) {
		if (response.failure === 'aborted') throw new CanceledError();
		return { kind: 'transient', reason: response.message };
	}
	const { statusCode } = response;
	if (isTransientStatus(statusCode)) {
		return {
			kind: 'transient',
			reason: `HTTP ${statusCode}`,
			retryAfter: retryAfterMs(response.headers, Date.now()),
		};
	}
	if (response.invalidJson) return { kind: 'transient', reason: 'the answer was not valid JSON' };
	if (statusCode >= 400) {
		// fal answers a failed run's result request with 422: that is the task's outcome.
		if (acceptClientErrors && statusCode !== 401 && statusCode !== 403 && statusCode !== 404) {
			return { kind: 'ok', response };
		}
		return { kind: 'fatal', statusCode, body: response.body };
	}
	return { kind: 'ok', response };
}

/**
 * Polls one task until it ends or the deadline passes. Transient failures (5xx, 429, network,
 * invalid JSON) are retried with backoff and Retry-After; 401/403/404 end the wait at once.
 */
export async function waitForTask(
	rt: Runtime,
	handle: TaskHandle,
	initial: TaskState | undefined,
	deadline: number,
): Promise<TaskState> {
	const { adapter, settings } = rt;
	let last = initial;
	if (last && isTerminal(last)) return last;
	let transientStreak = 0;
	const startedAt = Date.now();
	let delay = firstDelay(settings.pollIntervalMs, last);
	// The early check is shared with the tasks submitted together with this one (EarlyChecks).
	let early: ((verdict: EarlyVerdict) => void) | 'pending' | undefined =
		delay < settings.pollIntervalMs ? 'pending' : undefined;
	for (;;) {
		if (Date.now() + delay > deadline) {
			const wait = deadline - Date.now();
			if (wait > 0) await pause(wait, rt.signal);
			throw timeoutFailure(rt, handle, last);
		}
		await pause(delay, rt.signal);
		if (early === 'pending') {
			const wave = rt.early.join(startedAt);
			early = undefined;
			if (wave.role === 'scout') {
				early = wave.report;
			} else if ((await wave.verdict) === 'running') {
				// The scout is still running: this task, submitted with it, most likely is too.
				delay = Math.max(0, startedAt + settings.pollIntervalMs - Date.now());
				if (delay > 0) continue;
			}
			// Otherwise the scout had ended (or could not tell): check now.
		}
		const outcome = await checkOnce(rt, handle).catch((error: unknown) => {
			if (typeof early === 'function') early('unknown');
			throw error;
		});
		if (typeof early === 'function') {
			early(outcome.kind === 'state' ? (isTerminal(outcome.state) ? 'ended' : 'running') : 'unknown');
			early = undefined;
		}
		if (outcome.kind === 'state') {
			transientStreak = 0;
			last = outcome.state;
			if (isTerminal(last)) return last;
			delay = nextDelay(settings.pollIntervalMs, last, Date.now() - startedAt);
			continue;
		}
		if (outcome.kind === 'fatal') {
			throw apiFailure(adapter, outcome.statusCode, outcome.body, {
				taskId: handle.taskId,
				status: last?.status ?? 'unknown',
				during: 'checking the task status',
			});
		}
		if (outcome.kind === 'transient') {
			transientStreak++;
			delay = Math.max(
				outcome.retryAfter ?? 0,
				Math.min(settings.pollIntervalMs * 4, backoffMs(transientStreak, Math.min(1000, settings.pollIntervalMs), 60_000)),
			);
		}
	}
}

function firstDelay(pollIntervalMs: number, state: TaskState | undefined): number {
	// Poll soon after submit, then settle at the interval; a provider ETA only ever shortens the first wait.
	const soon = Math.min(pollIntervalMs, FIRST_POLL_MAX_MS);
	if (state?.estimatedSeconds && state.estimatedSeconds * 1000 < soon) return state.estimatedSeconds * 1000;
	return soon;
}

/**
 * After the first check: the poll interval, stretched (at most 4×) while the provider's own estimate
 * (EvoLink estimated_time) says the task is far from done, or while it waits deep in a queue (fal).
 */
export function nextDelay(pollIntervalMs: number, state: TaskState, elapsedMs: number): number {
	let delay = pollIntervalMs;
	if (state.estimatedSeconds !== undefined && (state.progress ?? 0) < 100) {
		const remaining = state.estimatedSeconds * 1000 - elapsedMs;
		if (remaining > pollIntervalMs) delay = Math.min(remaining * 0.8, pollIntervalMs * 4);
	} else if (state.queuePosition !== undefined && state.queuePosition > 5) {
		delay = Math.min(pollIntervalMs * (1 + state.queuePosition / 10), pollIntervalMs * 4);
	}
	return Math.max(pollIntervalMs, delay);
}

export function isTerminal(state: TaskState): boolean {
	return state.status === 'completed' || state.status === 'failed' || state.status === 'canceled';
}

function timeoutFailure(rt: Runtime, handle: TaskHandle, last: TaskState | undefined): TaskFailure {
	const minutes = Math.round((rt.settings.timeoutMs / 60000) * 100) / 100;
	return new TaskFailure(
		`Task ${handle.taskId} at ${rt.adapter.displayName} did not finish within the timeout of ${minutes} min (last status: ${last?.status ?? 'unknown'}). ${resumeHint(rt.adapter, handle.taskId)}`,
		{ provider: rt.adapter.id, taskId: handle.taskId, status: last?.status ?? 'unknown' },
		'operation',
		'Raise the Timeout option for long clips, or use Submit + Wait for Completion to wait in a later step.',
	);
}

export function failedTaskFailure(rt: Runtime, handle: TaskHandle, state: TaskState): TaskFailure {
	const reason = state.errorMessage ? `: ${state.errorMessage}` : '';
	const verb = state.status === 'canceled' ? 'was canceled' : 'failed';
	return new TaskFailure(
		`Task ${handle.taskId} at ${rt.adapter.displayName} ${verb}${reason}`,
		{
			provider: rt.adapter.id,
			taskId: handle.taskId,
			status: state.status,
			providerCode: state.errorCode,
			providerMessage: state.errorMessage,
		},
		'api',
	);
}
