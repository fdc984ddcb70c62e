/**
 * Binary in: files from an earlier node are uploaded through each provider's own upload API and reach
 * it byte-exact; providers without an upload path refuse before anything is spent.
 * Binary out: covered in providers.test.ts (Download Video), expired links here.
 */
import { mp4, png, startEmulator, type Emulator } from '../emulator';
import { runKling } from '../harness/kling';
import type { ProviderId } from '../../nodes/KlingMotionControl/providers/types';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ jobMs: 150 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const image = png({ width: 720, height: 1280 });
const video = mp4({ durationSeconds: 5, width: 720, height: 1280 });

async function fetchBack(provider: ProviderId, url: string): Promise<Buffer> {
	if ((provider === 'kling' || provider === 'novita') && !url.startsWith('http')) return Buffer.from(url, 'base64');
	const replicateFile = provider === 'replicate' && url.includes('/v1/files/');
	const response = await fetch(replicateFile ? `${url}/download` : url, {
		headers: replicateFile ? { authorization: `Bearer ${emu.keys.replicate}` } : {},
	});
	expect(response.status).toBe(200);
	return Buffer.from(await response.arrayBuffer());
}

function submittedUrls(provider: ProviderId): { image: string; video: string } {
	const body = emu.tasks(provider)[0].body as Record<string, unknown>;
	const input = (body.input ?? body) as Record<string, unknown>;
	const first = (value: unknown) => (Array.isArray(value) ? String(value[0]) : String(value));
	return {
		image: first(input.image ?? input.image_url ?? input.image_urls ?? input.input_image ?? input.input_urls),
		video: first(input.video ?? input.video_url ?? input.video_urls ?? input.input_video),
	};
}

const params = (imageSource: string, videoSource: string) => ({
	operation: 'submitAndWait',
	imageSource,
	imageBinaryProperty: 'picture',
	imageUrl: `${emu.cdnUrl}/media/char.png`,
	videoSource,
	videoBinaryProperty: 'clip',
	videoUrl: `${emu.cdnUrl}/media/clip.mp4?duration=5`,
	characterOrientation: 'image',
	quality: 'pro',
	prompt: 'dance',
	options: { pollInterval: 0.05, timeout: 0.5 },
});

const files = [
	{
		picture: { bytes: image, fileName: 'character.png', mimeType: 'image/png' },
		clip: { bytes: video, fileName: 'dance.mp4', mimeType: 'video/mp4' },
	},
];

it.each(['aiHubMax', 'fal', 'kie', 'replicate', 'waveSpeed'] as ProviderId[])('%s: binary image and video are uploaded byte-exact and the task completes', async (provider) => {
	const result = await runKling(emu, { provider, parameters: params('binary', 'binary'), files });
	expect(result.error?.message).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ status: 'completed', motionVideo: { durationSeconds: 5, width: 720, height: 1280 } });
	const urls = submittedUrls(provider);
	expect((await fetchBack(provider, urls.image)).equals(image)).toBe(true);
	expect((await fetchBack(provider, urls.video)).equals(video)).toBe(true);
});

it.each(['evoLink', 'kling', 'novita'] as ProviderId[])('%s: a binary image is uploaded byte-exact (video by URL)', async (provider) => {
	const result = await runKling(emu, { provider, parameters: params('binary', 'url'), files });
	expect(result.error?.message).toBeUndefined();
	expect(result.items[0].json.status).toBe('completed');
	expect((await fetchBack(provider, submittedUrls(provider).image)).equals(image)).toBe(true);
});

it.each([
	['oxen', 'binary', 'url', /Oxen.ai cannot take the image as a file.*public link.*AIHubMax, EvoLink, fal\.ai, Kie\.ai, Kling AI \(official API\), Novita AI, Replicate, WaveSpeedAI/],
	['prospolabs', 'url', 'binary', /Prospolabs cannot take the motion video as a file.*AIHubMax, fal\.ai, Kie\.ai, Replicate, WaveSpeedAI/],
	['prospolabs', 'binary', 'url', /Prospolabs cannot take the image as a file/],
	['kling', 'url', 'binary', /Kling AI \(official API\) cannot take the motion video as a file/],
	['evoLink', 'url', 'binary', /EvoLink cannot take the motion video as a file/],
	['novita', 'url', 'binary', /Novita AI cannot take the motion video as a file/],
] as Array<[ProviderId, string, string, RegExp]>)('%s: %s image / %s video is refused before anything is sent', async (provider, imageSource, videoSource, message) => {
	const result = await runKling(emu, { provider, parameters: params(imageSource, videoSource), files, onError: 'continueRegularOutput' });
	expect(result.items[0].json.error).toMatch(message);
	expect(emu.requests.filter((r) => r.provider !== 'cdn')).toHaveLength(0);
});

it('a file over the provider size limit, or of the wrong type, is refused with the numbers', async () => {
	const big = { picture: { bytes: Buffer.alloc(11 * 1024 * 1024, 1), fileName: 'huge.png', mimeType: 'image/png' } };
	const gif = { picture: { bytes: Buffer.from('GIF89a'), fileName: 'a.gif', mimeType: 'image/gif' } };
	const result = await runKling(emu, { provider: 'waveSpeed', parameters: params('binary', 'url'), files: [big, gif], onError: 'continueRegularOutput' });
	expect(result.items[0].json.error).toMatch(/"huge.png" is 11.0 MB; WaveSpeedAI accepts at most 10.0 MB/);
	expect(result.items[1].json.error).toMatch(/"a.gif" is image\/gif; WaveSpeedAI accepts image\/jpeg, image\/png/);
	expect(emu.requests.filter((r) => r.provider !== 'cdn')).toHaveLength(0);
});

it('a missing binary field names the fields the item has', async () => {
	const result = await runKling(emu, {
		provider: 'fal',
		parameters: { ...params('binary', 'url'), imageBinaryProperty: 'photo' },
		files,
		onError: 'continueRegularOutput',
	});
	expect(result.items[0].json.error).toMatch(/no binary field "photo" for the image \(it has: picture, clip\)/);
});

it('an expired output link is a clear error naming the task id', async () => {
	const result = await runKling(emu, {
		provider: 'prospolabs',
		parameters: { ...params('url', 'url'), imageUrl: `${emu.cdnUrl}/media/char.png?emu=expired`, options: { pollInterval: 0.05, timeout: 0.5, downloadVideo: true } },
		onError: 'continueRegularOutput',
	});
	const taskId = emu.tasks('prospolabs')[0].id;
	expect(result.items[0].json.error).toMatch(new RegExp(`Task ${taskId} completed, but its video is no longer available \\(HTTP 410\\)`));
	expect(result.items[0].json.details).toMatchObject({ taskId, status: 'completed' });
});

it('several outputs land as one item each, with their own binary', async () => {
	const result = await runKling(emu, {
		provider: 'waveSpeed',
		parameters: { ...params('url', 'url'), imageUrl: `${emu.cdnUrl}/media/char.png?emu=outputs2`, options: { pollInterval: 0.05, timeout: 0.5, downloadVideo: true } },
	});
	expect(result.items).toHaveLength(2);
	expect(result.items.map((item) => item.json.videoIndex)).toEqual([0, 1]);
	expect(result.items[0].binary!.data.fileName).not.toBe(result.items[1].binary!.data.fileName);
	expect(result.items.every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
});

it('Kie.ai: the upload goes to its File Stream Upload API with a random name (same names overwrite at Kie)', async () => {
	const result = await runKling(emu, { provider: 'kie', parameters: params('binary', 'url'), files });
	expect(result.error?.message).toBeUndefined();
	const upload = emu.requests.find((r) => r.provider === 'kie' && r.path === '/api/file-stream-upload')!;
	expect(upload.method).toBe('POST');
	expect(upload.headers.authorization).toBe(`Bearer ${emu.keys.kie}`);
	expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data/);
	expect(emu.stats().uploads.kie).toBe(1);
});

describe('WaveSpeedAI uploads', () => {
	const nonCdn = () => emu.requests.filter((r) => r.provider !== 'cdn');

	it('use the media/uploads ticket, then PUT the bytes with the ticket headers and no key', async () => {
		const result = await runKling(emu, { provider: 'waveSpeed', parameters: params('binary', 'binary'), files });
		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
		const tickets = nonCdn().filter((r) => r.path === '/api/v3/media/uploads');
		expect(tickets.map((r) => r.body)).toEqual([
			{ filename: 'character.png', size: image.length, content_type: 'image/png' },
			{ filename: 'dance.mp4', size: video.length, content_type: 'video/mp4' },
		]);
		expect(tickets.every((r) => r.headers.authorization === `Bearer ${emu.keys.waveSpeed}`)).toBe(true);
		const puts = emu.requests.filter((r) => r.provider === 'cdn' && r.method === 'PUT');
		expect(puts).toHaveLength(2);
		expect(puts.every((r) => r.path.startsWith('/wsUpload/') && !r.headers.authorization && r.headers['if-none-match'] === '*')).toBe(true);
		expect(nonCdn().some((r) => r.path === '/api/v3/media/upload/binary')).toBe(false);
		expect(emu.stats().uploads.waveSpeed).toBe(2);
	});

	it.each([404, 405])('fall back to the legacy binary upload when media/uploads answers %s', async (status) => {
		emu.uploadRefusals = { waveSpeed: status };
		const result = await runKling(emu, { provider: 'waveSpeed', parameters: params('binary', 'url'), files });
		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json.status).toBe('completed');
		expect(nonCdn().filter((r) => r.path === '/api/v3/media/upload/binary')).toHaveLength(1);
		expect((await fetchBack('waveSpeed', submittedUrls('waveSpeed').image)).equals(image)).toBe(true);
	});

	it.each([500, 401])('do not fall back when media/uploads answers %s: nothing is submitted', async (status) => {
		emu.uploadRefusals = { waveSpeed: status };
		const result = await runKling(emu, { provider: 'waveSpeed', parameters: params('binary', 'url'), files, onError: 'continueRegularOutput' });
		expect(String(result.items[0].json.error)).toMatch(status === 401 ? /refused the credential while uploading the image/ : /uploading the image/);
		expect(nonCdn().some((r) => r.path === '/api/v3/media/upload/binary')).toBe(false);
		expect(emu.tasks('waveSpeed')).toHaveLength(0);
	});
});

describe('AIHubMax uploads', () => {
	it('go to /v1/files/upload/stream as multipart, asking AIHubMax not to evict older files', async () => {
		const result = await runKling(emu, { provider: 'aiHubMax', parameters: params('binary', 'url'), files });
		expect(result.error?.message).toBeUndefined();
		const upload = emu.requests.find((r) => r.provider === 'aiHubMax' && r.path === '/v1/files/upload/stream')!;
		expect(upload.headers.authorization).toBe(`Bearer ${emu.keys.aiHubMax}`);
		expect(String(upload.headers['content-type'])).toMatch(/^multipart\/form-data/);
		expect(emu.stats().uploads.aiHubMax).toBe(1);
	});

	it('refuse a WebP image or an image over 10 MB before uploading', async () => {
		const webp = { picture: { bytes: Buffer.from('RIFF0000WEBPVP8 '), fileName: 'a.webp', mimeType: 'image/webp' } };
		const big = { picture: { bytes: Buffer.alloc(11 * 1024 * 1024, 1), fileName: 'huge.png', mimeType: 'image/png' } };
		const result = await runKling(emu, { provider: 'aiHubMax', parameters: params('binary', 'url'), files: [webp, big], onError: 'continueRegularOutput' });
		expect(result.items[0].json.error).toMatch(/"a.webp" is image\/webp; AIHubMax accepts image\/jpeg, image\/png/);
		expect(result.items[1].json.error).toMatch(/"huge.png" is 11.0 MB; AIHubMax accepts at most 10.0 MB/);
		expect(emu.requests.filter((r) => r.provider !== 'cdn')).toHaveLength(0);
	});

	it('an upload refused with 503 is an upload error: nothing is submitted', async () => {
		emu.uploadRefusals = { aiHubMax: 503 };
		const result = await runKling(emu, { provider: 'aiHubMax', parameters: params('binary', 'url'), files, onError: 'continueRegularOutput' });
		expect(String(result.items[0].json.error)).toMatch(/uploading the image/);
		expect(emu.tasks('aiHubMax')).toHaveLength(0);
	});
});
