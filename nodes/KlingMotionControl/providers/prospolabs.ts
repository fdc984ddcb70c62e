import type { IDataObject } from 'n8n-workflow';

import { documentedAt, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asNumber, asObject, asString, genericError, joinUrl, mapStatus, requireString } from './common';
import type { ProviderAdapter, TaskState, TaskStatus } from './types';

// Prospolabs (https://prospolabs.com/models/kling/kling-3-motion-control). The flat body of the model page. `POST /v1/generate` is
// synchronous by default (documented): Submit and Wait uses it as is. Submit-only and callbacks need
// `async: true` (documented, body or `?async=true`). The poll path `GET /v1/generations/{id}` is NOT
// publicly documented: it is [I], used only by Get Status / Wait for Completion on a task id.
const DOC = 'https://prospolabs.com/models/kling/kling-3-motion-control';

const STATUS: Record<string, TaskStatus> = {
	queued: 'queued',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
};

function parseGeneration(body: unknown): TaskState {
	const object = asObject(body);
	const providerStatus = asString(object.status);
	const status = mapStatus(STATUS, providerStatus);
	const outputUrl = asString(object.output_url);
	const error = asObject(object.error);
	return {
		status,
		providerStatus,
		videoUrls: status === 'completed' && outputUrl ? [outputUrl] : [],
		errorMessage:
			asString(error.message) ?? (typeof object.error === 'string' ? object.error : undefined),
		errorCode: asString(error.code) ?? asString(object.code),
		raw: body,
		durationSeconds: undefined,
		estimatedSeconds: undefined,
		progress: asNumber(object.progress),
	};
}

export const prospolabs: ProviderAdapter = {
	id: 'prospolabs',
	displayName: 'Prospolabs',
	credentialType: 'klingMcProspolabsApi',
	priceKey: 'prospolabs',
	limits: { video: motionVideoLimits(DOC), image: { types: documentedAt(DOC)<ImageType[]>(['jpeg', 'png', 'webp']) } },
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl'],
		cancel: false,
		promptRequired: false,
		outputLifetimeHours: 7 * 24,
	},

	buildSubmit(request, ctx, mode) {
		const body: IDataObject = {
			model: 'kling-3-motion-control',
			quality: request.quality,
			video_urls: [request.videoUrl],
			image_url: request.imageUrl,
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) body.prompt = request.prompt;
		if (request.keepOriginalSound !== undefined) body.keep_original_sound = request.keepOriginalSound;
		if (request.callbackUrl) body.webhook_url = request.callbackUrl;
		const async = mode === 'submitOnly' || request.callbackUrl !== undefined;
		if (async) body.async = true;
		return {
			method: 'POST',
			url: joinUrl(ctx.baseUrl, '/v1/generate'),
			body,
			longRunning: !async,
		};
	},

	parseSubmit(body) {
		return {
			handle: { taskId: requireString(asObject(body).generation_id, 'generation_id') },
			state: parseGeneration(body),
		};
	},

	buildStatus(handle, ctx) {
		// [I] undocumented poll path (see the header comment).
		return {
			method: 'GET',
			url: joinUrl(ctx.baseUrl, `/v1/generations/${encodeURIComponent(handle.taskId)}`),
		};
	},

	parseStatus: parseGeneration,
	parseError: genericError,
};
