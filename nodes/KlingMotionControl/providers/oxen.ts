import type { IDataObject } from 'n8n-workflow';

import { motionVideoLimits } from '../preflight/limits';
import { asObject, asString, genericError, joinUrl, mapStatus, requireString } from './common';
import type { ProviderAdapter, StatusList, TaskState, TaskStatus } from './types';

// Oxen.ai (https://docs.oxen.ai/inference-api/reference/models/kling-video-v3-pro-motion-control). Only the pro model exists; we use the async queue API.
const MODEL = 'kling-video-v3-pro-motion-control';
/** The async queue reference (enqueue, list, get, cancel). */
const QUEUE_DOC = 'https://docs.oxen.ai/inference-api/reference/async_queue';

const STATUS: Record<string, TaskStatus> = {
	queued: 'queued',
	processing: 'processing',
	succeeded: 'completed',
	failed: 'failed',
	cancelled: 'canceled',
};

function parseGeneration(body: unknown): TaskState {
	const object = asObject(body);
	const providerStatus = asString(object.status);
	const status = mapStatus(STATUS, providerStatus);
	const resultUrl = asString(object.result_url);
	return {
		status,
		providerStatus,
		videoUrls: status === 'completed' && resultUrl ? [resultUrl] : [],
		errorMessage: asString(object.error_message) || undefined,
		raw: body,
	};
}

/**
 * "List Generations" (QUEUE_DOC): `GET /queue` answers the caller's generations with the same fields as
 * the single query; without a `status` filter only active ones (queued, processing). So a task that
 * ended is absent and gets one request of its own (which carries its `result_url`). No pagination or
 * page size is documented: one answer lists every active generation [I], hence no real cap here.
 */
const statusList: StatusList = {
	maxTasks: 10_000,
	source: QUEUE_DOC,
	build(_handles, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, '/queue'), qs: { model: MODEL } };
	},
	parse(body, handles) {
		const wanted = new Set(handles.map((handle) => handle.taskId));
		const generations = asObject(body).generations;
		const states = new Map<string, TaskState>();
		for (const entry of Array.isArray(generations) ? generations.map(asObject) : []) {
			const id = asString(entry.generation_id);
			if (id && wanted.has(id)) states.set(id, parseGeneration(entry));
		}
		return states;
	},
};

export const oxen: ProviderAdapter = {
	id: 'oxen',
	displayName: 'Oxen.ai',
	credentialType: 'klingMcOxenApi',
	priceKey: 'oxen',
	limits: {
		video: motionVideoLimits('https://docs.oxen.ai/inference-api/reference/models/kling-video-v3-pro-motion-control'),
		image: {},
	},
	capabilities: {
		qualities: ['pro'],
		features: ['elementFrontalImageUrl'],
		cancel: true,
		// Oxen lists `prompt` as required (fal marks it optional).
		promptRequired: true,
		// No statusRate: Oxen publishes no rate limits (QUEUE_DOC, https://docs.oxen.ai).
	},

	buildSubmit(request, ctx) {
		const body: IDataObject = {
			model: MODEL,
			prompt: request.prompt ?? '',
			input_image: request.imageUrl,
			input_video: request.videoUrl,
			character_orientation: request.characterOrientation,
		};
		if (request.keepOriginalSound !== undefined) body.keep_original_sound = request.keepOriginalSound;
		if (request.elementFrontalImageUrl) {
			// [I] item schema assumed to be fal's KlingV3ImageElementInput (Oxen proxies fal).
			body.elements = [
				{
					frontal_image_url: request.elementFrontalImageUrl,
					reference_image_urls: request.elementReferenceImageUrls ?? [],
				},
			];
		}
		return { method: 'POST', url: joinUrl(ctx.baseUrl, '/queue'), body };
	},

	parseSubmit(body) {
		const generations = asObject(body).generations;
		const first = asObject(Array.isArray(generations) ? generations[0] : undefined);
		return {
			handle: { taskId: requireString(first.generation_id, 'generations[0].generation_id') },
			state: parseGeneration(first),
		};
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, `/queue/${encodeURIComponent(handle.taskId)}`) };
	},

	parseStatus(body) {
		return parseGeneration(body);
	},

	statusList,

	buildCancel(handle, ctx) {
		return { method: 'DELETE', url: joinUrl(ctx.baseUrl, `/queue/${encodeURIComponent(handle.taskId)}`) };
	},

	parseCancel(body, statusCode) {
		const object = asObject(body);
		const accepted = statusCode < 300 && asString(object.status) !== 'error';
		return { accepted, message: accepted ? 'Cancellation accepted' : genericError(statusCode, body).message };
	},

	parseError: genericError,

	// `result_url` can be a hub.oxen.ai repository URL that needs the key: send it there, and only there.
	downloadNeedsKey(url, ctx) {
		try {
			return new URL(url).origin === new URL(ctx.baseUrl).origin;
		} catch {
			return false;
		}
	},
};
