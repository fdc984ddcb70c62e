// What the editor should offer for each provider, derived from the adapters' capabilities — the one
// place that reads them (the registry is being restructured: keep the derivation here, small).
import { PROVIDERS } from '../../nodes/KlingMotionControl/providers';
import type { ProviderAdapter, ProviderId } from '../../nodes/KlingMotionControl/providers';

/** Display names of the operations (the labels in the Operation dropdown). */
export const OPERATION_LABELS = {
	submitAndWait: 'Submit and Wait for Completion',
	submit: 'Submit',
	getStatus: 'Get Status',
	waitForCompletion: 'Wait for Completion',
	cancel: 'Cancel',
} as const;
export type OperationId = keyof typeof OPERATION_LABELS;

/** Options of Submit (labels as shown in "Add Option"); Submit and Wait adds what waiting needs. */
const COMMON_SUBMIT_OPTIONS = ['Concurrency', 'Keep Original Sound', 'Max Cost (USD)', 'Pre-Flight Check', 'Timeout (Minutes)'];
const WAIT_OPTIONS = ['Cancel on Timeout', 'Download Video', 'Poll Interval (Seconds)', 'Put Video in Field', 'Status Requests per Second'];
/** The provider-specific options, by the capability feature that allows them. */
const FEATURE_OPTIONS: Record<string, string[]> = {
	callbackUrl: ['Callback URL'],
	elementFrontalImageUrl: ['Element Frontal Image URL', 'Element Reference Image URLs'],
	elementId: ['Element ID'],
	negativePrompt: ['Negative Prompt'],
	watermark: ['Watermark'],
};
/** Every provider-specific option label (honoured by some providers, not all). */
export const ALL_FEATURE_OPTIONS = Object.values(FEATURE_OPTIONS).flat();

/** Options of the task operations: only what the operation does (Get Status checks once, Cancel downloads nothing). */
const TASK_OPTIONS: Record<Exclude<OperationId, 'submit' | 'submitAndWait'>, string[]> = {
	waitForCompletion: ['Cancel on Timeout', 'Download Video', 'Poll Interval (Seconds)', 'Put Video in Field', 'Status Requests per Second', 'Timeout (Minutes)'],
	getStatus: ['Download Video', 'Put Video in Field', 'Status Requests per Second'],
	cancel: [],
};
const QUALITY_LABELS = { standard: 'Standard (720p)', pro: 'Pro (1080p)' } as const;

export interface Expected {
	id: ProviderId;
	displayName: string;
	credentialType: string;
	/** In the order the user should see them: the main action first. */
	operations: OperationId[];
	qualities: string[];
	/** Whether "Binary File" is offered as Image Source / Video Source. */
	binary: { image: boolean; video: boolean };
	promptRequired: boolean;
	/** "Add Option" entries per operation (sorted). */
	options: Record<OperationId, string[]>;
}

export function expectedFor(adapter: ProviderAdapter): Expected {
	const c = adapter.capabilities;
	// The provider-specific options stay offered to every provider, each saying which providers honour
	// it: n8n drops a hidden field's value before the node runs, which would turn the node's clear
	// refusal (interface.md: "never silently dropped") into a setting silently ignored.
	const submitOptions = [...COMMON_SUBMIT_OPTIONS, ...ALL_FEATURE_OPTIONS].sort();
	const waitOptions = [...submitOptions, ...WAIT_OPTIONS].sort();
	const operations: OperationId[] = ['submitAndWait', 'submit', 'waitForCompletion', 'getStatus', ...(c.cancel ? (['cancel'] as const) : [])];
	return {
		id: adapter.id as ProviderId,
		displayName: adapter.displayName,
		credentialType: adapter.credentialType,
		operations,
		qualities: c.qualities.map((q) => QUALITY_LABELS[q]),
		binary: { image: !!c.upload?.image, video: !!c.upload?.video },
		promptRequired: c.promptRequired,
		options: {
			submitAndWait: waitOptions,
			submit: submitOptions,
			getStatus: TASK_OPTIONS.getStatus,
			waitForCompletion: TASK_OPTIONS.waitForCompletion,
			cancel: TASK_OPTIONS.cancel,
		},
	};
}

export const EXPECTED: Expected[] = Object.values(PROVIDERS).map(expectedFor);


