// Oxen.ai inference API (seed 001, providers.md §2.2). Base https://hub.oxen.ai/api/ai, Bearer key.
// Oxen validates model parameters when the job RUNS, not when it is enqueued [C, queue.mdx]: an invalid
// body is accepted by POST /queue and the generation then fails with `error_message`.
import type { ServerResponse } from 'node:http';

import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, send } from '../core/http';
import type { Issue } from '../core/schema';
import { arr, bool, int, obj, ORIENTATIONS, required, rule, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { authToken, ids, isoTime, serve, unixSeconds } from '../core/util';

const MODEL_ID = 'kling-video-v3-pro-motion-control';

/** Model parameters [C, seed 001]; `elements` item schema [I] = fal's KlingV3ImageElementInput. */
const MODEL_PARAMS = {
	model: required(str({ enum: [MODEL_ID] })),
	prompt: required(str()),
	input_image: required(url()),
	input_video: required(url()),
	character_orientation: str({ enum: ORIENTATIONS }), // listed as required but has default "video" [C]
	keep_original_sound: bool(),
	elements: arr(
		obj({
			frontal_image_url: required(url()),
			reference_image_urls: required(arr(url(), { minItems: 1, maxItems: 3 })),
		}),
		{ maxItems: 1 },
	),
};
/** Queue-mode extras [C, queue.mdx], checked at enqueue time. */
const QUEUE_EXTRAS = { num_generations: int({ min: 1, max: 4 }), target_namespace: str() };
const QUEUE_BODY = obj({ ...MODEL_PARAMS, ...QUEUE_EXTRAS });
const SYNC_BODY = obj({ ...MODEL_PARAMS, response_format: str({ enum: ['url', 'b64_json'] }) });

const STATUS: Record<TaskStatus, string> = {
	queued: 'queued',
	processing: 'processing',
	completed: 'succeeded',
	failed: 'failed',
	canceled: 'cancelled',
};

const DEFAULT_FAILURE = 'Generation failed: the upstream provider could not process the reference video';

const oxenError = (status: number, type: string, title: string, detail: string): Reply =>
	json(status, { error: { type, title, detail }, status: 'error', status_message: detail });

const errors: ErrorShapes = {
	unauthorized: (d = 'Invalid or missing API key') => oxenError(401, 'unauthenticated', 'Unauthenticated', d),
	notFound: (d = 'Resource not found') => oxenError(404, 'not_found', 'Not Found', d),
	// [I] Oxen does not document rate limits.
	throttled: (kind) =>
		oxenError(429, 'rate_limited', 'Too Many Requests', kind === 'concurrency' ? 'Too many generations in progress' : 'Rate limit exceeded'),
	server: (status) => oxenError(status, 'internal_error', 'Internal Server Error', `upstream error (${status})`),
};

function modelRules(body: Record<string, unknown>): Issue[] {
	const issues = validate(obj(MODEL_PARAMS), Object.fromEntries(Object.entries(body).filter(([k]) => !(k in QUEUE_EXTRAS) && k !== 'response_format')));
	const elements = body.elements;
	if (Array.isArray(elements) && elements.length > 0 && (body.character_orientation ?? 'video') !== 'video')
		issues.push(rule(['elements'], 'elements are only supported when character_orientation is "video"'));
	return issues;
}

export function oxen(engine: Engine): ProviderModule {
	const sse = new Set<ServerResponse>();

	function item(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const body = task.body as Record<string, unknown>;
		return {
			generation_id: task.id,
			model_name: MODEL_ID,
			prompt: typeof body.prompt === 'string' ? body.prompt : null,
			media_type: 'video',
			status: STATUS[phase.status],
			result_url: phase.status === 'completed' && !noResults ? task.outputs[0] : null,
			error_message: phase.status === 'failed' ? engine.failMessage(task, DEFAULT_FAILURE) : null,
			enqueued_at: isoTime(task.createdAt),
			started_at: phase.startedAt !== undefined ? isoTime(phase.startedAt) : null,
			completed_at: phase.endedAt !== undefined ? isoTime(phase.endedAt) : null,
		};
	}

	function parse(ctx: Ctx, schema: ReturnType<typeof obj>): { body: Record<string, unknown>; runFailure?: string } | undefined {
		if (ctx.jsonError !== undefined || typeof ctx.json !== 'object' || ctx.json === null || Array.isArray(ctx.json)) {
			engine.rejectSubmit(ctx, 'oxen', oxenError(400, 'bad_request', 'Bad Request', `Request body must be a JSON object${ctx.jsonError ? `: ${ctx.jsonError}` : ''}`));
			return undefined;
		}
		const body = ctx.json as Record<string, unknown>;
		if (typeof body.model !== 'string') {
			engine.rejectSubmit(ctx, 'oxen', oxenError(400, 'bad_request', 'Bad Request', 'model is required'));
			return undefined;
		}
		if (body.model !== MODEL_ID) {
			// [I] unknown model ids are refused at enqueue time with 404.
			engine.rejectSubmit(ctx, 'oxen', errors.notFound(`Model '${body.model}' not found`));
			return undefined;
		}
		const extras = validate(obj(QUEUE_EXTRAS), Object.fromEntries(Object.entries(body).filter(([k]) => k in QUEUE_EXTRAS)));
		if (schema === QUEUE_BODY && extras.length) {
			engine.rejectSubmit(ctx, 'oxen', oxenError(400, 'bad_request', 'Bad Request', extras.map((i) => i.message).join('; ')));
			return undefined;
		}
		const issues = schema === QUEUE_BODY ? modelRules(body) : [...validate(SYNC_BODY, body), ...modelRules(body).filter((i) => i.code === 'rule')];
		return { body, runFailure: issues.length ? `Invalid parameters: ${issues.map((i) => i.message).join('; ')}` : undefined };
	}

	function plan(body: Record<string, unknown>, runFailure: string | undefined, count = 1) {
		return {
			provider: 'oxen' as const,
			body,
			newId: () => ids.uuid(),
			imageUrl: typeof body.input_image === 'string' ? body.input_image : undefined,
			videoUrl: typeof body.input_video === 'string' ? body.input_video : undefined,
			quality: 'pro' as const, // Oxen documents only the pro model
			orientation: (body.character_orientation === 'image' ? 'image' : 'video') as 'image' | 'video',
			runFailure,
			count,
		};
	}

	async function enqueue(ctx: Ctx): Promise<void> {
		const parsed = parse(ctx, QUEUE_BODY);
		if (!parsed) return;
		const count = typeof parsed.body.num_generations === 'number' ? parsed.body.num_generations : 1;
		const accepted = engine.submit(ctx, plan(parsed.body, parsed.runFailure, count));
		if (!accepted) return;
		await engine.respond(ctx, accepted, () =>
			json(200, { generations: accepted.tasks.map((t) => ({ generation_id: t.id, status: 'queued' })) }),
		);
	}

	async function generateSync(ctx: Ctx): Promise<void> {
		const parsed = parse(ctx, SYNC_BODY);
		if (!parsed) return;
		const accepted = engine.submit(ctx, plan(parsed.body, parsed.runFailure));
		if (!accepted) return;
		const task = accepted.tasks[0];
		await engine.respond(ctx, accepted, async () => {
			await engine.waitTerminal(task);
			const phase = engine.phase(task);
			if (phase.status !== 'completed')
				return oxenError(422, 'generation_failed', 'Generation Failed', engine.failMessage(task, DEFAULT_FAILURE)); // [I]
			return json(200, { model: MODEL_ID, created: unixSeconds(task.createdAt), videos: task.outputs.map((u) => ({ url: u })) });
		});
	}

	function get(ctx: Ctx, m: RegExpExecArray): void {
		const task = engine.find('oxen', m[1]);
		if (!task) return send(ctx.res, errors.notFound(`Generation '${m[1]}' not found`));
		engine.poll(ctx, task, () => json(200, item(task, engine.takeNoResults(task))));
	}

	function cancel(ctx: Ctx, m: RegExpExecArray): void {
		engine.stats.cancelRequests++;
		const task = engine.find('oxen', m[1]);
		if (!task) return send(ctx.res, errors.notFound(`Generation '${m[1]}' not found`));
		if (engine.isTerminal(task)) {
			// [I] cancel only works while queued or processing.
			return send(ctx.res, oxenError(400, 'bad_request', 'Bad Request', `Generation is already ${STATUS[engine.phase(task).status]}`));
		}
		engine.cancel(task);
		send(ctx.res, json(200, { status: 'success', generation_id: task.id }));
	}

	/**
	 * "List Generations" [C, async_queue.mdx]: `{count, generations}`, entries shaped like the single
	 * query. Without `status` only active generations (queued, processing); with it, that status only.
	 * Filters `namespace`, `model`, `status`, `media_type`, `repo`, `folder`; no pagination is documented.
	 * Other query parameters and unknown status words are refused [I].
	 */
	function list(ctx: Ctx): void {
		const known = ['namespace', 'model', 'status', 'media_type', 'repo', 'folder'];
		const unknown = [...ctx.query.keys()].filter((k) => !known.includes(k));
		if (unknown.length) return send(ctx.res, oxenError(400, 'bad_request', 'Bad Request', `Unknown query parameter: ${unknown.join(', ')}`));
		const status = ctx.query.get('status');
		if (status !== null && !Object.values(STATUS).includes(status))
			return send(ctx.res, oxenError(400, 'bad_request', 'Bad Request', `status must be one of ${Object.values(STATUS).join(', ')}`));
		const mediaType = ctx.query.get('media_type');
		if (mediaType !== null && mediaType !== 'image' && mediaType !== 'video')
			return send(ctx.res, oxenError(400, 'bad_request', 'Bad Request', 'media_type must be image or video'));
		const model = ctx.query.get('model');
		engine.list(ctx, 'oxen', () => {
			const items = engine
				.tasks('oxen')
				.map((t) => item(t, t.faults.listNoOutput === true))
				.filter((i) => (status ? i.status === status : i.status === 'queued' || i.status === 'processing'))
				.filter((i) => (!model || i.model_name === model) && (!mediaType || i.media_type === mediaType));
			return json(200, { count: items.length, generations: items });
		});
	}

	const MODEL_OBJECT = {
		id: MODEL_ID,
		name: 'Kling 3.0 Pro: Motion Control',
		description: 'Transfer movements from a reference video to any character image.',
		media_type: 'video',
		json_request_schema: {
			type: 'object',
			required: ['prompt', 'input_image', 'input_video', 'character_orientation'],
			properties: {
				prompt: { type: 'string' },
				input_image: { type: 'string', format: 'uri' },
				input_video: { type: 'string', format: 'uri' },
				character_orientation: { type: 'string', enum: ['image', 'video'], default: 'video' },
				keep_original_sound: { type: 'boolean', default: true },
				elements: {
					type: 'array',
					maxItems: 1,
					items: {
						type: 'object',
						required: ['frontal_image_url', 'reference_image_urls'],
						properties: {
							frontal_image_url: { type: 'string', format: 'uri' },
							reference_image_urls: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', format: 'uri' } },
						},
					},
				},
			},
		},
		pricing: { method: 'per_video_output_second', cost_per_second: 0.168 }, // [I] price not published
	};

	function events(ctx: Ctx): void {
		ctx.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
		ctx.res.write(': connected\n\n');
		sse.add(ctx.res);
		const keepAlive = setInterval(() => ctx.res.write(': keep-alive\n\n'), 15000);
		keepAlive.unref();
		ctx.res.on('close', () => {
			clearInterval(keepAlive);
			sse.delete(ctx.res);
		});
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		// No HTTP webhooks [C]; SSE `media_generation_completed` on success or failure, none on cancel.
		if (event !== 'terminal' || sse.size === 0) return undefined;
		const status = engine.phase(task).status;
		if (status === 'canceled') return undefined;
		const data =
			status === 'completed'
				? { generation_id: task.id, status: 'succeeded', media_type: 'video', model: MODEL_ID, url: task.outputs[0] }
				: { generation_id: task.id, status: 'failed', media_type: 'video', model: MODEL_ID, error: engine.failMessage(task, DEFAULT_FAILURE) };
		for (const res of sse) res.write(`event: media_generation_completed\ndata: ${JSON.stringify(data)}\n\n`);
		return undefined;
	}

	return {
		id: 'oxen',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'oxen',
				errors,
				authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.oxen ? undefined : errors.unauthorized()),
				routes: [
					{ method: 'POST', path: /^\/queue$/, run: enqueue, submit: true },
					{ method: 'POST', path: /^\/videos\/generate$/, run: generateSync, submit: true },
					{ method: 'GET', path: /^\/queue$/, run: list },
					{ method: 'GET', path: /^\/queue\/([^/]+)$/, run: get },
					{ method: 'DELETE', path: /^\/queue\/([^/]+)$/, run: cancel },
					{ method: 'GET', path: /^\/events$/, run: events },
					// [I] auth required on the models endpoints so they can serve as the credential test.
					{ method: 'GET', path: /^\/models$/, run: (c) => send(c.res, json(200, { models: [MODEL_OBJECT] })) },
					{
						method: 'GET',
						path: /^\/models\/([^/]+)$/,
						run: (c, m) =>
							send(c.res, m[1] === MODEL_ID ? json(200, MODEL_OBJECT) : errors.notFound(`Model '${m[1]}' not found`)),
					},
				],
			}),
	};
}
