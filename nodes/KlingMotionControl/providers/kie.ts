import type { IDataObject } from 'n8n-workflow';

import { documentedAt, MB, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asNumber, asObject, asString, joinUrl, mapStatus, requireString, urlList } from './common';
import type { ProviderAdapter, ProviderError, TaskState, TaskStatus } from './types';

// Kie.ai "Market" jobs API. Sources (details in the project notes, kie-novita.md):
// docs.kie.ai/market/common/get-task-detail (recordInfo, states, resultJson) [C];
// kie.ai/kling-3-motion-control (fields, limits) [C]; docs.kie.ai/common-api (codes, credit) [C];
// docs.kie.ai/file-upload-api (uploads) [C]; the Kie n8n node ArielleTolome/n8n-nodes-kie
// nodes/GenericFunctions.ts ("Kie.ai returns HTTP 200 even for errors — check the JSON code field").
const MODEL = 'kling-3.0/motion-control';
const DOC = 'https://kie.ai/kling-3-motion-control';
const at = documentedAt(DOC);

// Quality goes in `input.mode`. The pages disagree on its values: Kie's model page says "Use 'std'
// for 720p or 'pro' for 1080p", while Kie's own docs example sends "720p", a Kie-schema clone
// (aivideoapi.ai) documents "720p (default) or 1080p", and an open-source client that runs this model
// on Kie reports that std/pro is refused with code 500 "mode is not within the range of allowed
// options". The one observation of the live API wins: 720p / 1080p. [I] (The Kie n8n node sends
// `resolution`, a field Kie does not document for this model, so its quality choice is likely ignored.)
const MODE = { standard: '720p', pro: '1080p' } as const;

const STATE: Record<string, TaskStatus> = {
	waiting: 'queued',
	queuing: 'queued',
	generating: 'processing',
	success: 'completed',
	fail: 'failed',
};

/** Kie's documented envelope codes, as sentences a user can act on (docs.kie.ai/common-api). */
const CODE_HINTS: Record<string, string> = {
	'402': 'The Kie.ai account has not enough credits: top up at kie.ai.',
	'404': 'Kie.ai does not know this resource.',
	'422': 'Kie.ai rejected the request parameters.',
	'429': 'Kie.ai: too many requests. Lower the Concurrency option or wait.',
	'455': 'Kie.ai is under maintenance.',
	'500': 'Kie.ai server error.',
	'505': 'Kie.ai has disabled this feature.',
};

/** `resultJson` is a JSON string: `{"resultUrls":["…"]}`. */
function resultUrls(value: unknown): string[] {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			return [];
		}
	}
	return urlList(asObject(parsed).resultUrls);
}

function parseRecord(body: unknown): TaskState {
	const data = asObject(asObject(body).data);
	const providerStatus = asString(data.state);
	const status = mapStatus(STATE, providerStatus);
	// `success` without readable URLs: the engine keeps checking a few times, then fails with the task id.
	const videoUrls = status === 'completed' ? resultUrls(data.resultJson) : [];
	return {
		status,
		providerStatus,
		videoUrls,
		errorMessage: asString(data.failMsg) || undefined,
		errorCode: asString(data.failCode) || undefined,
		raw: body,
	};
}

export const kie: ProviderAdapter = {
	id: 'kie',
	displayName: 'Kie.ai',
	credentialType: 'klingMcKieApi',
	priceKey: 'kie',
	// Kie's model page: image jpg/jpeg/png ≤ 10 MB, > 300 px, 2:5 to 5:2; video mp4/mov ≤ 100 MB, 3-30 s.
	limits: {
		video: motionVideoLimits(DOC, { maxBytes: at(100 * MB) }, true),
		image: { types: at<ImageType[]>(['jpeg', 'png']), minSidePx: at(300), maxBytes: at(10 * MB), maxAspect: at(2.5) },
	},
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl'],
		// No cancel endpoint is documented for Market jobs.
		cancel: false,
		promptRequired: false,
		// The model's documented fields have no sound switch.
		soundSwitch: false,
		// "Generated content URLs typically expire after 24 hours" (get-task-detail).
		outputLifetimeHours: 24,
		// File Stream Upload (free, files kept 3 days). Limits from the model page.
		upload: { image: { mimeTypes: ['image/jpeg', 'image/png'] }, video: { mimeTypes: ['video/mp4', 'video/quicktime'] } },
	},

	buildSubmit(request, ctx) {
		const input: IDataObject = {
			input_urls: [request.imageUrl],
			video_urls: [request.videoUrl],
			mode: MODE[request.quality],
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) input.prompt = request.prompt;
		// Only the default (keep) is possible; turning it off is refused before any call (soundSwitch).
		const body: IDataObject = { model: MODEL, input };
		if (request.callbackUrl) body.callBackUrl = request.callbackUrl;
		return { method: 'POST', url: joinUrl(ctx.baseUrl, '/api/v1/jobs/createTask'), body };
	},

	parseSubmit(body) {
		const data = asObject(asObject(body).data);
		return { handle: { taskId: requireString(data.taskId, 'data.taskId') } };
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, `/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(handle.taskId)}`) };
	},

	parseStatus: parseRecord,

	envelopeStatus(httpStatus, body) {
		if (httpStatus < 200 || httpStatus >= 300) return httpStatus;
		const code = asNumber(asObject(body).code);
		if (code === undefined || code === 200) return httpStatus;
		// 455 "undergoing maintenance" clears by waiting; 505 "feature disabled" does not. [I]
		if (code === 455) return 503;
		if (code === 505) return 403;
		return code >= 400 && code < 600 ? code : 502;
	},

	parseError(statusCode, body): ProviderError {
		const object = asObject(body);
		const code = asString(object.code) ?? String(statusCode);
		const message =
			asString(object.msg) ?? asString(object.message) ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : `HTTP ${statusCode}`);
		const hint = CODE_HINTS[code];
		return {
			code,
			// 402 (credits) does not clear by waiting.
			retryable: code === '402' ? false : undefined,
			message: hint ? `${hint} (Kie.ai code ${code}: ${message})` : message,
		};
	},

	buildUpload(_file, ctx) {
		// The upload API lives on kieai.redpandaai.co; a gateway or proxy base URL is used as is.
		const host = /^https:\/\/api\.kie\.ai\/?$/.test(ctx.baseUrl) ? 'https://kieai.redpandaai.co' : ctx.baseUrl;
		return {
			type: 'multipart',
			request: { method: 'POST', url: joinUrl(host, '/api/file-stream-upload') },
			field: 'file',
			// No fileName: Kie overwrites files of the same name, so two items' "image.png" would collide.
			fields: { uploadPath: 'kling-motion-control' },
			parseUrl: (body) => requireString(asObject(asObject(body).data).downloadUrl, 'data.downloadUrl'),
		};
	},
};
