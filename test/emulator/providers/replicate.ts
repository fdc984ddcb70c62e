// Replicate HTTP API, model kwaivgi/kling-v3-motion-control (providers.md §2.8). Base https://api.replicate.com,
// Bearer token, problem+json errors, output = one URL string.
import { createHash, createHmac } from 'node:crypto';

import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { parseMultipart, send } from '../core/http';
import type { Issue } from '../core/schema';
import { arr, bool, obj, ORIENTATIONS, pathText, required, str, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS, EMULATOR_WEBHOOK_SECRETS } from '../core/types';
import { authToken, ids, isoTime, serve } from '../core/util';

const MODEL = 'kwaivgi/kling-v3-motion-control';
const VERSION = 'e1b2c3d4f5a60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00'; // [I] opaque version id
const EVENTS = ['start', 'output', 'logs', 'completed'] as const;

/** Model input [C, model API page]; data: URIs are accepted for small files [C]. */
const INPUT = obj({
	image: required(str({ format: 'url-or-data' })),
	video: required(str({ format: 'url-or-data' })),
	prompt: str(),
	mode: str({ enum: ['std', 'pro'] }), // default std [I]
	character_orientation: str({ enum: ORIENTATIONS }),
	keep_original_sound: bool(),
});
const PREDICTION_FIELDS = {
	input: required(INPUT),
	webhook: str({ format: 'url' }),
	webhook_events_filter: arr(str({ enum: EVENTS })),
};
const MODEL_BODY = obj(PREDICTION_FIELDS);
const VERSION_BODY = obj({ version: required(str()), ...PREDICTION_FIELDS });

const STATUS: Record<TaskStatus, string> = {
	queued: 'starting',
	processing: 'processing',
	completed: 'succeeded',
	failed: 'failed',
	canceled: 'canceled',
};

const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Reply => ({
	status,
	body: { title, detail, status, ...extra },
	contentType: 'application/problem+json',
});

const errors: ErrorShapes = {
	unauthorized: () => problem(401, 'Unauthenticated', 'You did not pass a valid authentication token'),
	notFound: (d = 'Not found.') => problem(404, 'Not found', d),
	throttled: () => problem(429, 'Request was throttled', 'Request was throttled. Expected available in 1 second.'),
	server: (status) => problem(status, status === 503 ? 'Service Unavailable' : 'Internal Server Error', 'An unexpected error occurred.'),
};

function invalid(issues: Issue[]): Reply {
	return problem(422, 'Input validation failed', issues.map((i) => `- ${i.message}`).join('\n') + '\n', {
		invalid_fields: issues.map((i) => ({ type: i.code, field: pathText(i.path), description: i.message })), // [I]
	});
}

/** `Cancel-After: 30m` / `90s` / `1h30m` [C header; I format]. */
function parseDuration(v: string): number | undefined {
	const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v.trim());
	if (!m || v.trim() === '') return /^\d+$/.test(v.trim()) ? Number(v) * 1000 : undefined;
	return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export function replicate(engine: Engine): ProviderModule {
	const base = (): string => `${engine.baseUrl('replicate')}/v1`;

	function prediction(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const body = task.body as Record<string, unknown>;
		const terminal = phase.endedAt !== undefined;
		return {
			id: task.id,
			model: MODEL,
			version: VERSION,
			input: body.input,
			logs: phase.startedAt !== undefined ? 'Starting motion transfer…\n' : '',
			output: phase.status === 'completed' && !noResults ? task.outputs[0] : null,
			data_removed: false,
			error: phase.status === 'failed' ? engine.failMessage(task, 'Prediction failed') : null,
			status: STATUS[phase.status],
			source: 'api',
			created_at: isoTime(task.createdAt),
			...(phase.startedAt !== undefined ? { started_at: isoTime(phase.startedAt) } : {}),
			...(terminal ? { completed_at: isoTime(phase.endedAt!) } : {}),
			urls: {
				get: `${base()}/predictions/${task.id}`,
				cancel: `${base()}/predictions/${task.id}/cancel`,
				web: `https://replicate.com/p/${task.id}`,
			},
			metrics: terminal
				? { predict_time: ((phase.endedAt ?? 0) - (phase.startedAt ?? phase.endedAt ?? 0)) / 1000, total_time: ((phase.endedAt ?? 0) - task.createdAt) / 1000 }
				: {},
		};
	}

	const ok = (status: number, body: unknown): Reply => ({ status, body });

	async function create(ctx: Ctx, withVersion: boolean): Promise<void> {
		if (ctx.jsonError !== undefined) return engine.rejectSubmit(ctx, 'replicate', problem(400, 'Bad Request', `Invalid JSON: ${ctx.jsonError}`));
		const issues = validate(withVersion ? VERSION_BODY : MODEL_BODY, ctx.json);
		const body = (typeof ctx.json === 'object' && ctx.json !== null ? ctx.json : {}) as Record<string, unknown>;
		if (withVersion && typeof body.version === 'string' && body.version !== MODEL && body.version !== `${MODEL}:${VERSION}` && body.version !== VERSION)
			return engine.rejectSubmit(ctx, 'replicate', problem(422, 'Invalid version or not permitted', `The specified version does not exist (or perhaps you don't have permission to use it?)`));
		const prefer = typeof ctx.req.headers.prefer === 'string' ? ctx.req.headers.prefer : undefined;
		const wait = prefer ? /^wait(?:=(\d+))?$/.exec(prefer.trim()) : null;
		if (prefer && (!wait || (wait[1] !== undefined && (Number(wait[1]) < 1 || Number(wait[1]) > 60))))
			issues.push({ path: ['Prefer'], code: 'format', message: 'Prefer header must be "wait" or "wait=N" with 1 ≤ N ≤ 60' });
		const cancelAfterHeader = ctx.req.headers['cancel-after'];
		const cancelAfter = typeof cancelAfterHeader === 'string' ? parseDuration(cancelAfterHeader) : undefined;
		if (typeof cancelAfterHeader === 'string' && cancelAfter === undefined)
			issues.push({ path: ['Cancel-After'], code: 'format', message: 'Cancel-After must be a duration such as 30m' });
		if (issues.length) return engine.rejectSubmit(ctx, 'replicate', invalid(issues));
		const input = body.input as Record<string, unknown>;
		const accepted = engine.submit(ctx, {
			provider: 'replicate',
			body,
			newId: () => ids.base32(26),
			imageUrl: input.image as string,
			videoUrl: input.video as string,
			quality: input.mode === 'pro' ? 'pro' : 'std',
			orientation: input.character_orientation === 'video' ? 'video' : 'image',
			callbackUrl: body.webhook as string | undefined,
			extra: { webhookEvents: body.webhook_events_filter },
		});
		if (!accepted) return;
		const task = accepted.tasks[0];
		if (cancelAfter !== undefined) void engine.sleep(cancelAfter).then(() => engine.cancel(task));
		await engine.respond(ctx, accepted, async () => {
			if (wait) await engine.waitTerminal(task, (wait[1] ? Number(wait[1]) : 60) * 1000);
			return ok(201, prediction(task));
		});
	}

	const lookup = (ctx: Ctx, id: string): EmulatedTask | undefined => {
		const task = engine.find('replicate', id);
		if (!task) send(ctx.res, errors.notFound());
		return task;
	};

	function get(ctx: Ctx, m: RegExpExecArray): void {
		const task = lookup(ctx, m[1]);
		if (task) engine.poll(ctx, task, () => ok(200, prediction(task, engine.takeNoResults(task))));
	}

	function cancel(ctx: Ctx, m: RegExpExecArray): void {
		engine.stats.cancelRequests++;
		const task = lookup(ctx, m[1]);
		if (!task) return;
		engine.cancel(task); // [I] cancelling a finished prediction returns it unchanged
		send(ctx.res, ok(200, prediction(task)));
	}

	/**
	 * "List predictions" [C, HTTP reference]: 100 per page, most recent first, `next`/`previous` cursor
	 * URLs; filters `created_after`, `created_before` (ISO 8601) and `source` (only `web`, which has
	 * none here: every emulated prediction comes from the API). Entries are prediction objects with
	 * `output`, as the documented example shows. Other query parameters are refused [I].
	 */
	function list(ctx: Ctx): void {
		const PAGE = 100;
		const known = ['cursor', 'created_after', 'created_before', 'source'];
		const unknown = [...ctx.query.keys()].filter((k) => !known.includes(k));
		if (unknown.length) return send(ctx.res, problem(400, 'Bad Request', `Unknown query parameter: ${unknown.join(', ')}`));
		const time = (name: string): number | undefined | null => {
			const raw = ctx.query.get(name);
			if (raw === null) return undefined;
			const t = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
			return Number.isFinite(t) ? t : null;
		};
		const after = time('created_after');
		const before = time('created_before');
		if (after === null || before === null) return send(ctx.res, problem(400, 'Bad Request', 'created_after and created_before must be ISO 8601 date-times'));
		const source = ctx.query.get('source');
		if (source !== null && source !== 'web') return send(ctx.res, problem(400, 'Bad Request', 'source must be "web"'));
		const cursor = ctx.query.get('cursor');
		const offset = cursor === null ? 0 : /^\d+$/.test(cursor) ? Number(cursor) : NaN; // [I] opaque cursor, a page offset here
		if (!Number.isFinite(offset)) return send(ctx.res, problem(400, 'Bad Request', 'Invalid cursor'));
		engine.list(ctx, 'replicate', () => {
			const all = engine
				.tasks('replicate')
				.filter((t) => source === null && (after === undefined || t.createdAt >= after) && (before === undefined || t.createdAt < before))
				.reverse();
			const link = (at: number): string => {
				const q = new URLSearchParams(ctx.query);
				q.set('cursor', String(at));
				return `${base()}/predictions?${q.toString()}`;
			};
			const results = all.slice(offset, offset + PAGE).map((t) => {
				const entry = prediction(t);
				return t.faults.listNoOutput ? { ...entry, output: null } : entry;
			});
			return ok(200, { next: offset + PAGE < all.length ? link(offset + PAGE) : null, previous: offset > 0 ? link(Math.max(0, offset - PAGE)) : null, results });
		});
	}

	// ---------- files ----------

	const fileObject = (id: string): Record<string, unknown> | undefined => {
		const up = engine.uploads.get(id);
		if (!up || up.provider !== 'replicate') return undefined;
		return {
			id: up.id,
			name: up.fileName,
			content_type: up.contentType,
			size: up.data.length,
			etag: `"${createHash('md5').update(up.data).digest('hex')}"`,
			checksums: { sha256: createHash('sha256').update(up.data).digest('hex'), md5: createHash('md5').update(up.data).digest('hex') },
			metadata: (up as { metadata?: unknown }).metadata ?? {},
			created_at: isoTime(up.createdAt),
			expires_at: isoTime(up.createdAt + 3600 * 1000), // [I] API data is removed after 1 hour
			urls: { get: `${base()}/files/${up.id}` },
		};
	};

	function uploadFile(ctx: Ctx): void {
		const parts = parseMultipart(ctx.rawBody, ctx.req.headers['content-type']);
		const content = parts?.find((p) => p.name === 'content');
		if (!content) return send(ctx.res, problem(400, 'Bad Request', 'multipart/form-data field "content" is required'));
		const field = (n: string): string | undefined => parts?.find((p) => p.name === n)?.data.toString('utf8');
		const name = field('filename') ?? content.filename ?? 'file';
		const type = field('type') ?? content.contentType ?? 'application/octet-stream';
		let metadata: unknown = {};
		try {
			metadata = field('metadata') ? JSON.parse(field('metadata')!) : {};
		} catch {
			return send(ctx.res, problem(400, 'Bad Request', 'metadata must be JSON'));
		}
		const up = engine.addUpload('replicate', content.data, type, name);
		(up as { metadata?: unknown }).metadata = metadata;
		send(ctx.res, ok(201, fileObject(up.id)));
	}

	function getFile(ctx: Ctx, m: RegExpExecArray): void {
		const f = fileObject(m[1]);
		if (!f) return send(ctx.res, errors.notFound());
		if (m[2]) {
			const up = engine.uploads.get(m[1])!;
			return send(ctx.res, { status: 200, body: up.data, contentType: up.contentType });
		}
		send(ctx.res, ok(200, f));
	}

	function deleteFile(ctx: Ctx, m: RegExpExecArray): void {
		if (!fileObject(m[1])) return send(ctx.res, errors.notFound());
		engine.uploads.delete(m[1]);
		send(ctx.res, { status: 204, body: undefined });
	}

	// ---------- webhooks ----------

	function callback(task: EmulatedTask, event: TaskEvent) {
		if (!task.callbackUrl) return undefined;
		const filter = task.extra.webhookEvents as string[] | undefined;
		const status = engine.phase(task).status;
		// Default (no filter): new outputs and completion [C]; both coincide for this single-output model.
		const wanted =
			event === 'start'
				? !!filter?.includes('start')
				: event === 'processing'
					? !!filter?.includes('logs') // [I] one logs event when processing starts
					: !filter || filter.includes('completed') || (status === 'completed' && filter.includes('output'));
		if (!wanted) return undefined;
		const body = JSON.stringify(prediction(task));
		const id = `msg_${ids.base32(20)}`;
		const timestamp = String(Math.floor(Date.now() / 1000));
		const secret = Buffer.from(EMULATOR_WEBHOOK_SECRETS.replicate.replace(/^whsec_/, ''), 'base64');
		const signature = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
		return {
			url: task.callbackUrl,
			body,
			headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` },
		};
	}

	return {
		id: 'replicate',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'replicate',
				errors,
				// Bearer [C]; the legacy `Token` scheme is still accepted by Replicate [I].
				authorize: (c) =>
					authToken(c, 'Bearer') === EMULATOR_KEYS.replicate || authToken(c, 'Token') === EMULATOR_KEYS.replicate
						? undefined
						: errors.unauthorized(),
				routes: [
					{ method: 'POST', path: /^\/v1\/models\/kwaivgi\/kling-v3-motion-control\/predictions$/, run: (c) => create(c, false), submit: true },
					{ method: 'POST', path: /^\/v1\/predictions$/, run: (c) => create(c, true), submit: true },
					{ method: 'GET', path: /^\/v1\/predictions$/, run: list },
					{ method: 'GET', path: /^\/v1\/predictions\/([^/]+)$/, run: get },
					{ method: 'POST', path: /^\/v1\/predictions\/([^/]+)\/cancel$/, run: cancel },
					{ method: 'POST', path: /^\/v1\/files$/, run: uploadFile },
					{ method: 'GET', path: /^\/v1\/files\/([^/]+?)(\/download)?$/, run: getFile },
					{ method: 'DELETE', path: /^\/v1\/files\/([^/]+)$/, run: deleteFile },
					{
						method: 'GET',
						path: /^\/v1\/account$/,
						run: (c) => send(c.res, ok(200, { type: 'user', username: 'emulator', name: 'Emulator', github_url: null })),
					},
					{
						method: 'GET',
						path: /^\/v1\/webhooks\/default\/secret$/,
						run: (c) => send(c.res, ok(200, { key: EMULATOR_WEBHOOK_SECRETS.replicate })), // [I]
					},
				],
			}),
	};
}
