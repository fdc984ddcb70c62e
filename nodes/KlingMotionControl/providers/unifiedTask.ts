import { asNumber, asObject, asString, mapStatus, urlList } from './common';
import type { TaskState, TaskStatus } from './types';

// EvoLink and AIHubMax run the same "unified task" engine:
// `{id, object: "video.generation.task", status, progress, results[], task_info, error}`.
const STATUS: Record<string, TaskStatus> = {
	pending: 'queued',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
	cancelled: 'canceled',
};

export function parseUnifiedTask(body: unknown): TaskState {
	const object = asObject(body);
	const providerStatus = asString(object.status);
	const status = mapStatus(STATUS, providerStatus);
	const videoUrls = urlList(object.results);
	// `completed` may precede `results` (documented): the engine keeps checking while the URLs are missing.
	const error = asObject(object.error);
	const taskInfo = asObject(object.task_info);
	return {
		status,
		providerStatus,
		videoUrls: status === 'completed' ? videoUrls : [],
		errorMessage: asString(error.message) ?? (typeof object.error === 'string' ? object.error : undefined),
		errorCode: asString(error.code),
		progress: asNumber(object.progress),
		estimatedSeconds: asNumber(taskInfo.estimated_time),
		durationSeconds: asNumber(taskInfo.video_duration),
		raw: body,
	};
}
