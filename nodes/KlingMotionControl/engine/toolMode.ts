// The node as an AI Agent tool: how to know it runs as one, and the short result a model gets.
// Findings and sources: README "Use it as an AI Agent tool".
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TaskState } from '../providers/types';
import { nextDelay } from './polling';

/**
 * n8n (1.x and 2.x) builds the tool variant of a `usableAsTool` node as a second node type whose
 * name is the node's name + "Tool" (`…klingMotionControlTool`, packages/cli convertNodeToAiTool), and
 * a tool node in a workflow always has that type. The same check n8n itself uses for `@tool` in
 * displayOptions (n8n-workflow getPropertyValues: `nodeTypeDescription.name.endsWith('Tool')`).
 * It holds whichever way the agent runs the tool: through the engine (2.x, the node runs as a
 * workflow node with input on `ai_tool`) or through a LangChain tool (SupplyDataContext).
 */
export function isToolNode(node: Pick<INode, 'type'>): boolean {
	return node.type.endsWith('Tool');
}

export function isToolRun(fns: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return isToolNode(fns.getNode());
}

/**
 * Download Video stores the file in n8n binary data, which a model never sees (n8n drops binary data
 * from a tool result, or answers "The Tool attempted to return binary data"). Refused before anything
 * is submitted, so a misconfigured tool costs nothing.
 */
export function assertToolOptions(fns: IExecuteFunctions): void {
	const items = fns.getInputData().length;
	for (let itemIndex = 0; itemIndex < items; itemIndex++) {
		const options = fns.getNodeParameter('options', itemIndex, {}) as IDataObject;
		if (options.downloadVideo === true) {
			throw new NodeOperationError(
				fns.getNode(),
				'Download Video is not available when Kling Motion Control runs as an AI Agent tool: the model cannot see binary files. Turn the option off; the result carries videoUrl.',
				{
					itemIndex,
					description:
						'To store or post the file, download it after the agent (an HTTP Request node on videoUrl) or run Kling Motion Control as a normal node.',
				},
			);
		}
	}
}

/** Upper bound for one-line texts in a tool result (provider messages can be long). */
const MAX_LINE = 320;

export function oneLine(text: unknown): string {
	const line = String(text ?? '')
		.replace(/\s+/g, ' ')
		.trim();
	return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

const TERMINAL = ['completed', 'failed', 'canceled'];

/**
 * When a model should look again at a task that is not finished: the node's own poll delay for
 * that state (the poll interval, stretched while the provider reports a deep queue), in seconds.
 */
export function nextCheckAfterSeconds(json: IDataObject, pollIntervalMs: number): number {
	const state: TaskState = {
		status: 'processing',
		videoUrls: [],
		raw: null,
		...(typeof json.progress === 'number' ? { progress: json.progress } : {}),
		...(typeof json.queuePosition === 'number' ? { queuePosition: json.queuePosition } : {}),
	};
	return Math.ceil(nextDelay(pollIntervalMs, state, 0) / 1000);
}

/**
 * The json a model gets for one result item: what it needs to answer the user or to go on (task id,
 * status, the video link and when it expires, the length and estimated cost), nothing it cannot use
 * (providerResponse with links that need the API key, the cost rule and source, pre-flight notes,
 * videoUrls beside videoUrl). About 300–450 characters; every later turn re-sends it.
 */
export function compactJson(json: IDataObject, operation: string, pollIntervalMs: number): IDataObject {
	if (typeof json.error === 'string') {
		// an error item: {error, details} (or {error, message: details} for an error output of n8n < 2.36)
		const details = (json.details ?? (typeof json.message === 'object' ? json.message : {}) ?? {}) as IDataObject;
		const out: IDataObject = { error: oneLine(json.error) };
		for (const key of ['provider', 'taskId', 'status']) if (details[key] !== undefined) out[key] = details[key];
		return out;
	}
	const out: IDataObject = { provider: json.provider, taskId: json.taskId, status: json.status };
	if (json.videoUrl) out.videoUrl = json.videoUrl;
	if (Array.isArray(json.videoUrls) && json.videoUrls.length > 1) out.videoIndex = json.videoIndex ?? 0;
	// The provider's figure, else the motion video's length from the pre-flight check: the output is as
	// long as the motion video, and pre-flight refuses clips above the orientation's limit.
	const duration = json.durationSeconds ?? (json.motionVideo as IDataObject | undefined)?.durationSeconds;
	if (duration !== undefined) out.durationSeconds = duration;
	if (json.estimatedCostUsd !== undefined && json.estimatedCostUsd !== null) out.estimatedCostUsd = json.estimatedCostUsd;
	// null: the provider documents no lifetime for its links (fal.ai, Oxen.ai)
	if (json.status === 'completed') out.urlExpiresAt = json.urlExpiresAt ?? null;
	if (json.errorMessage) out.error = oneLine(json.errorMessage);
	const status = String(json.status);
	if (!TERMINAL.includes(status)) {
		if (typeof json.progress === 'number') out.progress = json.progress;
		if (typeof json.queuePosition === 'number') out.queuePosition = json.queuePosition;
		out.nextCheckAfterSeconds = nextCheckAfterSeconds(json, pollIntervalMs);
		if (operation === 'submit' || operation === 'getStatus') {
			out.next = 'Not finished yet. Call the Wait for Completion tool with this taskId to get the video (no new charge).';
		}
	}
	return out;
}

/** The node's output in tool mode: the same items (order, pairing), compact json, no binary. */
export function compactToolOutput(
	items: INodeExecutionData[],
	operation: string,
	pollIntervalMs: number,
): INodeExecutionData[] {
	return items.map((item) => ({
		json: compactJson(item.json, operation, pollIntervalMs),
		...(item.pairedItem !== undefined ? { pairedItem: item.pairedItem } : {}),
	}));
}
