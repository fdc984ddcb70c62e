import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem, readTaskId, type Outcome } from '../engine/items';
import { finishedItems } from '../engine/results';
import type { Runtime } from '../engine/runtime';
import { failedTaskFailure, waitForTask } from '../engine/wait';
import { binaryPropertyName, cancelOnTimeout, downloadVideo, pollInterval, statusRate, taskIdProperty, timeout } from './shared.description';

export const option: INodePropertyOptions = {
	name: 'Wait for Completion',
	value: 'waitForCompletion',
	description: 'Wait for existing tasks and return their videos',
	action: 'Wait for a motion control task to finish',
};

const properties: INodeProperties[] = [
	taskIdProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [cancelOnTimeout, downloadVideo, pollInterval, binaryPropertyName, statusRate, timeout],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['waitForCompletion'] } }, properties);

/** Waits for existing tasks (all items together) and emits their results. */
export async function execute(rt: Runtime): Promise<Outcome[]> {
	return await forEachItem(rt, undefined, async (itemIndex) => {
		const handle = { taskId: readTaskId(rt, itemIndex) };
		const state = await waitForTask(rt, handle, undefined, Date.now() + rt.settings.timeoutMs);
		if (state.status !== 'completed') throw failedTaskFailure(rt, handle, state);
		return { items: await finishedItems(rt, itemIndex, handle, state, {}) };
	});
}
