// Prospolabs (seed 004, providers.md §2.5). Base https://api.prospolabs.com, Bearer `prsp-…` key.
// POST /v1/generate is synchronous by default (the answer is held until the job ends); `async: true`
// in the body or `?async=true` returns the generation at once with status "queued".
import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, send } from '../core/http';
import type { Issue } from '../core/schema';
import { arr, bool, obj, ORIENTATIONS, required, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { authToken, ids, round, serve } from '../core/util';

const MODEL = 'kling-3-motion-control';

/** The model's parameters, as the model page lists them [C, seed 004]. */
const MODEL_PARAMS = {
	prompt: str(),
	quality: str({ enum: ['pro', 'standard'] }),
	video_urls: required(arr(url(), { minItems: 1, maxItems: 1 })),
	image_url: required(url()),
	character_orientation: str({ enum: ORIENTATIONS }),
	keep_original_sound: bool(),
};

/**
 * The flat model-page body [C, seed 004] plus `async` and `webhook_url` from the general docs [C]: what the
 * emulator accepts by default. The general docs' nested `{mode, params}` form is refused (strict).
 * `quality` and `character_orientation` are "Required" with defaults: [I] missing = default.
 */
const BODY = obj({ model: required(str({ enum: [MODEL] })), ...MODEL_PARAMS, async: bool(), webhook_url: url() });

/**
 * The general docs' shared body [C, helios-7yg.pages.dev/docs/]: `params` required. Enforced instead of
 * BODY when the submit's image URL carries the fault word `paramsBody` (the other reading of the docs).
 */
const PARAMS_BODY = obj({
	model: required(str({ enum: [MODEL] })),
	mode: str(),
	params: required(obj(MODEL_PARAMS)),
	async: bool(),
	webhook_url: url(),
});

/** The image URL of either shape (where the fault words live). */
function imageUrlOf(body: unknown): string | undefined {
	const object = (body ?? {}) as Record<string, unknown>;
	const params = (object.params ?? {}) as Record<string, unknown>;
	const value = typeof object.image_url === 'string' ? object.image_url : params.image_url;
	return typeof value === 'string' ? value : undefined;
}

const STATUS: Record<TaskStatus, string> = {
	queued: 'queued',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
	canceled: 'failed', // no cancel endpoint
};

/** USD per output second [C]. */
const PRICE = { std: 0.076, pro: 0.1 } as const;

// [I] Prospolabs does not publish its error schema.
const apiError = (status: number, message: string): Reply => json(status, { error: { message } });

const errors: ErrorShapes = {
	unauthorized: (m = 'Invalid API key') => apiError(401, m),
	notFound: (m = 'Not found') => apiError(404, m),
	throttled: (kind) => apiError(429, kind === 'concurrency' ? 'Too many concurrent generations' : 'Rate limit exceeded'),
	server: (status) => apiError(status, status === 503 ? 'Service unavailable' : 'Internal server error'),
};

const invalid = (issues: Issue[]): Reply => apiError(400, issues.map((i) => i.message).join('; '));

export function prospolabs(engine: Engine): ProviderModule {
	function generation(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const out: Record<string, unknown> = {
			generation_id: task.id,
			status: STATUS[phase.status],
			model: MODEL,
			mode: task.orientation, // [C] present in the response; meaning unclear, echoes orientation [I]
			estimated_cost_usd: round(PRICE[task.quality] * task.outputSeconds, 4),
		};
		if (phase.status === 'completed' && !noResults) out.output_url = task.outputs[0];
		if (phase.status === 'failed') out.error = engine.failMessage(task, 'Generation failed; the charge was refunded'); // [I]
		if (phase.endedAt !== undefined) out.duration_ms = phase.endedAt - task.createdAt;
		return out;
	}

	async function generate(ctx: Ctx): Promise<void> {
		if (ctx.jsonError !== undefined) return engine.rejectSubmit(ctx, 'prospolabs', apiError(400, `Invalid JSON body: ${ctx.jsonError}`));
		const faults = engine.faults.resolve(imageUrlOf(ctx.json));
		const nested = faults.paramsBody === true;
		const issues = validate(nested ? PARAMS_BODY : BODY, ctx.json);
		if (!issues.length && faults.unreadableImage) return engine.rejectSubmit(ctx, 'prospolabs', apiError(422, 'image_url: the image could not be read')); // [I]
		// [I] a validation error is 400 and creates nothing (failed runs are refunded; a refused body never ran).
		if (issues.length) return engine.rejectSubmit(ctx, 'prospolabs', invalid(issues));
		const received = ctx.json as Record<string, unknown>;
		// The task keeps the body as received; its fields are read from either shape.
		const body = nested ? { ...received, ...(received.params as Record<string, unknown>), params: undefined } : received;
		const isAsync = body.async === true || ctx.query.get('async') === 'true';
		const accepted = engine.submit(ctx, {
			provider: 'prospolabs',
			body: received,
			newId: () => `gen_${ids.hex(8)}`,
			imageUrl: body.image_url as string,
			videoUrl: (body.video_urls as string[])[0],
			quality: body.quality === 'standard' ? 'std' : 'pro',
			orientation: body.character_orientation === 'video' ? 'video' : 'image',
			callbackUrl: body.webhook_url as string | undefined,
			canonical: { ...body, async: undefined }, // [I] sync vs async of the same body is the same job
		});
		if (!accepted) return;
		const task = accepted.tasks[0];
		await engine.respond(ctx, accepted, async () => {
			if (isAsync) return json(202, generation(task)); // [I] 202 for the async acknowledgement
			await engine.waitTerminal(task);
			return json(200, generation(task));
		});
	}

	function get(ctx: Ctx, m: RegExpExecArray): void {
		const task = engine.find('prospolabs', m[1]);
		if (!task) return send(ctx.res, apiError(404, `Generation ${m[1]} not found`));
		engine.poll(ctx, task, () => json(200, generation(task, engine.takeNoResults(task))));
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		// [I] payload undocumented; assumed to be the same object as the response.
		if (event !== 'terminal' || !task.callbackUrl) return undefined;
		return { url: task.callbackUrl, body: generation(task) };
	}

	return {
		id: 'prospolabs',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'prospolabs',
				errors,
				authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.prospolabs ? undefined : errors.unauthorized()),
				routes: [
					{ method: 'POST', path: /^\/v1\/generate$/, run: generate, submit: true },
					// [I] the poll endpoint is undocumented; GET /v1/generations/{id} is a guess.
					{ method: 'GET', path: /^\/v1\/generations\/([^/]+)$/, run: get },
					// [I] credential test endpoint.
					{
						method: 'GET',
						path: /^\/v1\/models$/,
						run: (c) => send(c.res, json(200, { data: [{ id: MODEL, name: 'Kling 3 Motion Control', type: 'video' }] })),
					},
				],
			}),
	};
}
