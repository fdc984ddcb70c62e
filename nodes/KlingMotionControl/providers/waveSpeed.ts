import type { IDataObject } from 'n8n-workflow';

import { documentedAt, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asObject, asString, genericError, joinUrl, mapStatus, requireString, ResponseShapeError, urlList } from './common';
import type { ProviderAdapter, TaskStatus, UploadPlan, UploadSlot } from './types';

// WaveSpeedAI (https://wavespeed.ai/models/kwaivgi/kling-v3.0-pro/motion-control). Std/pro are separate endpoints; the std path follows
// WaveSpeed's naming pattern ("Kling V3.0 Std Motion Control" is listed as a related model) [I].
const ENDPOINT = { standard: 'kwaivgi/kling-v3.0-std', pro: 'kwaivgi/kling-v3.0-pro' } as const;

const DOC = 'https://wavespeed.ai/models/kwaivgi/kling-v3.0-pro/motion-control';
const at = documentedAt(DOC);
const MB = 1024 * 1024;

const STATUS: Record<string, TaskStatus> = {
	created: 'queued',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
	// Terminal too (wavespeed-python: `status in ("failed", "cancelled", "timeout")`).
	cancelled: 'canceled',
	timeout: 'failed',
};

const ENDED_BY_PROVIDER: Record<string, string> = {
	cancelled: 'the task was cancelled on WaveSpeedAI\'s side',
	timeout: 'the task timed out on WaveSpeedAI\'s side',
};

function parsePrediction(body: unknown) {
	// Every response is wrapped in `{code, message, data}`.
	const data = asObject(asObject(body).data);
	const providerStatus = asString(data.status);
	const status = mapStatus(STATUS, providerStatus);
	const error = asString(data.error);
	return {
		data,
		state: {
			status,
			providerStatus,
			videoUrls: status === 'completed' ? urlList(data.outputs) : [],
			errorMessage: error || ENDED_BY_PROVIDER[providerStatus ?? ''],
			raw: body,
		},
	};
}

export const waveSpeed: ProviderAdapter = {
	id: 'waveSpeed',
	displayName: 'WaveSpeedAI',
	credentialType: 'klingMcWaveSpeedApi',
	priceKey: 'waveSpeed',
	// Documented: image jpg/jpeg/png ≤ 10 MB, ≥ 300 px, 1:2.5–2.5:1; video mp4/mov ≤ 10 MB, same sides and ratio.
	limits: {
		video: motionVideoLimits(DOC, { minSidePx: at(300), maxBytes: at(10 * MB), maxAspect: at(2.5) }),
		image: { types: at<ImageType[]>(['jpeg', 'png']), minSidePx: at(300), maxBytes: at(10 * MB), maxAspect: at(2.5) },
	},
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl', 'negativePrompt'],
		cancel: false,
		promptRequired: false,
		outputLifetimeHours: 7 * 24,
		upload: { image: { mimeTypes: ['image/jpeg', 'image/png'] }, video: { mimeTypes: ['video/mp4', 'video/quicktime'] } },
	},

	buildSubmit(request, ctx) {
		const body: IDataObject = {
			image: request.imageUrl,
			video: request.videoUrl,
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) body.prompt = request.prompt;
		if (request.negativePrompt) body.negative_prompt = request.negativePrompt;
		if (request.keepOriginalSound !== undefined) body.keep_original_sound = request.keepOriginalSound;
		return {
			method: 'POST',
			url: joinUrl(ctx.baseUrl, `/api/v3/${ENDPOINT[request.quality]}/motion-control`),
			// The webhook is a query parameter of the submit URL.
			qs: request.callbackUrl ? { webhook: request.callbackUrl } : undefined,
			body,
		};
	},

	parseSubmit(body) {
		const { data, state } = parsePrediction(body);
		return { handle: { taskId: requireString(data.id, 'data.id') }, state };
	},

	buildStatus(handle, ctx) {
		return {
			method: 'GET',
			url: joinUrl(ctx.baseUrl, `/api/v3/predictions/${encodeURIComponent(handle.taskId)}/result`),
		};
	},

	parseStatus(body) {
		return parsePrediction(body).state;
	},

	parseError: genericError,

	buildUpload(file, ctx) {
		// Current flow (wavespeed-python, commit c54e078 "use direct media uploads", 2026-08-11; WaveSpeed calls
		// media/upload/binary legacy, "remains available for existing multipart integrations"): a JSON ticket
		// `POST /api/v3/media/uploads {filename, size, content_type}` → `data.upload {method: "PUT", url, headers}`
		// and `data.download_url`; the bytes are PUT to `upload.url` with exactly `upload.headers` (no API key);
		// `download_url` is the URL to submit. The SDK accepts any 2xx for the PUT and needs `size` up front.
		const legacy: UploadPlan = {
			type: 'multipart',
			request: { method: 'POST', url: joinUrl(ctx.baseUrl, '/api/v3/media/upload/binary') },
			field: 'file',
			parseUrl: (body) => requireString(asObject(asObject(body).data).download_url, 'data.download_url'),
		};
		return {
			type: 'presigned',
			initiate: {
				method: 'POST',
				url: joinUrl(ctx.baseUrl, '/api/v3/media/uploads'),
				body: { filename: file.fileName, size: file.size ?? 0, content_type: file.mimeType },
			},
			needsSize: true,
			parseSlot: parseTicket,
			// Only "this route is not here" falls back to the legacy multipart upload: 404/405 (and 501) are what
			// an API or a proxy base URL without the new route answers. A 400/401/413/429/5xx means the endpoint
			// exists and refused this file or key: that is reported as it is, not hidden behind a second upload. [I]
			fallback: { statuses: [404, 405, 501], plan: legacy },
		};
	},
};

/** The upload ticket: `{code: 200, data: {download_url, upload: {method: "PUT", url, headers}}}` (wavespeed-python). */
function parseTicket(body: unknown): UploadSlot {
	const envelope = asObject(body);
	if (envelope.code !== undefined && envelope.code !== 200) {
		throw new ResponseShapeError(`the upload ticket was refused: ${asString(envelope.message) ?? `code ${String(envelope.code)}`}`);
	}
	const data = asObject(envelope.data);
	const upload = asObject(data.upload);
	if ((asString(upload.method) ?? '').toUpperCase() !== 'PUT') throw new ResponseShapeError('the upload ticket has no PUT instruction (data.upload.method)');
	// The SDK sends `upload.headers` and nothing else; without any, the engine sends the file's Content-Type.
	let headers: Record<string, string> | undefined;
	if (upload.headers !== null && typeof upload.headers === 'object') {
		headers = {};
		for (const [name, value] of Object.entries(asObject(upload.headers))) {
			const text = asString(value);
			if (text !== undefined) headers[name] = text;
		}
	}
	return {
		uploadUrl: requireString(upload.url, 'data.upload.url'),
		fileUrl: requireString(data.download_url, 'data.download_url'),
		headers,
	};
}
