// Kie.ai "Market" jobs API. Base https://api.kie.ai, Bearer key, `{code, msg, data}` envelope.
// Sources: docs.kie.ai/market/common/get-task-detail, docs.kie.ai/common-api, docs.kie.ai/file-upload-api,
// kie.ai/kling-3-motion-control, the Kie n8n node (ArielleTolome/n8n-nodes-kie, GenericFunctions.ts).
// Quirk [C]: errors come as HTTP 200 with the real status in `code` ("Kie.ai returns HTTP 200 even for
// errors"); the emulator answers every refusal that way. Only gateway faults (502/503) are real HTTP
// statuses [I]. The upload API (documented host kieai.redpandaai.co) is served on this same prefix.
import type { Engine, ProviderModule, TaskEvent } from '../core/engine';
import type { Ctx } from '../core/http';
import { json, parseMultipart, send } from '../core/http';
import type { Issue } from '../core/schema';
import { arr, obj, ORIENTATIONS, required, str, url, validate } from '../core/schema';
import type { EmulatedTask, ErrorShapes, Reply, TaskStatus } from '../core/types';
import { EMULATOR_KEYS } from '../core/types';
import { authToken, ids, serve } from '../core/util';

const MODEL = 'kling-3.0/motion-control';

/**
 * Request body. Fields [C] from Kie's model page and the research notes; `mode` values are the
 * project's decision from the best evidence (a live client reports std/pro refused with code 500
 * "mode is not within the range of allowed options"; Kie's docs example sends "720p") [I].
 * No sound switch, no negative prompt, no elements, no watermark are documented.
 */
const BODY = obj({
	model: required(str({ enum: [MODEL] })),
	callBackUrl: url(),
	input: required(
		obj({
			prompt: str({ maxLength: 2500 }),
			input_urls: required(arr(url(), { minItems: 1, maxItems: 1 })),
			video_urls: required(arr(url(), { minItems: 1, maxItems: 1 })),
			mode: str({ enum: ['720p', '1080p'] }),
			character_orientation: str({ enum: ORIENTATIONS }),
		}),
	),
});

const STATE: Record<TaskStatus, string> = {
	queued: 'waiting', // [C] waiting | queuing; the emulator reports "queuing" after the first second
	processing: 'generating',
	completed: 'success',
	failed: 'fail',
	canceled: 'fail', // no cancel endpoint; never reached
};

const DEFAULT_FAILURE = 'The reference video could not be processed';

/** Kie's envelope; errors keep HTTP 200 [C] with the code in the body. */
const envelope = (code: number, msg: string, data: unknown = null, http = 200): Reply => json(http, { code, msg, data });

const errors: ErrorShapes = {
	unauthorized: (m = 'You do not have access permissions') => envelope(401, m), // [I] wording
	notFound: (m = 'Not Found') => envelope(404, m),
	throttled: (kind) =>
		envelope(429, kind === 'concurrency' ? 'Too many tasks in progress, please try again later' : 'Rate limited, please try again later'), // [I] wording
	// 500 in the envelope [C code]; 502/503 from the gateway in front, as real HTTP statuses [I].
	server: (status) =>
		status === 500 ? envelope(500, 'Server error') : envelope(status, status === 502 ? 'Bad gateway' : 'Service unavailable', null, status),
};

/** 422 "Validation Error" [C code; I message]. */
const invalid = (issues: Issue[]): Reply => envelope(422, issues.map((i) => i.message).join('; '));

export function kie(engine: Engine): ProviderModule {
	function record(task: EmulatedTask, noResults = false): Record<string, unknown> {
		const phase = engine.phase(task);
		const now = Date.now();
		let state = STATE[phase.status];
		if (phase.status === 'queued' && now - task.createdAt > 1000) state = 'queuing';
		const completed = phase.status === 'completed';
		return {
			taskId: task.id,
			model: MODEL,
			state,
			// A JSON string, like the submit body Kie stores [C].
			param: JSON.stringify(task.body),
			resultJson: completed ? JSON.stringify({ resultUrls: noResults ? [] : task.outputs }) : '',
			failCode: phase.status === 'failed' ? '500' : '', // [I] value
			failMsg: phase.status === 'failed' ? engine.failMessage(task, DEFAULT_FAILURE) : '',
			completeTime: phase.endedAt ?? null,
			createTime: task.createdAt,
			updateTime: phase.endedAt ?? phase.startedAt ?? task.createdAt,
		};
	}

	async function submit(ctx: Ctx): Promise<void> {
		if (ctx.jsonError !== undefined) return engine.rejectSubmit(ctx, 'kie', envelope(422, `Invalid JSON body: ${ctx.jsonError}`));
		const issues = validate(BODY, ctx.json);
		if (issues.length) return engine.rejectSubmit(ctx, 'kie', invalid(issues));
		const body = ctx.json as Record<string, unknown>;
		const input = body.input as Record<string, unknown>;
		const accepted = engine.submit(ctx, {
			provider: 'kie',
			body,
			newId: () => ids.hex(16),
			imageUrl: (input.input_urls as string[])[0],
			videoUrl: (input.video_urls as string[])[0],
			quality: input.mode === '1080p' ? 'pro' : 'std',
			// [I] the default orientation is not stated on Kie's page (its clone says "video").
			orientation: input.character_orientation === 'image' ? 'image' : 'video',
			callbackUrl: body.callBackUrl as string | undefined,
			multiOutput: true,
		});
		if (!accepted) return;
		await engine.respond(ctx, accepted, () => envelope(200, 'success', { taskId: accepted.tasks[0].id }));
	}

	function recordInfo(ctx: Ctx): void {
		const taskId = ctx.query.get('taskId');
		if (!taskId) return send(ctx.res, envelope(422, 'taskId is required')); // [I]
		const task = engine.find('kie', taskId);
		if (!task) return send(ctx.res, envelope(422, 'recordInfo is null')); // [I] Kie's answer for an unknown id
		engine.poll(ctx, task, () => envelope(200, 'success', record(task, engine.takeNoResults(task))));
	}

	function upload(ctx: Ctx): void {
		const parts = parseMultipart(ctx.rawBody, ctx.req.headers['content-type']);
		const file = parts?.find((p) => p.name === 'file' && p.filename !== undefined);
		// [I] the wording; the docs list 400 for a bad request.
		if (!file) return send(ctx.res, json(200, { success: false, code: 400, msg: 'file is required', data: null }));
		const uploadPath = parts?.find((p) => p.name === 'uploadPath')?.data.toString('utf8') ?? '';
		const type = file.contentType ?? 'application/octet-stream';
		const up = engine.addUpload('kie', file.data, type, file.filename ?? 'upload.bin');
		// [C] data.downloadUrl (used by clients); the other fields [I].
		send(
			ctx.res,
			json(200, {
				success: true,
				code: 200,
				msg: 'File uploaded successfully',
				data: {
					fileName: up.id,
					filePath: `${uploadPath ? `${uploadPath}/` : ''}${up.id}`,
					downloadUrl: engine.uploadUrl(up),
					fileSize: up.data.length,
					mimeType: type,
					uploadedAt: new Date(up.createdAt).toISOString(),
				},
			}),
		);
	}

	function callback(task: EmulatedTask, event: TaskEvent) {
		// [I] one POST when the task ends, with the recordInfo envelope; the docs' HMAC header is not modelled.
		if (event !== 'terminal' || !task.callbackUrl) return undefined;
		return { url: task.callbackUrl, body: { code: 200, msg: 'success', data: record(task) } };
	}

	return {
		id: 'kie',
		errors,
		callback,
		handle: (ctx) =>
			serve(engine, ctx, {
				provider: 'kie',
				errors,
				authorize: (c) => (authToken(c, 'Bearer') === EMULATOR_KEYS.kie ? undefined : errors.unauthorized()),
				routes: [
					{ method: 'POST', path: /^\/api\/v1\/jobs\/createTask$/, run: submit, submit: true },
					{ method: 'GET', path: /^\/api\/v1\/jobs\/recordInfo$/, run: recordInfo },
					{ method: 'POST', path: /^\/api\/file-stream-upload$/, run: upload },
					// "Get Remaining Credits" [C]: data is the credit count.
					{ method: 'GET', path: /^\/api\/v1\/chat\/credit$/, run: (c) => send(c.res, envelope(200, 'success', 100)) },
				],
			}),
	};
}
