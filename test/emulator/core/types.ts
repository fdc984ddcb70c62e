// Shared types of the provider emulator. Node built-ins only.
import type { IncomingHttpHeaders } from 'node:http';

export type ProviderId =
	| 'aiHubMax'
	| 'evoLink'
	| 'fal'
	| 'kie'
	| 'kling'
	| 'novita'
	| 'oxen'
	| 'prospolabs'
	| 'replicate'
	| 'waveSpeed';

export const PROVIDER_IDS: readonly ProviderId[] = [
	'aiHubMax',
	'evoLink',
	'fal',
	'kie',
	'kling',
	'novita',
	'oxen',
	'prospolabs',
	'replicate',
	'waveSpeed',
];

/** Credentials the emulator accepts. Anything else is answered with the provider's 401. */
export const EMULATOR_KEYS = {
	waveSpeed: 'ws-test-key',
	oxen: 'oxen-test-key',
	evoLink: 'evolink-test-key',
	aiHubMax: 'aihubmax-test-key',
	prospolabs: 'prsp-test-key',
	fal: 'fal-test-key:secret',
	replicate: 'r8_test_token',
	kling: { accessKey: 'kling-test-ak', secretKey: 'kling-test-sk' },
	/** Kling's newer API-key sign-in (`Authorization: Bearer <key>`). */
	klingApiKey: 'kling-test-api-key',
	kie: 'kie-test-key',
	novita: 'novita-test-key',
} as const;

/** Secrets used to sign outgoing webhooks where the provider documents signing. */
export const EMULATOR_WEBHOOK_SECRETS = {
	// WaveSpeed: GET /api/v3/webhook/secret returns it with the `whsec_` prefix; strip it before HMAC.
	waveSpeed: 'whsec_d2F2ZXNwZWVkLWVtdWxhdG9yLXNlY3JldA',
	// Replicate: Standard Webhooks, base64 secret after `whsec_`. [I]
	replicate: 'whsec_cmVwbGljYXRlLWVtdWxhdG9yLXNlY3JldA==',
} as const;

/** The node's normalized task status (interface.md). */
export type TaskStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'canceled';

export type PollError = 429 | 500 | 502 | 503 | 'html' | 'invalidJson' | 'reset';
export type SubmitError = 429 | 'ambiguous500' | 'ambiguousReset' | 'ambiguousSlow';
/** A server error the provider's list endpoint answers instead of the list. */
export type ListError = 500 | 502 | 503;

export interface FaultSpec {
	/** Terminal failure, with this message when a string. */
	fail?: boolean | string;
	/** The provider ends the task itself at job end: canceled on its side, or its own timeout (reported as the provider's word). */
	endAs?: 'canceled' | 'timeout';
	/** Never finishes (stays processing). */
	stuck?: boolean;
	/** The next status requests for the task answer these, in order. */
	pollErrors?: PollError[];
	/** The next submits answer these, in order (consumed per fault source). */
	submitErrors?: SubmitError[];
	/** Delay for 'ambiguousSlow' (default 30000 ms). */
	slowMs?: number;
	/** Completed-without-results answers before the results appear. */
	noResultsPolls?: number;
	/** Per-task time from submit to terminal state. */
	jobMs?: number;
	/** Size of each output MP4 (streamed, never allocated whole). */
	outputBytes?: number;
	/** Number of output videos, where the provider's shape allows a list. */
	outputs?: number;
	/** Output file URLs answer 410 (Prospolabs `{code:"output_expired"}`) or 404. */
	expired?: boolean;
	/**
	 * Prospolabs enforces its general docs' body `{model, mode?, params, webhook_url?, async?}` instead of the
	 * model page's flat one: a flat body is refused with a validation error (and no generation).
	 */
	paramsBody?: boolean;
	/** With paramsBody: the params body is refused too, 422 (the image cannot be read), nothing created. */
	unreadableImage?: boolean;
	/** The next list requests of this task's provider answer these, in order (while the task exists). */
	listErrors?: ListError[];
	/** The task's entry in a list answer leaves its outputs out (its own status request still has them). */
	listNoOutput?: boolean;
}

export interface EmulatedTask {
	id: string;
	provider: ProviderId;
	/** The parsed submit body as received. */
	body: unknown;
	/** Submit path below the provider prefix, without query string. */
	path: string;
	query: Record<string, string>;
	createdAt: number;
	jobMs: number;
	queuedMs: number;
	/** Normalized status, refreshed from the wall clock whenever tasks() is read. */
	status: TaskStatus;
	faults: FaultSpec;
	/** Output file URLs on the cdn listener (valid once completed). */
	outputs: string[];
	outputSeconds: number;
	width: number;
	height: number;
	quality: 'std' | 'pro';
	orientation: 'image' | 'video';
	imageUrl?: string;
	videoUrl?: string;
	callbackUrl?: string;
	canceledAt?: number;
	/** Failure decided when the job runs (Oxen validates parameters at run time). */
	runFailure?: string;
	/** Status requests answered for this task (including faulted ones). */
	statusRequests: number;
	/** When a status answer first said the task had ended. */
	seenEndedAt?: number;
	/** Remaining completed-without-results answers. */
	noResultsLeft: number;
	/** Remaining injected poll errors. */
	pollErrorsLeft: PollError[];
	/** Remaining injected list errors (answered by the provider's list endpoint). */
	listErrorsLeft: ListError[];
	/** Provider-specific data (external ids, webhook filters, …). */
	extra: Record<string, unknown>;
}

export interface RecordedRequest {
	/** Provider id, or 'evoLinkFiles' | 'falStorage' | 'cdn' | 'unknown'. */
	provider: string;
	method: string;
	/** Path without the provider prefix and without the query string. */
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** Parsed JSON body, or undefined when absent or not JSON. */
	body: unknown;
	bodyBytes: number;
	at: number;
}

export interface SentCallback {
	provider: ProviderId;
	taskId: string;
	url: string;
	event: string;
	body: unknown;
	headers: Record<string, string>;
	at: number;
	/** HTTP status of the receiver, or the delivery error. */
	result?: number | string;
}

export interface PollingReport {
	statusRequests: number;
	peakPerSecond: number;
	meanPerSecond: number;
	/** Per ended task, seconds from its end to the first answer saying so, ascending. */
	detectionDelaySeconds: number[];
}

export interface EmulatorStats {
	submitsAccepted: Record<string, number>;
	submitsRejected: Record<string, number>;
	duplicateSubmits: number;
	statusRequests: Record<string, number>;
	/** Requests to a provider's list endpoint (one answers many tasks; not in statusRequests), faulted ones too. */
	listRequests: Record<string, number>;
	cancelRequests: number;
	fileRequests: number;
	fileRequestsWithAuthorization: number;
	rangeRequests: number;
	uploads: Record<string, number>;
	callbacksSent: number;
	/** Requests to the cdn listener (files, media, uploads) that carried Authorization. */
	cdnRequestsWithAuthorization: number;
	/** Media probe requests (`/media/...`). */
	mediaRequests: number;
}

export interface EmulatorOptions {
	port?: number;
	/** Port of the cdn listener (default: any free port, or port+1 when port is given). */
	cdnPort?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Time from submit to completion. Default 3000. */
	jobMs?: number;
	/** Time spent in the provider's queued state. Default 20% of the task's jobMs. */
	queuedMs?: number;
	/** Non-terminal tasks per provider before submits are refused with the provider's 429. */
	concurrencyCap?: Partial<Record<ProviderId, number>>;
	/** Default size of output MP4s (default 64 KiB). */
	outputBytes?: number;
}

/** One HTTP answer in a provider's shape. */
export interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	/** Default application/json. */
	contentType?: string;
}

/** A provider's error vocabulary: each provider module supplies one. */
export interface ErrorShapes {
	unauthorized(message?: string): Reply;
	notFound(message?: string): Reply;
	/** 429; `kind` tells a rate limit from a concurrency limit. Retry-After is added by the caller. */
	throttled(kind: 'rate' | 'concurrency'): Reply;
	server(status: 500 | 502 | 503): Reply;
}
