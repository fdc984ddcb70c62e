import type { INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { cancelTask } from '../engine/cancel';
import { forEachItem, readTaskId, type Outcome } from '../engine/items';
import type { Runtime } from '../engine/runtime';
import { providerIds } from '../providers';
import { taskIdProperty } from './shared.description';

export const option: INodePropertyOptions = {
	name: 'Cancel',
	value: 'cancel',
	description: 'Cancel running tasks',
	action: 'Cancel a motion control task',
	// Offered only where the provider documents a cancel call.
	displayOptions: { show: { '/authentication': providerIds((adapter) => adapter.capabilities.cancel) } },
};

export const description = updateDisplayOptions({ show: { operation: ['cancel'] } }, [taskIdProperty]);

/** Cancels tasks where the provider documents a cancel call; a clear error where it does not. */
export async function execute(rt: Runtime): Promise<Outcome[]> {
	return await forEachItem(rt, undefined, async (itemIndex) => {
		const taskId = readTaskId(rt, itemIndex);
		const result = await cancelTask(rt, taskId);
		return {
			items: [
				{
					json: {
						provider: rt.adapter.id,
						taskId,
						status: result.status,
						canceled: result.accepted,
						message: result.message,
						providerResponse: result.providerResponse,
					},
					pairedItem: { item: itemIndex },
				},
			],
		};
	});
}
