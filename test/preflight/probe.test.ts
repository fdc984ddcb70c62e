// The I/O driver: bounded range reads through an injected fetcher, first against virtual files,
// then over real HTTP against the emulator's CDN with plain fetch.
import { probeImageBytes, probeImageUrl, probeVideoBytes, probeVideoUrl } from '../../nodes/KlingMotionControl/preflight/probe';
import type { Emulator } from '../emulator';
import { startEmulator } from '../emulator';
import { mp4, mp4File, png } from '../emulator/mp4';
import { bufferFile, fileFetcher, plainFetch } from './helpers';

jest.setTimeout(20000);

describe('probeVideoUrl with an injected fetcher', () => {
	test('moov at the end of a 200 MB clip: 2 reads, < 128 KiB', async () => {
		const file = mp4File({ durationSeconds: 45.2, width: 720, height: 1280, moovAtEnd: true, totalBytes: 200_000_000 });
		const fetcher = fileFetcher(file);
		const result = await probeVideoUrl('https://cdn.example/clip.mp4', fetcher);
		expect(result).toEqual({ probed: true, durationSeconds: 45.2, width: 720, height: 1280, rotation: 0, container: 'mp4', fileSize: 200_000_000, requests: 2, bytesRead: expect.any(Number) });
		expect(result.bytesRead).toBeLessThan(128 * 1024);
	});

	test('no range support, HTTP errors and network errors are "not probed", never thrown', async () => {
		const file = mp4File({ durationSeconds: 5, width: 720, height: 1280 });
		expect(await probeVideoUrl('u', fileFetcher(file, { status: 200 }))).toMatchObject({ probed: false, requests: 1, reason: expect.stringContaining('range requests') });
		expect(await probeVideoUrl('u', fileFetcher(file, { status: 404 }))).toMatchObject({ probed: false, reason: 'the host answered HTTP 404' });
		expect(await probeVideoUrl('u', fileFetcher(file, { fail: new Error('getaddrinfo ENOTFOUND cdn.example') }))).toMatchObject({
			probed: false,
			reason: 'the file could not be read (getaddrinfo ENOTFOUND cdn.example)',
		});
	});

	test('byte and request budgets hold', async () => {
		const file = mp4File({ durationSeconds: 5, width: 720, height: 1280, moovAtEnd: true, totalBytes: 10_000_000 });
		const fetcher = fileFetcher(file);
		const result = await probeVideoUrl('u', fetcher, { maxRequests: 1 });
		expect(result).toMatchObject({ probed: false, requests: 1, reason: expect.stringContaining('not found within 1 reads') });
		// 64 bytes left after the first read: enough for the moov header, not for mvhd.
		const tiny = await probeVideoUrl('u', fileFetcher(file), { maxBytes: 65_600 });
		expect(tiny).toMatchObject({ probed: false, reason: expect.stringContaining('65600 bytes') });
		expect(tiny.bytesRead).toBeLessThanOrEqual(65_600);
		// The moov itself is a few hundred bytes: 1 KiB beyond the first read is enough.
		expect(await probeVideoUrl('u', fileFetcher(file), { maxBytes: 65_536 + 1024 })).toMatchObject({ probed: true, durationSeconds: 5 });
	});

	test('a server that ignores the end of the range is cut to what was asked', async () => {
		const buf = mp4({ durationSeconds: 6, width: 500, height: 500, totalBytes: 300_000 });
		const generous = async (_u: string, range: { start: number; end: number } | undefined) => ({
			status: 206,
			headers: { 'content-range': `bytes ${range?.start}-${buf.length - 1}/${buf.length}` },
			body: buf.subarray(range?.start ?? 0),
		});
		expect(await probeVideoUrl('u', generous)).toMatchObject({ probed: true, durationSeconds: 6, bytesRead: 65536 });
	});

	test('binary input: the same result from bytes in memory', () => {
		expect(probeVideoBytes(mp4({ durationSeconds: 2.5, width: 1080, height: 1920, brand: 'qt  ' }))).toMatchObject({ probed: true, durationSeconds: 2.5, container: 'mov', requests: 0 });
		expect(probeVideoBytes(Buffer.from('not a video at all'))).toMatchObject({ probed: false });
	});

	test('images: PNG in one read; a JPEG with a large EXIF block in two', async () => {
		const pic = png({ width: 300, height: 200 });
		expect(await probeImageUrl('u', fileFetcher(bufferFile(pic)))).toMatchObject({ probed: true, type: 'png', width: 300, height: 200, fileSize: pic.length, requests: 1 });
		const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0xff, 0xf0]), Buffer.alloc(0xfff0 - 2)]);
		const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8]), app1, app1, Buffer.from([0xff, 0xc0, 0, 0x11, 8, 0x02, 0x00, 0x01, 0x80]), Buffer.alloc(100_000)]);
		const fetcher = fileFetcher(bufferFile(jpeg));
		expect(await probeImageUrl('u', fetcher)).toMatchObject({ probed: true, type: 'jpeg', width: 384, height: 512, requests: 2 });
		expect(probeImageBytes(jpeg)).toMatchObject({ probed: true, width: 384, height: 512 });
		expect(await probeImageUrl('u', fileFetcher(bufferFile(Buffer.from('plain text'))))).toMatchObject({ probed: false });
	});
});

describe('over HTTP against the emulator CDN (plain fetch)', () => {
	let emu: Emulator;
	beforeAll(async () => {
		emu = await startEmulator({ jobMs: 300 });
	});
	afterAll(async () => {
		await emu.close();
	});

	const clip = (query: string) => `${emu.cdnUrl}/media/clip.mp4?duration=5&w=720&h=1280${query}`;

	async function counted(url: string) {
		const before = emu.stats().rangeRequests;
		const result = await probeVideoUrl(url, plainFetch);
		return { result, rangeRequests: emu.stats().rangeRequests - before };
	}

	test('moov at the start of a 20 MB clip: one small range read', async () => {
		const { result, rangeRequests } = await counted(clip('&bytes=20000000'));
		expect(result).toMatchObject({ probed: true, durationSeconds: 5, width: 720, height: 1280, container: 'mp4', fileSize: 20_000_000, requests: 1 });
		expect(rangeRequests).toBe(1);
		expect(result.bytesRead).toBeLessThanOrEqual(65536);
	});

	test('moov at the end of a 20 MB clip: two small range reads', async () => {
		const { result, rangeRequests } = await counted(clip('&bytes=20000000&moov=end'));
		expect(result).toMatchObject({ probed: true, durationSeconds: 5, width: 720, height: 1280, fileSize: 20_000_000, requests: 2 });
		expect(rangeRequests).toBe(2);
		expect(result.bytesRead).toBeLessThan(128 * 1024);
	});

	test('a 45.2 s MOV with moov at the end', async () => {
		const url = `${emu.cdnUrl}/media/dance.mov?duration=45.2&w=1920&h=1080&moov=end&bytes=3000000`;
		expect((await counted(url)).result).toMatchObject({ probed: true, durationSeconds: 45.2, width: 1920, height: 1080, container: 'mov' });
	});

	test('a host without range support: not probed, body not downloaded', async () => {
		const { result } = await counted(clip('&bytes=50000000&norange=1'));
		expect(result).toMatchObject({ probed: false, reason: 'the host does not support HTTP range requests (it answered 200 instead of 206)', requests: 1, bytesRead: 0 });
	});

	test('a missing file: not probed', async () => {
		expect((await counted(clip('&status=404'))).result).toMatchObject({ probed: false, reason: 'the host answered HTTP 404' });
	});

	test('the character PNG', async () => {
		expect(await probeImageUrl(`${emu.cdnUrl}/media/char.png?w=768&h=1024`, plainFetch)).toMatchObject({ probed: true, type: 'png', width: 768, height: 1024, requests: 1 });
	});
});
