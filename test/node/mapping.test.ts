/**
 * providers.md §3: each unified parameter reaches each provider in its own field names and types.
 * The emulator rejects bodies that break the documented schema, so these also prove acceptance.
 */
import { startEmulator, type Emulator } from '../emulator';
import { runKling } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 150 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

async function submit(provider: ProviderId, params: Record<string, unknown>, options: Record<string, unknown> = {}) {
	const result = await runKling(emu, {
		provider,
		parameters: {
			operation: 'submit',
			imageUrl: `${emu.cdnUrl}/media/char.png`,
			videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
			characterOrientation: 'video',
			quality: 'standard',
			prompt: '@Element1 dances',
			...params,
			options,
		},
	});
	expect(result.error?.message).toBeUndefined();
	const submits = emu.requests.filter((r) => r.provider === provider && r.method === 'POST');
	expect(submits).toHaveLength(1);
	return submits[0];
}

const IMG = () => `${emu.cdnUrl}/media/char.png`;
const VID = () => `${emu.cdnUrl}/media/clip.mp4?duration=5`;

it('WaveSpeedAI: std endpoint, image/video, boolean keep_original_sound, negative_prompt, ?webhook=', async () => {
	const req = await submit('waveSpeed', {}, { keepOriginalSound: false, negativePrompt: 'blurry', callbackUrl: 'https://hook.example/ws' });
	expect(req.path).toBe('/api/v3/kwaivgi/kling-v3.0-std/motion-control');
	expect(req.query.webhook).toBe('https://hook.example/ws');
	expect(req.body).toEqual({
		image: IMG(),
		video: VID(),
		character_orientation: 'video',
		prompt: '@Element1 dances',
		negative_prompt: 'blurry',
		keep_original_sound: false,
	});
	const pro = await runKling(emu, { provider: 'waveSpeed', parameters: { operation: 'submit', imageUrl: IMG(), videoUrl: VID(), characterOrientation: 'image', quality: 'pro', options: {} } });
	expect(pro.error?.message).toBeUndefined();
	expect(emu.requests.filter((r) => r.method === 'POST').pop()!.path).toBe('/api/v3/kwaivgi/kling-v3.0-pro/motion-control');
});

it('Oxen.ai: pro-only model id, input_image/input_video, fal-style elements', async () => {
	const req = await submit('oxen', { quality: 'pro' }, {
		keepOriginalSound: true,
		elementFrontalImageUrl: 'https://example.com/front.png',
		elementReferenceImageUrls: 'https://example.com/side.png, https://example.com/back.png',
	});
	expect(req.path).toBe('/queue');
	expect(req.body).toEqual({
		model: 'kling-video-v3-pro-motion-control',
		prompt: '@Element1 dances',
		input_image: IMG(),
		input_video: VID(),
		character_orientation: 'video',
		keep_original_sound: true,
		elements: [{ frontal_image_url: 'https://example.com/front.png', reference_image_urls: ['https://example.com/side.png', 'https://example.com/back.png'] }],
	});
});

it('EvoLink: quality 720p, model_params with keep_sound (boolean), element_list, watermark_info, callback_url', async () => {
	const req = await submit('evoLink', {}, { keepOriginalSound: false, elementId: '12345', watermark: false, callbackUrl: 'https://hook.example/evo' });
	expect(req.path).toBe('/v1/videos/generations');
	expect(req.body).toEqual({
		model: 'kling-v3-motion-control',
		image_urls: [IMG()],
		video_urls: [VID()],
		quality: '720p',
		prompt: '@Element1 dances',
		model_params: {
			character_orientation: 'video',
			keep_sound: false,
			element_list: [{ element_id: '12345' }],
			watermark_info: { enabled: false },
		},
		callback_url: 'https://hook.example/evo',
	});
	await runKling(emu, { provider: 'evoLink', parameters: { operation: 'submit', imageUrl: IMG(), videoUrl: VID(), characterOrientation: 'image', quality: 'pro', options: {} } });
	expect(emu.requests.filter((r) => r.method === 'POST').pop()!.body).toMatchObject({ quality: '1080p' });
});

it('AIHubMax: mode std, image_url/video_url, keep_original_sound as "yes"/"no" string', async () => {
	const req = await submit('aiHubMax', {}, { keepOriginalSound: false });
	expect(req.path).toBe('/v1/videos/generations');
	expect(req.body).toEqual({
		model: 'kling-v3-motion-control',
		image_url: IMG(),
		video_url: VID(),
		mode: 'std',
		prompt: '@Element1 dances',
		character_orientation: 'video',
		keep_original_sound: 'no',
	});
});

it('Prospolabs: flat body, quality standard, video_urls list, async for Submit, webhook_url', async () => {
	const req = await submit('prospolabs', {}, { keepOriginalSound: true, callbackUrl: 'https://hook.example/p' });
	expect(req.path).toBe('/v1/generate');
	expect(req.body).toEqual({
		model: 'kling-3-motion-control',
		quality: 'standard',
		video_urls: [VID()],
		image_url: IMG(),
		character_orientation: 'video',
		prompt: '@Element1 dances',
		keep_original_sound: true,
		webhook_url: 'https://hook.example/p',
		async: true,
	});
});

it('fal.ai: standard endpoint, elements, ?fal_webhook=, Key auth', async () => {
	const req = await submit('fal', {}, {
		elementFrontalImageUrl: 'https://example.com/front.png',
		elementReferenceImageUrls: 'https://example.com/side.png',
		callbackUrl: 'https://hook.example/fal',
	});
	expect(req.path).toBe('/fal-ai/kling-video/v3/standard/motion-control');
	expect(req.query.fal_webhook).toBe('https://hook.example/fal');
	expect(req.headers.authorization).toBe(`Key ${emu.keys.fal}`);
	expect(req.body).toEqual({
		image_url: IMG(),
		video_url: VID(),
		character_orientation: 'video',
		prompt: '@Element1 dances',
		elements: [{ frontal_image_url: 'https://example.com/front.png', reference_image_urls: ['https://example.com/side.png'] }],
	});
});

it('Kling: model_name kling-v3, mode std, "yes"/"no" sound, element_list, watermark_info, external_task_id, JWT auth', async () => {
	const req = await submit('kling', {}, { keepOriginalSound: true, elementId: '829374651', watermark: true, callbackUrl: 'https://hook.example/k' });
	expect(req.path).toBe('/v1/videos/motion-control');
	expect(req.body).toMatchObject({
		model_name: 'kling-v3',
		mode: 'std',
		image_url: IMG(),
		video_url: VID(),
		character_orientation: 'video',
		keep_original_sound: 'yes',
		// Documented as a long: a JSON number (the emulator refuses a small id sent as a string).
		element_list: [{ element_id: 829374651 }],
		watermark_info: { enabled: true },
		callback_url: 'https://hook.example/k',
		prompt: '@Element1 dances',
	});
	expect(String((req.body as Record<string, unknown>).external_task_id)).toMatch(/^n8n-/);
	expect(req.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
});

it('Kling: an element id beyond 2^53 travels as its exact digits, which a JSON number could not carry', async () => {
	const req = await submit('kling', {}, { elementId: '829836802793406551' });
	expect((req.body as { element_list: unknown }).element_list).toEqual([{ element_id: '829836802793406551' }]);
});

it('Kling: a credential with only the API key signs in with it (Bearer), no JWT', async () => {
	const result = await runKling(emu, {
		provider: 'kling',
		parameters: {
			operation: 'submitAndWait',
			imageUrl: IMG(),
			videoUrl: VID(),
			characterOrientation: 'image',
			quality: 'standard',
			options: { pollInterval: 0.1 },
		},
		credentialOverride: { accessKey: '', secretKey: '', apiKey: emu.keys.klingApiKey },
	});
	expect(result.error?.message).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ status: 'completed', videoUrl: expect.stringMatching(/^http/) });
	const submitted = emu.requests.find((r) => r.method === 'POST');
	expect(submitted?.headers.authorization).toBe(`Bearer ${emu.keys.klingApiKey}`);
});

it('Replicate: input object with mode std and boolean keep_original_sound, webhook', async () => {
	const req = await submit('replicate', {}, { keepOriginalSound: false, callbackUrl: 'https://hook.example/r' });
	expect(req.path).toBe('/v1/models/kwaivgi/kling-v3-motion-control/predictions');
	expect(req.body).toEqual({
		input: {
			image: IMG(),
			video: VID(),
			mode: 'std',
			character_orientation: 'video',
			prompt: '@Element1 dances',
			keep_original_sound: false,
		},
		webhook: 'https://hook.example/r',
		webhook_events_filter: ['completed'],
	});
});

it('an option the user did not set is not sent (no keep-sound default, no prompt)', async () => {
	await runKling(emu, { provider: 'waveSpeed', parameters: { operation: 'submit', imageUrl: IMG(), videoUrl: VID(), characterOrientation: 'image', quality: 'pro', options: {} } });
	expect(emu.requests.find((r) => r.method === 'POST')!.body).toEqual({ image: IMG(), video: VID(), character_orientation: 'image' });
});

it('Kie.ai: model kling-3.0/motion-control, input with input_urls/video_urls lists, mode 720p/1080p, callBackUrl, Bearer auth', async () => {
	const req = await submit('kie', {}, { keepOriginalSound: true, callbackUrl: 'https://hook.example/kie' });
	expect(req.path).toBe('/api/v1/jobs/createTask');
	expect(req.headers.authorization).toBe(`Bearer ${emu.keys.kie}`);
	// keep_original_sound has no documented field at Kie: "keep" is the only possible choice and is not sent.
	expect(req.body).toEqual({
		model: 'kling-3.0/motion-control',
		input: {
			input_urls: [IMG()],
			video_urls: [VID()],
			mode: '720p',
			character_orientation: 'video',
			prompt: '@Element1 dances',
		},
		callBackUrl: 'https://hook.example/kie',
	});
	await runKling(emu, { provider: 'kie', parameters: { operation: 'submit', imageUrl: IMG(), videoUrl: VID(), characterOrientation: 'image', quality: 'pro', options: {} } });
	expect(emu.requests.filter((r) => r.method === 'POST').pop()!.body).toMatchObject({ input: { mode: '1080p', character_orientation: 'image' } });
});

it('Novita AI: image/video, model_name kling-v3-0-std/pro, boolean keep_original_sound, negative_prompt, extra.webhook.url', async () => {
	const req = await submit('novita', {}, { keepOriginalSound: false, negativePrompt: 'blurry', callbackUrl: 'https://hook.example/nov' });
	expect(req.path).toBe('/v3/async/kling-v3.0-motion-control');
	expect(req.headers.authorization).toBe(`Bearer ${emu.keys.novita}`);
	expect(req.body).toEqual({
		image: IMG(),
		video: VID(),
		model_name: 'kling-v3-0-std',
		character_orientation: 'video',
		prompt: '@Element1 dances',
		negative_prompt: 'blurry',
		keep_original_sound: false,
		extra: { webhook: { url: 'https://hook.example/nov' } },
	});
	await runKling(emu, { provider: 'novita', parameters: { operation: 'submit', imageUrl: IMG(), videoUrl: VID(), characterOrientation: 'image', quality: 'pro', options: {} } });
	expect(emu.requests.filter((r) => r.method === 'POST').pop()!.body).toEqual({
		image: IMG(),
		video: VID(),
		model_name: 'kling-v3-0-pro',
		character_orientation: 'image',
	});
});

it('Kie.ai and Novita AI: the status request carries the task id as a query parameter; Kie result URLs come from the resultJson string, Novita links carry their TTL', async () => {
	for (const provider of ['kie', 'novita'] as ProviderId[]) {
		const result = await runKling(emu, {
			provider,
			parameters: { operation: 'submitAndWait', imageUrl: IMG(), videoUrl: VID(), characterOrientation: 'image', quality: 'standard', options: { pollInterval: 0.05, timeout: 0.5 } },
		});
		expect(result.error?.message).toBeUndefined();
		const json = result.items[0].json;
		const task = emu.tasks(provider)[0];
		expect(json).toMatchObject({ provider, taskId: task.id, status: 'completed', videoUrl: task.outputs[0] });
		const poll = emu.requests.filter((r) => r.provider === provider && r.method === 'GET').pop()!;
		if (provider === 'kie') {
			expect(poll.path).toBe('/api/v1/jobs/recordInfo');
			expect(poll.query).toEqual({ taskId: task.id });
			expect(json.providerStatus).toBe('success');
			expect(typeof (json.providerResponse as { data: { resultJson: unknown } }).data.resultJson).toBe('string');
		} else {
			expect(poll.path).toBe('/v3/async/task-result');
			expect(poll.query).toEqual({ task_id: task.id });
			expect(json.providerStatus).toBe('TASK_STATUS_SUCCEED');
			// video_url_ttl 3600 s in the emulator: the expiry is about an hour from the check.
			const ttl = Date.parse(String(json.urlExpiresAt)) - Date.parse(String(json.checkedAt));
			expect(ttl).toBe(3600_000);
		}
	}
});
