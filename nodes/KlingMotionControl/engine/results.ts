import type { INodeExecutionData } from 'n8n-workflow';

import type { TaskHandle, TaskState } from '../providers/types';
import { downloadVideo } from './download';
import { resultItems, type TaskMeta } from './output';
import { DEFAULTS, options } from './settings';
import type { Runtime } from './runtime';

/** Result items of a task, with the videos streamed into binary storage when asked. */
export async function finishedItems(
	rt: Runtime,
	itemIndex: number,
	handle: TaskHandle,
	state: TaskState,
	meta: TaskMeta,
): Promise<INodeExecutionData[]> {
	const items = resultItems(itemIndex, rt.adapter, handle, state, meta);
	const itemOptions = options(rt.fns, itemIndex);
	if (state.status !== 'completed' || itemOptions.downloadVideo !== true) return items;
	const property = String(itemOptions.binaryPropertyName || DEFAULTS.binaryPropertyName);
	for (const [index, item] of items.entries()) {
		const url = state.videoUrls[index];
		const suffix = state.videoUrls.length > 1 ? `-${index + 1}` : '';
		const fileName = `kling-motion-control-${handle.taskId}${suffix}.mp4`.replace(/[^\w.-]+/g, '_');
		const binary = await downloadVideo(rt.fns, rt.adapter, url, handle.taskId, fileName, rt.ctx);
		item.binary = { [property]: binary };
	}
	return items;
}
