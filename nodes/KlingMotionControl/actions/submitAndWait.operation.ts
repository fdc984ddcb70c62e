import type { IExecuteFunctions } from 'n8n-workflow';

import { TaskFailure } from '../engine/errors';
import { Slots } from '../engine/schedule';
import { failedTaskFailure, submitTask, waitForTask, type Runtime } from '../engine/tasks';
import { finishedItems, forEachItem, trackedSubmit, type Outcome } from './context';
import { prepareRequests } from './request';

/**
 * Submits every item's task (at most `concurrency` in flight) and waits for all of them together:
 * a batch takes about as long as its slowest task, not the sum of them.
 */
export async function execute(rt: Runtime, fns: IExecuteFunctions, concurrency: number): Promise<Outcome[]> {
	const requests = await prepareRequests(rt);
	const slots = new Slots(concurrency);
	return await forEachItem(fns, slots, async (itemIndex) => {
		const read = requests[itemIndex];
		if ('failure' in read) return read;
		const deadline = Date.now() + rt.settings.timeoutMs;
		const submittedAt = new Date().toISOString();
		const submitted = await trackedSubmit(rt, itemIndex, read.request.idempotencyKey, () =>
			submitTask(rt, read.request, 'wait', deadline),
		);
		const meta = { ...read.meta, submittedAt };
		const state = await waitForTask(rt, submitted.handle, submitted.state, deadline).catch((error) => {
			if (error instanceof TaskFailure) error.details.taskId ??= submitted.handle.taskId;
			throw error;
		});
		if (state.status !== 'completed') throw failedTaskFailure(rt, submitted.handle, state);
		return { items: await finishedItems(rt, itemIndex, submitted.handle, state, meta) };
	});
}
