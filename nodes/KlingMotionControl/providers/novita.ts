import type { IDataObject } from 'n8n-workflow';

import { documentedAt, MB, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asNumber, asObject, asString, joinUrl, mapStatus, requireString } from './common';
import type { ProviderAdapter, ProviderError, TaskState, TaskStatus } from './types';

// Novita AI v3 async API. Sources: novita.ai/docs/api-reference/model-apis-kling-v3.0-motion-control
// (body, limits) [C], model-apis-task-result (task.status, videos[]) [C], basic-error-code (error
// names and HTTP statuses) [C], basic-get-user-info (GET /v3/user) [C].
const DOC = 'https://novita.ai/docs/api-reference/model-apis-kling-v3.0-motion-control';
const at = documentedAt(DOC);
const MODEL_NAME = { standard: 'kling-v3-0-std', pro: 'kling-v3-0-pro' } as const;

const STATUS: Record<string, TaskStatus> = {
	TASK_STATUS_QUEUED: 'queued',
	TASK_STATUS_PROCESSING: 'processing',
	TASK_STATUS_SUCCEED: 'completed',
	TASK_STATUS_FAILED: 'failed',
	// Seen in open-source clients' schemas of the same endpoint, not on the docs page. [I]
	TASK_STATUS_CANCELED: 'canceled',
};

/** Error names from Novita's error-code table, as sentences a user can act on. */
const REASON_HINTS: Record<string, string> = {
	MISSING_API_KEY: 'Novita AI got no API key: fill it in the Novita AI credential.',
	BILLING_BALANCE_NOT_ENOUGH: 'The Novita AI balance is too low: top up the account.',
	NEED_REAL_NAME_VERIFY: 'Novita AI requires verification of the account for this API.',
	API_NOT_ALLOWED: 'This Novita AI account may not use this API.',
	RATE_LIMIT_EXCEEDED: 'Novita AI: too many requests. Lower the Concurrency option or wait.',
	TASK_NOT_FOUND: 'Novita AI does not know this task.',
	ILLEGAL_IMAGE_CONTENT: 'Novita AI refused the image under its content policy.',
	ILLEGAL_PROMPT: 'Novita AI refused the prompt under its content policy.',
};

function parseResult(body: unknown): TaskState {
	const object = asObject(body);
	const task = asObject(object.task);
	const providerStatus = asString(task.status);
	const status = mapStatus(STATUS, providerStatus);
	const videos = Array.isArray(object.videos) ? object.videos.map(asObject) : [];
	// A success without a URL: the engine keeps checking a few times, then fails with the task id.
	const videoUrls = videos.map((video) => asString(video.video_url)).filter((url): url is string => !!url);
	// video_url_ttl: seconds the link stays valid (a string in the docs' schema). [C]
	const ttl = asNumber(videos[0]?.video_url_ttl);
	return {
		status,
		providerStatus,
		videoUrls: status === 'completed' ? videoUrls : [],
		errorMessage: asString(task.reason) || undefined,
		progress: asNumber(task.progress_percent),
		estimatedSeconds: asNumber(task.eta),
		urlTtlSeconds: status === 'completed' && ttl && ttl > 0 ? ttl : undefined,
		raw: body,
	};
}

export const novita: ProviderAdapter = {
	id: 'novita',
	displayName: 'Novita AI',
	credentialType: 'klingMcNovitaApi',
	priceKey: 'novita',
	// Documented: image jpg/jpeg/png ≤ 10 MB, ≥ 300 px, 1:2.5–2.5:1; video mp4/mov ≤ 10 MB, ≥ 300 px, 3-30 s.
	limits: {
		video: motionVideoLimits(DOC, { minSidePx: at(300), maxBytes: at(10 * MB) }, true),
		image: { types: at<ImageType[]>(['jpeg', 'png']), minSidePx: at(300), maxBytes: at(10 * MB), maxAspect: at(2.5) },
	},
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl', 'negativePrompt'],
		// No cancel endpoint is documented for v3 async tasks.
		cancel: false,
		promptRequired: false,
		// Per task from video_url_ttl (urlTtlSeconds); no general retention is documented.
		outputLifetimeHours: undefined,
		// `image` takes "URL or base64" (jpg/jpeg/png ≤ 10 MB); `video` is a URL only: no video upload.
		upload: { image: { mimeTypes: ['image/jpeg', 'image/png'] } },
	},

	buildSubmit(request, ctx) {
		const body: IDataObject = {
			image: request.imageUrl,
			video: request.videoUrl,
			model_name: MODEL_NAME[request.quality],
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) body.prompt = request.prompt;
		if (request.negativePrompt) body.negative_prompt = request.negativePrompt;
		// A boolean here.
		if (request.keepOriginalSound !== undefined) body.keep_original_sound = request.keepOriginalSound;
		// The v3 async webhook: `extra.webhook.url`.
		if (request.callbackUrl) body.extra = { webhook: { url: request.callbackUrl } };
		return { method: 'POST', url: joinUrl(ctx.baseUrl, '/v3/async/kling-v3.0-motion-control'), body };
	},

	parseSubmit(body) {
		return { handle: { taskId: requireString(asObject(body).task_id, 'task_id') } };
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, `/v3/async/task-result?task_id=${encodeURIComponent(handle.taskId)}`) };
	},

	parseStatus: parseResult,

	buildUpload() {
		return { type: 'inlineBase64' };
	},

	// Error body `{code, reason, message, metadata}` [I: shape of Novita's v3 errors; names and statuses C].
	parseError(statusCode, body): ProviderError {
		const object = asObject(body);
		const reason = asString(object.reason);
		const message =
			asString(object.message) ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : `HTTP ${statusCode}`);
		const hint = reason ? REASON_HINTS[reason] : undefined;
		return {
			code: reason ?? asString(object.code),
			// The balance refusal is an HTTP 400; no Novita 429 is about money.
			retryable: reason === 'BILLING_BALANCE_NOT_ENOUGH' ? false : undefined,
			message: hint ? `${hint} (Novita ${reason}: ${message})` : message,
		};
	},
};
