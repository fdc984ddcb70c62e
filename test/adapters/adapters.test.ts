// Fast, pure tests of the adapters (no network, no n8n): what each provider receives for the unified
// request, how its answers map to our states, how its errors read. The n8n-core + emulator tests in
// test/node are the README-level layer above these.
import { DEFAULTS } from '../../nodes/KlingMotionControl/engine/settings';
import { KlingMotionControl } from '../../nodes/KlingMotionControl/KlingMotionControl.node';
import { PRICE_TABLE } from '../../nodes/KlingMotionControl/preflight/pricing';
import { ADAPTERS, PROVIDERS } from '../../nodes/KlingMotionControl/providers';
import type { MotionControlRequest, ProviderAdapter, TaskStatus } from '../../nodes/KlingMotionControl/providers/types';

const ctx = { baseUrl: 'https://api.example.test', storageBaseUrl: 'https://storage.example.test' };
const request: MotionControlRequest = {
	imageUrl: 'https://media.example.test/a.png',
	videoUrl: 'https://media.example.test/b.mp4',
	characterOrientation: 'video',
	quality: 'pro',
	prompt: 'dance',
	keepOriginalSound: false,
};

describe('registry', () => {
	test.each(ADAPTERS.map((a) => [a.id, a] as const))('%s: key, price row, one spelling', (id, adapter) => {
		expect((PROVIDERS as Record<string, ProviderAdapter>)[id]).toBe(adapter);
		expect(PRICE_TABLE[adapter.priceKey]).toBeDefined();
		expect(PRICE_TABLE[adapter.priceKey].name).toBe(adapter.displayName);
		expect(adapter.capabilities.qualities.length).toBeGreaterThan(0);
	});

	test('the description offers every provider once, by its one label, and the engine defaults', () => {
		const { properties, credentials } = new KlingMotionControl().description;
		const provider = properties.find((p) => p.name === 'authentication');
		expect(provider?.options).toEqual(
			expect.arrayContaining(ADAPTERS.map((a) => expect.objectContaining({ name: a.displayName, value: a.id }))),
		);
		expect(credentials?.map((c) => c.name).sort()).toEqual(ADAPTERS.map((a) => a.credentialType).sort());
		const all = properties.flatMap((p) => [p, ...((p.options ?? []) as Array<{ name: string; default?: unknown }>)]);
		for (const [name, value] of Object.entries(DEFAULTS)) {
			for (const property of all.filter((p) => p.name === name)) expect(property.default).toBe(value);
		}
	});

	test('every Quality field starts at a value its providers accept', () => {
		const { properties } = new KlingMotionControl().description;
		// The AI-tool variants (`@tool`) default to a $fromAI expression instead.
		for (const quality of properties.filter((p) => p.name === 'quality' && !p.displayOptions?.show?.['@tool'])) {
			const ids = (quality.displayOptions?.show?.authentication ?? []) as string[];
			for (const id of ids) {
				expect(PROVIDERS[id as keyof typeof PROVIDERS].capabilities.qualities).toContain(quality.default);
			}
		}
	});
});

/** Where each provider puts the unified fields (the documented names). */
const SUBMIT: Record<string, { path: RegExp; fields: Record<string, unknown> }> = {
	aiHubMax: { path: /\/v1\/videos\/generations$/, fields: { image_url: request.imageUrl, video_url: request.videoUrl, mode: 'pro' } },
	evoLink: { path: /\/v1\/videos\/generations$/, fields: { image_urls: [request.imageUrl], video_urls: [request.videoUrl], quality: '1080p' } },
	fal: { path: /\/v3\/pro\/motion-control$/, fields: { image_url: request.imageUrl, video_url: request.videoUrl, keep_original_sound: false } },
	kie: {
		path: /\/api\/v1\/jobs\/createTask$/,
		fields: { model: 'kling-3.0/motion-control', input: { input_urls: [request.imageUrl], video_urls: [request.videoUrl], mode: '1080p', character_orientation: 'video' } },
	},
	kling: { path: /\/v1\/videos\/motion-control$/, fields: { model_name: 'kling-v3', mode: 'pro', keep_original_sound: 'no' } },
	novita: { path: /\/v3\/async\/kling-v3\.0-motion-control$/, fields: { image: request.imageUrl, video: request.videoUrl, model_name: 'kling-v3-0-pro', keep_original_sound: false } },
	oxen: { path: /\/queue$/, fields: { input_image: request.imageUrl, input_video: request.videoUrl, prompt: 'dance' } },
	prospolabs: { path: /\/v1\/generate$/, fields: { image_url: request.imageUrl, video_urls: [request.videoUrl], quality: 'pro' } },
	replicate: { path: /\/v1\/models\/kwaivgi\/kling-v3-motion-control\/predictions$/, fields: {} },
	waveSpeed: { path: /\/kling-v3\.0-pro\/motion-control$/, fields: { image: request.imageUrl, video: request.videoUrl, character_orientation: 'video' } },
};

describe.each(Object.keys(SUBMIT))('%s', (id) => {
	const adapter = (PROVIDERS as Record<string, ProviderAdapter>)[id];

	test('buildSubmit: the documented path and field names', () => {
		const spec = adapter.buildSubmit(request, ctx, 'wait');
		expect(spec.method).toBe('POST');
		expect(spec.url.startsWith(ctx.baseUrl)).toBe(true);
		expect(spec.url).toMatch(SUBMIT[id].path);
		expect(JSON.stringify(spec.body)).toContain(request.imageUrl);
		expect(JSON.stringify(spec.body)).toContain(request.videoUrl);
		expect(spec.body).toMatchObject(SUBMIT[id].fields);
	});

	test('buildStatus: a request under the base URL (or the handle URL) naming the task', () => {
		const spec = adapter.buildStatus({ taskId: 'task-1' }, ctx);
		expect(spec.url).toContain('task-1');
	});

	test('parseError: the provider message, never "undefined"', () => {
		const error = adapter.parseError(400, { error: { message: 'bad field', code: 'invalid' }, message: 'bad field', code: 1201 });
		expect(error.message).toMatch(/bad field|Kling rejected a parameter value/);
		expect(adapter.parseError(500, '<html>oops</html>').message).not.toMatch(/undefined/);
	});

	test('unknown answer shapes are "still running", never completed', () => {
		const state = adapter.parseStatus({}, { taskId: 'task-1' }, ctx);
		expect(['queued', 'processing'] as TaskStatus[]).toContain(state.status);
		expect(state.videoUrls).toEqual([]);
	});
});

/** Status vocabularies: the provider's own words → ours, with the body shape its docs show. */
const STATUS_BODIES: Array<[string, unknown, TaskStatus, string[]]> = [
	['waveSpeed', { code: 200, data: { id: 't', status: 'completed', outputs: ['https://o/v.mp4'] } }, 'completed', ['https://o/v.mp4']],
	['waveSpeed', { code: 200, data: { id: 't', status: 'failed', error: 'nsfw' } }, 'failed', []],
	['oxen', { status: 'succeeded', result_url: 'https://o/v.mp4' }, 'completed', ['https://o/v.mp4']],
	['oxen', { status: 'cancelled' }, 'canceled', []],
	['kling', { code: 0, data: { task_id: 't', task_status: 'succeed', task_result: { videos: [{ url: 'https://o/v.mp4', duration: '5' }] } } }, 'completed', ['https://o/v.mp4']],
	['kling', { code: 0, data: { task_id: 't', task_status: 'failed', task_status_msg: 'bad' } }, 'failed', []],
	['replicate', { id: 't', status: 'succeeded', output: 'https://o/v.mp4' }, 'completed', ['https://o/v.mp4']],
	['replicate', { id: 't', status: 'canceled' }, 'canceled', []],
	['kie', { code: 200, data: { taskId: 't', state: 'queuing', resultJson: '' } }, 'queued', []],
	['kie', { code: 200, data: { taskId: 't', state: 'generating' } }, 'processing', []],
	['kie', { code: 200, data: { taskId: 't', state: 'success', resultJson: '{"resultUrls":["https://o/v.mp4"]}' } }, 'completed', ['https://o/v.mp4']],
	['kie', { code: 200, data: { taskId: 't', state: 'success', resultJson: 'not json' } }, 'completed', []],
	['kie', { code: 200, data: { taskId: 't', state: 'fail', failCode: '500', failMsg: 'bad clip' } }, 'failed', []],
	['novita', { task: { task_id: 't', status: 'TASK_STATUS_QUEUED' }, videos: [] }, 'queued', []],
	['novita', { task: { task_id: 't', status: 'TASK_STATUS_SUCCEED' }, videos: [{ video_url: 'https://o/v.mp4', video_url_ttl: '3600' }] }, 'completed', ['https://o/v.mp4']],
	['novita', { task: { task_id: 't', status: 'TASK_STATUS_FAILED', reason: 'bad clip' }, videos: [] }, 'failed', []],
	['fal', { status: 'IN_PROGRESS' }, 'processing', []],
	['fal', { status: 'COMPLETED', error: 'boom' }, 'failed', []],
];

test.each(STATUS_BODIES)('%s parseStatus %j → %s', (id, body, status, urls) => {
	const state = (PROVIDERS as Record<string, ProviderAdapter>)[id].parseStatus(body, { taskId: 't' }, ctx);
	expect(state.status).toBe(status);
	expect(state.videoUrls).toEqual(urls);
});

test('fal: COMPLETED without error asks for the result, whose 422 is the failed outcome', () => {
	const state = PROVIDERS.fal.parseStatus({ status: 'COMPLETED' }, { taskId: 't' }, ctx);
	expect(state.status).toBe('processing');
	expect(state.followUp?.clientErrorsAreAnswers).toBe(true);
	expect(state.followUp?.parse({ detail: 'invalid video' }, 422)).toMatchObject({ status: 'failed', errorMessage: 'invalid video' });
	expect(state.followUp?.parse({ video: { url: 'https://o/v.mp4' } }, 200)).toMatchObject({ status: 'completed', videoUrls: ['https://o/v.mp4'] });
});

test('Oxen: the key goes with a download only to Oxen\'s own API host', () => {
	const oxenCtx = { baseUrl: 'https://hub.oxen.ai/api/ai' };
	expect(PROVIDERS.oxen.downloadNeedsKey?.('https://hub.oxen.ai/api/repos/me/r/file/main/out.mp4', oxenCtx)).toBe(true);
	expect(PROVIDERS.oxen.downloadNeedsKey?.('https://cdn.oxen.ai/out.mp4', oxenCtx)).toBe(false);
	expect(PROVIDERS.oxen.downloadNeedsKey?.('https://hub.oxen.ai.evil.test/out.mp4', oxenCtx)).toBe(false);
	for (const adapter of ADAPTERS.filter((a) => a.id !== 'oxen')) expect(adapter.downloadNeedsKey).toBeUndefined();
});

test('kie: an error in an HTTP 200 envelope is acted on as its code; 455 waits, 505 does not', () => {
	const kie = PROVIDERS.kie;
	expect(kie.envelopeStatus?.(200, { code: 200, data: {} })).toBe(200);
	expect(kie.envelopeStatus?.(200, { code: 401, msg: 'no access' })).toBe(401);
	expect(kie.envelopeStatus?.(200, { code: 402, msg: 'credits' })).toBe(402);
	expect(kie.envelopeStatus?.(200, { code: 455 })).toBe(503);
	expect(kie.envelopeStatus?.(200, { code: 505 })).toBe(403);
	expect(kie.envelopeStatus?.(502, '<html>')).toBe(502);
	expect(kie.parseError(402, { code: 402, msg: 'Credits insufficient' })).toMatchObject({ code: '402', retryable: false });
});

test('novita: video_url_ttl is the link lifetime; the balance refusal is not retried', () => {
	const state = PROVIDERS.novita.parseStatus({ task: { status: 'TASK_STATUS_SUCCEED' }, videos: [{ video_url: 'https://o/v.mp4', video_url_ttl: '3600' }] }, { taskId: 't' }, ctx);
	expect(state.urlTtlSeconds).toBe(3600);
	expect(PROVIDERS.novita.parseError(400, { code: 400, reason: 'BILLING_BALANCE_NOT_ENOUGH', message: 'Insufficient balance' })).toMatchObject({
		code: 'BILLING_BALANCE_NOT_ENOUGH',
		retryable: false,
	});
});

describe('uploads', () => {
	const png = { kind: 'image' as const, fileName: 'c.png', mimeType: 'image/png', size: 1234 };

	test('waveSpeed: a media/uploads ticket (then PUT), the legacy binary upload only when the route is missing', () => {
		const plan = PROVIDERS.waveSpeed.buildUpload!(png, ctx);
		if (plan.type !== 'presigned') throw new Error(`expected a presigned plan, got ${plan.type}`);
		expect(plan.initiate).toMatchObject({ method: 'POST', url: `${ctx.baseUrl}/api/v3/media/uploads`, body: { filename: 'c.png', size: 1234, content_type: 'image/png' } });
		expect(plan.needsSize).toBe(true);
		expect(plan.fallback?.statuses).toEqual([404, 405, 501]);
		expect(plan.fallback?.plan).toMatchObject({ type: 'multipart', field: 'file', request: { url: `${ctx.baseUrl}/api/v3/media/upload/binary` } });
		const ticket = { code: 200, message: 'success', data: { download_url: 'https://d/u.png', upload: { method: 'put', url: 'https://s/put', headers: { 'If-None-Match': '*' } } } };
		expect(plan.parseSlot(ticket)).toEqual({ uploadUrl: 'https://s/put', fileUrl: 'https://d/u.png', headers: { 'If-None-Match': '*' } });
		expect(plan.parseSlot({ code: 200, data: { download_url: 'https://d/u.png', upload: { method: 'PUT', url: 'https://s/put' } } }).headers).toBeUndefined();
		expect(() => plan.parseSlot({ code: 400, message: 'invalid file type' })).toThrow(/refused: invalid file type/);
		expect(() => plan.parseSlot({ code: 200, data: { download_url: 'https://d/u.png', upload: { method: 'POST', url: 'https://s/put' } } })).toThrow(/no PUT instruction/);
	});

	test('aiHubMax: multipart to /v1/files/upload/stream, auto_cleanup off, the answer\'s url', () => {
		const plan = PROVIDERS.aiHubMax.buildUpload!(png, ctx);
		if (plan.type !== 'multipart') throw new Error(`expected a multipart plan, got ${plan.type}`);
		expect(plan).toMatchObject({ field: 'file', fields: { auto_cleanup: 'false' }, request: { method: 'POST', url: `${ctx.baseUrl}/v1/files/upload/stream` } });
		expect(plan.parseUrl({ id: 'f1', filename: 'c.png', url: 'https://files/c.png', size: 1234, created: 1 })).toBe('https://files/c.png');
		expect(PROVIDERS.aiHubMax.capabilities.upload).toEqual({
			image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 10 * 1024 * 1024 },
			video: { mimeTypes: ['video/mp4', 'video/quicktime'], maxBytes: 100 * 1024 * 1024 },
		});
	});
});

/** Prospolabs: the refusals that prove the flat body's shape wrong, and those that do not. */
const PROSPOLABS_REFUSALS: Array<[string, boolean]> = [
	['params is required', true],
	['"params" is required', true],
	['Missing required field: params', true],
	['quality is not a documented field; video_urls is not a documented field', true],
	['Unknown field "image_url"', true],
	['body.params: Field required', true],
	['Missing required parameter: params', true],
	['body.quality: Extra inputs are not permitted', true],
	['image_url: unknown image format', false],
	['video_urls must have at most 1 item(s)', false],
	['image_url must be a valid URL', false],
	['invalid params: image_url must be a URL', false],
	['Insufficient balance', false],
];

test.each(PROSPOLABS_REFUSALS)('prospolabs: a 400 saying %j → resend in the params form: %s', (message, resend) => {
	const other = PROVIDERS.prospolabs.otherSubmitShape!(request, ctx, 'wait', { message });
	if (!resend) return expect(other).toBeUndefined();
	expect(other).toMatchObject({ method: 'POST', url: `${ctx.baseUrl}/v1/generate`, longRunning: true });
	expect(other!.body).toEqual({
		model: 'kling-3-motion-control',
		params: { quality: 'pro', video_urls: [request.videoUrl], image_url: request.imageUrl, character_orientation: 'video', prompt: 'dance', keep_original_sound: false },
	});
});

test('prospolabs: the params form keeps webhook_url and async at the top level', () => {
	const other = PROVIDERS.prospolabs.otherSubmitShape!({ ...request, callbackUrl: 'https://hook.example.test/x' }, ctx, 'submitOnly', { message: 'params is required' });
	expect(other?.body).toMatchObject({ webhook_url: 'https://hook.example.test/x', async: true, params: { image_url: request.imageUrl } });
	expect(other?.longRunning).toBe(false);
});

/**
 * One documented request for many tasks' status (statusList): the request each builds, and how its
 * answer maps to states by task id, with the answer shape the provider's docs show. Tasks missing
 * from the page are absent; an entry that ended without its outputs maps to a state without videoUrls.
 */
const LISTS: Array<{
	id: string;
	request: { url: string; qs?: Record<string, string> };
	maxTasks: number;
	body: unknown;
	states: Record<string, { status: TaskStatus; videoUrls: string[] }>;
	/** A failed task as the single status answer, and as a list answer holding only it. */
	failed: { single: unknown; list: unknown };
}> = [
	{
		id: 'kling',
		request: { url: `${ctx.baseUrl}/v1/videos/motion-control`, qs: { pageNum: '1', pageSize: '500' } },
		maxTasks: 500,
		body: {
			code: 0,
			message: 'SUCCEED',
			data: [
				{ task_id: 'a', task_status: 'succeed', task_result: { videos: [{ url: 'https://o/a.mp4', duration: '5.0' }] } },
				{ task_id: 'b', task_status: 'processing' },
				{ task_id: '8312', task_status: 'succeed', task_info: { external_task_id: 'c' }, task_result: { videos: [] } },
				{ task_id: 'other', task_status: 'submitted' },
			],
		},
		states: {
			a: { status: 'completed', videoUrls: ['https://o/a.mp4'] },
			b: { status: 'processing', videoUrls: [] },
			c: { status: 'completed', videoUrls: [] },
		},
		failed: {
			single: { code: 0, data: { task_id: 'a', task_status: 'failed', task_status_msg: 'bad' } },
			list: { code: 0, data: [{ task_id: 'a', task_status: 'failed', task_status_msg: 'bad' }] },
		},
	},
	{
		id: 'oxen',
		request: { url: `${ctx.baseUrl}/queue`, qs: { model: 'kling-video-v3-pro-motion-control' } },
		maxTasks: 10_000,
		body: {
			count: 3,
			generations: [
				{ generation_id: 'a', model_name: 'kling-video-v3-pro-motion-control', status: 'queued', result_url: null, error_message: null },
				{ generation_id: 'b', model_name: 'kling-video-v3-pro-motion-control', status: 'processing', result_url: null, error_message: null },
				{ generation_id: 'c', model_name: 'kling-video-v3-pro-motion-control', status: 'succeeded', result_url: null, error_message: null },
			],
		},
		states: {
			a: { status: 'queued', videoUrls: [] },
			b: { status: 'processing', videoUrls: [] },
			c: { status: 'completed', videoUrls: [] },
		},
		failed: {
			single: { generation_id: 'a', status: 'failed', error_message: 'bad' },
			list: { count: 1, generations: [{ generation_id: 'a', status: 'failed', error_message: 'bad' }] },
		},
	},
	{
		id: 'replicate',
		request: { url: `${ctx.baseUrl}/v1/predictions` },
		maxTasks: 100,
		body: {
			next: 'https://api.example.test/v1/predictions?cursor=x',
			previous: null,
			results: [
				{ id: 'a', status: 'succeeded', output: 'https://o/a.mp4', source: 'api' },
				{ id: 'b', status: 'starting', output: null },
				{ id: 'c', status: 'succeeded', data_removed: true },
				{ id: 'other', status: 'failed', error: 'x' },
			],
		},
		states: {
			a: { status: 'completed', videoUrls: ['https://o/a.mp4'] },
			b: { status: 'queued', videoUrls: [] },
			c: { status: 'completed', videoUrls: [] },
		},
		failed: {
			single: { id: 'a', status: 'failed', error: 'bad' },
			list: { next: null, previous: null, results: [{ id: 'a', status: 'failed', error: 'bad' }] },
		},
	},
];

describe.each(LISTS.map((row) => [row.id, row] as const))('%s statusList', (id, row) => {
	const adapter = (PROVIDERS as Record<string, ProviderAdapter>)[id];
	const handles = ['a', 'b', 'c', 'missing'].map((taskId) => ({ taskId }));

	test('build: one GET under the base URL, the documented page size, a documented source', () => {
		const list = adapter.statusList!;
		expect(list.maxTasks).toBe(row.maxTasks);
		expect(list.source).toMatch(/^https:\/\//);
		const spec = list.build(handles, ctx);
		expect(spec.method).toBe('GET');
		expect(spec.url).toBe(row.request.url);
		expect(spec.qs).toEqual(row.request.qs);
		expect(spec.body).toBeUndefined();
	});

	test('parse: states by task id, only for the tasks asked about and found', () => {
		const states = adapter.statusList!.parse(row.body, handles, ctx);
		expect([...states.keys()].sort()).toEqual(Object.keys(row.states).sort());
		for (const [taskId, expected] of Object.entries(row.states)) expect(states.get(taskId)).toMatchObject(expected);
		expect(states.has('missing')).toBe(false);
		expect(states.has('other')).toBe(false);
	});

	test('parse: an answer of another shape finds nothing (every task is then checked on its own)', () => {
		for (const body of [{}, '<html>', { data: { task_id: 'a' } }, { results: 'x', generations: null }]) {
			expect(adapter.statusList!.parse(body, handles, ctx).size).toBe(0);
		}
	});

	test('parse: the list entry maps like the single status answer (one status vocabulary)', () => {
		const single = adapter.parseStatus(row.failed.single, { taskId: 'a' }, ctx);
		const listed = adapter.statusList!.parse(row.failed.list, [{ taskId: 'a' }], ctx).get('a');
		expect(single).toMatchObject({ status: 'failed', errorMessage: 'bad' });
		expect(listed).toMatchObject({ status: single.status, errorMessage: single.errorMessage, providerStatus: single.providerStatus });
	});
});

test('providers without a documented list endpoint for status have no statusList', () => {
	const withList = LISTS.map((row) => row.id).sort();
	expect(ADAPTERS.filter((a) => a.statusList).map((a) => a.id).sort()).toEqual(withList);
});

test('statusRate: only where a limit is published, with its page', () => {
	expect(PROVIDERS.replicate.capabilities.statusRate).toEqual({ perSecond: 50, source: 'https://replicate.com/docs/topics/predictions/rate-limits' });
	for (const adapter of ADAPTERS.filter((a) => a.id !== 'replicate')) expect(adapter.capabilities.statusRate).toBeUndefined();
});
