/** Bad input is refused per item, before any paid call, with an error that names the field and the fix. */
import { startEmulator, type Emulator } from '../emulator';
import { runKling } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 100 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const good = () => ({
	operation: 'submitAndWait',
	imageUrl: `${emu.cdnUrl}/media/char.png`,
	videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
	characterOrientation: 'image',
	quality: 'pro',
	prompt: 'dance',
	options: { pollInterval: 0.05, timeout: 0.5 },
});

async function refused(provider: ProviderId, params: Record<string, unknown>, options: Record<string, unknown> = {}) {
	const base = good();
	const result = await runKling(emu, { provider, parameters: { ...base, ...params, options: { ...base.options, ...options } } });
	expect(result.status).toBe('error');
	expect(emu.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
	return result.error!.message;
}

it('an image URL that resolves to nothing is refused', async () => {
	const result = await runKling(emu, { provider: 'waveSpeed', parameters: { ...good(), imageUrl: '={{ $json.image }}' }, input: [{ json: { image: '' } }] });
	expect(result.error?.message).toMatch(/Image URL is empty: set it to a public http\(s\) link to the character image/);
	expect(emu.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
});

it.each([
	['ftp://example.com/a.png', /Image URL "ftp:\/\/example.com\/a.png" uses "ftp:"/],
	['not a url', /Image URL "not a url" is not a valid URL/],
])('image URL %p is refused', async (imageUrl, message) => {
	expect(await refused('waveSpeed', { imageUrl })).toMatch(message);
});

it('a missing video URL is refused', async () => {
	expect(await refused('fal', { videoUrl: '={{ $json.missing }}' })).toMatch(/Video URL is empty: set it to a public http\(s\) link/);
});

it('an element with orientation "image" is refused', async () => {
	expect(await refused('evoLink', {}, { elementId: '123' })).toMatch(/element can only be used with Character Orientation "video"/);
	expect(
		await refused('fal', {}, { elementFrontalImageUrl: 'https://e.com/f.png', elementReferenceImageUrls: 'https://e.com/s.png' }),
	).toMatch(/Character Orientation "video"/);
});

it('a prompt over 2,500 characters is refused', async () => {
	expect(await refused('kling', { prompt: 'x'.repeat(2501) })).toMatch(/Prompt is 2501 characters long; the limit is 2,500/);
});

it('an option the provider cannot honour names the providers that can', async () => {
	const message = await refused('aiHubMax', {}, { negativePrompt: 'blurry' });
	expect(message).toMatch(/Negative Prompt \(negativePrompt\) is not supported by AIHubMax/);
	expect(message).toMatch(/Providers that support it: Novita AI, WaveSpeedAI\./);
	expect(await refused('waveSpeed', { characterOrientation: 'video' }, { elementId: 'e1' })).toMatch(
		/Providers that support it: EvoLink, Kling AI \(official API\)/,
	);
	expect(await refused('oxen', {}, { callbackUrl: 'https://hook.example' })).toMatch(/not supported by Oxen.ai/);
	expect(await refused('evoLink', {}, { callbackUrl: 'http://hook.example' })).toMatch(/only https:\/\/ callback URLs/);
});

it('quality "standard" on Oxen.ai is refused', async () => {
	expect(await refused('oxen', { quality: 'standard' })).toMatch(/Oxen.ai offers only pro quality/);
});

it('Oxen.ai requires a prompt', async () => {
	expect(await refused('oxen', { prompt: '' })).toMatch(/Oxen.ai requires a prompt/);
});

it('with "Continue", bad items become error items and the good ones still run', async () => {
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: { ...good(), imageUrl: '={{ $json.image }}' },
		input: [{ json: { image: `${emu.cdnUrl}/media/char.png` } }, { json: { image: 'nope' } }, { json: { image: `${emu.cdnUrl}/media/char.png?b` } }],
		onError: 'continueRegularOutput',
	});
	expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(result.items[0].json.status).toBe('completed');
	expect(result.items[1].json).toEqual({
		error: expect.stringMatching(/Image URL "nope" is not a valid URL/),
		details: { provider: 'waveSpeed', status: 'notSubmitted' },
	});
	expect(result.items[2].json.status).toBe('completed');
	expect(emu.tasks('waveSpeed')).toHaveLength(2);
});

it('Cancel on a provider without a cancel call names the providers that can', async () => {
	const result = await runKling(emu, { provider: 'kling', parameters: { operation: 'cancel', taskId: 'abc', options: {} } });
	expect(result.error?.message).toMatch(/has no documented way to cancel.*fal\.ai, Oxen\.ai, Replicate/);
});

it('Kie.ai: turning the original sound off, a negative prompt or an element is refused before any call', async () => {
	expect(await refused('kie', {}, { keepOriginalSound: false })).toMatch(
		/Kie\.ai documents no switch for the reference video's sound.*AIHubMax, EvoLink, fal\.ai, Kling AI \(official API\), Novita AI, Oxen\.ai, Prospolabs, Replicate, WaveSpeedAI/,
	);
	expect(await refused('kie', {}, { negativePrompt: 'blurry' })).toMatch(/not supported by Kie\.ai/);
	expect(await refused('kie', { characterOrientation: 'video' }, { elementId: 'e1' })).toMatch(/not supported by Kie\.ai/);
	expect(await refused('kie', {}, { watermark: true })).toMatch(/not supported by Kie\.ai/);
});

it('Novita AI: an element or a watermark is refused before any call', async () => {
	expect(await refused('novita', { characterOrientation: 'video' }, { elementId: 'e1' })).toMatch(/not supported by Novita AI/);
	expect(
		await refused('novita', { characterOrientation: 'video' }, { elementFrontalImageUrl: 'https://e.com/f.png', elementReferenceImageUrls: 'https://e.com/s.png' }),
	).toMatch(/not supported by Novita AI/);
	expect(await refused('novita', {}, { watermark: false })).toMatch(/not supported by Novita AI/);
});

it.each(['kie', 'novita'] as ProviderId[])('Cancel on %s (no documented cancel) names the providers that can', async (provider) => {
	const result = await runKling(emu, { provider, parameters: { operation: 'cancel', taskId: 'abc', options: {} } });
	expect(result.error?.message).toMatch(/has no documented way to cancel.*fal\.ai, Oxen\.ai, Replicate/);
	expect(emu.requests.filter((r) => r.provider === provider)).toHaveLength(0);
});
