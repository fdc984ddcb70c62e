import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ProviderAdapter, TaskHandle, TaskState } from '../providers/types';
import type { TaskErrorDetails, TaskFailure } from './errors';

export interface TaskMeta {
	quality?: string;
	characterOrientation?: string;
	submittedAt?: string;
	idempotencyKey?: string;
	/** Pre-flight findings and the cost estimate. */
	extra?: IDataObject;
}

/** The json of a result item. Names fixed by the interface: provider, taskId, status, videoUrl(s). */
export function taskJson(
	adapter: ProviderAdapter,
	handle: TaskHandle,
	state: TaskState,
	meta: TaskMeta,
	videoIndex = 0,
): IDataObject {
	const now = new Date();
	const json: IDataObject = {
		provider: adapter.id,
		taskId: handle.taskId,
		status: state.status,
		videoUrl: state.videoUrls[videoIndex] ?? null,
		videoUrls: state.videoUrls,
		providerStatus: state.providerStatus ?? null,
	};
	if (state.videoUrls.length > 1) json.videoIndex = videoIndex;
	if (meta.quality) json.quality = meta.quality;
	if (meta.characterOrientation) json.characterOrientation = meta.characterOrientation;
	if (state.progress !== undefined) json.progress = state.progress;
	if (state.queuePosition !== undefined) json.queuePosition = state.queuePosition;
	if (state.durationSeconds !== undefined) json.durationSeconds = state.durationSeconds;
	if (state.errorMessage) json.errorMessage = state.errorMessage;
	if (state.awaitingOutput) json.note = 'The provider reports the task as completed but has returned no video yet: check again shortly.';
	if (meta.submittedAt) json.submittedAt = meta.submittedAt;
	if (meta.idempotencyKey) json.externalTaskId = meta.idempotencyKey;
	if (meta.extra) Object.assign(json, meta.extra);
	json.checkedAt = now.toISOString();
	if (state.status === 'completed') {
		const hours = adapter.capabilities.outputLifetimeHours;
		// The task's own TTL where the provider reports one (Novita), else the documented retention, from now.
		const ms = state.urlTtlSeconds !== undefined ? state.urlTtlSeconds * 1000 : hours ? hours * 3600_000 : undefined;
		json.urlExpiresAt = ms ? new Date(now.getTime() + ms).toISOString() : null;
	}
	json.providerResponse = (state.raw ?? null) as IDataObject;
	return json;
}

/** One item per output video, all paired with the input item. */
export function resultItems(
	itemIndex: number,
	adapter: ProviderAdapter,
	handle: TaskHandle,
	state: TaskState,
	meta: TaskMeta,
): INodeExecutionData[] {
	const count = Math.max(1, state.videoUrls.length);
	const items: INodeExecutionData[] = [];
	for (let index = 0; index < count; index++) {
		items.push({ json: taskJson(adapter, handle, state, meta, index), pairedItem: { item: itemIndex } });
	}
	return items;
}

/**
 * The continue-on-fail item. Only `error` and `details` at the top of json so n8n routes it to the
 * error output, and no `item.error`, which n8n would use to replace the json (and lose the task id).
 */
export function errorItem(itemIndex: number, failure: TaskFailure): INodeExecutionData {
	const details: TaskErrorDetails = { ...failure.details };
	for (const key of Object.keys(details)) if (details[key] === undefined) delete details[key];
	return { json: { error: failure.message, details }, pairedItem: { item: itemIndex } };
}
