import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { downloadVideo } from '../engine/download';
import { TaskFailure } from '../engine/errors';
import { resultItems, type TaskMeta } from '../engine/output';
import { param } from '../engine/params';
import { CanceledError, type Slots } from '../engine/schedule';
import type { EngineSettings, Runtime } from '../engine/tasks';
import type { ProviderAdapter, SubmitResult, TaskHandle, TaskState } from '../providers/types';

/** What an operation returns for one input item: its output items, or why it failed. */
export type Outcome = { items: INodeExecutionData[] } | { failure: TaskFailure } | { canceled: true };

export const DEFAULTS = {
	pollInterval: 10,
	timeout: 30,
	concurrency: 20,
	binaryPropertyName: 'data',
};

function positive(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

// Resolving a parameter runs n8n's expression engine: read each item's options once per execution.
const optionsCache = new WeakMap<IExecuteFunctions, Map<number, IDataObject>>();

export function options(fns: IExecuteFunctions, itemIndex: number): IDataObject {
	let perItem = optionsCache.get(fns);
	if (!perItem) optionsCache.set(fns, (perItem = new Map()));
	let value = perItem.get(itemIndex);
	if (!value) perItem.set(itemIndex, (value = param<IDataObject>(fns, 'options', itemIndex, {})));
	return value;
}

/** Run-wide engine settings, read from the first item's options. */
export function engineSettings(fns: IExecuteFunctions): EngineSettings & { concurrency: number } {
	const first = options(fns, 0);
	const pollIntervalMs = positive(first.pollInterval, DEFAULTS.pollInterval) * 1000;
	return {
		pollIntervalMs,
		timeoutMs: positive(first.timeout, DEFAULTS.timeout) * 60_000,
		requestTimeoutMs: 120_000,
		concurrency: Math.floor(positive(first.concurrency, DEFAULTS.concurrency)),
	};
}

/** Runs `work` for every item at once (bounded by `slots`), keeping outcomes in item order. */
export async function forEachItem(
	fns: IExecuteFunctions,
	slots: Slots | undefined,
	work: (itemIndex: number) => Promise<Outcome>,
): Promise<Outcome[]> {
	const count = fns.getInputData().length;
	return await Promise.all(
		Array.from({ length: count }, async (_, itemIndex): Promise<Outcome> => {
			if (slots) await slots.acquire();
			const outcome = await work(itemIndex).then(
				(result): Outcome => result,
				(error: unknown): Outcome => {
					if (error instanceof TaskFailure) return { failure: error };
					if (error instanceof CanceledError) return { canceled: true };
					// A bug, not a provider answer: still an error of this item, never a lost batch.
					return {
						failure: new TaskFailure(
							`Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
							{ provider: String(fns.getNodeParameter('authentication', 0)), status: 'unknown' },
							'operation',
						),
					};
				},
			);
			if (slots) slots.release();
			return outcome;
		}),
	);
}

export function readTaskId(fns: IExecuteFunctions, adapter: ProviderAdapter, itemIndex: number): string {
	const value = param<unknown>(fns, 'taskId', itemIndex, '');
	const taskId = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!taskId) {
		throw new TaskFailure(
			'Task ID is empty: map the task id of an earlier Submit (e.g. {{ $json.taskId }}) into Task ID',
			{ provider: adapter.id, status: 'notSubmitted' },
			'operation',
		);
	}
	return taskId;
}

/** Result items of a finished task, with the videos streamed into binary storage when asked. */
export async function finishedItems(
	rt: Runtime,
	itemIndex: number,
	handle: TaskHandle,
	state: TaskState,
	meta: TaskMeta,
): Promise<INodeExecutionData[]> {
	const items = resultItems(itemIndex, rt.adapter, handle, state, meta);
	const itemOptions = options(rt.fns, itemIndex);
	if (state.status !== 'completed' || itemOptions.downloadVideo !== true) return items;
	const property = String(itemOptions.binaryPropertyName || DEFAULTS.binaryPropertyName);
	for (const [index, item] of items.entries()) {
		const url = state.videoUrls[index];
		const suffix = state.videoUrls.length > 1 ? `-${index + 1}` : '';
		const fileName = `kling-motion-control-${handle.taskId}${suffix}.mp4`.replace(/[^\w.-]+/g, '_');
		const binary = await downloadVideo(rt.fns, rt.adapter, url, handle.taskId, fileName);
		item.binary = { [property]: binary };
	}
	return items;
}

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

export async function trackedSubmit(
	rt: Runtime,
	itemIndex: number,
	externalTaskId: string | undefined,
	submit: () => Promise<SubmitResult>,
): Promise<SubmitResult> {
	let log = submitLogs.get(rt);
	if (!log) submitLogs.set(rt, (log = { lines: [], inFlight: 0 }));
	const state = log;
	state.inFlight++;
	const result = await submit().finally(() => state.inFlight--);
	rt.journal.set(itemIndex, result.handle.taskId);
	state.lines.push(`item ${itemIndex} → task ${result.handle.taskId}${externalTaskId ? ` (external_task_id ${externalTaskId})` : ''}`);
	if (state.inFlight === 0 || state.lines.length >= 10) flushSubmitLog(rt, state);
	return result;
}
