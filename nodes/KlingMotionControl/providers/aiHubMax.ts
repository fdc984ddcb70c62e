import type { IDataObject } from 'n8n-workflow';

import { documentedAt, MB, motionVideoLimits } from '../preflight/limits';
import type { ImageType } from '../preflight/mp4';
import { asObject, asString, genericError, joinUrl, requireString } from './common';
import type { ProviderAdapter } from './types';
import { parseUnifiedTask } from './unifiedTask';

// AIHubMax (https://docs.aihubmax.com/pages/en/api-manual/video-series/kling/kling-v3-motion-control). The page lost the request field names: `image_url`,
// `video_url`, `mode`, `keep_original_sound` are [I] from APIMart's identical page, and the submit
// path `/v1/videos/generations` is [I] from AIHubMax's MCP code. Polling is [C] (general docs).
const MODE = { standard: 'std', pro: 'pro' } as const;
const DOC = 'https://docs.aihubmax.com/pages/en/api-manual/video-series/kling/kling-v3-motion-control';

// Files API (AIHubMax's OpenAPI upload-stream.json, copied in cookaihq/aihub-mcp catalog/catalog.zh.json):
// `POST /v1/files/upload/stream`, multipart `file` (required), `file_name`, `auto_cleanup` (default true:
// "when storage is full, delete the earliest uploaded files"; false: answer 403 instead); files expire
// after 72 h. The answer `{id, filename, url, size, created}` is what the aihub-mcp client reads from the
// sibling base64/url uploads (tested live there, 2026-07-16); for the stream upload it is [I].
// The model page takes JPG/PNG images and MP4/MOV videos. No upload size is documented: Kling's own
// limits, which AIHubMax passes on to the model it resells (image 10 MB, video 100 MB), are used [I].
const UPLOAD_IMAGE = { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 10 * MB } as const;
const UPLOAD_VIDEO = { mimeTypes: ['video/mp4', 'video/quicktime'], maxBytes: 100 * MB } as const;

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
		upload: { image: UPLOAD_IMAGE, video: UPLOAD_VIDEO },
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

	buildUpload(_file, ctx) {
		return {
			type: 'multipart',
			request: { method: 'POST', url: joinUrl(ctx.baseUrl, '/v1/files/upload/stream') },
			field: 'file',
			// Never let AIHubMax evict older uploads to make room: a batch's earlier file may not be read yet.
			// A full storage is then a clear 403 before anything is paid.
			fields: { auto_cleanup: 'false' },
			parseUrl: (body) => {
				const object = asObject(body);
				return requireString(asString(object.url) ?? asObject(object.data).url, 'url');
			},
		};
	},
};
