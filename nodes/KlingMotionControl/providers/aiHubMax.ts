import type { IDataObject } from 'n8n-workflow';

import { documentedAt, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asObject, genericError, joinUrl, requireString } from './common';
import type { ProviderAdapter } from './types';
import { parseUnifiedTask } from './unifiedTask';

// AIHubMax (https://docs.aihubmax.com/pages/en/api-manual/video-series/kling/kling-v3-motion-control). The page lost the request field names: `image_url`,
// `video_url`, `mode`, `keep_original_sound` are [I] from APIMart's identical page, and the submit
// path `/v1/videos/generations` is [I] from AIHubMax's MCP code. Polling is [C] (general docs).
const MODE = { standard: 'std', pro: 'pro' } as const;
const DOC = 'https://docs.aihubmax.com/pages/en/api-manual/video-series/kling/kling-v3-motion-control';

export const aiHubMax: ProviderAdapter = {
	id: 'aiHubMax',
	displayName: 'AIHubMax',
	credentialType: 'klingMcAiHubMaxApi',
	priceKey: 'aiHubMax',
	limits: { video: motionVideoLimits(DOC), image: { types: documentedAt(DOC)<ImageType[]>(['jpeg', 'png']) } },
	capabilities: {
		qualities: ['standard', 'pro'],
		features: [],
		cancel: false,
		promptRequired: false,
		outputLifetimeHours: 24,
	},

	buildSubmit(request, ctx) {
		const body: IDataObject = {
			model: 'kling-v3-motion-control',
			image_url: request.imageUrl,
			video_url: request.videoUrl,
			mode: MODE[request.quality],
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) body.prompt = request.prompt;
		// A string "yes"/"no" here, not a boolean.
		if (request.keepOriginalSound !== undefined) {
			body.keep_original_sound = request.keepOriginalSound ? 'yes' : 'no';
		}
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
};
