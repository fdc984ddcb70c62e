import type { IDataObject } from 'n8n-workflow';

import { documentedAt, MB, motionVideoLimits } from '../preflight/limits';
import { asNumber, asObject, asString, genericError, joinUrl, mapStatus, requireString, urlList } from './common';
import type { ProviderAdapter, StatusList, TaskState, TaskStatus } from './types';

// Replicate, official model kwaivgi/kling-v3-motion-control (https://replicate.com/kwaivgi/kling-v3-motion-control/api).
const MODE = { standard: 'std', pro: 'pro' } as const;
const DOC = 'https://replicate.com/kwaivgi/kling-v3-motion-control/api';

const STATUS: Record<string, TaskStatus> = {
	starting: 'queued',
	processing: 'processing',
	succeeded: 'completed',
	failed: 'failed',
	canceled: 'canceled',
	aborted: 'canceled',
};

function parsePrediction(body: unknown): TaskState {
	const object = asObject(body);
	const providerStatus = asString(object.status);
	const status = mapStatus(STATUS, providerStatus);
	return {
		status,
		providerStatus,
		videoUrls: status === 'completed' ? urlList(object.output) : [],
		errorMessage: asString(object.error) || undefined,
		durationSeconds: asNumber(asObject(object.metrics).video_output_duration_seconds),
		raw: body,
	};
}

/**
 * "List predictions" (https://replicate.com/docs/reference/http#predictions.list): every prediction of
 * the token's account (API and web, any model), 100 per page, most recent first, cursor pagination
 * through `next`. Entries are prediction objects; the documented example carries `output`, and where
 * an entry lacks it (or the data was removed) a succeeded task is simply completed without its video,
 * which the engine then fetches on its own. Only the first page is asked.
 */
const statusList: StatusList = {
	maxTasks: 100,
	source: 'https://replicate.com/docs/reference/http#predictions.list',
	build(_handles, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, '/v1/predictions') };
	},
	parse(body, handles) {
		const wanted = new Set(handles.map((handle) => handle.taskId));
		const results = asObject(body).results;
		const states = new Map<string, TaskState>();
		for (const entry of Array.isArray(results) ? results.map(asObject) : []) {
			const id = asString(entry.id);
			if (id && wanted.has(id)) states.set(id, parsePrediction(entry));
		}
		return states;
	},
};

function predictionUrl(baseUrl: string, id: string, suffix = ''): string {
	return joinUrl(baseUrl, `/v1/predictions/${encodeURIComponent(id)}${suffix}`);
}

export const replicate: ProviderAdapter = {
	id: 'replicate',
	displayName: 'Replicate',
	credentialType: 'klingMcReplicateApi',
	priceKey: 'replicate',
	limits: { video: motionVideoLimits(DOC, { maxBytes: documentedAt(DOC)(100 * MB) }), image: {} },
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl'],
		cancel: true,
		promptRequired: false,
		// API-created predictions' outputs are removed after about an hour.
		outputLifetimeHours: 1,
		// "All other endpoints you can call at 3000 requests per minute" (creating predictions: 600/min).
		statusRate: { perSecond: 50, source: 'https://replicate.com/docs/topics/predictions/rate-limits' },
		upload: {
			image: { maxBytes: 100 * MB, mimeTypes: ['image/jpeg', 'image/png', 'image/webp'] },
			video: { mimeTypes: ['video/mp4', 'video/quicktime'] },
		},
	},

	buildSubmit(request, ctx) {
		const input: IDataObject = {
			image: request.imageUrl,
			video: request.videoUrl,
			mode: MODE[request.quality],
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) input.prompt = request.prompt;
		if (request.keepOriginalSound !== undefined) input.keep_original_sound = request.keepOriginalSound;
		const body: IDataObject = { input };
		if (request.callbackUrl) {
			body.webhook = request.callbackUrl;
			body.webhook_events_filter = ['completed'];
		}
		return {
			method: 'POST',
			url: joinUrl(ctx.baseUrl, '/v1/models/kwaivgi/kling-v3-motion-control/predictions'),
			// A server-side deadline (changelog 2025-10-16): not started by then = canceled and not charged.
			headers: request.cancelAfterSeconds ? { 'Cancel-After': `${Math.max(1, Math.ceil(request.cancelAfterSeconds))}s` } : undefined,
			body,
		};
	},

	parseSubmit(body) {
		const object = asObject(body);
		const urls = asObject(object.urls);
		return {
			handle: {
				taskId: requireString(object.id, 'id'),
				statusUrl: asString(urls.get),
				cancelUrl: asString(urls.cancel),
			},
			state: parsePrediction(body),
		};
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: handle.statusUrl ?? predictionUrl(ctx.baseUrl, handle.taskId) };
	},

	parseStatus: parsePrediction,

	statusList,

	buildCancel(handle, ctx) {
		return { method: 'POST', url: handle.cancelUrl ?? predictionUrl(ctx.baseUrl, handle.taskId, '/cancel') };
	},

	parseCancel(body, statusCode) {
		const status = asString(asObject(body).status);
		if (statusCode < 300) return { accepted: true, message: `Prediction status: ${status ?? 'canceled'}` };
		return { accepted: false, message: genericError(statusCode, body).message };
	},

	parseError: genericError,

	buildUpload(file, ctx) {
		return {
			type: 'multipart',
			request: { method: 'POST', url: joinUrl(ctx.baseUrl, '/v1/files') },
			field: 'content',
			fields: { filename: file.fileName, type: file.mimeType },
			parseUrl: (body) => requireString(asObject(asObject(body).urls).get, 'urls.get'),
		};
	},
};
