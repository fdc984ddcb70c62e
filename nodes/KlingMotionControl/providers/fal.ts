import type { IDataObject } from 'n8n-workflow';

import { MB, motionVideoLimits } from '../preflight/limits';
import { asNumber, asObject, asString, genericError, joinUrl, requireString } from './common';
import type { ProviderAdapter, ProviderContext, TaskHandle, TaskState } from './types';

// fal.ai queue API (https://fal.ai/models/fal-ai/kling-video/v3/pro/motion-control/api). Std/pro are separate endpoint ids. Status, result and
// cancel URLs drop the model sub-path: we keep the URLs submit returns and, for a bare task id
// (Get Status / Wait for Completion), build the same documented app-level URLs.
const ENDPOINT = {
	standard: '/fal-ai/kling-video/v3/standard/motion-control',
	pro: '/fal-ai/kling-video/v3/pro/motion-control',
} as const;
const APP_REQUESTS = '/fal-ai/kling-video/requests';

function requestUrl(baseUrl: string, taskId: string, suffix = ''): string {
	return joinUrl(baseUrl, `${APP_REQUESTS}/${encodeURIComponent(taskId)}${suffix}`);
}

/** The outputs of a COMPLETED request: its result, or the HTTP error (typically 422 `{detail}`) of a failed run. */
function parseResult(body: unknown, statusCode: number): TaskState {
	if (statusCode >= 400) {
		const error = genericError(statusCode, body);
		return {
			status: 'failed',
			providerStatus: 'COMPLETED',
			videoUrls: [],
			errorMessage: error.message,
			errorCode: error.code,
			raw: body,
		};
	}
	const url = asString(asObject(asObject(body).video).url);
	// Without video.url this is "completed without output": the engine checks again, then fails.
	return { status: 'completed', providerStatus: 'COMPLETED', videoUrls: url ? [url] : [], raw: body };
}

function resultRequest(handle: TaskHandle, ctx: ProviderContext) {
	return { method: 'GET' as const, url: handle.resultUrl ?? requestUrl(ctx.baseUrl, handle.taskId) };
}

export const fal: ProviderAdapter = {
	id: 'fal',
	displayName: 'fal.ai',
	credentialType: 'klingMcFalApi',
	priceKey: 'fal',
	limits: { video: motionVideoLimits('https://fal.ai/models/fal-ai/kling-video/v3/pro/motion-control/api'), image: {} },
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl', 'elementFrontalImageUrl'],
		cancel: true,
		promptRequired: false,
		// fal storage takes any file; the model documents images ≤ 10 MB (elements) and MP4/MOV clips.
		upload: {
			image: { maxBytes: 10 * MB, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
			video: { maxBytes: 100 * MB, mimeTypes: ['video/mp4', 'video/quicktime'] },
		},
	},

	buildSubmit(request, ctx) {
		const body: IDataObject = {
			image_url: request.imageUrl,
			video_url: request.videoUrl,
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) body.prompt = request.prompt;
		if (request.keepOriginalSound !== undefined) body.keep_original_sound = request.keepOriginalSound;
		if (request.elementFrontalImageUrl) {
			body.elements = [
				{
					frontal_image_url: request.elementFrontalImageUrl,
					reference_image_urls: request.elementReferenceImageUrls ?? [],
				},
			];
		}
		return {
			method: 'POST',
			url: joinUrl(ctx.baseUrl, ENDPOINT[request.quality]),
			qs: request.callbackUrl ? { fal_webhook: request.callbackUrl } : undefined,
			body,
		};
	},

	parseSubmit(body) {
		const object = asObject(body);
		return {
			handle: {
				taskId: requireString(object.request_id, 'request_id'),
				statusUrl: asString(object.status_url),
				resultUrl: asString(object.response_url),
				cancelUrl: asString(object.cancel_url),
			},
			state: { status: 'queued', providerStatus: 'IN_QUEUE', videoUrls: [], raw: body },
		};
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: handle.statusUrl ?? requestUrl(ctx.baseUrl, handle.taskId, '/status') };
	},

	parseStatus(body, handle, ctx): TaskState {
		const object = asObject(body);
		const providerStatus = asString(object.status);
		if (providerStatus === 'COMPLETED') {
			// A failed run is COMPLETED too, with `error`/`error_type`.
			const error = asString(object.error);
			if (error) {
				return {
					status: 'failed',
					providerStatus,
					videoUrls: [],
					errorMessage: error,
					errorCode: asString(object.error_type),
					raw: body,
				};
			}
			// The outputs come from the result request.
			return {
				status: 'processing',
				providerStatus,
				videoUrls: [],
				followUp: { request: resultRequest(handle, ctx), clientErrorsAreAnswers: true, parse: parseResult },
				raw: body,
			};
		}
		return {
			status: providerStatus === 'IN_PROGRESS' ? 'processing' : 'queued',
			providerStatus,
			videoUrls: [],
			queuePosition: asNumber(object.queue_position),
			raw: body,
		};
	},

	buildCancel(handle, ctx) {
		return { method: 'PUT', url: handle.cancelUrl ?? requestUrl(ctx.baseUrl, handle.taskId, '/cancel') };
	},

	parseCancel(body, statusCode) {
		const status = asString(asObject(body).status);
		if (statusCode < 300) return { accepted: true, message: status ?? 'CANCELLATION_REQUESTED' };
		if (status === 'ALREADY_COMPLETED') {
			return { accepted: false, message: 'The request had already completed; nothing to cancel.' };
		}
		return { accepted: false, message: genericError(statusCode, body).message };
	},

	parseError: genericError,

	buildUpload(file, ctx) {
		const storage = ctx.storageBaseUrl || 'https://rest.fal.ai';
		return {
			type: 'presigned',
			initiate: {
				method: 'POST',
				url: joinUrl(storage, '/storage/upload/initiate'),
				qs: { storage_type: 'fal-cdn-v3' },
				body: { content_type: file.mimeType, file_name: file.fileName },
			},
			parseSlot: (body) => {
				const object = asObject(body);
				return {
					uploadUrl: requireString(object.upload_url, 'upload_url'),
					fileUrl: requireString(object.file_url, 'file_url'),
				};
			},
		};
	},
};
