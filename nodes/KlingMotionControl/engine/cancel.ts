import type { IDataObject } from 'n8n-workflow';

import { providerNames } from '../providers';
import type { TaskStatus } from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import type { Runtime } from './runtime';
import { CanceledError } from './schedule';
import { checkOnce } from './status';
import { callProvider, NetworkError } from './transport';

export interface CancelResult {
	accepted: boolean;
	message: string;
	/** `canceled` when accepted; otherwise the task's real state (already finished…), or unknown. */
	status: TaskStatus | 'unknown';
	providerResponse: IDataObject | null;
}

export function canCancel(rt: Runtime): boolean {
	return rt.adapter.capabilities.cancel && !!rt.adapter.buildCancel && !!rt.adapter.parseCancel;
}

/** Asks the provider to cancel one task; a clear error where the provider documents no cancel. */
export async function cancelTask(rt: Runtime, taskId: string): Promise<CancelResult> {
	const { adapter } = rt;
	if (!canCancel(rt) || !adapter.buildCancel || !adapter.parseCancel) {
		throw new TaskFailure(
			`${adapter.displayName} has no documented way to cancel a task, so task ${taskId} keeps running. Providers that can cancel: ${providerNames((a) => a.capabilities.cancel)}.`,
			{ provider: adapter.id, taskId, status: 'unknown' },
			'operation',
		);
	}
	const response = await callProvider(rt.fns, adapter, adapter.buildCancel({ taskId }, rt.ctx), rt.settings.requestTimeoutMs);
	if (response instanceof NetworkError) {
		if (response.failure === 'aborted') throw new CanceledError();
		throw new TaskFailure(
			`Could not reach ${adapter.displayName} to cancel task ${taskId}: ${response.message}`,
			{ provider: adapter.id, taskId, status: 'unknown' },
			'api',
		);
	}
	if (response.statusCode === 401 || response.statusCode === 403 || response.statusCode === 404) {
		throw apiFailure(adapter, response.statusCode, response.body, { taskId, during: 'canceling the task' });
	}
	const result = adapter.parseCancel(response.body, response.statusCode);
	if (!result.accepted && response.statusCode >= 500) {
		throw apiFailure(adapter, response.statusCode, response.body, { taskId, during: 'canceling the task' });
	}
	// Not accepted (already finished, …): report the task's real state rather than guess it.
	const check = result.accepted ? undefined : await checkOnce(rt, { taskId });
	const status = result.accepted ? 'canceled' : check?.kind === 'state' ? check.state.status : 'unknown';
	return { ...result, status, providerResponse: (response.body ?? null) as IDataObject | null };
}
