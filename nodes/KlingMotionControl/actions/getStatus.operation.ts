import type { IExecuteFunctions } from 'n8n-workflow';

import { apiFailure, TaskFailure } from '../engine/errors';
import { backoffMs, pause } from '../engine/schedule';
import { checkOnce, type Runtime } from '../engine/tasks';
import { finishedItems, forEachItem, readTaskId, type Outcome } from './context';

const ATTEMPTS = 3;

/** One status check per item. A failed task is a normal item here (status "failed"), not an error. */
export async function execute(rt: Runtime, fns: IExecuteFunctions): Promise<Outcome[]> {
	return await forEachItem(fns, undefined, async (itemIndex) => {
		const handle = { taskId: readTaskId(fns, rt.adapter, itemIndex) };
		for (let attempt = 0; ; attempt++) {
			const outcome = await checkOnce(rt, handle);
			if (outcome.kind === 'state') {
				return { items: await finishedItems(rt, itemIndex, handle, outcome.state, {}) };
			}
			if (outcome.kind === 'fatal') {
				throw apiFailure(rt.adapter, outcome.statusCode, outcome.body, {
					taskId: handle.taskId,
					during: 'checking the task status',
				});
			}
			if (outcome.kind === 'transient' && attempt + 1 >= ATTEMPTS) {
				throw new TaskFailure(
					`Could not read the status of task ${handle.taskId} at ${rt.adapter.displayName} (${outcome.reason}); try again later.`,
					{ provider: rt.adapter.id, taskId: handle.taskId, status: 'unknown' },
					'api',
				);
			}
			if (outcome.kind === 'transient') {
				await pause(Math.max(outcome.retryAfter ?? 0, backoffMs(attempt, 500, 5000)), rt.signal);
			}
		}
	});
}
