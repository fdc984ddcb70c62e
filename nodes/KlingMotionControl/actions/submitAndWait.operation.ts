import type { INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { TaskFailure } from '../engine/errors';
import { forEachItem, type Outcome } from '../engine/items';
import { clipSeconds, prepareRequests } from '../engine/requests';
import { finishedItems } from '../engine/results';
import type { Runtime } from '../engine/runtime';
import { submitOnce } from '../engine/submitMemory';
import { trackedSubmit } from '../engine/submitLog';
import { failedTaskFailure, waitForTask } from '../engine/wait';
import { taskInputs, taskOptions } from './shared.description';

export const option: INodePropertyOptions = {
	name: 'Submit and Wait for Completion',
	value: 'submitAndWait',
	description: 'Start a task per item, wait until all are done, return the videos',
	action: 'Animate an image with the motion of a video',
};

export const description = updateDisplayOptions({ show: { operation: ['submitAndWait'] } }, [...taskInputs(), taskOptions(true)]);

/**
 * Submits every item's task (at most Concurrency in flight) and waits for all of them together:
 * a batch takes about as long as its slowest task, not the sum of them.
 */
export async function execute(rt: Runtime): Promise<Outcome[]> {
	const requests = await prepareRequests(rt);
	return await forEachItem(rt, rt.settings.concurrency, async (itemIndex) => {
		const read = requests[itemIndex];
		if ('failure' in read) return read;
		const deadline = Date.now() + rt.settings.timeoutMs;
		const submittedAt = new Date().toISOString();
		const submitted = await trackedSubmit(rt, itemIndex, read.request.idempotencyKey, () =>
			submitOnce(rt, itemIndex, read.request, 'wait', deadline),
		);
		const meta = { ...read.meta, submittedAt };
		const state = await waitForTask(rt, submitted.handle, submitted.state, deadline, clipSeconds(read)).catch((error) => {
			if (error instanceof TaskFailure) error.details.taskId ??= submitted.handle.taskId;
			throw error;
		});
		if (state.status !== 'completed') throw failedTaskFailure(rt, submitted.handle, state);
		return { items: await finishedItems(rt, itemIndex, submitted.handle, state, meta) };
	});
}
