// WaveSpeedAI (seed 000, providers.md §2.1). Base https://api.wavespeed.ai, Bearer key, {code,message,data} envelope.
import { createHmac } from 'node:crypto';

import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, parseMultipart, send } from '../core/http';
import type { Issue } from '../core/schema';
import { bool, int, isHttpUrl, obj, ORIENTATIONS, required, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS, EMULATOR_WEBHOOK_SECRETS } from '../core/types';
import { authToken, ids, isoTime, serve } from '../core/util';

/** Request body [C, seed 000]. No `mode`, no `elements`: the tier is the endpoint. */
const BODY = obj({
	image: required(url()),
	video: required(url()),
	character_orientation: required(str({ enum: ORIENTATIONS })),
	prompt: str(),
	negative_prompt: str(),
	keep_original_sound: bool(),
});

const STATUS: Record<TaskStatus, string> = {
	queued: 'created',
	processing: 'processing',
	completed: 'completed',
	failed: 'failed',
	// No cancel endpoint, but tasks end as `cancelled` or `timeout` on WaveSpeed's side (both official SDKs treat them as terminal).
	canceled: 'cancelled',
};

const TIERS = { std: 'std', pro: 'pro' } as const;

/**
 * The upload ticket request of `POST /api/v3/media/uploads` [C, wavespeed-python c54e078: `{filename, size}` +
 * `content_type` when known]. Strict like the submit: unknown fields are refused [I].
 */
const TICKET = obj({
	filename: required(str()),
	size: required(int({ min: 1 })),
	content_type: str(),
});

/** [I] WaveSpeed's documented upload cap for files (the docs advise a URL above 300 MB). */
const MAX_UPLOAD_BYTES = 300 * 1024 * 1024;
const DEFAULT_FAILURE = 'Task failed: the reference video could not be processed (1403)';

const envelope = (status: number, message: string, data?: unknown): Reply =>
	json(status, data === undefined ? { code: status, message } : { code: status, message, data });

const errors: ErrorShapes = {
	unauthorized: (m = 'Invalid API key') => envelope(401, m),
	notFound: (m = 'Not Found') => envelope(404, m),
	// [I] message wording; WaveSpeed documents the envelope and 429.
	throttled: (kind) =>
		envelope(429, kind === 'concurrency' ? 'Concurrent task limit reached for your account level' : 'Too many requests, please try again later'),
	server: (status) => envelope(status, status === 500 ? 'Internal server error' : status === 502 ? 'Bad gateway' : 'Service unavailable'),
};

const invalid = (issues: Issue[]): Reply => envelope(400, issues.map((i) => i.message).join('; '));

export function waveSpeed(engine: Engine): ProviderModule {
	const base = (): string => engine.baseUrl('waveSpeed');

	function prediction(task: EmulatedTask, withInput = false, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const status = phase.timedOut ? 'timeout' : STATUS[phase.status];
		const outputs = phase.status === 'completed' && !noResults ? task.outputs : [];
		return {
			id: task.id,
			model: `kwaivgi/kling-v3.0-${TIERS[task.quality]}/motion-control`,
			...(withInput ? { input: task.body } : {}),
			outputs,
			urls: { get: `${base()}/api/v3/predictions/${task.id}/result` },
			has_nsfw_contents: outputs.map(() => false),
			status,
			created_at: isoTime(task.createdAt),
			error: phase.status === 'failed' && !phase.timedOut ? engine.failMessage(task, DEFAULT_FAILURE) : '',
			timings: { inference: phase.endedAt && phase.startedAt ? phase.endedAt - phase.startedAt : 0 },
		};
	}

	async function submit(ctx: Ctx, m: RegExpExecArray): Promise<void> {
		if (ctx.jsonError !== undefined) return engine.rejectSubmit(ctx, 'waveSpeed', envelope(400, `Invalid JSON body: ${ctx.jsonError}`));
		const issues = validate(BODY, ctx.json);
		const webhook = ctx.query.get('webhook');
		if (webhook !== null && !isHttpUrl(webhook)) issues.push({ path: ['webhook'], code: 'format', message: 'webhook must be an http(s) URL' });
		if (issues.length) return engine.rejectSubmit(ctx, 'waveSpeed', invalid(issues));
		const body = ctx.json as Record<string, unknown>;
		const accepted = engine.submit(ctx, {
			provider: 'waveSpeed',
			body,
			newId: () => ids.hex(16),
			imageUrl: body.image as string,
			videoUrl: body.video as string,
			quality: m[1] === 'pro' ? 'pro' : 'std',
			orientation: body.character_orientation as 'image' | 'video',
			callbackUrl: webhook ?? undefined,
			multiOutput: true,
		});
		if (!accepted) return;
		await engine.respond(ctx, accepted, () => envelope(200, 'success', prediction(accepted.tasks[0])));
	}

	function result(ctx: Ctx, m: RegExpExecArray): void {
		const task = engine.find('waveSpeed', m[1]);
		if (!task) return send(ctx.res, envelope(404, 'Prediction not found')); // [I] wording
		engine.poll(ctx, task, () => envelope(200, 'success', prediction(task, false, engine.takeNoResults(task))));
	}

	function upload(ctx: Ctx): void {
		const parts = parseMultipart(ctx.rawBody, ctx.req.headers['content-type']);
		const file = parts?.find((p) => p.name === 'file' && p.filename !== undefined);
		if (!file) return send(ctx.res, envelope(400, 'multipart/form-data field "file" is required'));
		const type = file.contentType ?? 'application/octet-stream';
		const up = engine.addUpload('waveSpeed', file.data, type, file.filename ?? 'upload.bin');
		send(
			ctx.res,
			envelope(200, 'success', {
				type: type.split('/')[0], // [I] e.g. "image" / "video"
				download_url: engine.uploadUrl(up),
				filename: up.fileName,
				size: up.data.length,
			}),
		);
	}

	/** A refusal set by a test (`emu.uploadRefusals.waveSpeed`) for the ticket endpoint, in the envelope. */
	function refusal(status: number | undefined): Reply | undefined {
		if (status === undefined) return undefined;
		if (status === 404) return errors.notFound();
		if (status === 401) return errors.unauthorized();
		if (status === 500 || status === 502 || status === 503) return errors.server(status);
		return envelope(status, status === 405 ? 'Method Not Allowed' : 'Upload refused');
	}

	/** The current flow: a JSON ticket, then a PUT of the bytes to `data.upload.url` (cdn, no API key). */
	function ticket(ctx: Ctx): void {
		const refused = refusal(engine.uploadRefusals.waveSpeed);
		if (refused) return send(ctx.res, refused);
		if (ctx.jsonError !== undefined) return send(ctx.res, envelope(400, `Invalid JSON body: ${ctx.jsonError}`));
		const issues = validate(TICKET, ctx.json);
		if (issues.length) return send(ctx.res, invalid(issues));
		const body = ctx.json as { filename: string; size: number; content_type?: string };
		if (body.size > MAX_UPLOAD_BYTES) return send(ctx.res, envelope(413, 'File too large'));
		const ext = /\.[A-Za-z0-9]{1,5}$/.exec(body.filename)?.[0]?.toLowerCase() ?? '';
		const id = `up_${ids.hex(8)}${ext}`;
		const token = ids.hex(16);
		const contentType = body.content_type ?? 'application/octet-stream';
		// [I] headers: the SDK's tests show `Content-Type` and `If-None-Match: *`; both are prescribed (signed) here.
		const headers = { 'Content-Type': contentType, 'If-None-Match': '*' };
		engine.pendingUploads.set(token, { id, contentType, fileName: body.filename, provider: 'waveSpeed', size: body.size, headers });
		send(
			ctx.res,
			envelope(200, 'success', {
				download_url: `${engine.cdnUrl}/uploads/${id}`,
				filename: body.filename,
				size: body.size,
				upload: { method: 'PUT', url: `${engine.cdnUrl}/wsUpload/${token}`, headers },
			}),
		);
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		if (event !== 'terminal' || !task.callbackUrl) return undefined;
		const body = JSON.stringify(prediction(task, true));
		const id = ids.uuid();
		const timestamp = String(Math.floor(Date.now() / 1000));
		const secret = EMULATOR_WEBHOOK_SECRETS.waveSpeed.replace(/^whsec_/, '');
		const signature = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex');
		return {
			url: task.callbackUrl,
			body,
			headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v3,${signature}` },
		};
	}

	return {
		id: 'waveSpeed',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'waveSpeed',
				errors,
				authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.waveSpeed ? undefined : errors.unauthorized()),
				routes: [
					{ method: 'POST', path: /^\/api\/v3\/kwaivgi\/kling-v3\.0-(std|pro)\/motion-control$/, run: submit, submit: true },
					{ method: 'GET', path: /^\/api\/v3\/predictions\/([^/]+)\/result$/, run: result },
					{ method: 'GET', path: /^\/api\/v3\/predictions\/([^/]+)$/, run: result },
					{ method: 'POST', path: /^\/api\/v3\/media\/uploads$/, run: ticket },
					// Legacy, still served ("remains available for existing multipart integrations").
					{ method: 'POST', path: /^\/api\/v3\/media\/upload\/binary$/, run: upload },
					// [I] credential test: balance endpoint shape inferred.
					{ method: 'GET', path: /^\/api\/v3\/balance$/, run: (c) => send(c.res, envelope(200, 'success', { balance: 12.5 })) },
					{
						method: 'GET',
						path: /^\/api\/v3\/webhook\/secret$/,
						run: (c) => send(c.res, envelope(200, 'success', { secret: EMULATOR_WEBHOOK_SECRETS.waveSpeed })), // [I] shape
					},
				],
			}),
	};
}
