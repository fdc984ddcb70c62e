// What an AI Agent's model is told about each operation when the node is attached as a tool.
//
// n8n builds the tool variant ("Kling Motion Control Tool", type …klingMotionControlTool) from this
// node's description and adds its own "Tool Description" parameter only when the node has no
// `toolDescription` parameter (packages/cli convertNodeToAiTool). Its own text would be the node
// description for every operation: n8n's "Set Automatically" uses an operation's `action` only when
// `operation` is shown under a `resource` (n8n-workflow resolveResourceAndOperation). So the node
// brings one `toolDescription` per operation, shown only on the tool variant (`@tool`), whose
// default is the text below: the model gets it (getToolDescriptionForNode), a user can edit it.
//
// The fields a model fills get `$fromAI` defaults with descriptions on the tool variant only (the
// editor's "let the model define this" button writes a key without a description and cannot be used on
// option fields). A `$fromAI` with a default value is optional in the tool schema.
import type { INodeProperties } from 'n8n-workflow';
import { FROM_AI_AUTO_GENERATED_MARKER } from 'n8n-workflow';

import { providerNames } from './providers';

const COST =
	'It creates a PAID task: the provider bills per second of output video, which is as long as the motion video (at most 10 s with characterOrientation "image", 30 s with "video", at least 3 s); Standard is cheaper than Pro. The node refuses before paying when the estimate is above its Max Cost option.';

export const TOOL_DESCRIPTIONS: Record<string, string> = {
	submitAndWait: `Make a Kling 3.0 Motion Control video: animate the character of an image with the motion of a reference video, and wait until it is finished. The call blocks while the video renders, typically 5–15 minutes. ${COST} Returns provider, taskId, status, videoUrl, durationSeconds, estimatedCostUsd and urlExpiresAt. If it times out, the error names the taskId: then call Wait for Completion with that taskId; calling this tool again would pay for a second video.`,
	submit: `Start a Kling 3.0 Motion Control video (animate the character of an image with the motion of a reference video) and return at once with its taskId and status "queued" or "processing"; the video is not ready yet (it takes typically 5–15 minutes). ${COST} Then call Wait for Completion with the taskId. Do not submit again for the same request.`,
	waitForCompletion:
		'Wait for an existing Kling Motion Control task to finish, given its taskId (from Submit, or named in a timeout error), and return provider, taskId, status, videoUrl, durationSeconds and urlExpiresAt. The call blocks until the video is ready (typically up to 15 minutes) or the node\'s timeout. Costs nothing: it creates no task. After a timeout, call it again with the same taskId.',
	getStatus:
		'Check an existing Kling Motion Control task once, without waiting, given its taskId. Returns taskId, status (queued, processing, completed, failed or canceled), videoUrl when completed, and nextCheckAfterSeconds when not finished. Costs nothing. Do not call it repeatedly to wait (you cannot pause between calls): call Wait for Completion to wait for the video.',
	cancel:
		`Cancel a running Kling Motion Control task, given its taskId (${providerNames((adapter) => adapter.capabilities.cancel)} only). Returns the task status. Use it only when the user asks to stop a video.`,
};

const fromAI = (key: string, description: string, defaultValue?: string): string =>
	`={{ ${FROM_AI_AUTO_GENERATED_MARKER} $fromAI('${key}', \`${description}\`, 'string'${defaultValue !== undefined ? `, '${defaultValue}'` : ''}) }}`;

/** Tool-variant defaults of the fields a model fills, by parameter name. */
export const TOOL_DEFAULTS: Record<string, string> = {
	imageUrl: fromAI('imageUrl', 'Public http(s) URL of the character image (JPG or PNG) to animate'),
	videoUrl: fromAI(
		'videoUrl',
		'Public http(s) URL of the motion reference video (MP4 or MOV, 3-10 s; up to 30 s with characterOrientation video). Its length sets the output length and the cost.',
	),
	prompt: fromAI('prompt', 'Optional short description of the result, e.g. the scene; empty for none', ''),
	characterOrientation: fromAI(
		'characterOrientation',
		'"image" keeps the orientation of the image (motion video up to 10 s); "video" follows the video (up to 30 s)',
		'image',
	),
	quality: fromAI('quality', '"standard" (720p, cheaper) or "pro" (1080p, higher fidelity)', 'standard'),
	taskId: fromAI('taskId', 'The taskId returned by Submit or named in an earlier error'),
};

const TOOL = { '@tool': [true] };

/**
 * The node's properties with the tool variant's parameters: each field in TOOL_DEFAULTS is kept
 * as it is for the plain node (hidden on the tool variant) and repeated for the tool variant with the
 * `$fromAI` default (same name, so a value saved in a workflow keeps working), and one
 * `toolDescription` per operation is added. The plain node shows and saves exactly what it did.
 * Each operation's copy of a field gets its variant; a choice with one option (Oxen.ai's Pro-only
 * Quality) stays as it is: there is nothing for a model to decide.
 */
export function withToolParameters(properties: INodeProperties[]): INodeProperties[] {
	const done = new Set<string>();
	const out: INodeProperties[] = [];
	for (const property of properties) {
		const toolDefault = TOOL_DEFAULTS[property.name];
		const key = `${property.name} ${JSON.stringify(property.displayOptions ?? {})}`;
		const single = property.type === 'options' && (property.options?.length ?? 0) < 2;
		if (toolDefault === undefined || done.has(key) || single) {
			out.push(property);
			continue;
		}
		done.add(key);
		const displayOptions = property.displayOptions ?? {};
		out.push({ ...property, displayOptions: { ...displayOptions, hide: { ...displayOptions.hide, ...TOOL } } });
		out.push({
			...property,
			default: toolDefault,
			displayOptions: { ...displayOptions, show: { ...displayOptions.show, ...TOOL } },
		});
	}
	const operation = properties.find((property) => property.name === 'operation');
	const position = operation ? out.indexOf(operation) + 1 : 0;
	out.splice(
		position,
		0,
		...Object.entries(TOOL_DESCRIPTIONS).map(
			([value, text]): INodeProperties => ({
				displayName: 'Tool Description',
				name: 'toolDescription',
				type: 'string',
				typeOptions: { rows: 4 },
				default: text,
				description:
					'What the AI Agent model is told about this tool. The default says what the operation does, how long it takes, what it costs and what it returns.',
				displayOptions: { show: { ...TOOL, operation: [value] } },
			}),
		),
	);
	return out;
}
