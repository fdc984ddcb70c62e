// fal.ai queue API (providers.md §2.6). Base https://queue.fal.run, `Authorization: Key <id:secret>`.
// Status/result/cancel URLs use only the app id `fal-ai/kling-video`, WITHOUT the v3/<tier>/motion-control
// subpath [C] — requests built with the subpath get 404 here, so clients must use the returned URLs.
// Storage (https://rest.fal.ai) is served on the `/falStorage` prefix; upload targets live on the cdn.
import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, send } from '../core/http';
import type { Issue, IssueCode } from '../core/schema';
import { arr, bool, isHttpUrl, obj, ORIENTATIONS, required, rule, str, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { mp4File } from '../mp4';
import { authToken, ids, serve } from '../core/util';

const APP = 'fal-ai/kling-video';
/** fal accepts http(s) URLs and data: URIs for file inputs [C]. */
const file = (o = {}) => str({ format: 'url-or-data', ...o });

/** Request body [C, fal model API page]. */
const BODY = obj({
	prompt: str(),
	image_url: required(file()),
	video_url: required(file()),
	keep_original_sound: bool(),
	character_orientation: required(str({ enum: ORIENTATIONS })),
	elements: arr(
		obj({
			frontal_image_url: required(file()),
			reference_image_urls: required(arr(file(), { minItems: 1, maxItems: 3 })),
		}),
		{ maxItems: 1 },
	),
});

/** Pydantic-style error types for fal's 422 `detail` list. [I] exact strings per endpoint. */
const DETAIL_TYPE: Record<IssueCode, string> = {
	missing: 'missing',
	unknown_field: 'extra_forbidden',
	type: 'type_error',
	enum: 'literal_error',
	format: 'value_error',
	too_long: 'string_too_long',
	too_few: 'too_short',
	too_many: 'too_long',
	range: 'value_error',
	rule: 'value_error',
};

const detail = (status: number, d: unknown, extra: Record<string, unknown> = {}, headers?: Record<string, string>): Reply =>
	json(status, { detail: d, ...extra }, headers);

const errors: ErrorShapes = {
	unauthorized: (m = 'No user found for Key ID and Secret') => detail(401, m), // [I] wording
	notFound: (m = 'Not Found') => detail(404, m),
	// [I] 429 when concurrency or rate limits are exceeded.
	throttled: (kind) =>
		detail(429, kind === 'concurrency' ? 'Concurrent request limit reached' : 'Rate limit exceeded', { error_type: 'rate_limited' }),
	server: (status) =>
		detail(status, status === 503 ? 'Runner unavailable' : 'Internal server error', {
			error_type: status === 503 ? 'runner_unavailable' : 'internal_server_error',
		}),
};

const validationError = (issues: Issue[]): Reply =>
	detail(
		422,
		issues.map((i) => ({ loc: ['body', ...i.path], msg: i.message, type: DETAIL_TYPE[i.code] })),
		{},
		{ 'x-fal-retryable': 'false' },
	);

export function fal(engine: Engine): ProviderModule {
	const requestUrl = (id: string): string => `${engine.baseUrl('fal')}/${APP}/requests/${id}`;

	function videoObject(task: EmulatedTask): Record<string, unknown> {
		const size = mp4File({
			durationSeconds: task.outputSeconds,
			width: task.width,
			height: task.height,
			totalBytes: task.faults.outputBytes ?? engine.outputBytes,
		}).size;
		return { url: task.outputs[0], content_type: 'video/mp4', file_name: 'output.mp4', file_size: size };
	}

	function failureDetail(task: EmulatedTask): unknown[] {
		const message = engine.failMessage(task, 'Video generation failed');
		return task.runFailure !== undefined
			? [{ loc: ['body', 'video_url'], msg: message, type: 'value_error' }]
			: [{ loc: ['body'], msg: message, type: 'generation_error' }]; // [I] type
	}

	function statusObject(task: EmulatedTask, withLogs: boolean): Record<string, unknown> {
		const phase = engine.phase(task);
		const response_url = requestUrl(task.id);
		if (phase.status === 'queued') {
			const position = engine
				.tasks('fal')
				.filter((t) => t.createdAt < task.createdAt && t.status === 'queued').length;
			return { status: 'IN_QUEUE', queue_position: position, response_url };
		}
		const logs = withLogs ? [{ message: 'Generating video…', level: 'INFO', source: 'user', timestamp: new Date().toISOString() }] : null;
		if (phase.status === 'processing') return { status: 'IN_PROGRESS', logs, response_url };
		const out: Record<string, unknown> = { status: 'COMPLETED', logs, response_url };
		if (phase.status === 'completed') out.metrics = { inference_time: ((phase.endedAt ?? 0) - (phase.startedAt ?? 0)) / 1000 };
		if (phase.status === 'failed') {
			out.error = engine.failMessage(task, 'Video generation failed');
			out.error_type = task.runFailure !== undefined ? 'validation_error' : 'generation_error'; // [I]
		}
		if (phase.status === 'canceled') {
			out.error = 'Request was cancelled'; // [I]
			out.error_type = 'client_cancelled';
		}
		return out;
	}

	function resultReply(task: EmulatedTask): Reply {
		const status = engine.phase(task).status;
		if (status === 'queued' || status === 'processing') return detail(400, 'Request is still in progress'); // [I]
		if (status === 'canceled') return detail(499, 'Request was cancelled', { error_type: 'client_cancelled' }); // [I]
		if (status === 'failed') return detail(422, failureDetail(task), {}, { 'x-fal-retryable': 'false' });
		return json(200, engine.takeNoResults(task) ? {} : { video: videoObject(task) });
	}

	async function submit(ctx: Ctx, m: RegExpExecArray): Promise<void> {
		if (ctx.jsonError !== undefined)
			return engine.rejectSubmit(ctx, 'fal', detail(422, [{ loc: ['body'], msg: `Invalid JSON: ${ctx.jsonError}`, type: 'json_invalid' }]));
		let issues = validate(BODY, ctx.json);
		const body = ctx.json as Record<string, unknown>;
		if (!issues.length && Array.isArray(body.elements) && body.elements.length > 0 && body.character_orientation !== 'video')
			issues = [rule(['elements'], 'elements are only supported when character_orientation is "video"')];
		const webhook = ctx.query.get('fal_webhook');
		if (webhook !== null && !isHttpUrl(webhook)) issues.push(rule(['fal_webhook'], 'fal_webhook must be an http(s) URL'));
		// [I] real fal may validate when the runner starts; the emulator refuses at submit (same 422 shape).
		if (issues.length) return engine.rejectSubmit(ctx, 'fal', validationError(issues));
		const accepted = engine.submit(ctx, {
			provider: 'fal',
			body,
			newId: () => ids.uuid(),
			imageUrl: body.image_url as string,
			videoUrl: body.video_url as string,
			quality: m[1] === 'pro' ? 'pro' : 'std',
			orientation: body.character_orientation as 'image' | 'video',
			callbackUrl: webhook ?? undefined,
		});
		if (!accepted) return;
		const task = accepted.tasks[0];
		await engine.respond(ctx, accepted, () =>
			json(200, {
				status: 'IN_QUEUE', // [I] extra fields beside the documented four
				request_id: task.id,
				response_url: requestUrl(task.id),
				status_url: `${requestUrl(task.id)}/status`,
				cancel_url: `${requestUrl(task.id)}/cancel`,
				queue_position: statusObject(task, false).queue_position ?? 0,
			}),
		);
	}

	const lookup = (ctx: Ctx, id: string): EmulatedTask | undefined => {
		const task = engine.find('fal', id);
		if (!task) send(ctx.res, detail(404, `Request ${id} not found`)); // [I] wording
		return task;
	};

	function status(ctx: Ctx, m: RegExpExecArray): void {
		const task = lookup(ctx, m[1]);
		if (task) engine.poll(ctx, task, () => json(200, statusObject(task, ctx.query.get('logs') === '1')));
	}

	function result(ctx: Ctx, m: RegExpExecArray): void {
		const task = lookup(ctx, m[1]);
		if (task) engine.poll(ctx, task, () => resultReply(task));
	}

	function cancel(ctx: Ctx, m: RegExpExecArray): void {
		engine.stats.cancelRequests++;
		const task = lookup(ctx, m[1]);
		if (!task) return;
		if (engine.isTerminal(task)) return send(ctx.res, json(400, { status: 'ALREADY_COMPLETED' }));
		engine.cancel(task); // [I] in-progress cancellation takes effect at once
		send(ctx.res, json(202, { status: 'CANCELLATION_REQUESTED' }));
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		if (event !== 'terminal' || !task.callbackUrl) return undefined;
		const status = engine.phase(task).status;
		if (status === 'canceled') return undefined; // [I] no webhook for cancelled requests
		const base = { request_id: task.id, gateway_request_id: task.id };
		const body =
			status === 'completed'
				? { ...base, status: 'OK', payload: { video: videoObject(task) } }
				: { ...base, status: 'ERROR', error: 'Invalid status code: 422', payload: { detail: failureDetail(task) } };
		return { url: task.callbackUrl, body };
	}

	// ---------- storage (rest.fal.ai) ----------

	function initiateUpload(ctx: Ctx): void {
		const storageType = ctx.query.get('storage_type');
		if (storageType !== null && storageType !== 'fal-cdn-v3') return send(ctx.res, detail(400, `Unsupported storage_type ${storageType}`)); // [I]
		const issues = ctx.jsonError !== undefined ? [rule([], `Invalid JSON: ${ctx.jsonError}`)] : validate(obj({ content_type: required(str()), file_name: required(str()) }), ctx.json);
		if (issues.length) return send(ctx.res, validationError(issues));
		const body = ctx.json as { content_type: string; file_name: string };
		const ext = /\.[A-Za-z0-9]{1,5}$/.exec(body.file_name)?.[0]?.toLowerCase() ?? '';
		const id = `up_${ids.hex(8)}${ext}`;
		const token = ids.hex(16);
		engine.pendingUploads.set(token, { id, contentType: body.content_type, fileName: body.file_name, provider: 'fal' });
		send(ctx.res, json(200, { upload_url: `${engine.cdnUrl}/falUpload/${token}`, file_url: `${engine.cdnUrl}/uploads/${id}` }));
	}

	const authorize = (c: Ctx): Reply | undefined => (authToken(c, 'Key') === EMULATOR_KEYS.fal ? undefined : errors.unauthorized());

	return {
		id: 'fal',
		errors,
		callback,
		prefixes: {
			falStorage: (ctx) =>
				serve(engine, ctx, {
					provider: 'fal',
					errors,
					authorize,
					routes: [{ method: 'POST', path: /^\/storage\/upload\/initiate$/, run: initiateUpload }],
				}),
		},
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'fal',
				errors,
				authorize,
				routes: [
					{ method: 'POST', path: /^\/fal-ai\/kling-video\/v3\/(standard|pro)\/motion-control$/, run: submit, submit: true },
					{ method: 'GET', path: /^\/fal-ai\/kling-video\/requests\/([^/]+)\/status$/, run: status },
					{ method: 'GET', path: /^\/fal-ai\/kling-video\/requests\/([^/]+)\/?$/, run: result },
					{ method: 'PUT', path: /^\/fal-ai\/kling-video\/requests\/([^/]+)\/cancel$/, run: cancel },
				],
			}),
	};
}
