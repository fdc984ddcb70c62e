// AIHubMax (seed 003, providers.md §2.4). Base https://api.aihubmax.com, Bearer key, EvoLink-like task engine.
// Quirk [C]: `completed` may be reported before `results` is populated — the emulator always does it at
// least once (first answer without `results`, next ones with `results: []`), so clients must keep polling.
import type { Engine, ProviderModule } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, parseMultipart, send } from '../core/http';
import type { Issue } from '../core/schema';
import { obj, ORIENTATIONS, required, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { unifiedTask, unifiedTaskId } from '../core/unified';
import { authToken, ids, serve } from '../core/util';

const MODELS = ['kling-v3-motion-control', 'kling-v2-6-motion-control'] as const;

/** Semantics [C, seed 003]; field names [I] from APIMart's identical page. No callback, no elements. */
const BODY = obj({
	model: required(str({ enum: MODELS })),
	image_url: required(url()), // [I] name
	video_url: required(url()), // [I] name
	mode: str({ enum: ['std', 'pro'] }),
	prompt: str(),
	character_orientation: str({ enum: ORIENTATIONS }),
	keep_original_sound: str({ enum: ['yes', 'no'] }), // a STRING "yes" | "no"
});

const apiError = (status: number, type: string, code: string, message: string): Reply =>
	json(status, { error: { message, type, code } });

const errors: ErrorShapes = {
	unauthorized: (m = 'Invalid API key') => apiError(401, 'authentication_error', 'invalid_api_key', m),
	notFound: (m = 'Not found') => apiError(404, 'invalid_request_error', 'not_found', m), // [I] no 404 type documented
	throttled: (kind) =>
		apiError(429, 'rate_limit_error', 'rate_limit_exceeded', kind === 'concurrency' ? 'Too many concurrent tasks' : 'Rate limit exceeded'),
	server: (status) =>
		apiError(status, 'server_error', status === 503 ? 'service_unavailable' : 'internal_error', status === 503 ? 'Service unavailable' : 'Internal server error'),
};

/** [I] 400 for malformed requests (missing/unknown fields), 422 for values that fail validation. */
function invalid(issues: Issue[]): Reply {
	const message = issues.map((i) => i.message).join('; ');
	return issues.some((i) => i.code === 'missing' || i.code === 'unknown_field')
		? apiError(400, 'invalid_request_error', 'invalid_request', message)
		: apiError(422, 'validation_error', 'validation_error', message);
}

export function aiHubMax(engine: Engine): ProviderModule {
	function taskObject(task: EmulatedTask, noResults: false | 'absent' | 'empty' = false): Record<string, unknown> {
		return unifiedTask(engine, task, {
			model: (task.body as Record<string, unknown>).model as string,
			noResults,
			taskInfo: engine.phase(task).status === 'completed' ? { video_duration: Math.round(task.outputSeconds) } : {},
			failure: { code: 'generation_failed', message: engine.failMessage(task, 'Video generation failed') },
		});
	}

	async function submit(ctx: Ctx): Promise<void> {
		if (ctx.jsonError !== undefined)
			return engine.rejectSubmit(ctx, 'aiHubMax', apiError(400, 'invalid_request_error', 'invalid_json', `Invalid JSON body: ${ctx.jsonError}`));
		const issues = validate(BODY, ctx.json);
		if (issues.length) return engine.rejectSubmit(ctx, 'aiHubMax', invalid(issues));
		const body = ctx.json as Record<string, unknown>;
		const accepted = engine.submit(ctx, {
			provider: 'aiHubMax',
			body,
			newId: unifiedTaskId,
			imageUrl: body.image_url as string,
			videoUrl: body.video_url as string,
			quality: body.mode === 'pro' ? 'pro' : 'std',
			orientation: body.character_orientation === 'video' ? 'video' : 'image',
			minNoResultsPolls: 1,
			multiOutput: true,
		});
		if (!accepted) return;
		await engine.respond(ctx, accepted, () => json(200, taskObject(accepted.tasks[0])));
	}

	function getTask(ctx: Ctx, m: RegExpExecArray): void {
		const task = engine.find('aiHubMax', m[1]);
		if (!task) return send(ctx.res, errors.notFound(`Task ${m[1]} not found`));
		engine.poll(ctx, task, () => {
			const before = task.noResultsLeft;
			const noResults = engine.takeNoResults(task);
			// The first completed answer omits `results`; later early ones carry an empty list.
			const total = Math.max(1, task.faults.noResultsPolls ?? 1);
			return json(200, taskObject(task, noResults ? (before === total ? 'absent' : 'empty') : false));
		});
	}

	/**
	 * `POST /v1/files/upload/stream` [C, AIHubMax's OpenAPI upload-stream.json]: multipart `file` (required),
	 * `file_name`, `auto_cleanup` ("true"/"false"); answers `{id, filename, url, size, created}` (the shape
	 * of the sibling uploads, [I] for this one). Unknown form fields are refused, like the submit's [I].
	 */
	function uploadStream(ctx: Ctx): void {
		const refused = engine.uploadRefusals.aiHubMax;
		if (refused !== undefined) {
			return send(ctx.res, refused === 500 || refused === 502 || refused === 503 ? errors.server(refused) : apiError(refused, 'invalid_request_error', 'upload_refused', 'Upload refused'));
		}
		const parts = parseMultipart(ctx.rawBody, ctx.req.headers['content-type']);
		if (!parts) return send(ctx.res, apiError(400, 'invalid_request_error', 'invalid_request', 'multipart/form-data body required'));
		const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return send(ctx.res, apiError(400, 'invalid_request_error', 'invalid_request', 'file is required'));
		const unknown = parts.filter((p) => !['file', 'file_name', 'auto_cleanup'].includes(p.name));
		if (unknown.length) return send(ctx.res, apiError(400, 'invalid_request_error', 'invalid_request', `unknown field ${unknown[0].name}`));
		const cleanup = parts.find((p) => p.name === 'auto_cleanup')?.data.toString();
		if (cleanup !== undefined && cleanup !== 'true' && cleanup !== 'false')
			return send(ctx.res, apiError(422, 'validation_error', 'validation_error', 'auto_cleanup must be a boolean'));
		const name = parts.find((p) => p.name === 'file_name')?.data.toString() || file.filename || 'upload.bin';
		const up = engine.addUpload('aiHubMax', file.data, file.contentType ?? 'application/octet-stream', name);
		send(ctx.res, json(200, { id: `file_${ids.hex(8)}`, filename: up.fileName, url: engine.uploadUrl(up), size: up.data.length, created: Math.floor(up.createdAt / 1000) }));
	}

	return {
		id: 'aiHubMax',
		errors,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'aiHubMax',
				errors,
				authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.aiHubMax ? undefined : errors.unauthorized()),
				routes: [
					{ method: 'POST', path: /^\/v1\/videos\/generations$/, run: submit, submit: true }, // [I] path
					{ method: 'GET', path: /^\/v1\/tasks\/([^/]+)$/, run: getTask }, // ?sync_upstream=true accepted
					{ method: 'POST', path: /^\/v1\/files\/upload\/stream$/, run: uploadStream },
					// "Get Credits Usage" is in AIHubMax's OpenAPI catalog; its response shape is not: [I] EvoLink's.
					{
						method: 'GET',
						path: /^\/v1\/account\/credits$/,
						run: (c) =>
							send(c.res, json(200, { data: { user: { remaining_credits: 100, used_credits: 0 } }, message: '', success: true })),
					},
					// [I] an OpenAI-style model list (AIHubMax MCP code)
					{
						method: 'GET',
						path: /^\/v1\/models$/,
						run: (c) => send(c.res, json(200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model' })) })),
					},
				],
			}),
	};
}
