import type { TaskHandle, TaskState } from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import { pollRetryDelayMs } from './retry';
import { resumeHint, type Runtime } from './runtime';
import { cancelTask, canCancel } from './cancel';
import { settle } from './status';

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

/**
 * Waits for one task to end or the deadline to pass. Its status checks come from the run's Poller
 * (one budget, a schedule learned from the run). Transient failures (5xx, 429, network, invalid
 * JSON) are retried with backoff and Retry-After; 401/403/404 end the wait at once.
 */
export async function waitForTask(
	rt: Runtime,
	handle: TaskHandle,
	initial: TaskState | undefined,
	deadline: number,
	clipSeconds?: number,
): Promise<TaskState> {
	let last = initial && settle(initial);
	if (last && isTerminal(last)) return last;
	const task = rt.poller.track(handle, deadline, last, clipSeconds);
	let transientStreak = 0;
	let emptyCompletions = 0;
	try {
		for (;;) {
			const outcome = await rt.poller.next(task);
			if (outcome.kind === 'deadline') throw await timedOut(rt, handle, last);
			if (outcome.kind === 'state') {
				transientStreak = 0;
				last = outcome.state;
				if (isTerminal(last)) return last;
				emptyCompletions = last.awaitingOutput ? emptyCompletions + 1 : 0;
				if (emptyCompletions >= EMPTY_COMPLETION_CHECKS) throw noOutputFailure(rt, handle, last);
			} else if (outcome.kind === 'fatal') {
				throw apiFailure(rt.adapter, outcome.statusCode, outcome.body, {
					taskId: handle.taskId,
					status: last?.status ?? 'unknown',
					during: 'checking the task status',
				});
			} else if (outcome.kind === 'transient') {
				task.retryAt = Date.now() + pollRetryDelayMs(rt.settings.pollIntervalMs, ++transientStreak, outcome.retryAfter);
			}
		}
	} finally {
		rt.poller.untrack(task);
	}
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
