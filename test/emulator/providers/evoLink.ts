// EvoLink (seed 002, providers.md §2.3). Base https://api.evolink.ai, Bearer key, unified task engine.
// Files API (https://files-api.evolink.ai) is served on the `/evoLinkFiles` prefix.
import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, parseMultipart, send } from '../core/http';
import type { Issue } from '../core/schema';
import { arr, bool, obj, oneOrMany, ORIENTATIONS, pathText, required, rule, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { unifiedTask, unifiedTaskId } from '../core/unified';
import { authToken, isoTime, round, serve } from '../core/util';

const MODEL = 'kling-v3-motion-control';

/** Request body [C, seed 002]. Note `model_params.keep_sound` (boolean), not keep_original_sound. */
const BODY = obj({
	model: required(str({ enum: [MODEL] })),
	image_urls: required(oneOrMany(url(), { minItems: 1, maxItems: 1 })),
	video_urls: required(oneOrMany(url(), { minItems: 1, maxItems: 1 })),
	prompt: str({ maxLength: 2500 }),
	quality: required(str({ enum: ['720p', '1080p'] })),
	model_params: required(
		obj({
			character_orientation: required(str({ enum: ORIENTATIONS })),
			keep_sound: bool(),
			element_list: arr(obj({ element_id: required(str()) }), { maxItems: 1 }),
			watermark_info: obj({ enabled: required(bool()) }),
		}),
	),
	callback_url: str({ format: 'https', maxLength: 2048 }),
});

/** Credits per output second [C]: 720p base, 1080p = 1.333×. */
const CREDITS_PER_SECOND = { std: 8.1648, pro: 10.88368 } as const;

const apiError = (status: number, type: string, code: string, message: string, param?: string): Reply =>
	json(status, { error: { code, message, type, ...(param ? { param } : {}) } });

// [I] HTTP error vocabulary from EvoLink-powered docs (providers.md §2.3).
const errors: ErrorShapes = {
	unauthorized: (m = 'Invalid API key') => apiError(401, 'authentication_error', 'unauthorized', m),
	notFound: (m = 'Resource not found') => apiError(404, 'not_found_error', 'resource_not_found', m),
	throttled: (kind) =>
		apiError(
			429,
			'rate_limit_error',
			kind === 'concurrency' ? 'concurrency_limit_exceeded' : 'rate_limit_exceeded',
			kind === 'concurrency' ? 'Too many concurrent tasks' : 'Rate limit exceeded, please retry later',
		),
	server: (status) =>
		status === 500
			? apiError(500, 'internal_error', 'internal_error', 'Internal server error')
			: status === 502
				? apiError(502, 'upstream_error', 'upstream_error', 'Upstream service error')
				: apiError(503, 'service_unavailable', 'service_unavailable', 'Service temporarily unavailable'),
};

/** "HTTPS only, no internal IPs" [C]. Loopback is allowed so tests can receive callbacks. [I emulator allowance] */
function internalHost(raw: string): boolean {
	try {
		const h = new URL(raw).hostname.replace(/^\[|\]$/g, '');
		return /^(10\.|192\.168\.|169\.254\.|0\.|172\.(1[6-9]|2\d|3[01])\.)/.test(h) || /^f[cd][0-9a-f]{2}:/i.test(h);
	} catch {
		return false;
	}
}

function rules(body: Record<string, unknown>): Issue[] {
	const issues: Issue[] = [];
	const params = body.model_params as Record<string, unknown>;
	if (Array.isArray(params.element_list) && params.element_list.length > 0 && params.character_orientation !== 'video')
		issues.push(rule(['model_params', 'character_orientation'], "model_params.character_orientation must be 'video' when element_list is used"));
	if (typeof body.callback_url === 'string' && internalHost(body.callback_url))
		issues.push(rule(['callback_url'], 'callback_url must not point to an internal IP address'));
	return issues;
}

const first = (v: unknown): string | undefined => (Array.isArray(v) ? (v[0] as string) : typeof v === 'string' ? v : undefined);

export function evoLink(engine: Engine): ProviderModule {
	function credits(task: EmulatedTask): number {
		return round(CREDITS_PER_SECOND[task.quality] * Math.round(task.outputSeconds), 4);
	}

	function taskObject(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const status = engine.phase(task).status;
		return unifiedTask(engine, task, {
			model: MODEL,
			noResults: noResults ? 'empty' : false,
			taskInfo:
				status === 'completed'
					? { can_cancel: false, video_duration: Math.round(task.outputSeconds) }
					: { can_cancel: status === 'queued', estimated_time: Math.ceil(task.jobMs / 1000) },
			usage:
				status === 'completed'
					? { billing_rule: 'per_second', credits_used: credits(task), user_group: 'default' }
					: { billing_rule: 'per_second', credits_reserved: credits(task), user_group: 'default' },
			failure: { code: 'generation_failed_no_content', message: engine.failMessage(task, 'Video generation failed, credits refunded') },
		});
	}

	async function submit(ctx: Ctx): Promise<void> {
		if (ctx.jsonError !== undefined)
			return engine.rejectSubmit(ctx, 'evoLink', apiError(400, 'invalid_request_error', 'invalid_json', `Invalid JSON body: ${ctx.jsonError}`));
		let issues = validate(BODY, ctx.json);
		if (!issues.length) issues = rules(ctx.json as Record<string, unknown>);
		if (issues.length) {
			const msg = issues.map((i) => i.message).join('; ');
			return engine.rejectSubmit(ctx, 'evoLink', apiError(400, 'invalid_request_error', 'invalid_parameters', msg, pathText(issues[0].path)));
		}
		const body = ctx.json as Record<string, unknown>;
		const params = body.model_params as Record<string, unknown>;
		const accepted = engine.submit(ctx, {
			provider: 'evoLink',
			body,
			newId: unifiedTaskId,
			imageUrl: first(body.image_urls),
			videoUrl: first(body.video_urls),
			quality: body.quality === '1080p' ? 'pro' : 'std',
			orientation: params.character_orientation as 'image' | 'video',
			callbackUrl: body.callback_url as string | undefined,
			multiOutput: true,
		});
		if (!accepted) return;
		await engine.respond(ctx, accepted, () => json(200, taskObject(accepted.tasks[0])));
	}

	function getTask(ctx: Ctx, m: RegExpExecArray): void {
		const task = engine.find('evoLink', m[1]);
		if (!task) return send(ctx.res, apiError(404, 'not_found_error', 'task_not_found', `Task ${m[1]} not found`)); // [I]
		engine.poll(ctx, task, () => json(200, taskObject(task, engine.takeNoResults(task))));
	}

	function credits_(ctx: Ctx): void {
		// docs.evolink.ai credits endpoint (credential test)
		send(
			ctx.res,
			json(200, {
				data: {
					token: { remaining_credits: 10000, unlimited_credits: false, used_credits: 0 },
					user: { remaining_credits: 10000, used_credits: 0 },
				},
				message: '',
				success: true,
			}),
		);
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		// Fires on completed / failed / cancelled; payload identical to the task-query body [C].
		if (event !== 'terminal' || !task.callbackUrl) return undefined;
		return { url: task.callbackUrl, body: taskObject(task) };
	}

	// ---------- files API (files-api.evolink.ai) ----------

	// [I] files-API error shape is not documented; mirrors the success envelope.
	const fileError = (status: number, code: string, message: string): Reply => json(status, { success: false, error: { code, message } });

	function fileReply(ctx: Ctx, data: Buffer, contentType: string, fileName: string): void {
		// Docs say images only; EvoLink's MCP code says video/* up to 100 MB too. [I] both accepted.
		if (!/^(image|video)\//.test(contentType)) return send(ctx.res, fileError(400, 'unsupported_file_type', `Unsupported file type ${contentType}`));
		if (data.length > 100 * 1024 * 1024) return send(ctx.res, fileError(413, 'file_too_large', 'File exceeds 100 MB'));
		const up = engine.addUpload('evoLink', data, contentType, fileName);
		const fileUrl = engine.uploadUrl(up);
		send(
			ctx.res,
			json(200, {
				success: true,
				data: {
					file_id: up.id,
					file_name: up.fileName,
					file_size: up.data.length,
					mime_type: contentType,
					file_url: fileUrl,
					download_url: fileUrl,
					expires_at: isoTime(up.createdAt + 72 * 3600 * 1000), // files expire after 72 h [C]
				},
			}),
		);
	}

	const mimeFromName = (name: string): string =>
		/\.png$/i.test(name) ? 'image/png' : /\.jpe?g$/i.test(name) ? 'image/jpeg' : /\.webp$/i.test(name) ? 'image/webp' : /\.gif$/i.test(name) ? 'image/gif' : /\.mov$/i.test(name) ? 'video/quicktime' : /\.mp4$/i.test(name) ? 'video/mp4' : 'application/octet-stream';

	async function uploadFile(ctx: Ctx, m: RegExpExecArray): Promise<void> {
		if (m[1] === 'stream') {
			const part = parseMultipart(ctx.rawBody, ctx.req.headers['content-type'])?.find((p) => p.name === 'file');
			if (!part) return send(ctx.res, fileError(400, 'missing_file', 'multipart/form-data field "file" is required'));
			const name = part.filename ?? 'upload.bin';
			return fileReply(ctx, part.data, part.contentType && part.contentType !== 'application/octet-stream' ? part.contentType : mimeFromName(name), name);
		}
		const body = (ctx.json ?? {}) as Record<string, unknown>;
		if (m[1] === 'base64') {
			const raw = body.base64_data;
			if (typeof raw !== 'string' || raw.length === 0) return send(ctx.res, fileError(400, 'invalid_parameters', 'base64_data is required'));
			const dataUri = /^data:([^;]+);base64,(.*)$/s.exec(raw);
			const name = typeof body.file_name === 'string' ? body.file_name : `upload${dataUri?.[1] === 'image/png' ? '.png' : ''}`;
			const contentType = dataUri?.[1] ?? mimeFromName(name);
			return fileReply(ctx, Buffer.from(dataUri ? dataUri[2] : raw, 'base64'), contentType, name);
		}
		const fileUrl = body.file_url;
		if (typeof fileUrl !== 'string' || !/^https?:\/\//.test(fileUrl)) return send(ctx.res, fileError(400, 'invalid_parameters', 'file_url must be an http(s) URL'));
		try {
			const res = await fetch(fileUrl, { signal: AbortSignal.timeout(10000) });
			if (!res.ok) return send(ctx.res, fileError(400, 'download_failed', `Could not download file_url (HTTP ${res.status})`));
			const name = typeof body.file_name === 'string' ? body.file_name : new URL(fileUrl).pathname.split('/').pop() || 'upload';
			const contentType = res.headers.get('content-type')?.split(';')[0] ?? mimeFromName(name);
			return fileReply(ctx, Buffer.from(await res.arrayBuffer()), contentType, name);
		} catch (e) {
			return send(ctx.res, fileError(400, 'download_failed', `Could not download file_url: ${(e as Error).message}`));
		}
	}

	const filesErrors: ErrorShapes = {
		...errors,
		unauthorized: () => fileError(401, 'unauthorized', 'Invalid API key'),
		notFound: () => fileError(404, 'not_found', 'Not found'),
	};

	return {
		id: 'evoLink',
		errors,
		callback,
		prefixes: {
			evoLinkFiles: (ctx) =>
				serve(engine, ctx, {
					provider: 'evoLink',
					errors: filesErrors,
					authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.evoLink ? undefined : filesErrors.unauthorized()),
					routes: [{ method: 'POST', path: /^\/api\/v1\/files\/upload\/(stream|base64|url)$/, run: uploadFile }],
				}),
		},
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'evoLink',
				errors,
				authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.evoLink ? undefined : errors.unauthorized()),
				routes: [
					{ method: 'POST', path: /^\/v1\/videos\/generations$/, run: submit, submit: true },
					{ method: 'GET', path: /^\/v1\/tasks\/([^/]+)$/, run: getTask },
					{ method: 'GET', path: /^\/v1\/credits$/, run: credits_ },
					// The files API also answers below the API base, as a gateway in front of both hosts would:
					// the node derives files-api.evolink.ai only from the real API host.
					{ method: 'POST', path: /^\/api\/v1\/files\/upload\/(stream|base64|url)$/, run: uploadFile },
				],
			}),
	};
}
