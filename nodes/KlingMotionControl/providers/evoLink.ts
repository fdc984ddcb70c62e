import type { IDataObject } from 'n8n-workflow';

import { klingModelRules } from '../preflight/limits';
import { asObject, genericError, joinUrl, requireString } from './common';
import type { ProviderAdapter } from './types';
import { parseUnifiedTask } from './unifiedTask';

// EvoLink (https://evolink.ai/kling-v3-motion-control). One model id; std/pro is `quality` 720p/1080p.
const QUALITY = { standard: '720p', pro: '1080p' } as const;

export const evoLink: ProviderAdapter = {
	id: 'evoLink',
	displayName: 'EvoLink',
	credentialType: 'klingMcEvoLinkApi',
	priceKey: 'evoLink',
	// EvoLink republishes Kling's own rules word for word.
	limits: klingModelRules('https://evolink.ai/kling-v3-motion-control'),
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl', 'elementId', 'watermark'],
		cancel: false,
		promptRequired: false,
		callbackHttpsOnly: true,
		outputLifetimeHours: 24,
		// The files API documents images only (and takes WebP/GIF too), but motion control takes JPG/JPEG/PNG only:
		// a WebP is refused before it is uploaded.
		upload: { image: { mimeTypes: ['image/jpeg', 'image/png'] } },
	},

	buildSubmit(request, ctx) {
		const modelParams: IDataObject = { character_orientation: request.characterOrientation };
		// EvoLink names it `keep_sound` (boolean), unlike everyone else.
		if (request.keepOriginalSound !== undefined) modelParams.keep_sound = request.keepOriginalSound;
		if (request.elementId) modelParams.element_list = [{ element_id: request.elementId }];
		if (request.watermark !== undefined) modelParams.watermark_info = { enabled: request.watermark };
		const body: IDataObject = {
			model: 'kling-v3-motion-control',
			image_urls: [request.imageUrl],
			video_urls: [request.videoUrl],
			quality: QUALITY[request.quality],
			model_params: modelParams,
		};
		if (request.prompt) body.prompt = request.prompt;
		if (request.callbackUrl) body.callback_url = request.callbackUrl;
		return { method: 'POST', url: joinUrl(ctx.baseUrl, '/v1/videos/generations'), body };
	},

	parseSubmit(body) {
		return { handle: { taskId: requireString(asObject(body).id, 'id') }, state: parseUnifiedTask(body) };
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, `/v1/tasks/${encodeURIComponent(handle.taskId)}`) };
	},

	parseStatus: parseUnifiedTask,
	parseError: genericError,

	buildUpload(_file, ctx) {
		// The files API lives on files-api.evolink.ai; a gateway or proxy base URL is used as is.
		const filesBase = /^https:\/\/api\.evolink\.ai\/?$/.test(ctx.baseUrl) ? 'https://files-api.evolink.ai' : ctx.baseUrl;
		return {
			type: 'multipart',
			request: { method: 'POST', url: joinUrl(filesBase, '/api/v1/files/upload/stream') },
			field: 'file',
			parseUrl: (body) => requireString(asObject(asObject(body).data).file_url, 'data.file_url'),
		};
	},
};
