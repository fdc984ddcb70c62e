// Self-test of the provider emulator with plain fetch: each provider's happy path, its rejections, the
// fault injection, the cdn listener and the MP4/PNG builders.
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Emulator } from './index';
import { EMULATOR_KEYS, EMULATOR_WEBHOOK_SECRETS, klingJwt, mp4, probeMp4, probePng, startEmulator } from './index';

jest.setTimeout(20000);

interface Res {
	status: number;
	headers: Headers;
	text: string;
	json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(method: string, url: string, o: { auth?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Res> {
	const headers: Record<string, string> = { ...(o.headers ?? {}) };
	if (o.auth) headers.authorization = o.auth;
	let body: RequestInit['body'];
	if (o.body instanceof FormData || Buffer.isBuffer(o.body) || typeof o.body === 'string') body = o.body as RequestInit['body'];
	else if (o.body !== undefined) {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(o.body);
	}
	const res = await fetch(url, { method, headers, body });
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v !== undefined) return v;
		if (Date.now() > end) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 40));
	}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- a callback receiver ----------
interface Hook {
	path: string;
	headers: IncomingHttpHeaders;
	raw: string;
	body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}
let sink: Server;
let sinkUrl: string;
const hooks: Hook[] = [];

let emu: Emulator;
let media: string;
let img: (tag: string, faults?: string) => string;

beforeAll(async () => {
	emu = await startEmulator({ jobMs: 300, queuedMs: 60 });
	media = `${emu.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280`;
	img = (tag, faults) => `https://images.example.com/${tag}.png${faults ? `?emu=${faults}` : ''}`;
	sink = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			hooks.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) });
			res.end('ok');
		});
	});
	await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
	sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await emu.close();
	await new Promise((r) => sink.close(r));
});

beforeEach(() => {
	emu.reset();
	emu.jobMs = 300;
	emu.queuedMs = 60;
	hooks.length = 0;
});

const bearer = (k: string) => `Bearer ${k}`;

describe('mp4 / png builders and the cdn listener', () => {
	test('mp4 carries duration, size and moov placement', () => {
		const a = probeMp4(mp4({ durationSeconds: 7.25, width: 1080, height: 1920 }));
		expect(a).toMatchObject({ brand: 'mp42', timescale: 1000, durationSeconds: 7.25, width: 1080, height: 1920 });
		expect(a.moovOffset).toBeLessThan(a.mdatOffset);
		const b = mp4({ durationSeconds: 3, width: 640, height: 360, moovAtEnd: true, brand: 'qt  ', totalBytes: 100000 });
		expect(b.length).toBe(100000);
		const info = probeMp4(b);
		expect(info.brand).toBe('qt  ');
		expect(info.moovOffset).toBeGreaterThan(info.mdatOffset);
	});

	test('media clip: Range, suffix range, HEAD, norange, mov, png', async () => {
		const full = await fetch(`${media}&bytes=50000`);
		const all = Buffer.from(await full.arrayBuffer());
		expect(all.length).toBe(50000);
		expect(probeMp4(all).durationSeconds).toBe(5);

		const r = await fetch(`${media}&bytes=50000`, { headers: { range: 'bytes=100-199' } });
		expect(r.status).toBe(206);
		expect(r.headers.get('content-range')).toBe('bytes 100-199/50000');
		expect(Buffer.from(await r.arrayBuffer()).equals(all.subarray(100, 200))).toBe(true);

		const tail = await fetch(`${emu.cdnUrl}/media/clip.mp4?duration=9&moov=end&bytes=40000`, { headers: { range: 'bytes=-1000' } });
		expect(tail.status).toBe(206);
		expect(tail.headers.get('content-range')).toBe('bytes 39000-39999/40000');

		const head = await fetch(`${media}&bytes=12345`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-length')).toBe('12345');

		const nor = await fetch(`${media}&norange=1`, { headers: { range: 'bytes=0-9' } });
		expect(nor.status).toBe(200);

		const mov = await fetch(`${emu.cdnUrl}/media/clip.mp4?format=mov&duration=4`);
		expect(mov.headers.get('content-type')).toBe('video/quicktime');
		expect(probeMp4(Buffer.from(await mov.arrayBuffer())).brand).toBe('qt  ');

		const pic = await fetch(`${emu.cdnUrl}/media/char.png?w=320&h=480`);
		expect(probePng(Buffer.from(await pic.arrayBuffer()))).toEqual({ width: 320, height: 480 });
		expect(emu.stats().rangeRequests).toBe(3);
	});
});

describe('waveSpeed', () => {
	const base = () => emu.baseUrl('waveSpeed');
	const auth = bearer(EMULATOR_KEYS.waveSpeed);

	test('submit, poll to completion, webhook, output download', async () => {
		const body = { image: img('ws'), video: media, character_orientation: 'image', prompt: 'dance', keep_original_sound: false };
		const sub = await call('POST', `${base()}/api/v3/kwaivgi/kling-v3.0-std/motion-control?webhook=${encodeURIComponent(`${sinkUrl}/ws`)}`, { auth, body });
		expect(sub.status).toBe(200);
		expect(sub.json).toMatchObject({ code: 200, message: 'success', data: { status: 'created', outputs: [], model: 'kwaivgi/kling-v3.0-std/motion-control' } });
		const getUrl: string = sub.json.data.urls.get;
		expect(getUrl).toBe(`${base()}/api/v3/predictions/${sub.json.data.id}/result`);
		const done = await until(async () => {
			const r = await call('GET', getUrl, { auth });
			return r.json.data.status === 'completed' ? r : undefined;
		});
		const out: string = done.json.data.outputs[0];
		expect(out.startsWith(emu.cdnUrl)).toBe(true);
		const file = Buffer.from(await (await fetch(out)).arrayBuffer());
		expect(file.length).toBe(64 * 1024);
		expect(probeMp4(file)).toMatchObject({ durationSeconds: 5, width: 720, height: 1280 });

		const hook = await until(async () => hooks.find((h) => h.path === '/ws'));
		expect(hook.body).toMatchObject({ id: sub.json.data.id, status: 'completed', input: body });
		const secret = EMULATOR_WEBHOOK_SECRETS.waveSpeed.replace(/^whsec_/, '');
		const sig = createHmac('sha256', secret).update(`${hook.headers['webhook-id']}.${hook.headers['webhook-timestamp']}.${hook.raw}`).digest('hex');
		expect(hook.headers['webhook-signature']).toBe(`v3,${sig}`);
		expect(emu.stats()).toMatchObject({ fileRequests: 1, fileRequestsWithAuthorization: 0, callbacksSent: 1 });
	});

	test('rejections: auth, unknown field, wrong type, unknown id', async () => {
		const url = `${base()}/api/v3/kwaivgi/kling-v3.0-pro/motion-control`;
		const good = { image: img('x'), video: media, character_orientation: 'video' };
		expect((await call('POST', url, { auth: 'Bearer nope', body: good })).json).toEqual({ code: 401, message: 'Invalid API key' });
		const mode = await call('POST', url, { auth, body: { ...good, mode: 'pro' } });
		expect(mode.status).toBe(400);
		expect(mode.json.message).toMatch(/mode is not a documented field/);
		const sound = await call('POST', url, { auth, body: { ...good, keep_original_sound: 'yes' } });
		expect(sound.status).toBe(400);
		expect((await call('GET', `${base()}/api/v3/predictions/nope/result`, { auth })).status).toBe(404);
		expect(emu.stats().submitsRejected.waveSpeed).toBe(3);
		expect((await call('GET', `${base()}/api/v3/balance`, { auth })).json.data.balance).toBe(12.5);
	});

	test('binary upload is served back byte-exact', async () => {
		const fd = new FormData();
		const bytes = Buffer.from([1, 2, 3, 250, 0, 7]);
		fd.append('file', new Blob([bytes], { type: 'image/png' }), 'char.png');
		const up = await call('POST', `${base()}/api/v3/media/upload/binary`, { auth, body: fd });
		expect(up.json.data).toMatchObject({ type: 'image', filename: 'char.png', size: 6 });
		const back = Buffer.from(await (await fetch(up.json.data.download_url)).arrayBuffer());
		expect(back.equals(bytes)).toBe(true);
		expect(emu.stats().uploads.waveSpeed).toBe(1);
	});

	test('media/uploads: a strict JSON ticket, then a PUT that must match it (no key, size, signed headers)', async () => {
		const bytes = Buffer.from([9, 8, 7, 6]);
		expect((await call('POST', `${base()}/api/v3/media/uploads`, { body: { filename: 'c.png', size: 4 } })).status).toBe(401);
		const extra = await call('POST', `${base()}/api/v3/media/uploads`, { auth, body: { filename: 'c.png', size: 4, mime: 'image/png' } });
		expect(extra.status).toBe(400);
		expect(extra.json.message).toMatch(/mime is not a documented field/);
		expect((await call('POST', `${base()}/api/v3/media/uploads`, { auth, body: { filename: 'c.png' } })).json.message).toMatch(/size is required/);
		const ticket = await call('POST', `${base()}/api/v3/media/uploads`, { auth, body: { filename: 'c.png', size: 4, content_type: 'image/png' } });
		expect(ticket.json).toMatchObject({ code: 200, data: { filename: 'c.png', size: 4, upload: { method: 'PUT', headers: { 'Content-Type': 'image/png', 'If-None-Match': '*' } } } });
		const { url, headers } = ticket.json.data.upload;
		expect((await fetch(url, { method: 'PUT', body: bytes, headers: { 'content-type': 'image/png' } })).status).toBe(403);
		expect((await fetch(url, { method: 'PUT', body: bytes, headers: { ...headers, authorization: auth } })).status).toBe(400);
		expect((await fetch(url, { method: 'PUT', body: Buffer.from([1]), headers })).status).toBe(400);
		expect((await fetch(url, { method: 'PUT', body: bytes, headers })).status).toBe(200);
		expect(Buffer.from(await (await fetch(ticket.json.data.download_url)).arrayBuffer()).equals(bytes)).toBe(true);
		emu.uploadRefusals = { waveSpeed: 404 };
		expect((await call('POST', `${base()}/api/v3/media/uploads`, { auth, body: { filename: 'c.png', size: 4 } })).status).toBe(404);
		const fd = new FormData();
		fd.append('file', new Blob([bytes], { type: 'image/png' }), 'c.png');
		expect((await call('POST', `${base()}/api/v3/media/upload/binary`, { auth, body: fd })).status).toBe(200);
		emu.uploadRefusals = {};
	});
});

describe('oxen', () => {
	const base = () => emu.baseUrl('oxen');
	const auth = bearer(EMULATOR_KEYS.oxen);
	const body = (extra: Record<string, unknown> = {}) => ({
		model: 'kling-video-v3-pro-motion-control',
		prompt: 'dance',
		input_image: img('ox'),
		input_video: media,
		character_orientation: 'video',
		...extra,
	});

	test('queue, poll to succeeded, list, cancel', async () => {
		const sub = await call('POST', `${base()}/queue`, { auth, body: body() });
		expect(sub.status).toBe(200);
		const id = sub.json.generations[0].generation_id;
		expect(sub.json.generations[0].status).toBe('queued');
		const done = await until(async () => {
			const r = await call('GET', `${base()}/queue/${id}`, { auth });
			return r.json.status === 'succeeded' ? r : undefined;
		});
		expect(done.json).toMatchObject({ generation_id: id, model_name: 'kling-video-v3-pro-motion-control', error_message: null });
		expect(done.json.result_url).toMatch(/\/files\/oxen\//);
		expect((await call('GET', `${base()}/queue?status=succeeded`, { auth })).json.generations).toHaveLength(1);

		const sub2 = await call('POST', `${base()}/queue`, { auth, body: body({ prompt: 'other' }) });
		const id2 = sub2.json.generations[0].generation_id;
		expect((await call('DELETE', `${base()}/queue/${id2}`, { auth })).json).toEqual({ status: 'success', generation_id: id2 });
		expect((await call('GET', `${base()}/queue/${id2}`, { auth })).json.status).toBe('cancelled');
		expect((await call('DELETE', `${base()}/queue/${id2}`, { auth })).status).toBe(400);
	});

	test('invalid parameters are accepted and fail at run time; auth and 404 shapes', async () => {
		const sub = await call('POST', `${base()}/queue`, { auth, body: body({ keep_original_sound: 'yes', elements: [{ frontal_image_url: img('f') }] }) });
		expect(sub.status).toBe(200);
		const id = sub.json.generations[0].generation_id;
		const failed = await until(async () => {
			const r = await call('GET', `${base()}/queue/${id}`, { auth });
			return r.json.status === 'failed' ? r : undefined;
		});
		expect(failed.json.error_message).toMatch(/keep_original_sound must be a boolean/);
		expect(failed.json.error_message).toMatch(/reference_image_urls is required/);
		const unauth = await call('GET', `${base()}/queue/${id}`, { auth: 'Bearer x' });
		expect(unauth.status).toBe(401);
		expect(unauth.json).toMatchObject({ error: { type: 'unauthenticated' }, status: 'error' });
		expect((await call('GET', `${base()}/queue/missing`, { auth })).json.error.type).toBe('not_found');
		expect((await call('GET', `${base()}/models/kling-video-v3-pro-motion-control`, { auth })).json.json_request_schema).toBeDefined();
	});
});

describe('evoLink', () => {
	const base = () => emu.baseUrl('evoLink');
	const auth = bearer(EMULATOR_KEYS.evoLink);
	const body = (extra: Record<string, unknown> = {}) => ({
		model: 'kling-v3-motion-control',
		image_urls: [img('evo')],
		video_urls: [media],
		quality: '1080p',
		model_params: { character_orientation: 'image', keep_sound: true },
		...extra,
	});

	test('submit, poll, https loopback callback, outputs2', async () => {
		const cb = `${sinkUrl.replace('http:', 'https:')}/evo`;
		const sub = await call('POST', `${base()}/v1/videos/generations`, { auth, body: body({ callback_url: cb, image_urls: img('evo', 'outputs2') }) });
		expect(sub.status).toBe(200);
		expect(sub.json).toMatchObject({ object: 'video.generation.task', status: 'pending', progress: 0, type: 'video' });
		expect(sub.json.id).toMatch(/^task-unified-\d+-/);
		const done = await until(async () => {
			const r = await call('GET', `${base()}/v1/tasks/${sub.json.id}`, { auth });
			return r.json.status === 'completed' ? r : undefined;
		});
		expect(done.json.results).toHaveLength(2);
		for (const u of done.json.results) expect((await fetch(u)).status).toBe(200);
		expect(done.json.progress).toBe(100);
		const hook = await until(async () => hooks.find((h) => h.path === '/evo'));
		expect(hook.body.status).toBe('completed');
		expect((await call('GET', `${base()}/v1/credits`, { auth })).json.success).toBe(true);
	});

	test('rejections: keep_sound type, http callback, element with image orientation, auth', async () => {
		const url = `${base()}/v1/videos/generations`;
		const t = await call('POST', url, { auth, body: body({ model_params: { character_orientation: 'image', keep_sound: 'yes' } }) });
		expect(t.status).toBe(400);
		expect(t.json.error).toMatchObject({ type: 'invalid_request_error', param: 'model_params.keep_sound' });
		expect((await call('POST', url, { auth, body: body({ callback_url: 'http://hooks.example.com/x' }) })).status).toBe(400);
		const el = await call('POST', url, { auth, body: body({ model_params: { character_orientation: 'image', element_list: [{ element_id: '1' }] } }) });
		expect(el.status).toBe(400);
		const un = await call('POST', url, { auth: 'Bearer x', body: body() });
		expect(un.status).toBe(401);
		expect(un.json.error.type).toBe('authentication_error');
	});

	test('files API: stream, base64 and url uploads are fetchable', async () => {
		const files = emu.evoLinkFilesBaseUrl;
		const fd = new FormData();
		fd.append('file', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'a.png');
		const s = await call('POST', `${files}/api/v1/files/upload/stream`, { auth, body: fd });
		expect(s.json).toMatchObject({ success: true, data: { file_id: expect.any(String), expires_at: expect.any(String) } });
		expect(await (await fetch(s.json.data.file_url)).text()).toBe('PNGDATA');
		const b = await call('POST', `${files}/api/v1/files/upload/base64`, { auth, body: { base64_data: `data:image/png;base64,${Buffer.from('XY').toString('base64')}` } });
		expect(await (await fetch(b.json.data.download_url)).text()).toBe('XY');
		const u = await call('POST', `${files}/api/v1/files/upload/url`, { auth, body: { file_url: `${emu.cdnUrl}/media/char.png?w=300&h=300` } });
		expect(probePng(Buffer.from(await (await fetch(u.json.data.file_url)).arrayBuffer())).width).toBe(300);
	});
});

describe('aiHubMax', () => {
	const base = () => emu.baseUrl('aiHubMax');
	const auth = bearer(EMULATOR_KEYS.aiHubMax);

	test('completed is reported before results at least once', async () => {
		const sub = await call('POST', `${base()}/v1/videos/generations`, {
			auth,
			body: { model: 'kling-v3-motion-control', image_url: img('ahm'), video_url: media, mode: 'pro', keep_original_sound: 'no' },
		});
		expect(sub.status).toBe(200);
		const seen: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
		const done = await until(async () => {
			const r = await call('GET', `${base()}/v1/tasks/${sub.json.id}`, { auth });
			seen.push(r.json);
			return r.json.status === 'completed' && r.json.results?.length ? r : undefined;
		});
		const early = seen.filter((s) => s.status === 'completed' && !s.results?.length);
		expect(early.length).toBeGreaterThanOrEqual(1);
		expect(early[0].results).toBeUndefined();
		expect(done.json.results[0]).toMatch(/\/files\/aiHubMax\//);
	});

	test('rejections: boolean keep_original_sound (422), missing field (400), auth, models', async () => {
		const url = `${base()}/v1/videos/generations`;
		const b = await call('POST', url, { auth, body: { model: 'kling-v3-motion-control', image_url: img('a'), video_url: media, keep_original_sound: true } });
		expect(b.status).toBe(422);
		expect(b.json.error.type).toBe('validation_error');
		expect((await call('POST', url, { auth, body: { model: 'kling-v3-motion-control', image_url: img('a') } })).status).toBe(400);
		expect((await call('POST', url, { auth, body: { model: 'kling-v3-motion-control', image_url: img('a'), video_url: media, callback_url: 'https://x.y/z' } })).status).toBe(400);
		expect((await call('GET', `${base()}/v1/models`, { auth: 'Bearer no' })).json.error.type).toBe('authentication_error');
		expect((await call('GET', `${base()}/v1/models`, { auth })).json.object).toBe('list');
	});
});

describe('prospolabs', () => {
	const base = () => emu.baseUrl('prospolabs');
	const auth = bearer(EMULATOR_KEYS.prospolabs);
	const body = (extra: Record<string, unknown> = {}) => ({
		model: 'kling-3-motion-control',
		quality: 'standard',
		video_urls: [media],
		image_url: img('pr'),
		character_orientation: 'image',
		keep_original_sound: true,
		...extra,
	});

	test('sync generate holds the answer until completion', async () => {
		const t0 = Date.now();
		const r = await call('POST', `${base()}/v1/generate`, { auth, body: body() });
		expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
		expect(r.json).toMatchObject({ status: 'completed', model: 'kling-3-motion-control', mode: 'image', estimated_cost_usd: 0.38 });
		expect(r.json.output_url).toMatch(/\/files\/prospolabs\/gen_/);
	});

	test('async generate, poll, webhook, expired output', async () => {
		const r = await call('POST', `${base()}/v1/generate?async=true`, { auth, body: body({ image_url: img('pr', 'expired'), webhook_url: `${sinkUrl}/pr` }) });
		expect(r.status).toBe(202);
		expect(r.json.status).toBe('queued');
		const done = await until(async () => {
			const g = await call('GET', `${base()}/v1/generations/${r.json.generation_id}`, { auth });
			return g.json.status === 'completed' ? g : undefined;
		});
		const file = await call('GET', done.json.output_url);
		expect(file.status).toBe(410);
		expect(file.json).toEqual({ code: 'output_expired' });
		await until(async () => hooks.find((h) => h.path === '/pr'));
	});

	test('rejections: nested params body, bad quality, auth', async () => {
		const url = `${base()}/v1/generate`;
		expect((await call('POST', url, { auth, body: { model: 'kling-3-motion-control', mode: 'x', params: {} } })).status).toBe(400);
		const q = await call('POST', url, { auth, body: body({ quality: '1080p', async: true }) });
		expect(q.status).toBe(400);
		expect(q.json.error.message).toMatch(/quality/);
		expect((await call('POST', url, { auth: 'Bearer x', body: body() })).json).toEqual({ error: { message: 'Invalid API key' } });
	});
});

describe('fal', () => {
	const base = () => emu.baseUrl('fal');
	const auth = `Key ${EMULATOR_KEYS.fal}`;
	const body = (extra: Record<string, unknown> = {}) => ({ image_url: img('fal'), video_url: media, character_orientation: 'video', ...extra });

	test('queue lifecycle with app-level request URLs, result, webhook', async () => {
		const sub = await call('POST', `${base()}/fal-ai/kling-video/v3/pro/motion-control?fal_webhook=${encodeURIComponent(`${sinkUrl}/fal`)}`, {
			auth,
			body: body({ elements: [{ frontal_image_url: img('f'), reference_image_urls: [img('r')] }], prompt: '@Element1 dances' }),
		});
		expect(sub.status).toBe(200);
		const id = sub.json.request_id;
		expect(sub.json.status_url).toBe(`${base()}/fal-ai/kling-video/requests/${id}/status`);
		expect(sub.json.response_url).toBe(`${base()}/fal-ai/kling-video/requests/${id}`);
		const first = await call('GET', sub.json.status_url, { auth });
		expect(first.json.status).toBe('IN_QUEUE');
		expect(first.json.queue_position).toBe(0);
		await until(async () => ((await call('GET', sub.json.status_url, { auth })).json.status === 'COMPLETED' ? true : undefined));
		const result = await call('GET', sub.json.response_url, { auth });
		expect(result.json.video).toMatchObject({ content_type: 'video/mp4', file_name: 'output.mp4', file_size: 65536 });
		const hook = await until(async () => hooks.find((h) => h.path === '/fal'));
		expect(hook.body).toMatchObject({ request_id: id, status: 'OK', payload: { video: { url: result.json.video.url } } });
		// status URLs built with the model subpath are not fal's
		expect((await call('GET', `${base()}/fal-ai/kling-video/v3/pro/motion-control/requests/${id}/status`, { auth })).status).toBe(404);
		expect((await call('PUT', sub.json.cancel_url, { auth })).json).toEqual({ status: 'ALREADY_COMPLETED' });
	});

	test('failure, cancel, validation and auth', async () => {
		const f = await call('POST', `${base()}/fal-ai/kling-video/v3/standard/motion-control`, { auth, body: body({ image_url: img('fal', 'fail') }) });
		const st = await until(async () => {
			const r = await call('GET', f.json.status_url, { auth });
			return r.json.status === 'COMPLETED' ? r : undefined;
		});
		expect(st.json.error).toBeTruthy();
		const res = await call('GET', f.json.response_url, { auth });
		expect(res.status).toBe(422);
		expect(Array.isArray(res.json.detail)).toBe(true);

		const c = await call('POST', `${base()}/fal-ai/kling-video/v3/standard/motion-control`, { auth, body: body({ prompt: 'c' }) });
		const cancel = await call('PUT', c.json.cancel_url, { auth });
		expect(cancel.status).toBe(202);
		expect(cancel.json).toEqual({ status: 'CANCELLATION_REQUESTED' });

		const el = await call('POST', `${base()}/fal-ai/kling-video/v3/pro/motion-control`, {
			auth,
			body: body({ character_orientation: 'image', elements: [{ frontal_image_url: img('f'), reference_image_urls: [img('r')] }] }),
		});
		expect(el.status).toBe(422);
		const refs = await call('POST', `${base()}/fal-ai/kling-video/v3/pro/motion-control`, {
			auth,
			body: body({ elements: [{ frontal_image_url: img('f'), reference_image_urls: [] }] }),
		});
		expect(refs.json.detail[0]).toMatchObject({ loc: ['body', 'elements', 0, 'reference_image_urls'], type: 'too_short' });
		const un = await call('POST', `${base()}/fal-ai/kling-video/v3/pro/motion-control`, { auth: `Bearer ${EMULATOR_KEYS.fal}`, body: body() });
		expect(un.status).toBe(401);
		expect(typeof un.json.detail).toBe('string');
	});

	test('storage: initiate, PUT to the cdn, fetch back', async () => {
		const init = await call('POST', `${emu.falStorageBaseUrl}/storage/upload/initiate?storage_type=fal-cdn-v3`, {
			auth,
			body: { content_type: 'video/mp4', file_name: 'dance.mp4' },
		});
		expect(init.json.upload_url.startsWith(emu.cdnUrl)).toBe(true);
		const bytes = mp4({ durationSeconds: 4, width: 720, height: 1280 });
		expect((await fetch(init.json.upload_url, { method: 'PUT', body: bytes, headers: { 'content-type': 'video/mp4' } })).status).toBe(200);
		const back = Buffer.from(await (await fetch(init.json.file_url)).arrayBuffer());
		expect(back.equals(bytes)).toBe(true);
		expect((await call('POST', `${emu.falStorageBaseUrl}/storage/upload/initiate`, { auth: 'Key bad', body: {} })).status).toBe(401);
	});
});

describe('kling', () => {
	const base = () => emu.baseUrl('kling');
	const auth = () => `Bearer ${klingJwt()}`;
	const body = (extra: Record<string, unknown> = {}) => ({
		model_name: 'kling-v3',
		mode: 'std',
		image_url: img('kl'),
		video_url: media,
		character_orientation: 'image',
		keep_original_sound: 'yes',
		...extra,
	});

	test('JWT verification codes', async () => {
		const url = `${base()}/v1/videos/motion-control/123`;
		expect((await call('GET', url)).json.code).toBe(1001);
		expect((await call('GET', url, { auth: `Bearer ${klingJwt(undefined, undefined, { expiresInS: -10 })}` })).json.code).toBe(1004);
		expect((await call('GET', url, { auth: `Bearer ${klingJwt(undefined, undefined, { nbfOffsetS: 60 })}` })).json.code).toBe(1003);
		expect((await call('GET', url, { auth: `Bearer ${klingJwt(undefined, 'wrong-secret')}` })).json.code).toBe(1002);
		expect((await call('GET', url, { auth: `Bearer ${klingJwt('other-ak')}` })).json.code).toBe(1000);
		expect((await call('GET', url, { auth: `Bearer ${klingJwt(undefined, undefined, { expiresInS: 7 * 24 * 3600 })}` })).status).toBe(401);
		const notFound = await call('GET', url, { auth: auth() });
		expect(notFound.status).toBe(404);
		expect(notFound.json).toMatchObject({ code: 1203, request_id: expect.any(String) });
	});

	test('submit, poll by external_task_id, callbacks, duplicate external id', async () => {
		const sub = await call('POST', `${base()}/v1/videos/motion-control`, {
			auth: auth(),
			body: body({ external_task_id: 'ext-1', callback_url: `${sinkUrl}/kl`, watermark_info: { enabled: false } }),
		});
		expect(sub.json).toMatchObject({ code: 0, message: 'SUCCEED', data: { task_status: 'submitted', task_info: { external_task_id: 'ext-1' } } });
		const done = await until(async () => {
			const r = await call('GET', `${base()}/v1/videos/motion-control/ext-1`, { auth: auth() });
			return r.json.data.task_status === 'succeed' ? r : undefined;
		});
		expect(done.json.data.task_id).toBe(sub.json.data.task_id);
		expect(done.json.data.task_result.videos[0]).toMatchObject({ duration: '5.0' });
		expect(done.json.data.final_unit_deduction).toBe('4.5');
		await until(async () => (hooks.filter((h) => h.path === '/kl').length >= 2 ? true : undefined));
		expect(hooks.filter((h) => h.path === '/kl').map((h) => h.body.task_status)).toEqual(['processing', 'succeed']);
		const dup = await call('POST', `${base()}/v1/videos/motion-control`, { auth: auth(), body: body({ external_task_id: 'ext-1' }) });
		expect(dup.status).toBe(400);
		expect(dup.json.code).toBe(1201);
		const list = await call('GET', `${base()}/v1/videos/motion-control?pageNum=1&pageSize=10`, { auth: auth() });
		expect(list.json.data).toHaveLength(1);
	});

	test('rejections: model_name, boolean sound, elements with image orientation', async () => {
		const url = `${base()}/v1/videos/motion-control`;
		expect((await call('POST', url, { auth: auth(), body: body({ model_name: 'kling-v2-6' }) })).json.code).toBe(1201);
		expect((await call('POST', url, { auth: auth(), body: body({ keep_original_sound: true }) })).status).toBe(400);
		expect((await call('POST', url, { auth: auth(), body: body({ element_list: [{ element_id: '1' }] }) })).status).toBe(400);
		expect((await call('POST', url, { auth: auth(), body: body({ mode: undefined }) })).status).toBe(400);
		expect(emu.stats().submitsRejected.kling).toBe(4);
	});
});

describe('replicate', () => {
	const base = () => emu.baseUrl('replicate');
	const auth = bearer(EMULATOR_KEYS.replicate);
	const body = (extra: Record<string, unknown> = {}) => ({
		input: { image: img('rep'), video: media, prompt: '', mode: 'pro', character_orientation: 'image', keep_original_sound: true },
		...extra,
	});

	test('create, poll, output string, webhook, cancel', async () => {
		const sub = await call('POST', `${base()}/v1/models/kwaivgi/kling-v3-motion-control/predictions`, {
			auth,
			body: body({ webhook: `${sinkUrl}/rep`, webhook_events_filter: ['completed'] }),
		});
		expect(sub.status).toBe(201);
		expect(sub.json).toMatchObject({ status: 'starting', output: null, model: 'kwaivgi/kling-v3-motion-control' });
		expect(sub.json.urls.get).toBe(`${base()}/v1/predictions/${sub.json.id}`);
		const done = await until(async () => {
			const r = await call('GET', sub.json.urls.get, { auth });
			return r.json.status === 'succeeded' ? r : undefined;
		});
		expect(typeof done.json.output).toBe('string');
		const hook = await until(async () => hooks.find((h) => h.path === '/rep'));
		expect(hook.headers['webhook-signature']).toMatch(/^v1,/);

		const c = await call('POST', `${base()}/v1/models/kwaivgi/kling-v3-motion-control/predictions`, { auth, body: body({ input: { ...body().input, prompt: 'x' } }) });
		const canceled = await call('POST', c.json.urls.cancel, { auth });
		expect(canceled.json.status).toBe('canceled');
		expect(emu.stats().cancelRequests).toBe(1);
	});

	test('Prefer: wait, files, account, 422 and 401 problem+json', async () => {
		const w = await call('POST', `${base()}/v1/models/kwaivgi/kling-v3-motion-control/predictions`, { auth, body: body(), headers: { prefer: 'wait=5' } });
		expect(w.json.status).toBe('succeeded');

		const fd = new FormData();
		fd.append('content', new Blob([Buffer.from('VIDEO')], { type: 'video/mp4' }), 'clip.mp4');
		const f = await call('POST', `${base()}/v1/files`, { auth, body: fd });
		expect(f.status).toBe(201);
		expect((await call('GET', f.json.urls.get, { auth })).json.id).toBe(f.json.id);
		expect((await call('GET', `${f.json.urls.get}/download`, { auth })).text).toBe('VIDEO');

		expect((await call('GET', `${base()}/v1/account`, { auth })).json).toMatchObject({ type: 'user', username: 'emulator' });
		const bad = await call('POST', `${base()}/v1/models/kwaivgi/kling-v3-motion-control/predictions`, { auth, body: body({ input: { ...body().input, mode: 'standard' } }) });
		expect(bad.status).toBe(422);
		expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
		expect(bad.json).toMatchObject({ title: 'Input validation failed', status: 422 });
		const un = await call('GET', `${base()}/v1/account`, { auth: 'Bearer nope' });
		expect(un.json).toMatchObject({ title: expect.any(String), detail: expect.any(String), status: 401 });
	});
});

describe('kie', () => {
	const base = () => emu.baseUrl('kie');
	const auth = bearer(EMULATOR_KEYS.kie);
	const body = (input: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
		model: 'kling-3.0/motion-control',
		input: { input_urls: [img('kie')], video_urls: [media], mode: '720p', character_orientation: 'image', ...input },
		...extra,
	});

	test('createTask, recordInfo states to success with resultJson as a JSON string, callback, output download', async () => {
		const sub = await call('POST', `${base()}/api/v1/jobs/createTask`, { auth, body: body({ prompt: 'dance' }, { callBackUrl: `${sinkUrl}/kie` }) });
		expect(sub.status).toBe(200);
		expect(sub.json).toMatchObject({ code: 200, msg: 'success', data: { taskId: expect.any(String) } });
		const taskId: string = sub.json.data.taskId;
		const states = new Set<string>();
		const done = await until(async () => {
			const r = await call('GET', `${base()}/api/v1/jobs/recordInfo?taskId=${taskId}`, { auth });
			states.add(r.json.data.state);
			return r.json.data.state === 'success' ? r : undefined;
		});
		expect([...states].every((x) => ['waiting', 'queuing', 'generating', 'success'].includes(x))).toBe(true);
		expect(typeof done.json.data.resultJson).toBe('string');
		const out: string = JSON.parse(done.json.data.resultJson).resultUrls[0];
		expect(out).toMatch(/\/files\/kie\//);
		expect(JSON.parse(done.json.data.param)).toMatchObject({ model: 'kling-3.0/motion-control' });
		const file = Buffer.from(await (await fetch(out)).arrayBuffer());
		expect(probeMp4(file)).toMatchObject({ durationSeconds: 5 });
		const hook = await until(async () => hooks.find((h) => h.path === '/kie'));
		expect(hook.body).toMatchObject({ code: 200, data: { taskId, state: 'success' } });
	});

	test('refusals come as HTTP 200 with the code in the envelope: auth 401, schema 422, unknown task', async () => {
		const url = `${base()}/api/v1/jobs/createTask`;
		const denied = await call('POST', url, { auth: 'Bearer nope', body: body() });
		expect(denied.status).toBe(200);
		expect(denied.json).toMatchObject({ code: 401 });
		const std = await call('POST', url, { auth, body: body({ mode: 'std' }) });
		expect(std.status).toBe(200);
		expect(std.json.code).toBe(422);
		expect(std.json.msg).toMatch(/input\.mode must be one of "720p", "1080p"/);
		const sound = await call('POST', url, { auth, body: body({ keep_original_sound: true }) });
		expect(sound.json.msg).toMatch(/keep_original_sound is not a documented field/);
		const two = await call('POST', url, { auth, body: body({ input_urls: [img('a'), img('b')] }) });
		expect(two.json.code).toBe(422);
		expect((await call('GET', `${base()}/api/v1/jobs/recordInfo?taskId=nope`, { auth })).json.code).toBe(422);
		expect(emu.stats().submitsRejected.kie).toBe(4);
		expect((await call('GET', `${base()}/api/v1/chat/credit`, { auth })).json).toEqual({ code: 200, msg: 'success', data: 100 });
		expect((await call('GET', `${base()}/api/v1/chat/credit`, { auth: 'Bearer nope' })).json.code).toBe(401);
	});

	test('file stream upload is served back byte-exact', async () => {
		const fd = new FormData();
		const bytes = Buffer.from([9, 8, 7, 0, 255]);
		fd.append('file', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4');
		fd.append('uploadPath', 'kling-motion-control');
		const up = await call('POST', `${base()}/api/file-stream-upload`, { auth, body: fd });
		expect(up.json).toMatchObject({ success: true, code: 200, data: { fileSize: 5, mimeType: 'video/mp4' } });
		const back = Buffer.from(await (await fetch(up.json.data.downloadUrl)).arrayBuffer());
		expect(back.equals(bytes)).toBe(true);
		expect(emu.stats().uploads.kie).toBe(1);
	});
});

describe('novita', () => {
	const base = () => emu.baseUrl('novita');
	const auth = bearer(EMULATOR_KEYS.novita);
	const body = (extra: Record<string, unknown> = {}) => ({
		image: img('nov'),
		video: media,
		model_name: 'kling-v3-0-pro',
		character_orientation: 'image',
		...extra,
	});

	test('submit, task-result from TASK_STATUS_QUEUED to TASK_STATUS_SUCCEED with videos[].video_url_ttl, webhook', async () => {
		const sub = await call('POST', `${base()}/v3/async/kling-v3.0-motion-control`, {
			auth,
			body: body({ keep_original_sound: false, negative_prompt: 'blurry', extra: { webhook: { url: `${sinkUrl}/nov` } } }),
		});
		expect(sub.status).toBe(200);
		const id: string = sub.json.task_id;
		const first = await call('GET', `${base()}/v3/async/task-result?task_id=${id}`, { auth });
		expect(first.json.task).toMatchObject({ task_id: id, status: 'TASK_STATUS_QUEUED' });
		expect(first.json.videos).toEqual([]);
		const done = await until(async () => {
			const r = await call('GET', `${base()}/v3/async/task-result?task_id=${id}`, { auth });
			return r.json.task.status === 'TASK_STATUS_SUCCEED' ? r : undefined;
		});
		expect(done.json.videos[0]).toMatchObject({ video_url: expect.stringMatching(/\/files\/novita\//), video_url_ttl: '3600', video_type: 'mp4' });
		const hook = await until(async () => hooks.find((h) => h.path === '/nov'));
		expect(hook.body).toMatchObject({ event_type: 'ASYNC_TASK_RESULT', payload: { task: { task_id: id, status: 'TASK_STATUS_SUCCEED' } } });
	});

	test('rejections: INVALID_API_KEY 403, MISSING_API_KEY 400, schema 400, TASK_NOT_FOUND 404, user info', async () => {
		const url = `${base()}/v3/async/kling-v3.0-motion-control`;
		const denied = await call('POST', url, { auth: 'Bearer nope', body: body() });
		expect(denied.status).toBe(403);
		expect(denied.json).toMatchObject({ reason: 'INVALID_API_KEY' });
		expect((await call('POST', url, { body: body() })).json.reason).toBe('MISSING_API_KEY');
		const mode = await call('POST', url, { auth, body: body({ mode: 'pro' }) });
		expect(mode.status).toBe(400);
		expect(mode.json).toMatchObject({ reason: 'INVALID_REQUEST_BODY', message: expect.stringMatching(/mode is not a documented field/) });
		expect((await call('POST', url, { auth, body: body({ keep_original_sound: 'yes' }) })).status).toBe(400);
		expect((await call('POST', url, { auth, body: body({ model_name: 'kling-v3' }) })).status).toBe(400);
		const base64 = await call('POST', url, { auth, body: body({ image: Buffer.from('a small png image').toString('base64') }) });
		expect(base64.status).toBe(200);
		const missing = await call('GET', `${base()}/v3/async/task-result?task_id=nope`, { auth });
		expect(missing.status).toBe(404);
		expect(missing.json.reason).toBe('TASK_NOT_FOUND');
		expect(emu.stats().submitsRejected.novita).toBe(5);
		expect((await call('GET', `${base()}/v3/user`, { auth })).json.credit_balance).toBe(125000);
		expect((await call('GET', `${base()}/v3/user`, { auth: 'Bearer nope' })).status).toBe(403);
	});
});

describe('faults, caps and counters', () => {
	const base = () => emu.baseUrl('waveSpeed');
	const auth = bearer(EMULATOR_KEYS.waveSpeed);
	const submitUrl = () => `${base()}/api/v3/kwaivgi/kling-v3.0-pro/motion-control`;
	const body = (image: string) => ({ image, video: media, character_orientation: 'image' });

	test('poll faults in order: 503 with Retry-After, html, invalid JSON, reset', async () => {
		const sub = await call('POST', submitUrl(), { auth, body: body(img('pf', 'poll503,pollHtml,invalidJson,pollReset')) });
		const url = sub.json.data.urls.get;
		const a = await call('GET', url, { auth });
		expect(a.status).toBe(503);
		expect(a.headers.get('retry-after')).toBe('1');
		expect(a.json.code).toBe(503);
		const b = await call('GET', url, { auth });
		expect(b.status).toBe(502);
		expect(b.headers.get('content-type')).toMatch(/text\/html/);
		const c = await call('GET', url, { auth });
		expect(c.status).toBe(200);
		expect(c.json).toBeUndefined();
		await expect(fetch(url, { headers: { authorization: auth } })).rejects.toThrow();
		expect((await call('GET', url, { auth })).status).toBe(200);
		expect(emu.stats().statusRequests.waveSpeed).toBe(5);
	});

	test('submit429 refuses once; submit500 creates the task (retry counts as duplicate); reset and slow', async () => {
		const i = img('sf', 'submit429');
		const a = await call('POST', submitUrl(), { auth, body: body(i) });
		expect(a.status).toBe(429);
		expect(a.headers.get('retry-after')).toBe('1');
		expect((await call('POST', submitUrl(), { auth, body: body(i) })).status).toBe(200);

		const j = img('sf2', 'submit500');
		expect((await call('POST', submitUrl(), { auth, body: body(j) })).status).toBe(500);
		expect((await call('POST', submitUrl(), { auth, body: body(j) })).status).toBe(200);
		expect(emu.tasks('waveSpeed')).toHaveLength(3);
		expect(emu.stats().duplicateSubmits).toBe(1);

		await expect(fetch(submitUrl(), { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body(img('sf3', 'submitReset'))) })).rejects.toThrow();
		expect(emu.tasks('waveSpeed')).toHaveLength(4);

		emu.setFault('slow-one', { submitErrors: ['ambiguousSlow'], slowMs: 300 });
		const t0 = Date.now();
		expect((await call('POST', submitUrl(), { auth, body: body(img('slow-one')) })).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
		expect(emu.stats().submitsAccepted.waveSpeed).toBe(5);
		expect(emu.stats().submitsRejected.waveSpeed).toBe(1);
	});

	test('setFault fail message, stuck, per-task jobMs, concurrency cap', async () => {
		emu.setFault('doomed', { fail: 'content moderation (1200)', jobMs: 100 });
		const f = await call('POST', submitUrl(), { auth, body: body(img('doomed')) });
		const failed = await until(async () => {
			const r = await call('GET', f.json.data.urls.get, { auth });
			return r.json.data.status === 'failed' ? r : undefined;
		});
		expect(failed.json.data.error).toBe('content moderation (1200)');

		emu.concurrencyCap = { waveSpeed: 1 };
		const s = await call('POST', submitUrl(), { auth, body: body(img('st', 'stuck')) });
		expect(s.status).toBe(200);
		const capped = await call('POST', submitUrl(), { auth, body: body(img('other')) });
		expect(capped.status).toBe(429);
		expect(capped.headers.get('retry-after')).toBe('1');
		await sleep(400);
		expect((await call('GET', s.json.data.urls.get, { auth })).json.data.status).toBe('processing');
		expect(emu.tasks('waveSpeed').map((t) => t.status)).toEqual(['failed', 'processing']);
	});

	test('reference video longer than the orientation allows fails the task; large outputs stream', async () => {
		const long = await call('POST', submitUrl(), {
			auth,
			body: { image: img('long'), video: `${emu.cdnUrl}/media/clip.mp4?duration=12`, character_orientation: 'image' },
		});
		const failed = await until(async () => {
			const r = await call('GET', long.json.data.urls.get, { auth });
			return r.json.data.status === 'failed' ? r : undefined;
		});
		expect(failed.json.data.error).toMatch(/at most 10s/);

		const big = await call('POST', submitUrl(), { auth, body: { image: `${img('big')}?emu_bytes=5000000&emu_ms=100`, video: media, character_orientation: 'video' } });
		const done = await until(async () => {
			const r = await call('GET', big.json.data.urls.get, { auth });
			return r.json.data.status === 'completed' ? r : undefined;
		});
		const res = await fetch(done.json.data.outputs[0]);
		expect(res.headers.get('content-length')).toBe('5000000');
		expect((await res.arrayBuffer()).byteLength).toBe(5000000);
		const withAuth = await fetch(done.json.data.outputs[0], { method: 'HEAD', headers: { authorization: auth } });
		expect(withAuth.status).toBe(200);
		expect(emu.stats().fileRequestsWithAuthorization).toBe(1);
		expect(emu.requests.some((r) => r.provider === 'waveSpeed' && r.path === '/api/v3/kwaivgi/kling-v3.0-pro/motion-control')).toBe(true);
	});
});
