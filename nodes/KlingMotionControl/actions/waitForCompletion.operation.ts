import type { IExecuteFunctions } from 'n8n-workflow';

import { failedTaskFailure, waitForTask, type Runtime } from '../engine/tasks';
import { finishedItems, forEachItem, readTaskId, type Outcome } from './context';

/** Waits for existing tasks (all items together) and emits their results. */
export async function execute(rt: Runtime, fns: IExecuteFunctions): Promise<Outcome[]> {
	return await forEachItem(fns, undefined, async (itemIndex) => {
		const handle = { taskId: readTaskId(fns, rt.adapter, itemIndex) };
		const state = await waitForTask(rt, handle, undefined, Date.now() + rt.settings.timeoutMs);
		if (state.status !== 'completed') throw failedTaskFailure(rt, handle, state);
		return { items: await finishedItems(rt, itemIndex, handle, state, {}) };
	});
}
