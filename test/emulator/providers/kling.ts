// Official Kling AI API, legacy JWT generation (providers.md §2.7). Base https://api-singapore.klingai.com.
// Auth: `Authorization: Bearer <JWT HS256 {iss: accessKey, exp, nbf} signed with secretKey>`, verified fully.
import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, send } from '../core/http';
import type { Issue } from '../core/schema';
import { arr, bool, int, obj, ORIENTATIONS, required, rule, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { ids, serve } from '../core/util';

/** Request body [C, Kling motion-control docs]. */
const BODY = obj({
	// [I] the documented default is kling-v2-6 (another product); this emulator accepts only kling-v3.
	model_name: required(str({ enum: ['kling-v3'] })),
	prompt: str({ maxLength: 2500 }),
	image_url: required(str({ format: 'url-or-base64' })), // URL, or raw base64 without a data: prefix
	video_url: required(url()),
	// Documented as a long; a string of digits is coerced by Kling's Java backend (ids beyond 2^53) [I].
	element_list: arr(obj({ element_id: required(int({ orDigitString: true })) }), { maxItems: 1 }),
	keep_original_sound: str({ enum: ['yes', 'no'] }), // a STRING "yes" | "no"
	character_orientation: required(str({ enum: ORIENTATIONS })),
	mode: required(str({ enum: ['std', 'pro'] })),
	watermark_info: obj({ enabled: required(bool()) }),
	callback_url: url(),
	external_task_id: str(),
});

const STATUS: Record<TaskStatus, string> = {
	queued: 'submitted',
	processing: 'processing',
	completed: 'succeed', // not "succeeded"
	failed: 'failed',
	canceled: 'failed', // no cancel endpoint
};

/** Resource-pack units per output second [C]: 720p 0.9, 1080p 1.2. */
const UNITS_PER_SECOND = { std: 0.9, pro: 1.2 } as const;
/** [I] the longest JWT lifetime accepted (Kling's sample uses 30 min). */
const MAX_JWT_LIFETIME_S = 24 * 3600;

const klingError = (status: number, code: number, message: string): Reply =>
	json(status, { code, message, request_id: ids.uuid() });

const errors: ErrorShapes = {
	unauthorized: (m = 'Authentication failed') => klingError(401, 1000, m),
	notFound: (m = 'The requested resource does not exist') => klingError(404, 1203, m),
	throttled: (kind) =>
		kind === 'concurrency'
			? klingError(429, 1303, 'Parallel task over resource pack limit')
			: klingError(429, 1302, 'The API request is too fast, please slow down'),
	server: (status) =>
		status === 503 ? klingError(503, 5001, 'Service temporarily unavailable') : klingError(status, 5000, 'Server internal error'), // [I] 502 → 5000
};

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A Kling API token as Kling's docs build it (useful in tests). */
export function klingJwt(
	accessKey: string = EMULATOR_KEYS.kling.accessKey,
	secretKey: string = EMULATOR_KEYS.kling.secretKey,
	o: { expiresInS?: number; nbfOffsetS?: number; alg?: string; now?: number } = {},
): string {
	const now = Math.floor((o.now ?? Date.now()) / 1000);
	const header = b64url(JSON.stringify({ alg: o.alg ?? 'HS256', typ: 'JWT' }));
	const payload = b64url(JSON.stringify({ iss: accessKey, exp: now + (o.expiresInS ?? 1800), nbf: now + (o.nbfOffsetS ?? -5) }));
	const sig = b64url(createHmac('sha256', secretKey).update(`${header}.${payload}`).digest());
	return `${header}.${payload}.${sig}`;
}

/** Full HS256 verification; the 401 answer with Kling's 1000–1004 code when it fails. */
export function verifyKlingJwt(authorization: string | undefined, nowMs = Date.now()): Reply | undefined {
	if (!authorization?.trim()) return klingError(401, 1001, 'Authorization is empty');
	const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
	if (!m) return klingError(401, 1002, 'Authorization is invalid');
	// API-key sign-in (docs: "API Key (for all models)"): the key itself as the Bearer token.
	if (m[1] === EMULATOR_KEYS.klingApiKey) return undefined;
	const parts = m[1].split('.');
	if (parts.length !== 3) return klingError(401, 1002, 'Authorization is invalid');
	let header: Record<string, unknown>;
	let payload: Record<string, unknown>;
	try {
		header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
		payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
	} catch {
		return klingError(401, 1002, 'Authorization is invalid');
	}
	if (header.alg !== 'HS256') return klingError(401, 1002, 'Authorization is invalid: alg must be HS256');
	if (payload.iss !== EMULATOR_KEYS.kling.accessKey) return klingError(401, 1000, 'Authentication failed: unknown access key'); // [I] 1000 vs 1002
	const expected = createHmac('sha256', EMULATOR_KEYS.kling.secretKey).update(`${parts[0]}.${parts[1]}`).digest();
	const given = Buffer.from(parts[2], 'base64url');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return klingError(401, 1002, 'Authorization is invalid: bad signature');
	const now = nowMs / 1000;
	if (typeof payload.exp !== 'number') return klingError(401, 1002, 'Authorization is invalid: exp is required');
	if (payload.exp <= now) return klingError(401, 1004, 'Authorization has expired');
	if (payload.exp > now + MAX_JWT_LIFETIME_S) return klingError(401, 1002, 'Authorization is invalid: exp too far in the future'); // [I]
	// [I] nbf is in Kling's sample; a token without it is accepted.
	if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now)) return klingError(401, 1003, 'Authorization is not yet valid');
	return undefined;
}

function rules(body: Record<string, unknown>): Issue[] {
	if (Array.isArray(body.element_list) && body.element_list.length > 0 && body.character_orientation !== 'video')
		return [rule(['character_orientation'], 'character_orientation must be "video" when element_list is used')];
	return [];
}

export function kling(engine: Engine): ProviderModule {
	const envelope = (data: unknown): Reply => json(200, { code: 0, message: 'SUCCEED', request_id: ids.uuid(), data });

	function taskData(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const body = task.body as Record<string, unknown>;
		const watermark = (body.watermark_info as { enabled?: boolean } | undefined)?.enabled === true;
		const external = task.extra.external_task_id as string | undefined;
		const data: Record<string, unknown> = {
			task_id: task.id,
			task_status: STATUS[phase.status],
			task_status_msg: phase.status === 'failed' ? engine.failMessage(task, 'Video generation failed') : '',
			task_info: external !== undefined ? { external_task_id: external } : {},
			watermark_info: { enabled: watermark },
			created_at: task.createdAt,
			updated_at: phase.endedAt ?? phase.startedAt ?? task.createdAt,
		};
		if (phase.status === 'completed') {
			data.final_unit_deduction = String(Math.round(UNITS_PER_SECOND[task.quality] * task.outputSeconds * 100) / 100);
			data.task_result = {
				videos: noResults
					? []
					: task.outputs.map((u, i) => ({
							id: `${task.id}${i ? `-${i + 1}` : ''}`,
							url: u,
							...(watermark ? { watermark_url: u.replace(/\.mp4$/, '.mp4?watermark=1') } : {}),
							duration: task.outputSeconds.toFixed(1),
						})),
			};
		}
		return data;
	}

	async function submit(ctx: Ctx): Promise<void> {
		if (ctx.jsonError !== undefined) return engine.rejectSubmit(ctx, 'kling', klingError(400, 1200, `Invalid request parameters: ${ctx.jsonError}`));
		let issues = validate(BODY, ctx.json);
		if (!issues.length) issues = rules(ctx.json as Record<string, unknown>);
		if (issues.length) return engine.rejectSubmit(ctx, 'kling', klingError(400, 1201, issues.map((i) => i.message).join('; ')));
		const body = ctx.json as Record<string, unknown>;
		const external = body.external_task_id as string | undefined;
		if (external !== undefined && engine.findBy('kling', (t) => t.extra.external_task_id === external))
			return engine.rejectSubmit(ctx, 'kling', klingError(400, 1201, `external_task_id "${external}" already exists`)); // [I] code
		const accepted = engine.submit(ctx, {
			provider: 'kling',
			body,
			newId: () => ids.digits(18),
			imageUrl: body.image_url as string,
			videoUrl: body.video_url as string,
			quality: body.mode === 'pro' ? 'pro' : 'std',
			orientation: body.character_orientation as 'image' | 'video',
			callbackUrl: body.callback_url as string | undefined,
			canonical: { ...body, external_task_id: undefined }, // per-request idempotency key is not part of the job
			extra: { external_task_id: external },
			multiOutput: true,
		});
		if (!accepted) return;
		const task = accepted.tasks[0];
		await engine.respond(ctx, accepted, () =>
			envelope({
				task_id: task.id,
				task_status: 'submitted',
				task_info: external !== undefined ? { external_task_id: external } : {},
				created_at: task.createdAt,
				updated_at: task.createdAt,
			}),
		);
	}

	function get(ctx: Ctx, m: RegExpExecArray): void {
		const id = decodeURIComponent(m[1]);
		const task = engine.find('kling', id) ?? engine.findBy('kling', (t) => t.extra.external_task_id === id);
		if (!task) return send(ctx.res, klingError(404, 1203, `Task ${id} does not exist`));
		engine.poll(ctx, task, () => envelope(taskData(task, engine.takeNoResults(task))));
	}

	/**
	 * "Query Task (List)" [C, motion-control docs]: `pageNum` (default 1, 1–1000) and `pageSize`
	 * (default 30, 1–500); `data` is an array of the single query's task objects. Newest first [I];
	 * other query parameters are refused [I] (strict, so a typo shows in tests).
	 */
	function list(ctx: Ctx): void {
		const unknown = [...ctx.query.keys()].filter((k) => k !== 'pageNum' && k !== 'pageSize');
		if (unknown.length) return send(ctx.res, klingError(400, 1201, `Unknown query parameter: ${unknown.join(', ')}`));
		const intParam = (name: string, fallback: number, max: number): number | undefined => {
			const raw = ctx.query.get(name);
			if (raw === null) return fallback;
			const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
			return n >= 1 && n <= max ? n : undefined;
		};
		const pageNum = intParam('pageNum', 1, 1000);
		const pageSize = intParam('pageSize', 30, 500);
		if (pageNum === undefined || pageSize === undefined)
			return send(ctx.res, klingError(400, 1201, 'pageNum must be an integer 1–1000 and pageSize an integer 1–500'));
		engine.list(ctx, 'kling', () => {
			const page = engine.tasks('kling').slice().reverse().slice((pageNum - 1) * pageSize, pageNum * pageSize);
			return envelope(page.map((t) => taskData(t, t.faults.listNoOutput === true)));
		});
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		// Fires on status changes [C]: processing and the terminal state.
		if (event === 'start' || !task.callbackUrl) return undefined;
		const d = taskData(task);
		return {
			url: task.callbackUrl,
			body: {
				task_id: d.task_id,
				task_status: d.task_status,
				task_status_msg: d.task_status_msg,
				created_at: d.created_at,
				updated_at: d.updated_at,
				...(d.final_unit_deduction !== undefined ? { final_unit_deduction: d.final_unit_deduction, final_balance_deduction: '0' } : {}),
				task_info: d.task_info,
				task_result: d.task_result ?? {},
			},
		};
	}

	return {
		id: 'kling',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'kling',
				errors,
				authorize: (c) => verifyKlingJwt(c.req.headers.authorization),
				routes: [
					{ method: 'POST', path: /^\/v1\/videos\/motion-control$/, run: submit, submit: true },
					{ method: 'GET', path: /^\/v1\/videos\/motion-control$/, run: list },
					{ method: 'GET', path: /^\/v1\/videos\/motion-control\/([^/]+)$/, run: get },
				],
			}),
	};
}
