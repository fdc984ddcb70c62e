// Novita AI v3 async API. Base https://api.novita.ai, Bearer key.
// Sources: novita.ai/docs/api-reference/model-apis-kling-v3.0-motion-control (body) [C],
// model-apis-task-result (task.status, videos[].video_url, video_url_ttl) [C], basic-error-code
// (error names and HTTP statuses) [C], basic-get-user-info (GET /v3/user) [C].
import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, send } from '../core/http';
import type { Issue } from '../core/schema';
import { bool, obj, ORIENTATIONS, required, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { authToken, ids, serve } from '../core/util';

const MODELS = ['kling-v3-0-std', 'kling-v3-0-pro'] as const;

/** Request body [C]; `extra.webhook.url` is the v3 async webhook [C, research notes]. */
const BODY = obj({
	image: required(str({ format: 'url-or-base64' })), // "URL or base64 encoded image"
	video: required(url()),
	prompt: str({ maxLength: 2500 }),
	model_name: required(str({ enum: MODELS })),
	negative_prompt: str({ maxLength: 2500 }),
	keep_original_sound: bool(), // a boolean here
	character_orientation: str({ enum: ORIENTATIONS }),
	extra: obj({ webhook: obj({ url: required(url()) }) }),
});

const STATUS: Record<TaskStatus, string> = {
	queued: 'TASK_STATUS_QUEUED',
	processing: 'TASK_STATUS_PROCESSING',
	completed: 'TASK_STATUS_SUCCEED',
	failed: 'TASK_STATUS_FAILED',
	canceled: 'TASK_STATUS_FAILED', // no cancel endpoint; never reached
};

/** [I] seconds; the docs name the field, not its usual value. */
const VIDEO_URL_TTL = '3600';
const DEFAULT_FAILURE = 'Task execution failed: the reference video could not be processed';

/** Error body `{code, reason, message, metadata}` [I shape]; names and statuses [C]. */
const novitaError = (status: number, reason: string, message: string): Reply =>
	json(status, { code: status, reason, message, metadata: {} });

const errors: ErrorShapes = {
	unauthorized: (m = 'API key validation failed') => novitaError(403, 'INVALID_API_KEY', m),
	notFound: (m = 'API not found') => novitaError(404, 'API_NOT_FOUND', m),
	throttled: (kind) =>
		novitaError(429, 'RATE_LIMIT_EXCEEDED', kind === 'concurrency' ? 'Too many tasks in progress' : 'Rate limit exceeded'),
	server: (status) =>
		status === 500 ? novitaError(500, 'CREATE_TASK_FAILED', 'Failed to create task') : novitaError(status, 'SERVICE_UNAVAILABLE', 'Service unavailable'), // [I] reason for 502/503
};

const invalid = (issues: Issue[]): Reply => novitaError(400, 'INVALID_REQUEST_BODY', issues.map((i) => i.message).join('; '));

export function novita(engine: Engine): ProviderModule {
	function result(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const completed = phase.status === 'completed';
		const remainingMs = Math.max(0, task.createdAt + task.jobMs - Date.now());
		return {
			extra: {
				seed: '',
				debug_info: {
					request_info: '',
					submit_time_ms: String(task.createdAt),
					execute_time_ms: phase.startedAt !== undefined ? String(phase.startedAt) : '',
					complete_time_ms: phase.endedAt !== undefined ? String(phase.endedAt) : '',
				},
			},
			task: {
				task_id: task.id,
				task_type: 'KLING_V3_0_MOTION_CONTROL', // [I]
				status: STATUS[phase.status],
				reason: phase.status === 'failed' ? engine.failMessage(task, DEFAULT_FAILURE) : '',
				eta: completed || phase.status === 'failed' ? 0 : Math.ceil(remainingMs / 1000),
				progress_percent: engine.progress(task),
			},
			images: [],
			videos: completed && !noResults ? task.outputs.map((u) => ({ video_url: u, video_url_ttl: VIDEO_URL_TTL, video_type: 'mp4' })) : [],
			audios: [],
		};
	}

	async function submit(ctx: Ctx): Promise<void> {
		if (ctx.jsonError !== undefined) return engine.rejectSubmit(ctx, 'novita', novitaError(400, 'INVALID_REQUEST_BODY', `Invalid JSON body: ${ctx.jsonError}`));
		const issues = validate(BODY, ctx.json);
		if (issues.length) return engine.rejectSubmit(ctx, 'novita', invalid(issues));
		const body = ctx.json as Record<string, unknown>;
		const webhook = ((body.extra as Record<string, unknown> | undefined)?.webhook as Record<string, unknown> | undefined)?.url;
		const accepted = engine.submit(ctx, {
			provider: 'novita',
			body,
			newId: ids.uuid,
			imageUrl: body.image as string,
			videoUrl: body.video as string,
			quality: body.model_name === 'kling-v3-0-pro' ? 'pro' : 'std',
			orientation: body.character_orientation === 'video' ? 'video' : 'image', // [I] default not stated
			callbackUrl: webhook as string | undefined,
			multiOutput: true,
		});
		if (!accepted) return;
		await engine.respond(ctx, accepted, () => json(200, { task_id: accepted.tasks[0].id }));
	}

	function taskResult(ctx: Ctx): void {
		const id = ctx.query.get('task_id');
		if (!id) return send(ctx.res, novitaError(400, 'INVALID_REQUEST_BODY', 'task_id is required'));
		const task = engine.find('novita', id);
		if (!task) return send(ctx.res, novitaError(404, 'TASK_NOT_FOUND', 'Task not found'));
		engine.poll(ctx, task, () => json(200, result(task, engine.takeNoResults(task))));
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		// [I] one POST when the task ends: the task-result object under `payload`.
		if (event !== 'terminal' || !task.callbackUrl) return undefined;
		return { url: task.callbackUrl, body: { event_type: 'ASYNC_TASK_RESULT', payload: result(task) } };
	}

	return {
		id: 'novita',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'novita',
				errors,
				authorize: (c) => {
					if (!c.req.headers.authorization?.trim()) return novitaError(400, 'MISSING_API_KEY', 'API Key not provided');
					return authToken(c, 'Bearer') === EMULATOR_KEYS.novita ? undefined : errors.unauthorized();
				},
				routes: [
					{ method: 'POST', path: /^\/v3\/async\/kling-v3\.0-motion-control$/, run: submit, submit: true },
					{ method: 'GET', path: /^\/v3\/async\/task-result$/, run: taskResult },
					// User info [C]: credit_balance = the balance × 10,000.
					{ method: 'GET', path: /^\/v3\/user$/, run: (c) => send(c.res, json(200, { credit_balance: 125000 })) },
				],
			}),
	};
}
