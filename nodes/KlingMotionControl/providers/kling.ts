import type { IDataObject } from 'n8n-workflow';

import { KLING_MODEL_DOC, klingModelRules } from '../preflight/limits';
import { asNumber, asObject, asString, joinUrl, mapStatus, requireString } from './common';
import type { ProviderAdapter, ProviderError, StatusList, TaskState, TaskStatus } from './types';

// Official Kling API, legacy JWT generation (https://app.klingai.com/global/dev/document-api). The credential signs the JWT.
const MODE = { standard: 'std', pro: 'pro' } as const;
const PATH = '/v1/videos/motion-control';
/** Motion Control's reference page: create, query (single) and query (list). */
const MOTION_DOC = 'https://app.klingai.com/global/dev/document-api/apiReference/model/motionControl';
/** "Query Task (List)": pageNum 1–1000, pageSize 1–500 (default 30). */
const LIST_PAGE_SIZE = 500;

const STATUS: Record<string, TaskStatus> = {
	submitted: 'queued',
	processing: 'processing',
	succeed: 'completed',
	failed: 'failed',
};

/** Kling's error codes, as sentences a user can act on. */
const CODE_HINTS: Record<string, string> = {
	'1000': 'Authentication failed: check the Access Key and Secret Key in the Kling credential.',
	'1001': 'Authentication failed: the Authorization header is missing or empty.',
	'1002': 'Authentication failed: the signed token is invalid. Check the Access Key and Secret Key.',
	'1003': 'Authentication failed: the signed token is not valid yet. Check the clock of the n8n host.',
	'1004': 'Authentication failed: the signed token has expired. Check the clock of the n8n host.',
	'1100': 'The Kling account has a problem (for example no active resource pack).',
	'1101': 'The Kling account is in arrears: top up the account balance.',
	'1102': 'The Kling resource pack is used up or expired: buy or renew a pack.',
	'1103': 'This Kling account has no permission for this model or feature.',
	'1200': 'Kling rejected the request parameters.',
	'1201': 'Kling rejected a parameter value.',
	'1300': 'Kling refused the request under its content policy.',
	'1301': 'Kling refused the content under its safety policy.',
	'1302': 'Kling: requests are arriving too fast. Lower the Concurrency option or wait.',
	'1303': 'Kling: more tasks in parallel than the resource pack allows. Lower the Concurrency option.',
	'1304': 'Kling: the request came from an IP address that is not on the account allow-list.',
	'5000': 'Kling server error.',
	'5001': 'Kling is temporarily unavailable.',
	'5002': 'Kling timed out on the server side.',
};

/**
 * `element_id` is documented as a long. Ids up to 2^53 go as JSON numbers; larger ones (the docs'
 * example 829836802793406551 is one) cannot be written exactly as a JSON number from JavaScript, so
 * they go as the digit string, which Kling's Java backend (Jackson) coerces to a long [I].
 */
function elementId(id: string): number | string {
	return /^\d+$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;
}

/** One task object (`data` of a query, or one entry of the list's `data` array). */
function taskState(data: IDataObject, raw: unknown): TaskState {
	const providerStatus = asString(data.task_status);
	const status = mapStatus(STATUS, providerStatus);
	const videos = asObject(data.task_result).videos;
	const list = Array.isArray(videos) ? videos.map(asObject) : [];
	return {
		status,
		providerStatus,
		videoUrls:
			status === 'completed'
				? list.map((video) => asString(video.url)).filter((url): url is string => !!url)
				: [],
		errorMessage: asString(data.task_status_msg) || undefined,
		durationSeconds: asNumber(list[0]?.duration),
		raw,
	};
}

function parseTask(body: unknown): TaskState {
	return taskState(asObject(asObject(body).data), body);
}

/**
 * "Query Task (List)" (MOTION_DOC): `data` is an array of the same task objects the single query
 * answers, `task_result.videos` included. The first page of 500 is asked; the order is not stated
 * (newest first [I]), so a task beyond the page is simply not found and checked on its own.
 */
const statusList: StatusList = {
	maxTasks: LIST_PAGE_SIZE,
	source: MOTION_DOC,
	build(_handles, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, PATH), qs: { pageNum: '1', pageSize: String(LIST_PAGE_SIZE) } };
	},
	parse(body, handles) {
		const wanted = new Set(handles.map((handle) => handle.taskId));
		const entries = asObject(body).data;
		const states = new Map<string, TaskState>();
		for (const entry of Array.isArray(entries) ? entries.map(asObject) : []) {
			// A handle names the task by Kling's task_id, or (the query path accepts both) by its external_task_id.
			const ids = [asString(entry.task_id), asString(asObject(entry.task_info).external_task_id)];
			const id = ids.find((candidate) => candidate !== undefined && wanted.has(candidate));
			if (id) states.set(id, taskState(entry, entry));
		}
		return states;
	},
};

export const kling: ProviderAdapter = {
	id: 'kling',
	displayName: 'Kling AI (official API)',
	credentialType: 'klingMcKlingApi',
	priceKey: 'kling',
	limits: klingModelRules(KLING_MODEL_DOC),
	capabilities: {
		qualities: ['standard', 'pro'],
		features: ['callbackUrl', 'elementId', 'watermark'],
		cancel: false,
		promptRequired: false,
		idempotentSubmit: true,
		outputLifetimeHours: 30 * 24,
		// The image may be sent as raw base64 (jpg/jpeg/png ≤ 10 MB); there is no video upload.
		upload: { image: { mimeTypes: ['image/jpeg', 'image/png'] } },
		// No statusRate: Kling's rate-limit page limits concurrent tasks only and says "the system imposes
		// no QPS limit" (https://app.klingai.com/global/dev/document-api/apiReference/rateLimits).
	},

	buildSubmit(request, ctx) {
		const body: IDataObject = {
			model_name: 'kling-v3',
			mode: MODE[request.quality],
			image_url: request.imageUrl,
			video_url: request.videoUrl,
			character_orientation: request.characterOrientation,
		};
		if (request.prompt) body.prompt = request.prompt;
		if (request.keepOriginalSound !== undefined) {
			body.keep_original_sound = request.keepOriginalSound ? 'yes' : 'no';
		}
		if (request.elementId) body.element_list = [{ element_id: elementId(request.elementId) }];
		if (request.watermark !== undefined) body.watermark_info = { enabled: request.watermark };
		if (request.callbackUrl) body.callback_url = request.callbackUrl;
		if (request.idempotencyKey) body.external_task_id = request.idempotencyKey;
		return { method: 'POST', url: joinUrl(ctx.baseUrl, PATH), body };
	},

	parseSubmit(body) {
		const data = asObject(asObject(body).data);
		return { handle: { taskId: requireString(data.task_id, 'data.task_id') }, state: parseTask(body) };
	},

	buildStatus(handle, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, `${PATH}/${encodeURIComponent(handle.taskId)}`) };
	},

	parseStatus: parseTask,

	statusList,

	// The query path also accepts the external task id [C], so a lost submit answer can be recovered.
	buildLookup(idempotencyKey, ctx) {
		return { method: 'GET', url: joinUrl(ctx.baseUrl, `${PATH}/${encodeURIComponent(idempotencyKey)}`) };
	},

	buildUpload() {
		return { type: 'inlineBase64' };
	},

	parseError(statusCode, body): ProviderError {
		const object = asObject(body);
		const code = asString(object.code);
		const message = asString(object.message) ?? `HTTP ${statusCode}`;
		const hint = code ? CODE_HINTS[code] : undefined;
		// Kling answers 429 for balance problems too (1100–1102, 1304): waiting does not clear those.
		const retryable = code ? code === '1302' || code === '1303' || code.startsWith('5') : undefined;
		return { code, retryable, message: hint ? `${hint} (Kling code ${code}: ${message})` : message };
	},
};
