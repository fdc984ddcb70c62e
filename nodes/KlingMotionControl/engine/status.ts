import type { RequestSpec, TaskHandle, TaskState } from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import { isTransientStatus, RETRY, retryDelayMs } from './retry';
import { Poller } from './polling';
import { tryParse, type Runtime } from './runtime';
import { CanceledError, pause } from './schedule';
import { callProvider, NetworkError, retryAfterMs, type HttpResult } from './transport';

/** The run's poller: the user's status budget, within the provider's documented limit. */
export function newPoller(rt: Omit<Runtime, 'poller'>): Poller {
	const documented = rt.adapter.capabilities.statusRate?.perSecond;
	return new Poller({
		pollIntervalMs: rt.settings.pollIntervalMs,
		perSecond: documented === undefined ? rt.settings.statusRate : Math.min(documented, rt.settings.statusRate),
		signal: rt.signal,
		check: async (handle) => await checkOnce(rt, handle),
		list: rt.adapter.statusList && {
			maxTasks: rt.adapter.statusList.maxTasks,
			run: async (handles) => await listOnce(rt, handles),
		},
	});
}

/** One list request for many tasks (the adapter's documented list endpoint); undefined if it failed. */
async function listOnce(rt: Omit<Runtime, 'poller'>, handles: TaskHandle[]): Promise<Map<string, TaskState> | undefined> {
	const list = rt.adapter.statusList!;
	const outcome = await send(rt, list.build(handles, rt.ctx));
	if (outcome.kind !== 'ok') return undefined;
	const parsed = tryParse(() => list.parse(outcome.response.body, handles, rt.ctx));
	return 'value' in parsed ? parsed.value : undefined;
}

/** One status request, and the follow-up request the adapter asks for (a separate result endpoint). */
export async function checkOnce(rt: Omit<Runtime, 'poller'>, handle: TaskHandle): Promise<HttpOutcome> {
	const { adapter, ctx } = rt;
	const outcome = await send(rt, adapter.buildStatus(handle, ctx));
	if (outcome.kind !== 'ok') return outcome;
	const parsed = tryParse(() => adapter.parseStatus(outcome.response.body, handle, ctx));
	if (!('value' in parsed)) return { kind: 'transient', reason: parsed.problem };
	const { followUp } = parsed.value;
	if (!followUp) return { kind: 'state', state: settle(parsed.value) };
	const result = await send(rt, followUp.request, followUp.clientErrorsAreAnswers === true);
	if (result.kind !== 'ok') return result;
	const final = tryParse(() => followUp.parse(result.response.body, result.response.statusCode));
	return 'value' in final ? { kind: 'state', state: settle(final.value) } : { kind: 'transient', reason: final.problem };
}

/** "Completed" without a video is not completed: a completed item always carries a video. */
export function settle(state: TaskState): TaskState {
	if (state.status !== 'completed' || state.videoUrls.length > 0) return state;
	return { ...state, status: 'processing', awaitingOutput: true };
}

export type HttpOutcome =
	| { kind: 'ok'; response: HttpResult }
	| { kind: 'state'; state: TaskState }
	| { kind: 'transient'; reason: string; retryAfter?: number }
	| { kind: 'fatal'; statusCode: number; body: unknown };

export async function send(rt: Omit<Runtime, 'poller'>, spec: RequestSpec, acceptClientErrors = false): Promise<HttpOutcome> {
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
		// Where the adapter says so, a client error of a follow-up request is the task's outcome.
		if (acceptClientErrors && statusCode !== 401 && statusCode !== 403 && statusCode !== 404) {
			return { kind: 'ok', response };
		}
		return { kind: 'fatal', statusCode, body: response.body };
	}
	return { kind: 'ok', response };
}


/** One answer about a task (Get Status, Cancel's report): a few tries through transient errors. */
export async function statusNow(rt: Runtime, handle: TaskHandle): Promise<TaskState> {
	for (let attempt = 0; ; attempt++) {
		await rt.poller.slot();
		const outcome = await checkOnce(rt, handle);
		if (outcome.kind === 'state') return outcome.state;
		if (outcome.kind === 'fatal') {
			throw apiFailure(rt.adapter, outcome.statusCode, outcome.body, {
				taskId: handle.taskId,
				during: 'checking the task status',
			});
		}
		if (outcome.kind !== 'transient') continue;
		if (attempt + 1 >= (RETRY.statusCheck.attempts ?? 1)) {
			throw new TaskFailure(
				`Could not read the status of task ${handle.taskId} at ${rt.adapter.displayName} (${outcome.reason}); try again later.`,
				{ provider: rt.adapter.id, taskId: handle.taskId, status: 'unknown' },
				'api',
			);
		}
		await pause(retryDelayMs(RETRY.statusCheck, attempt, outcome.retryAfter), rt.signal);
	}
}
