import type { MotionControlRequest, SubmitMode, SubmitResult } from '../providers/types';
import { TaskFailure } from './errors';
import type { Runtime } from './runtime';
import { lookupByKey, submitTask } from './submit';

/**
 * What a run of the node learnt about each item's submit, kept for the execution. n8n's "Retry On
 * Fail" (and any second run of the node in the same execution) runs the node again from scratch:
 * without this, an item whose submit created a task (or may have) would buy a second one. An item
 * seen before adopts its task; one whose submit had an unknown outcome is looked up where the
 * provider can be asked, and otherwise fails again with the same "may exist" error.
 */
type Memo = { at: number; result: SubmitResult } | { at: number; ambiguous: TaskFailure };

const memory = new Map<string, Memo>();
const MAX_ENTRIES = 20_000;
const MAX_AGE_MS = 24 * 3600_000;

function remember(key: string, memo: Memo): void {
	memory.delete(key);
	memory.set(key, memo);
	for (const [oldest, entry] of memory) {
		if (memory.size <= MAX_ENTRIES && memo.at - entry.at < MAX_AGE_MS) break;
		memory.delete(oldest);
	}
}

function hash(text: string): string {
	let h = 5381;
	for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
	return h.toString(36);
}

/** Execution, node, item and the request itself: a loop that sends other inputs through the node is not a retry. */
function keyOf(rt: Runtime, itemIndex: number, request: MotionControlRequest): string | undefined {
	const executionId = rt.fns.getExecutionId();
	if (!executionId) return undefined;
	const node = rt.fns.getNode();
	const inputs = JSON.stringify({ ...request, idempotencyKey: undefined });
	return `${executionId}|${node.id ?? node.name}|${rt.adapter.id}|${itemIndex}|${hash(inputs)}`;
}

/** Submits an item's task once per execution, however often n8n runs the node. */
export async function submitOnce(
	rt: Runtime,
	itemIndex: number,
	request: MotionControlRequest,
	mode: SubmitMode,
	deadline: number,
): Promise<SubmitResult & { adopted?: boolean }> {
	const key = keyOf(rt, itemIndex, request);
	const prior = key ? memory.get(key) : undefined;
	if (prior && 'result' in prior) return { ...prior.result, adopted: true };
	if (prior && 'ambiguous' in prior) {
		// Where the provider can be asked (an idempotency key), ask; 'absent' proves no task exists.
		const found = request.idempotencyKey ? await lookupByKey(rt, request.idempotencyKey) : 'unknown';
		if (found === 'unknown') throw prior.ambiguous;
		if (found !== 'absent') {
			if (key) remember(key, { at: Date.now(), result: found });
			return { ...found, adopted: true };
		}
	}
	const outcome = await submitTask(rt, request, mode, deadline).then(
		(result) => ({ result }),
		(error: unknown) => ({ error }),
	);
	if ('result' in outcome) {
		if (key) remember(key, { at: Date.now(), result: outcome.result });
		return outcome.result;
	}
	if (key && outcome.error instanceof TaskFailure && outcome.error.ambiguousSubmit) {
		remember(key, { at: Date.now(), ambiguous: outcome.error });
	}
	throw outcome.error;
}
