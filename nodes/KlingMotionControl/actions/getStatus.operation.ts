import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { forEachItem, readTaskId, type Outcome } from '../engine/items';
import { finishedItems } from '../engine/results';
import type { Runtime } from '../engine/runtime';
import { statusNow } from '../engine/status';
import { binaryPropertyName, downloadVideo, statusRate, taskIdProperty } from './shared.description';

export const option: INodePropertyOptions = {
	name: 'Get Status',
	value: 'getStatus',
	description: 'Check tasks once and return their current state',
	action: 'Get the status of a motion control task',
};

const properties: INodeProperties[] = [
	taskIdProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [downloadVideo, binaryPropertyName, statusRate],
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getStatus'] } }, properties);

/** One status check per item. A failed task is a normal item here (status "failed"), not an error. */
export async function execute(rt: Runtime): Promise<Outcome[]> {
	return await forEachItem(rt, undefined, async (itemIndex) => {
		const handle = { taskId: readTaskId(rt, itemIndex) };
		const state = await statusNow(rt, handle);
		return { items: await finishedItems(rt, itemIndex, handle, state, {}) };
	});
}
