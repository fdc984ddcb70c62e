import type { IExecuteFunctions } from 'n8n-workflow';

import { apiFailure, TaskFailure } from '../engine/errors';
import { callProvider, NetworkError } from '../engine/transport';
import { PROVIDERS } from '../providers';
import { CanceledError } from '../engine/schedule';
import { checkOnce, type Runtime } from '../engine/tasks';
import { forEachItem, readTaskId, type Outcome } from './context';

function providersThatCancel(): string {
	return Object.values(PROVIDERS)
		.filter((adapter) => adapter.capabilities.cancel)
		.map((adapter) => adapter.displayName)
		.sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
		.join(', ');
}

/** Cancels tasks where the provider documents a cancel call; a clear error where it does not. */
export async function execute(rt: Runtime, fns: IExecuteFunctions): Promise<Outcome[]> {
	const { adapter } = rt;
	return await forEachItem(fns, undefined, async (itemIndex) => {
		const taskId = readTaskId(fns, adapter, itemIndex);
		if (!adapter.capabilities.cancel || !adapter.buildCancel || !adapter.parseCancel) {
			throw new TaskFailure(
				`${adapter.displayName} has no documented way to cancel a task, so task ${taskId} keeps running. Providers that can cancel: ${providersThatCancel()}.`,
				{ provider: adapter.id, taskId, status: 'unknown' },
				'operation',
			);
		}
		const response = await callProvider(fns, adapter, adapter.buildCancel({ taskId }, rt.ctx), rt.settings.requestTimeoutMs);
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
		return {
			items: [
				{
					json: {
						provider: adapter.id,
						taskId,
						status,
						canceled: result.accepted,
						message: result.message,
						providerResponse: (response.body ?? null) as never,
					},
					pairedItem: { item: itemIndex },
				},
			],
		};
	});
}
