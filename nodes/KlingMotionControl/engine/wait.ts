import type { TaskHandle, TaskState } from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import { pollRetryDelayMs } from './retry';
import { FIRST_POLL_MAX_MS, resumeHint, type Runtime } from './runtime';
import { pause, type EarlyVerdict } from './schedule';
import { cancelTask, canCancel } from './cancel';
import { checkOnce, settle } from './status';

/**
 * How many answers of "completed" without a video to wait through. Providers document that the
 * result can lag its status by a moment (one more check finds it); three answers in a row, a poll
 * interval apart, mean it will not come: the item fails then, with the task id, instead of waiting
 * out the whole Timeout or emitting a "completed" item with no video.
 */
const EMPTY_COMPLETION_CHECKS = 3;

function noOutputFailure(rt: Runtime, handle: TaskHandle, state: TaskState): TaskFailure {
	const raw = JSON.stringify(state.raw ?? null).slice(0, 300);
	return new TaskFailure(
		`Task ${handle.taskId} at ${rt.adapter.displayName} reports "${state.providerStatus ?? 'completed'}" but has no output video after ${EMPTY_COMPLETION_CHECKS} checks (last answer: ${raw}). ${resumeHint(rt.adapter, handle.taskId)}`,
		{ provider: rt.adapter.id, taskId: handle.taskId, status: 'failed', providerStatus: state.providerStatus },
		'api',
	);
}

type Report = (verdict: EarlyVerdict) => void;

/**
 * The early check is shared with the tasks submitted together with this one (EarlyChecks): the scout
 * checks and reports; the others wait for its verdict and, if it is still running, skip their early check.
 */
async function joinEarlyWave(rt: Runtime, startedAt: number): Promise<{ report?: Report; skipMs?: number }> {
	const wave = rt.early.join(startedAt);
	if (wave.role === 'scout') return { report: wave.report };
	if ((await wave.verdict) !== 'running') return {};
	// The scout is still running: this task, submitted with it, most likely is too.
	return { skipMs: Math.max(0, startedAt + rt.settings.pollIntervalMs - Date.now()) };
}

async function checkAndReport(rt: Runtime, handle: TaskHandle, report: Report | undefined) {
	const outcome = await checkOnce(rt, handle).catch((error: unknown) => {
		report?.('unknown');
		throw error;
	});
	report?.(outcome.kind === 'state' ? (isTerminal(outcome.state) ? 'ended' : 'running') : 'unknown');
	return outcome;
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
	let last = initial && settle(initial);
	if (last && isTerminal(last)) return last;
	let transientStreak = 0;
	let emptyCompletions = 0;
	const startedAt = Date.now();
	let delay = firstDelay(settings.pollIntervalMs, last);
	let early = delay < settings.pollIntervalMs;
	for (;;) {
		if (Date.now() + delay > deadline) {
			const wait = deadline - Date.now();
			if (wait > 0) await pause(wait, rt.signal);
			throw await timedOut(rt, handle, last);
		}
		await pause(delay, rt.signal);
		let report: Report | undefined;
		if (early) {
			early = false;
			const wave = await joinEarlyWave(rt, startedAt);
			report = wave.report;
			delay = wave.skipMs ?? 0;
			if (delay > 0) continue;
		}
		const outcome = await checkAndReport(rt, handle, report);
		if (outcome.kind === 'state') {
			transientStreak = 0;
			last = outcome.state;
			if (isTerminal(last)) return last;
			emptyCompletions = last.awaitingOutput ? emptyCompletions + 1 : 0;
			if (emptyCompletions >= EMPTY_COMPLETION_CHECKS) throw noOutputFailure(rt, handle, last);
			delay = nextDelay(settings.pollIntervalMs, last, Date.now() - startedAt);
		} else if (outcome.kind === 'fatal') {
			throw apiFailure(adapter, outcome.statusCode, outcome.body, {
				taskId: handle.taskId,
				status: last?.status ?? 'unknown',
				during: 'checking the task status',
			});
		} else if (outcome.kind === 'transient') {
			delay = pollRetryDelayMs(settings.pollIntervalMs, ++transientStreak, outcome.retryAfter);
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
 * (an ETA) says the task is far from done, or while it waits deep in a queue.
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

/** The Timeout ended the wait: cancel the task where asked and possible, and say which happened. */
async function timedOut(rt: Runtime, handle: TaskHandle, last: TaskState | undefined): Promise<TaskFailure> {
	if (!rt.settings.cancelOnTimeout) return timeoutFailure(rt, handle, last);
	if (!canCancel(rt)) {
		return timeoutFailure(rt, handle, last, `${rt.adapter.displayName} cannot cancel tasks, so Cancel on Timeout could not stop it.`);
	}
	const canceled = await cancelTask(rt, handle.taskId).then(
		(result) => (result.accepted ? undefined : `The cancel was not accepted (${result.message}).`),
		(error: unknown) => `The cancel failed (${error instanceof Error ? error.message : String(error)}).`,
	);
	if (canceled !== undefined) return timeoutFailure(rt, handle, last, canceled);
	const minutes = Math.round((rt.settings.timeoutMs / 60000) * 100) / 100;
	return new TaskFailure(
		`Task ${handle.taskId} at ${rt.adapter.displayName} did not finish within the timeout of ${minutes} min and was canceled (Cancel on Timeout is on).`,
		{ provider: rt.adapter.id, taskId: handle.taskId, status: 'canceled', canceledOnTimeout: true },
		'operation',
		'Raise the Timeout option for long clips.',
	);
}

function timeoutFailure(rt: Runtime, handle: TaskHandle, last: TaskState | undefined, note?: string): TaskFailure {
	const minutes = Math.round((rt.settings.timeoutMs / 60000) * 100) / 100;
	return new TaskFailure(
		`Task ${handle.taskId} at ${rt.adapter.displayName} did not finish within the timeout of ${minutes} min (last status: ${last?.status ?? 'unknown'}).${note ? ` ${note}` : ''} ${resumeHint(rt.adapter, handle.taskId)}`,
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
