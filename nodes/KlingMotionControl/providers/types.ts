import type { IDataObject } from 'n8n-workflow';

import type { ProviderLimits } from '../preflight/limits';
import type { PROVIDERS } from './index';

/** The values of the node's `authentication` ("Provider") parameter: the registry's keys. */
export type ProviderId = keyof typeof PROVIDERS;

/** Our normalised task state (json.status). */
export type TaskStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'canceled';

export type Quality = 'standard' | 'pro';
export type Orientation = 'image' | 'video';

/** The unified request every adapter maps to its provider's own body. */
export interface MotionControlRequest {
	imageUrl: string;
	videoUrl: string;
	characterOrientation: Orientation;
	quality: Quality;
	prompt?: string;
	negativePrompt?: string;
	keepOriginalSound?: boolean;
	elementId?: string;
	elementFrontalImageUrl?: string;
	elementReferenceImageUrls?: string[];
	watermark?: boolean;
	callbackUrl?: string;
	/** Seconds after which the provider itself should cancel the task (sent where documented: cancelOnTimeout). */
	cancelAfterSeconds?: number;
	/** Provider-side idempotency key, sent only where the provider documents one. */
	idempotencyKey?: string;
}

/** The options a user may set that not every provider can honour. */
export type OptionalFeature =
	| 'callbackUrl'
	| 'elementFrontalImageUrl'
	| 'elementId'
	| 'negativePrompt'
	| 'watermark';

export interface ProviderContext {
	baseUrl: string;
	storageBaseUrl?: string;
}

/** A provider-independent description of one HTTP call; the transport executes it. */
export interface RequestSpec {
	method: 'DELETE' | 'GET' | 'POST' | 'PUT';
	url: string;
	body?: IDataObject;
	qs?: Record<string, string>;
	headers?: Record<string, string>;
	/** Calls to absolute URLs the provider returned still carry the provider's auth. */
	authenticated?: boolean;
	/** The provider answers only when the job is done (a synchronous submit). */
	longRunning?: boolean;
}

/** What we keep about a task between calls. `taskId` alone must be enough to find it again. */
export interface TaskHandle {
	taskId: string;
	statusUrl?: string;
	resultUrl?: string;
	cancelUrl?: string;
}

export interface TaskState {
	status: TaskStatus;
	videoUrls: string[];
	/** The provider's own status word, for the output item. */
	providerStatus?: string;
	errorMessage?: string;
	errorCode?: string;
	progress?: number;
	queuePosition?: number;
	/** Seconds the provider estimates until the task is done. */
	estimatedSeconds?: number;
	durationSeconds?: number;
	/** Set by the engine: the provider said completed but gave no video URL (not completed for us). */
	awaitingOutput?: boolean;
	/** Seconds the output URLs stay valid, when the provider says so per task. */
	urlTtlSeconds?: number;
	/** The status says done, but the outputs come from a second request the adapter describes. */
	followUp?: FollowUp;
	raw: unknown;
}

/** A second request that completes a status check (for example a separate result endpoint). */
export interface FollowUp {
	request: RequestSpec;
	/** HTTP client errors (other than 401/403/404) of this request are the task's outcome, not a failure to ask. */
	clientErrorsAreAnswers?: boolean;
	parse(body: unknown, statusCode: number): TaskState;
}

export interface SubmitResult {
	handle: TaskHandle;
	/** Present when the submit response already carries a state. */
	state?: TaskState;
}

export interface ProviderError {
	message: string;
	code?: string;
	/** false when a refusal (e.g. an HTTP 429 about the account balance) will not clear by waiting. */
	retryable?: boolean;
}

export type SubmitMode = 'submitOnly' | 'wait';

export type MediaKind = 'image' | 'video';

/** A file from an earlier node, described by its n8n binary metadata. */
export interface UploadFile {
	kind: MediaKind;
	fileName: string;
	mimeType: string;
	size?: number;
}

export interface UploadLimits {
	/** Documented maximum file size in bytes for the upload, when it differs from (or is missing in) `limits`. */
	maxBytes?: number;
	/** MIME types the provider documents for this input. */
	mimeTypes: readonly string[];
}

/** Where to PUT the bytes and the URL the file will have. */
export interface UploadSlot {
	uploadUrl: string;
	fileUrl: string;
	/** Headers the provider prescribes for the PUT, sent as given (default: the file's Content-Type). */
	headers?: Record<string, string>;
}

/** How a provider takes a file; the engine performs it, the adapter only describes it. */
export type UploadPlan =
	| {
			/** multipart/form-data POST with the file in `field`; the answer carries the file's URL. */
			type: 'multipart';
			request: RequestSpec;
			field: string;
			fields?: Record<string, string>;
			parseUrl(body: unknown): string;
	  }
	| {
			/** Ask for an upload slot, then PUT the raw bytes to it (no provider auth). */
			type: 'presigned';
			initiate: RequestSpec;
			parseSlot(body: unknown): UploadSlot;
			/** The initiate request must state the file's size: the engine learns it first when the binary metadata lacks it. */
			needsSize?: boolean;
			/**
			 * The initiate endpoint answered one of these HTTP statuses (it is not there at this base URL):
			 * upload with `plan` instead. Any other refusal is reported as it is.
			 */
			fallback?: { statuses: readonly number[]; plan: UploadPlan };
	  }
	| {
			/** The file itself, raw base64 without a data: prefix, in place of the URL. */
			type: 'inlineBase64';
	  };

export interface ProviderCapabilities {
	qualities: readonly Quality[];
	/** Options this provider can honour; anything else set by the user is refused before submitting. */
	features: readonly OptionalFeature[];
	cancel: boolean;
	promptRequired: boolean;
	/** The provider documents HTTPS-only callback URLs. */
	callbackHttpsOnly?: boolean;
	/** A submit can be looked up by its idempotency key (`buildLookup`). */
	idempotentSubmit?: boolean;
	/** false: the provider documents no switch for the reference video's sound, so only the default can be honoured. */
	soundSwitch?: false;
	/** How long output URLs stay valid, in hours (undefined = not documented / long-lived). */
	outputLifetimeHours?: number;
	/** Inputs that may come as files from earlier nodes (uploaded through the provider's own API). */
	upload?: Partial<Record<MediaKind, UploadLimits>>;
	/**
	 * The provider's documented rate limit for status requests, per second, with the page that says it
	 * (the run's shared status budget never exceeds it). Undefined: none published.
	 */
	statusRate?: { perSecond: number; source: string };
}

/**
 * One documented request that answers the status of many tasks (a list endpoint). The engine asks it
 * once per poll wave for the tasks due together and checks any task the answer leaves out (or ended
 * without its outputs in the list) with its own status request.
 */
export interface StatusList {
	/** Tasks one request can cover (the documented page size), and the page that documents the endpoint. */
	maxTasks: number;
	source: string;
	build(handles: readonly TaskHandle[], ctx: ProviderContext): RequestSpec;
	/** States of the tasks found in the answer, by task id; tasks not found are simply absent. */
	parse(body: unknown, handles: readonly TaskHandle[], ctx: ProviderContext): Map<string, TaskState>;
}

export interface ProviderAdapter {
	/** The registry key and the `authentication` value. */
	id: string;
	/** The provider's name as users read it: the one spelling used everywhere (options, messages, README). */
	displayName: string;
	credentialType: string;
	/** The row of prices.json that prices this provider. */
	priceKey: string;
	capabilities: ProviderCapabilities;
	/** Documented input limits (clip length, size, image type…), checked before paying. */
	limits: ProviderLimits;
	buildSubmit(request: MotionControlRequest, ctx: ProviderContext, mode: SubmitMode): RequestSpec;
	parseSubmit(body: unknown): SubmitResult;
	buildStatus(handle: TaskHandle, ctx: ProviderContext): RequestSpec;
	parseStatus(body: unknown, handle: TaskHandle, ctx: ProviderContext): TaskState;
	/** Optional: a documented list endpoint that answers many status checks in one request. */
	statusList?: StatusList;
	buildCancel?(handle: TaskHandle, ctx: ProviderContext): RequestSpec;
	parseCancel?(body: unknown, statusCode: number): { accepted: boolean; message: string };
	/** Find the task a submit with this idempotency key created (where the provider documents a lookup). */
	buildLookup?(idempotencyKey: string, ctx: ProviderContext): RequestSpec;
	parseError(statusCode: number, body: unknown): ProviderError;
	/**
	 * Errors that come as a 2xx with the real status in the JSON envelope (a `code` field): returns the
	 * status the engine should act on (the HTTP status when the envelope says nothing else).
	 */
	envelopeStatus?(httpStatus: number, body: unknown): number;
	buildUpload?(file: UploadFile, ctx: ProviderContext): UploadPlan;
	/**
	 * A provider that documents two body shapes: after a submit refused with HTTP 400/422 (a validation
	 * error: no task exists), the other shape to send once — only when the provider's words say the shape
	 * itself was wrong; undefined otherwise. Never called after an answer that leaves the outcome unknown.
	 */
	otherSubmitShape?(request: MotionControlRequest, ctx: ProviderContext, mode: SubmitMode, refusal: ProviderError): RequestSpec | undefined;
	/** An output URL that only the provider's key can download (on its own API host). */
	downloadNeedsKey?(url: string, ctx: ProviderContext): boolean;
}
