import type { IExecuteFunctions } from 'n8n-workflow';

import { resultItems } from '../engine/output';
import { Slots } from '../engine/schedule';
import { submitTask, type Runtime } from '../engine/tasks';
import { forEachItem, trackedSubmit, type Outcome } from './context';
import { prepareRequests } from './request';

/** Submits every item's task and emits it at once (status queued/processing) with its task id. */
export async function execute(rt: Runtime, fns: IExecuteFunctions, concurrency: number): Promise<Outcome[]> {
	const requests = await prepareRequests(rt);
	const slots = new Slots(concurrency);
	return await forEachItem(fns, slots, async (itemIndex) => {
		const read = requests[itemIndex];
		if ('failure' in read) return read;
		const submittedAt = new Date().toISOString();
		const submitted = await trackedSubmit(rt, itemIndex, read.request.idempotencyKey, () =>
			submitTask(rt, read.request, 'submitOnly', Date.now() + rt.settings.timeoutMs),
		);
		const state = submitted.state ?? { status: 'queued' as const, videoUrls: [], raw: null };
		return {
			items: resultItems(itemIndex, rt.adapter, submitted.handle, state, { ...read.meta, submittedAt }),
		};
	});
}
