// The "unified task" object shared by EvoLink and its clone AIHubMax (providers.md §2.3, §2.4):
// {created, id, model, object:"video.generation.task", progress, status, task_info, type:"video", …}.
import type { Engine } from './engine';
import type { EmulatedTask, TaskStatus } from './types';
import { ids, unixSeconds } from './util';

export const UNIFIED_STATUS: Record<TaskStatus, string> = {
	queued: 'pending',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
	canceled: 'cancelled', // appears as a callback trigger only
};

export function unifiedTaskId(): string {
	return `task-unified-${unixSeconds(Date.now())}-${ids.base32(8)}`;
}

export interface UnifiedOptions {
	model: string;
	/** 'absent' drops `results`, 'empty' sends [] (AIHubMax completed-before-results). */
	noResults?: false | 'absent' | 'empty';
	taskInfo: Record<string, unknown>;
	usage?: Record<string, unknown>;
	failure: { code: string; message: string };
}

export function unifiedTask(engine: Engine, task: EmulatedTask, o: UnifiedOptions): Record<string, unknown> {
	const phase = engine.phase(task);
	const out: Record<string, unknown> = {
		created: unixSeconds(task.createdAt),
		id: task.id,
		model: o.model,
		object: 'video.generation.task',
		progress: engine.progress(task),
		status: UNIFIED_STATUS[phase.status],
	};
	if (phase.status === 'completed' && o.noResults !== 'absent') out.results = o.noResults === 'empty' ? [] : task.outputs;
	if (phase.status === 'failed') out.error = o.failure;
	out.task_info = o.taskInfo;
	out.type = 'video';
	if (o.usage) out.usage = o.usage;
	return out;
}
