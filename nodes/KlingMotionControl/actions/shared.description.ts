// Fields several operations share, and the provider-dependent parts of the description. Every provider
// list here is derived from the registry, so an option is offered exactly where the adapter says it works.
// Lists built with map() are not read by the lint rules (they check literal option arrays only); the
// labels come from the adapters, sorted by name as the rules would ask.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { ADAPTERS, DEFAULT_PROVIDER, providerIds, providerNames, providersThat, uploadLimits } from '../providers';
import type { MediaKind, OptionalFeature, ProviderAdapter, Quality } from '../providers/types';


/**
 * "Only X, Y": the providers that honour an option. The option stays visible for every provider on
 * purpose: n8n drops a hidden field's value before the node runs, which would turn the clear refusal
 * ("not supported by …, providers that support it: …") into a setting silently ignored.
 */
function onlyAt(feature: OptionalFeature): string {
	return ` Only ${providerNames((adapter) => adapter.capabilities.features.includes(feature))}.`;
}

export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	name: 'authentication',
	type: 'options',
	noDataExpression: true,
	options: providersThat(() => true).map((adapter) => ({ name: adapter.displayName, value: adapter.id })),
	default: DEFAULT_PROVIDER,
	description: 'The API provider that runs Kling 3.0 Motion Control for you (each has its own credential)',
};

/**
 * n8n shows a parameter named `authentication` in the credential section, not among the fields: this
 * line on the panel says which provider runs and how to change it.
 */
export const providerNotices: INodeProperties[] = ADAPTERS.map((adapter) => ({
	displayName: `Runs on ${adapter.displayName}. To use another provider, open the credential list above and pick (or create) a "Kling Motion Control: …" credential of that provider.`,
	name: 'providerNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { authentication: [adapter.id] } },
}));

export const pollInterval: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 0.05, numberPrecision: 2 },
	default: 10, // literal for the lint rule; engine/settings DEFAULTS holds the same value (tested)
	description: 'How often to check a running task. The first check comes sooner.',
};

export const statusRate: INodeProperties = {
	displayName: 'Status Requests per Second',
	name: 'statusRate',
	type: 'number',
	typeOptions: { minValue: 0.1, numberPrecision: 1 },
	default: 25, // literal for the lint rule; engine/polling DEFAULT_STATUS_RATE holds the same value (tested)
	description:
		"The run's shared budget for status checks, evenly spaced, however many tasks wait. A provider's lower documented limit wins.",
};

export const timeout: INodeProperties = {
	displayName: 'Timeout (Minutes)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 0.01, numberPrecision: 2 },
	default: 30, // as above
	description:
		'How long to wait for each task. When it runs out the error names the task ID, so the task can be resumed with "Wait for Completion" without paying again.',
};

function lifetimes(): string {
	return providersThat((adapter) => adapter.capabilities.outputLifetimeHours !== undefined)
		.sort((a, b) => (a.capabilities.outputLifetimeHours ?? 0) - (b.capabilities.outputLifetimeHours ?? 0))
		.map((adapter) => {
			const hours = adapter.capabilities.outputLifetimeHours ?? 0;
			return `${adapter.displayName} ${hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} h`}`;
		})
		.join(', ');
}

export const cancelOnTimeout: INodeProperties = {
	displayName: 'Cancel on Timeout',
	name: 'cancelOnTimeout',
	type: 'boolean',
	default: false,
	description: `Whether to cancel the task when Timeout ends the wait, so it stops being billed (${providerNames((a) => a.capabilities.cancel)} can cancel; others keep it running). Off: the task keeps running and the error says how to resume it.`,
};

export const downloadVideo: INodeProperties = {
	displayName: 'Download Video',
	name: 'downloadVideo',
	type: 'boolean',
	default: false,
	description: `Whether to stream each finished video into n8n binary data. Output links expire (${lifetimes()}), so turn this on when a later step posts or stores the file.`,
};

export const binaryPropertyName: INodeProperties = {
	displayName: 'Put Video in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data', // as above
	description: 'The binary field that receives the video when Download Video is on',
};

export const concurrency: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 20, // as above
	description:
		'How many tasks may run at the provider at once. Lower it to your account limit; refusals are retried, never billed twice.',
};

const MEDIA: Record<MediaKind, { label: string; what: string }> = {
	image: { label: 'Image', what: 'character image (JPG/PNG)' },
	video: { label: 'Video', what: 'motion video (MP4/MOV)' },
};

/** "Image/Video Source" (URL or a file from an earlier node), offered only where the provider uploads files. */
export function mediaSource(kind: MediaKind): INodeProperties[] {
	const { label, what } = MEDIA[kind];
	const uploads = (adapter: ProviderAdapter) => uploadLimits(adapter, kind) !== undefined;
	return [
		{
			displayName: `${label} Source`,
			name: `${kind}Source`,
			type: 'options',
			options: [
				{
					name: 'Binary File',
					value: 'binary',
					description: 'A file from an earlier node, uploaded through the provider',
					// Offered only where the provider has an upload path; a stored value still reaches the node's clear refusal.
					displayOptions: { show: { '/authentication': providerIds(uploads) } },
				},
				{ name: 'URL', value: 'url', description: 'A public http(s) link' },
			],
			default: 'url',
			hint: `A public link works with every provider; a file from an earlier node is uploaded first (${providerNames(uploads)})`,
		},
		{
			displayName: `${label} Binary Field`,
			name: `${kind}BinaryProperty`,
			type: 'string',
			default: 'data',
			description: `The binary field of the input item that holds the ${what}`,
			displayOptions: { show: { [`${kind}Source`]: ['binary'] } },
		},
	];
}

const QUALITY_OPTION: Record<Quality, INodePropertyOptions> = {
	pro: { name: 'Pro (1080p)', value: 'pro' },
	standard: { name: 'Standard (720p)', value: 'standard' },
};

/** One Quality field per set of qualities the providers offer, each with a default it accepts. */
export function qualityProperties(): INodeProperties[] {
	const groups = new Map<string, ProviderAdapter[]>();
	for (const adapter of ADAPTERS) {
		const key = [...adapter.capabilities.qualities].sort().join(',');
		groups.set(key, [...(groups.get(key) ?? []), adapter]);
	}
	return [...groups.values()].map((adapters) => {
		const qualities = [...adapters[0].capabilities.qualities].sort() as Quality[];
		const only = qualities.length === 1 ? `${adapters.map((a) => a.displayName).join(', ')} offers only ${QUALITY_OPTION[qualities[0]].name}` : undefined;
		const property: INodeProperties = {
			displayName: 'Quality',
			name: 'quality',
			type: 'options',
			options: qualities.map((quality) => QUALITY_OPTION[quality]),
			default: 'standard',
			description: only ?? 'Standard is cheaper; Pro gives higher fidelity for complex motion',
			displayOptions: { show: { authentication: adapters.map((a) => a.id) } },
		};
		// A default the group accepts (a provider without Standard must not start with an invalid value).
		if (!qualities.includes('standard')) property.default = qualities[0];
		return property;
	});
}

/** The inputs of a new task (Submit, Submit and Wait). */
export function taskInputs(): INodeProperties[] {
	const promptRequired = providerNames((adapter) => adapter.capabilities.promptRequired);
	return [
		...mediaSource('image'),
		{
			displayName: 'Image URL',
			name: 'imageUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://example.com/character.png',
			description: 'Public http(s) link to the character image (JPG or PNG) to animate',
			displayOptions: { show: { imageSource: ['url'] } },
		},
		...mediaSource('video'),
		{
			displayName: 'Video URL',
			name: 'videoUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://example.com/dance.mp4',
			description:
				'Public http(s) link to the motion reference video (MP4 or MOV, 3–10 s with orientation "image", up to 30 s with "video")',
			displayOptions: { show: { videoSource: ['url'] } },
		},
		{
			displayName: 'Character Orientation',
			name: 'characterOrientation',
			type: 'options',
			options: [
				{ name: 'Image', value: 'image', description: 'Keep the orientation of the image; motion clips up to 10 s' },
				{ name: 'Video', value: 'video', description: 'Follow the orientation of the video; clips up to 30 s; needed for elements' },
			],
			default: 'image',
			hint: 'Image: the character keeps the orientation it has in the image (clips ≤ 10 s). Video: it takes the orientation of the person in the clip (≤ 30 s; needed for elements).',
		},
		...qualityProperties(),
		{
			displayName: 'Prompt',
			name: 'prompt',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'The character dances on a stage',
			description: `Optional description of the result, up to 2,500 characters${promptRequired ? ` (${promptRequired} requires one)` : ''}. Refer to a face element as @Element1.`,
		},
	];
}

/** Options of a new task; provider-specific ones are offered only to the providers that honour them. */
/** The options only some providers honour (each says which). */
function providerSpecificOptions(): INodeProperties[] {
	return [
		{
			displayName: 'Callback URL',
			name: 'callbackUrl',
			type: 'string',
			default: '',
			placeholder: '={{ $execution.resumeUrl }}',
			description: `URL the provider calls when the task ends${providerNames((a) => !!a.capabilities.callbackHttpsOnly) ? ` (HTTPS only at ${providerNames((a) => !!a.capabilities.callbackHttpsOnly)})` : ''}. Use {{ $execution.resumeUrl }} with a Wait node "On Webhook Call".` + onlyAt('callbackUrl'),
		},
		{
			displayName: 'Element Frontal Image URL',
			name: 'elementFrontalImageUrl',
			type: 'string',
			default: '',
			description:
				'Face element: a frontal face image. Needs orientation "video" and 1–3 reference image URLs; refer to it as @Element1 in the prompt.' + onlyAt('elementFrontalImageUrl'),
		},
		{
			displayName: 'Element ID',
			name: 'elementId',
			type: 'string',
			default: '',
			description: 'ID of a Kling element, created beforehand from a face video. Needs orientation "video".' + onlyAt('elementId'),
		},
		{
			displayName: 'Element Reference Image URLs',
			name: 'elementReferenceImageUrls',
			type: 'string',
			default: '',
			description: '1–3 reference face image URLs for the face element, comma-separated.' + onlyAt('elementFrontalImageUrl'),
		},
		{
			displayName: 'Negative Prompt',
			name: 'negativePrompt',
			type: 'string',
			default: '',
			description: 'What to avoid in the result.' + onlyAt('negativePrompt'),
		},
		{
			displayName: 'Watermark',
			name: 'watermark',
			type: 'boolean',
			default: false,
			description: 'Whether the provider adds its watermark.' + onlyAt('watermark'),
		},
	];
}

/** Every option of a new task, in the order the lint rules ask for (by name). */
function newTaskOptions(waits: boolean): INodeProperties[] {
	const common: INodeProperties[] = [
		concurrency,
		...(waits ? [cancelOnTimeout, downloadVideo] : []),
		{
			displayName: 'Keep Original Sound',
			name: 'keepOriginalSound',
			type: 'boolean',
			default: true,
			description: "Whether to keep the reference video's audio in the result",
		},
		{
			displayName: 'Max Cost (USD)',
			name: 'maxCostUsd',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0,
			description:
				'Budget for the whole run: when the estimated cost of all items is higher, nothing is submitted and the error lists the estimate per item. 0 = no limit.',
		},
		...(waits ? [pollInterval] : []),
		{
			displayName: 'Pre-Flight Check',
			name: 'preflight',
			type: 'options',
			options: [
				{ name: 'Off', value: 'off', description: 'Submit without looking at the inputs' },
				{
					name: 'On',
					value: 'on',
					description: 'Refuse clips and images that break the provider limits; submit what cannot be checked',
				},
				{ name: 'Strict', value: 'strict', description: 'Also refuse inputs that cannot be checked' },
			],
			default: 'on',
			description:
				'Read the motion clip header (a few small range requests) and the image header before paying: length, size and cost',
		},
		...(waits ? [binaryPropertyName, statusRate] : []),
		timeout,
	];
	return [...common, ...providerSpecificOptions()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export function taskOptions(waits: boolean): INodeProperties {
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options: newTaskOptions(waits) };
}

export const taskIdProperty: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '={{ $json.taskId }}',
	description: 'The task ID returned by Submit',
};
