import type { INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from './providers';

const submitOps = ['submit', 'submitAndWait'];
const taskOps = ['cancel', 'getStatus', 'waitForCompletion'];

const pollInterval: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 0.05, numberPrecision: 2 },
	default: 10,
	description: 'How often to check a running task. The first check comes sooner.',
};

const timeout: INodeProperties = {
	displayName: 'Timeout (Minutes)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 0.01, numberPrecision: 2 },
	default: 30,
	description:
		'How long to wait for each task. When it runs out the error names the task ID, so the task can be resumed with "Wait for Completion" without paying again.',
};

const downloadVideo: INodeProperties = {
	displayName: 'Download Video',
	name: 'downloadVideo',
	type: 'boolean',
	default: false,
	description:
		'Whether to stream each finished video into n8n binary data. Output links expire (Replicate about 1 h, EvoLink and AIHubMax 24 h), so turn this on when a later step posts or stores the file.',
};

const binaryPropertyName: INodeProperties = {
	displayName: 'Put Video in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'The binary field that receives the video when Download Video is on',
};

const concurrency: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 20,
	description:
		'How many tasks may run at the provider at once. Lower it to your account limit (WaveSpeedAI Bronze: 2); refusals are retried, never billed twice.',
};

/** "Image/Video Source" (URL or a file from an earlier node) and the binary field it reads. */
function mediaSource(kind: 'image' | 'video', what: string, uploaders: string): INodeProperties[] {
	const label = kind === 'image' ? 'Image' : 'Video';
	return [
		{
			displayName: `${label} Source`,
			name: `${kind}Source`,
			type: 'options',
			options: [
				{
					name: 'Binary File',
					value: 'binary',
					description: `A file from an earlier node, uploaded through the provider (${uploaders})`,
				},
				{ name: 'URL', value: 'url', description: 'A public http(s) link (works with every provider)' },
			],
			default: 'url',
			displayOptions: { show: { operation: submitOps } },
		},
		{
			displayName: `${label} Binary Field`,
			name: `${kind}BinaryProperty`,
			type: 'string',
			default: 'data',
			description: `The binary field of the input item that holds the ${what}`,
			displayOptions: { show: { operation: submitOps, [`${kind}Source`]: ['binary'] } },
		},
	];
}

// Only the providers in the registry: a single-provider package (npm run build:packages) offers one.
const providerOptions = [
	{ name: 'AIHubMax', value: 'aiHubMax' },
	{ name: 'EvoLink', value: 'evoLink' },
	{ name: 'Fal.ai', value: 'fal' },
	{ name: 'Kling AI (Official API)', value: 'kling' },
	{ name: 'Oxen.ai', value: 'oxen' },
	{ name: 'Prospolabs', value: 'prospolabs' },
	{ name: 'Replicate', value: 'replicate' },
	{ name: 'WaveSpeedAI', value: 'waveSpeed' },
].filter((option) => option.value in PROVIDERS);
// WaveSpeedAI stays the all-in-one package's default: saved workflows omit a parameter at its default.
const defaultProvider = 'waveSpeed' in PROVIDERS ? 'waveSpeed' : providerOptions[0].value;

export const properties: INodeProperties[] = [
	{
		displayName: 'Provider',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: providerOptions,
		default: defaultProvider,
		description: 'The API provider that runs Kling 3.0 Motion Control for you',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Cancel running tasks (fal.ai, Oxen.ai, Replicate)',
				action: 'Cancel a motion control task',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Check tasks once and return their current state',
				action: 'Get the status of a motion control task',
			},
			{
				name: 'Submit',
				value: 'submit',
				description: 'Start a task per item and return its task ID at once',
				action: 'Submit a motion control task',
			},
			{
				name: 'Submit and Wait for Completion',
				value: 'submitAndWait',
				description: 'Start a task per item, wait until all are done, return the videos',
				action: 'Animate an image with the motion of a video',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				description: 'Wait for existing tasks and return their videos',
				action: 'Wait for a motion control task to finish',
			},
		],
		default: 'submitAndWait',
	},
	...mediaSource('image', 'character image (JPG/PNG)', 'fal.ai, Replicate, WaveSpeedAI, EvoLink, Kling'),
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/character.png',
		description: 'Public http(s) link to the character image (JPG or PNG) to animate',
		displayOptions: { show: { operation: submitOps, imageSource: ['url'] } },
	},
	...mediaSource('video', 'motion video (MP4/MOV)', 'fal.ai, Replicate, WaveSpeedAI'),
	{
		displayName: 'Video URL',
		name: 'videoUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/dance.mp4',
		description:
			'Public http(s) link to the motion reference video (MP4 or MOV, 3–10 s with orientation "image", up to 30 s with "video")',
		displayOptions: { show: { operation: submitOps, videoSource: ['url'] } },
	},
	{
		displayName: 'Character Orientation',
		name: 'characterOrientation',
		type: 'options',
		options: [
			{
				name: 'Image',
				value: 'image',
				description: 'Keep the orientation of the image; motion clips up to 10 s',
			},
			{
				name: 'Video',
				value: 'video',
				description: 'Follow the orientation of the video; clips up to 30 s; needed for elements',
			},
		],
		default: 'image',
		displayOptions: { show: { operation: submitOps } },
	},
	{
		displayName: 'Quality',
		name: 'quality',
		type: 'options',
		options: [
			{ name: 'Pro (1080p)', value: 'pro' },
			{ name: 'Standard (720p)', value: 'standard' },
		],
		default: 'standard',
		description: 'Standard is cheaper; Pro gives higher fidelity for complex motion',
		displayOptions: {
			show: { operation: submitOps },
			hide: { authentication: ['oxen'] },
		},
	},
	{
		displayName: 'Quality',
		name: 'quality',
		type: 'options',
		options: [{ name: 'Pro (1080p)', value: 'pro' }],
		default: 'pro',
		description: 'Oxen.ai offers only the Pro model',
		displayOptions: { show: { operation: submitOps, authentication: ['oxen'] } },
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'The character dances on a stage',
		description:
			'Optional description of the result, up to 2,500 characters (Oxen.ai requires one). Refer to a face element as @Element1.',
		displayOptions: { show: { operation: submitOps } },
	},
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '={{ $json.taskId }}',
		description: 'The task ID returned by Submit',
		displayOptions: { show: { operation: taskOps } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: submitOps } },
		options: [
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: '={{ $execution.resumeUrl }}',
				description:
					'URL the provider calls when the task ends (WaveSpeedAI, EvoLink (HTTPS only), Prospolabs, fal.ai, Kling, Replicate). Use {{ $execution.resumeUrl }} with a Wait node "On Webhook Call".',
			},
			concurrency,
			downloadVideo,
			{
				displayName: 'Element Frontal Image URL',
				name: 'elementFrontalImageUrl',
				type: 'string',
				default: '',
				description:
					'Face element for fal.ai and Oxen.ai: a frontal face image. Needs orientation "video" and 1–3 reference image URLs; refer to it as @Element1 in the prompt.',
			},
			{
				displayName: 'Element ID',
				name: 'elementId',
				type: 'string',
				default: '',
				description:
					'ID of a Kling element (EvoLink, Kling official API), created beforehand from a face video. Needs orientation "video".',
			},
			{
				displayName: 'Element Reference Image URLs',
				name: 'elementReferenceImageUrls',
				type: 'string',
				default: '',
				description: '1–3 reference face image URLs for the fal.ai/Oxen.ai element, comma-separated',
			},
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
			{
				displayName: 'Negative Prompt',
				name: 'negativePrompt',
				type: 'string',
				default: '',
				description: 'What to avoid (WaveSpeedAI only)',
			},
			pollInterval,
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
			binaryPropertyName,
			timeout,
			{
				displayName: 'Watermark',
				name: 'watermark',
				type: 'boolean',
				default: false,
				description: 'Whether the provider adds its watermark (EvoLink, Kling official API)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: taskOps } },
		options: [downloadVideo, pollInterval, binaryPropertyName, timeout],
	},
];
