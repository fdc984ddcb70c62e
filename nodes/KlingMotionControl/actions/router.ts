import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toNodeError } from '../engine/errors';
import type { Outcome } from '../engine/items';
import { errorItem } from '../engine/output';
import type { Runtime } from '../engine/runtime';
import { newPoller } from '../engine/status';
import { engineSettings } from '../engine/settings';
import { assertToolOptions, compactToolOutput, isToolRun } from '../engine/toolMode';
import { getProviderContext } from '../engine/transport';
import { getProvider } from '../providers';
import * as cancel from './cancel.operation';
import * as getStatus from './getStatus.operation';
import * as submit from './submit.operation';
import * as submitAndWait from './submitAndWait.operation';
import * as waitForCompletion from './waitForCompletion.operation';

/** The operations, in the order the node offers them (the main action first). One signature for all. */
export const OPERATIONS = { submitAndWait, submit, waitForCompletion, getStatus, cancel } satisfies Record<
	string,
	{ execute(rt: Runtime): Promise<Outcome[]> }
>;

export type Operation = keyof typeof OPERATIONS;

/**
 * n8n 2.36+ routes an item whose json keys are only error/message/details to the error output.
 * Older n8n (1.x, 2.0–2.35) routes only json that is exactly `{error}` or `{error, message}` (an
 * `item.error` would make n8n replace the json, losing the task id): there the details travel as
 * `json.message`. n8n-workflow 2.36 added the export recordConsumedAuth, which tells them apart.
 */
const DETAILS_REACH_ERROR_OUTPUT = Object.prototype.hasOwnProperty.call(n8nWorkflow, 'recordConsumedAuth');

function journalText(journal: Map<number, string>, except?: number): string | undefined {
	const lines = [...journal.entries()]
		.filter(([itemIndex]) => itemIndex !== except)
		.sort(([a], [b]) => a - b)
		.map(([itemIndex, taskId]) => `item ${itemIndex}: task ${taskId}`);
	return lines.length
		? `Tasks created in this run (they keep running and are billed; resume them with "Wait for Completion"): ${lines.join(', ')}`
		: undefined;
}

/**
 * The one place that dispatches an operation and turns per-item outcomes into n8n output: every
 * input item yields its result items or, with "Continue", an error item — always with pairedItem.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const providerId = this.getNodeParameter('authentication', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const adapter = getProvider(providerId);
	if (!adapter) {
		throw new NodeOperationError(this.getNode(), `Unknown provider "${providerId}"`, {
			description: 'Pick a provider in the Provider field.',
		});
	}
	if (!Object.prototype.hasOwnProperty.call(OPERATIONS, operation)) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	const toolRun = isToolRun(this);
	if (toolRun) assertToolOptions(this);
	const settings = engineSettings(this);
	const partial: Omit<Runtime, 'poller'> = {
		fns: this,
		adapter,
		ctx: await getProviderContext(this, adapter),
		settings,
		signal: this.getExecutionCancelSignal(),
		journal: new Map(),
	};
	const rt: Runtime = { ...partial, poller: newPoller(partial) };
	const outcomes = await OPERATIONS[operation as Operation].execute(rt);
	if (outcomes.some((outcome) => 'canceled' in outcome)) {
		throw new NodeOperationError(this.getNode(), 'The execution was stopped while waiting for Kling Motion Control tasks', {
			description: journalText(rt.journal),
		});
	}

	const output: INodeExecutionData[] = [];
	// As a tool, a failed item is a result the model can act on (task id, status), not an error of the
	// node: n8n 1.x ends the whole agent execution on a tool error.
	const continueOnFail = this.continueOnFail() || toolRun;
	for (const [itemIndex, outcome] of outcomes.entries()) {
		if ('items' in outcome) {
			output.push(...outcome.items);
			continue;
		}
		if (!('failure' in outcome)) continue;
		if (!continueOnFail) {
			throw toNodeError(this.getNode(), outcome.failure, itemIndex, journalText(rt.journal, itemIndex));
		}
		const item = errorItem(itemIndex, outcome.failure);
		if (!DETAILS_REACH_ERROR_OUTPUT && this.getNode().onError === 'continueErrorOutput') {
			item.json = { error: item.json.error, message: item.json.details };
		}
		output.push(item);
	}
	return [toolRun ? compactToolOutput(output, operation, settings.pollIntervalMs) : output];
}
