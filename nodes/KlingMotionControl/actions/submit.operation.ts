import type { INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem, type Outcome } from '../engine/items';
import { resultItems } from '../engine/output';
import { prepareRequests } from '../engine/requests';
import type { Runtime } from '../engine/runtime';
import { settle } from '../engine/status';
import { submitOnce } from '../engine/submitMemory';
import { trackedSubmit } from '../engine/submitLog';
import { taskInputs, taskOptions } from './shared.description';

export const option: INodePropertyOptions = {
	name: 'Submit',
	value: 'submit',
	description: 'Start a task per item and return its task ID at once',
	action: 'Submit a motion control task',
};

export const description = updateDisplayOptions({ show: { operation: ['submit'] } }, [...taskInputs(), taskOptions(false)]);

/** Submits every item's task and emits it at once (status queued/processing) with its task id. */
export async function execute(rt: Runtime): Promise<Outcome[]> {
	const requests = await prepareRequests(rt);
	return await forEachItem(rt, rt.settings.concurrency, async (itemIndex) => {
		const read = requests[itemIndex];
		if ('failure' in read) return read;
		const submittedAt = new Date().toISOString();
		const submitted = await trackedSubmit(rt, itemIndex, read.request.idempotencyKey, () =>
			submitOnce(rt, itemIndex, read.request, 'submitOnly', Date.now() + rt.settings.timeoutMs),
		);
		const state = settle(submitted.state ?? { status: 'queued', videoUrls: [], raw: null });
		return {
			items: resultItems(itemIndex, rt.adapter, submitted.handle, state, { ...read.meta, submittedAt }),
		};
	});
}
