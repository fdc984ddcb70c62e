import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ProviderAdapter, TaskStatus } from '../providers/types';

/** Everything a user needs to recover or diagnose one item's task. */
export interface TaskErrorDetails extends IDataObject {
	provider: string;
	taskId?: string;
	status?: TaskStatus | 'notSubmitted' | 'unknown';
	httpCode?: number;
	providerCode?: string;
	providerMessage?: string;
	videoUrls?: string[];
}

/**
 * An item's failure, kept provider-neutral until the router turns it into an n8n error
 * (NodeApiError for provider answers, NodeOperationError for our own checks).
 */
export class TaskFailure extends Error {
	/** A submit whose outcome is unknown: a task may exist. Never sent again blindly (not even by Retry On Fail). */
	ambiguousSubmit = false;

	constructor(
		message: string,
		readonly details: TaskErrorDetails,
		readonly kind: 'api' | 'operation',
		readonly description?: string,
	) {
		super(message);
		this.name = 'TaskFailure';
	}
}

export function inputError(adapter: ProviderAdapter, message: string, description?: string): TaskFailure {
	return new TaskFailure(
		message,
		{ provider: adapter.id, status: 'notSubmitted' },
		'operation',
		description,
	);
}

/** Human wording of the provider answer, with the task id whenever one exists. */
export function apiFailure(
	adapter: ProviderAdapter,
	statusCode: number,
	body: unknown,
	context: { taskId?: string; status?: TaskErrorDetails['status']; during: string },
): TaskFailure {
	const error = adapter.parseError(statusCode, body);
	const task = context.taskId ? ` (task ${context.taskId})` : '';
	let message: string;
	if (statusCode === 401 || statusCode === 403) {
		message = `${adapter.displayName} refused the credential while ${context.during}${task}: ${error.message}. Check the API key in the ${adapter.displayName} credential.`;
	} else if (statusCode === 404 && context.taskId) {
		message = `${adapter.displayName} does not know task ${context.taskId} (HTTP 404): ${error.message}. Check the Task ID and that the credential belongs to the account that created it.`;
	} else {
		message = `${adapter.displayName} answered HTTP ${statusCode} while ${context.during}${task}: ${error.message}`;
	}
	return new TaskFailure(
		message,
		{
			provider: adapter.id,
			taskId: context.taskId,
			status: context.status ?? (context.taskId ? 'unknown' : 'notSubmitted'),
			httpCode: statusCode,
			providerCode: error.code,
			providerMessage: error.message,
		},
		'api',
	);
}

export function toNodeError(
	node: INode,
	failure: TaskFailure,
	itemIndex: number,
	extraDescription?: string,
): NodeApiError | NodeOperationError {
	const description = [failure.description, extraDescription].filter(Boolean).join('\n\n') || undefined;
	if (failure.kind === 'api') {
		const error = new NodeApiError(
			node,
			{ message: failure.message, ...failure.details } as unknown as JsonObject,
			{
				message: failure.message,
				description: description ?? failure.details.providerMessage,
				httpCode: failure.details.httpCode !== undefined ? String(failure.details.httpCode) : undefined,
				itemIndex,
			},
		);
		return error;
	}
	return new NodeOperationError(node, failure.message, { description, itemIndex });
}
