import type { MotionControlRequest, RequestSpec, SubmitMode, SubmitResult } from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import { RETRY, retryDelayMs, isTransientStatus } from './retry';
import { tryParse, type Runtime } from './runtime';
import { CanceledError, pause } from './schedule';
import { callProvider, NetworkError, retryAfterMs, type HttpResult } from './transport';

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
	let spec = rt.adapter.buildSubmit(request, rt.ctx, mode);
	let firstRefusal: string | undefined;
	for (let attempt = 0; ; attempt++) {
		// A synchronous submit answers when the job ends: give it the rest of the timeout.
		const timeout = spec.longRunning ? Math.max(1000, deadline - Date.now()) : rt.settings.requestTimeoutMs;
		const response = await callProvider(rt.fns, rt.adapter, spec, timeout);
		if (!(response instanceof NetworkError)) {
			if (firstRefusal !== undefined && isValidationRefusal(response)) throw refusedInBothShapes(rt, response, firstRefusal);
			const other = firstRefusal === undefined ? otherShape(rt, request, mode, response) : undefined;
			if (other) {
				// Refused as malformed (400/422): nothing was created, so the other documented shape may go once.
				firstRefusal = rt.adapter.parseError(response.statusCode, response.body).message;
				spec = other;
				continue;
			}
		}
		const outcome =
			response instanceof NetworkError
				? await afterNetworkError(rt, request, spec, response, attempt, deadline)
				: await afterAnswer(rt, request, response, attempt, deadline);
		if (outcome !== 'again') return outcome;
	}
}

type Attempt = SubmitResult | 'again';

/**
 * A validation refusal (HTTP 400/422 — the provider checked the body and created nothing) that the adapter
 * reads as "wrong body shape": the other documented shape, sent once. Never for a 2xx, 408, 429, 5xx or a
 * lost connection, whose outcome may be a task.
 */
function otherShape(rt: Runtime, request: MotionControlRequest, mode: SubmitMode, response: HttpResult): RequestSpec | undefined {
	if (!rt.adapter.otherSubmitShape || !isValidationRefusal(response)) return undefined;
	return rt.adapter.otherSubmitShape(request, rt.ctx, mode, rt.adapter.parseError(response.statusCode, response.body));
}

function isValidationRefusal(response: HttpResult): boolean {
	return response.statusCode === 400 || response.statusCode === 422;
}

/** Both documented shapes refused: say both answers (either may be the one that names the real problem). */
function refusedInBothShapes(rt: Runtime, response: HttpResult, firstRefusal: string): TaskFailure {
	const failure = apiFailure(rt.adapter, response.statusCode, response.body, { during: 'submitting in its other documented body shape' });
	return new TaskFailure(`${failure.message}. The first shape was refused too: ${firstRefusal}. Nothing was submitted.`, failure.details, 'api');
}

/** No HTTP answer: send again only if the request provably never left; otherwise the outcome is unknown. */
async function afterNetworkError(
	rt: Runtime,
	request: MotionControlRequest,
	spec: RequestSpec,
	error: NetworkError,
	attempt: number,
	deadline: number,
): Promise<Attempt> {
	const { adapter } = rt;
	if (error.failure === 'aborted') throw new CanceledError();
	if (error.failure === 'notSent') {
		await waitBeforeRetry(rt, attempt, undefined, deadline, () =>
			new TaskFailure(
				`Could not reach ${adapter.displayName} to submit the task (${error.code ?? error.message}) before the timeout. Nothing was submitted.`,
				{ provider: adapter.id, status: 'notSubmitted' },
				'api',
			),
		);
		return 'again';
	}
	const reason = spec.longRunning
		? `the synchronous request got no answer within the timeout (${error.message}); the generation may still be running`
		: `the connection failed after the request was sent (${error.message})`;
	const recovered = await recoverAmbiguousSubmit(rt, request, reason);
	return recovered === 'resubmit' ? 'again' : recovered;
}

/** An HTTP answer: accepted, refused (429: retried, nothing was created), unknown (5xx), or an error. */
async function afterAnswer(rt: Runtime, request: MotionControlRequest, response: HttpResult, attempt: number, deadline: number): Promise<Attempt> {
	const { adapter } = rt;
	if (response.statusCode >= 200 && response.statusCode < 300) {
		let reason = 'the answer was not valid JSON';
		if (!response.invalidJson) {
			const parsed = tryParse(() => adapter.parseSubmit(response.body));
			if ('value' in parsed) return parsed.value;
			reason = parsed.problem;
		}
		const recovered = await recoverAmbiguousSubmit(rt, request, reason);
		return recovered === 'resubmit' ? 'again' : recovered;
	}
	const providerError = adapter.parseError(response.statusCode, response.body);
	if (response.statusCode === 429 && providerError.retryable !== false) {
		// Refused, not accepted: nothing was created, so sending again cannot double-bill.
		await waitBeforeRetry(rt, attempt, retryAfterMs(response.headers, Date.now()), deadline, () => {
			const failure = apiFailure(adapter, 429, response.body, { during: 'submitting' });
			return new TaskFailure(
				`${failure.message}. ${adapter.displayName} kept refusing new tasks (HTTP 429) until the timeout; nothing was submitted. Lower the Concurrency option or raise Timeout.`,
				failure.details,
				'api',
			);
		});
		return 'again';
	}
	if (response.statusCode >= 500 || response.statusCode === 408) {
		const recovered = await recoverAmbiguousSubmit(rt, request, `HTTP ${response.statusCode}: ${providerError.message}`);
		if (recovered !== 'resubmit') return recovered;
		await pause(retryDelayMs(RETRY.absentSubmit, attempt), rt.signal);
		return 'again';
	}
	if (adapter.capabilities.idempotentSubmit && request.idempotencyKey && response.statusCode === 400) {
		// A re-run of this execution (e.g. "Retry On Fail") is refused as a duplicate key: adopt the task.
		const found = await lookupByKey(rt, request.idempotencyKey);
		if (found !== 'absent' && found !== 'unknown') return found;
	}
	throw apiFailure(adapter, response.statusCode, response.body, { during: 'submitting' });
}

async function waitBeforeRetry(
	rt: Runtime,
	attempt: number,
	retryAfter: number | undefined,
	deadline: number,
	onDeadline: () => TaskFailure,
): Promise<void> {
	const delay = retryDelayMs(RETRY.refusedSubmit, attempt, retryAfter);
	if (Date.now() + delay > deadline) throw onDeadline();
	await pause(delay, rt.signal);
}

export type Lookup = SubmitResult | 'absent' | 'unknown';

/** Finds the task a submit with this idempotency key created ('absent' = provably none). */
export async function lookupByKey(rt: Runtime, key: string): Promise<Lookup> {
	const { adapter, ctx } = rt;
	if (!adapter.buildLookup) return 'unknown';
	for (let attempt = 0; attempt < (RETRY.lookup.attempts ?? 1); attempt++) {
		const response = await callProvider(rt.fns, adapter, adapter.buildLookup(key, ctx), rt.settings.requestTimeoutMs);
		if (response instanceof NetworkError) {
			if (response.failure === 'aborted') throw new CanceledError();
			await pause(retryDelayMs(RETRY.lookup, attempt), rt.signal);
			continue;
		}
		if (response.statusCode === 404) return 'absent';
		if (response.statusCode >= 200 && response.statusCode < 300 && !response.invalidJson) {
			const parsed = tryParse(() => {
				const result = adapter.parseSubmit(response.body);
				return { handle: result.handle, state: adapter.parseStatus(response.body, result.handle, ctx) };
			});
			return 'value' in parsed ? parsed.value : 'unknown';
		}
		if (!isTransientStatus(response.statusCode)) return 'unknown';
		await pause(retryDelayMs(RETRY.lookup, attempt, retryAfterMs(response.headers, Date.now())), rt.signal);
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
		? ` Look it up with Get Status and Task ID ${request.idempotencyKey} (the idempotency key we sent).`
		: ` Check the task list in your ${adapter.displayName} dashboard before running this item again.`;
	const failure = new TaskFailure(
		`The submit to ${adapter.displayName} has an unknown outcome (${reason}). A task may have been created and billed, so it was not sent again (not even by Retry On Fail).${key}`,
		{ provider: adapter.id, status: 'unknown', taskId: undefined },
		'api',
	);
	failure.ambiguousSubmit = true;
	throw failure;
}

