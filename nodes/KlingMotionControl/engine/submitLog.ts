import type { SubmitResult } from '../providers/types';
import type { Runtime } from './runtime';

/**
 * Every paid task goes to n8n's log as soon as it exists: if the process dies while waiting (a killed
 * queue-mode worker), the task id is still recoverable from the log. Lines are grouped (one line for
 * up to 10 tasks, written whenever no other submit is under way) because a log line per item would
 * cost more CPU than the item's own HTTP calls.
 */
const submitLogs = new WeakMap<Runtime, { lines: string[]; inFlight: number }>();

function flushSubmitLog(rt: Runtime, log: { lines: string[] }): void {
	if (!log.lines.length) return;
	rt.fns.logger.info(`Kling Motion Control: submitted to ${rt.adapter.displayName}: ${log.lines.join('; ')}`, {
		executionId: rt.fns.getExecutionId(),
		node: rt.fns.getNode().name,
		provider: rt.adapter.id,
	});
	log.lines = [];
}

/** Submits, then records the task id in the run's journal and n8n's log. */
export async function trackedSubmit(
	rt: Runtime,
	itemIndex: number,
	idempotencyKey: string | undefined,
	submit: () => Promise<SubmitResult>,
): Promise<SubmitResult> {
	let log = submitLogs.get(rt);
	if (!log) submitLogs.set(rt, (log = { lines: [], inFlight: 0 }));
	const state = log;
	state.inFlight++;
	const result = await submit().finally(() => state.inFlight--);
	rt.journal.set(itemIndex, result.handle.taskId);
	state.lines.push(`item ${itemIndex} → task ${result.handle.taskId}${idempotencyKey ? ` (idempotency key ${idempotencyKey})` : ''}`);
	if (state.inFlight === 0 || state.lines.length >= 10) flushSubmitLog(rt, state);
	return result;
}
