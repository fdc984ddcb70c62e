import type { INodeExecutionData } from 'n8n-workflow';

import { TaskFailure } from './errors';
import { param } from './params';
import { CanceledError, Slots } from './schedule';
import type { Runtime } from './runtime';

/** What an operation returns for one input item: its output items, or why it failed. */
export type Outcome = { items: INodeExecutionData[] } | { failure: TaskFailure } | { canceled: true };

/** Runs `work` for every item at once (at most `limit` at a time), keeping outcomes in item order. */
export async function forEachItem(
	rt: Runtime,
	limit: number | undefined,
	work: (itemIndex: number) => Promise<Outcome>,
): Promise<Outcome[]> {
	const count = rt.fns.getInputData().length;
	const slots = limit ? new Slots(limit) : undefined;
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
							{ provider: rt.adapter.id, status: 'unknown' },
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

export function readTaskId(rt: Runtime, itemIndex: number): string {
	const value = param<unknown>(rt.fns, 'taskId', itemIndex, '');
	const taskId = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!taskId) {
		throw new TaskFailure(
			'Task ID is empty: map the task id of an earlier Submit (e.g. {{ $json.taskId }}) into Task ID',
			{ provider: rt.adapter.id, status: 'notSubmitted' },
			'operation',
		);
	}
	return taskId;
}
