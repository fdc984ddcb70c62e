// The pure MP4/MOV header parser and the image sniffer, on real files from the emulator's builder
// and on hand-built boxes for the cases it does not write.
import {
	analyzeMp4,
	addChunk,
	Mp4Prober,
	parseMp4,
	planProbe,
	sniffImage,
} from '../../nodes/KlingMotionControl/preflight/mp4';
import { mp4, mp4File, png } from '../emulator/mp4';
import { box, bufferFile, fileFetcher, ftyp, fullBox, mvhd, tkhd, trak, u32, u64 } from './helpers';

function done(step: ReturnType<typeof parseMp4>) {
	if (step.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(step)}`);
	return step.info;
}

/** Drive a prober over a virtual file like the HTTP driver does; returns the info and the ranges read. */
async function drive(file: Parameters<typeof fileFetcher>[0]) {
	const fetcher = fileFetcher(file);
	const prober = new Mp4Prober();
	for (let i = 0; i < 10; i++) {
		const step = prober.next();
		if (step.kind !== 'need') return { step, calls: fetcher.calls, held: prober.bytesHeld };
		const res = await fetcher('x', { start: step.start, end: step.end });
		const total = Number(/\/(\d+)$/.exec(res.headers['Content-Range'] ?? '')?.[1]);
		prober.feed(step.start, res.body, Number.isFinite(total) ? total : undefined);
	}
	throw new Error('prober did not finish');
}

describe('MP4/MOV headers', () => {
	test('moov at the start: duration, size, container from one buffer', () => {
		const info = done(parseMp4(mp4({ durationSeconds: 7.25, width: 1080, height: 1920 })));
		expect(info).toMatchObject({ container: 'mp4', brand: 'mp42', durationSeconds: 7.25, width: 1080, height: 1920, rotation: 0, timescale: 1000 });
	});

	test('QuickTime brand is reported as mov', () => {
		const info = done(parseMp4(mp4({ durationSeconds: 4, width: 640, height: 360, brand: 'qt  ', moovAtEnd: true, totalBytes: 50_000 })));
		expect(info).toMatchObject({ container: 'mov', brand: 'qt  ', durationSeconds: 4, width: 640, height: 360 });
	});

	test('the first range is 64 KiB, or the whole small file', () => {
		expect(planProbe()).toEqual({ start: 0, end: 65535 });
		expect(planProbe(1000)).toEqual({ start: 0, end: 999 });
		expect(new Mp4Prober().next()).toMatchObject({ kind: 'need', start: 0, end: 65535 });
	});

	test('moov at the start of a 50 MB file: one 64 KiB read', async () => {
		const file = mp4File({ durationSeconds: 5, width: 720, height: 1280, totalBytes: 50_000_000 });
		const { step, calls } = await drive(file);
		expect(step).toMatchObject({ kind: 'done', info: { durationSeconds: 5, width: 720, height: 1280 } });
		expect(calls).toEqual([{ start: 0, end: 65535 }]);
	});

	test('moov after a 50 MB mdat: a second read at the offset mdat ends, bounded by the file size', async () => {
		const file = mp4File({ durationSeconds: 45.2, width: 1920, height: 1080, moovAtEnd: true, totalBytes: 50_000_000 });
		const { step, calls, held } = await drive(file);
		expect(step).toMatchObject({ kind: 'done', info: { durationSeconds: 45.2, width: 1920, height: 1080, moovOffset: file.moovOffset } });
		expect(calls).toEqual([{ start: 0, end: 65535 }, { start: file.moovOffset, end: file.size - 1 }]);
		expect(held).toBeLessThan(70_000);
	});

	test('moov after a 5 GB mdat with a 64-bit largesize header', async () => {
		const file = mp4File({ durationSeconds: 12, width: 3840, height: 2160, moovAtEnd: true, totalBytes: 5 * 1024 ** 3 });
		expect(file.payloadOffset - file.mdatOffset).toBe(16); // the builder really wrote a largesize
		const { step, calls } = await drive(file);
		expect(step).toMatchObject({ kind: 'done', info: { durationSeconds: 12, width: 3840, height: 2160 } });
		expect(calls).toHaveLength(2);
		expect(calls[1]?.start).toBe(file.moovOffset);
	});

	test('version-1 mvhd/tkhd, an audio track first, a 90° rotation matrix', () => {
		const moov = box('moov', mvhd(1, 90000, 90000 * 8.5), trak('soun', tkhd(1, 0, 0)), trak('vide', tkhd(1, 1920, 1080, 90)));
		const info = done(parseMp4(Buffer.concat([ftyp('isom'), moov, box('mdat', Buffer.alloc(100))])));
		expect(info).toMatchObject({ container: 'mp4', durationSeconds: 8.5, timescale: 90000, width: 1080, height: 1920, rotation: 90 });
	});

	test('a 64-bit moov size and a QuickTime file without ftyp', () => {
		const body = Buffer.concat([mvhd(0, 600, 600 * 3), trak('vide', tkhd(0, 400, 400, 180))]);
		const moov = Buffer.concat([u32(1), Buffer.from('moov'), u64(body.length + 16), body]);
		const info = done(parseMp4(Buffer.concat([box('wide'), moov])));
		expect(info).toMatchObject({ container: 'mov', brand: '', durationSeconds: 3, width: 400, height: 400, rotation: 180 });
	});

	test('fragmented MP4: mvhd duration 0, length from mvex/mehd', () => {
		const moov = box('moov', mvhd(0, 1000, 0), trak('vide', tkhd(0, 720, 720)), box('mvex', fullBox('mehd', 1, u64(6400))));
		expect(done(parseMp4(Buffer.concat([ftyp('iso6'), moov])))).toMatchObject({ durationSeconds: 6.4 });
		const noMehd = box('moov', mvhd(0, 1000, 0), trak('vide', tkhd(0, 720, 720)));
		expect(parseMp4(Buffer.concat([ftyp('iso6'), noMehd]))).toEqual({ kind: 'fail', reason: 'the movie header does not state a duration' });
	});

	test('large sample tables (minf) of a trak are skipped, not read', async () => {
		// A 2 MB minf in the audio track before the video track: only its header is touched.
		const moov = box('moov', mvhd(0, 1000, 5000), trak('soun', tkhd(0, 0, 0), 2_000_000), trak('vide', tkhd(0, 720, 1280)));
		const { step, calls, held } = await drive(bufferFile(Buffer.concat([ftyp(), moov])));
		expect(step).toMatchObject({ kind: 'done', info: { width: 720, height: 1280 } });
		expect(calls).toHaveLength(2);
		expect(held).toBeLessThan(140_000);
	});

	test('not an MP4: clear failures, never a crash', () => {
		expect(parseMp4(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual({ kind: 'fail', reason: 'the file is not MP4/MOV (it looks like WebM/Matroska)' });
		expect(parseMp4(Buffer.from('<!DOCTYPE html><html>not found</html>'))).toMatchObject({ kind: 'fail', reason: expect.stringContaining('HTML') });
		expect(parseMp4(Buffer.from('0123456789abcdefghij'))).toMatchObject({ kind: 'fail' });
		expect(parseMp4(png({ width: 4, height: 4 }))).toMatchObject({ kind: 'fail' });
		expect(parseMp4(Buffer.concat([ftyp(), box('mdat', Buffer.alloc(10))]))).toEqual({ kind: 'fail', reason: 'the file has no movie header (moov box)' });
		expect(parseMp4(Buffer.concat([ftyp(), box('moov', mvhd(0, 1000, 5000), trak('soun', tkhd(0, 0, 0)))]))).toEqual({ kind: 'fail', reason: 'the file has no video track' });
		// A size-0 mdat runs to the end of the file: no moov can follow it.
		expect(parseMp4(Buffer.concat([ftyp(), u32(0), Buffer.from('mdat'), Buffer.alloc(50)]))).toMatchObject({ kind: 'fail' });
		const corrupt = Buffer.concat([ftyp(), u32(4), Buffer.from('moov')]);
		expect(parseMp4(corrupt)).toMatchObject({ kind: 'fail', reason: expect.stringContaining('invalid size') });
	});

	test('a truncated file (first bytes only) asks for the rest', () => {
		const whole = mp4({ durationSeconds: 5, width: 720, height: 1280, moovAtEnd: true, totalBytes: 200_000 });
		const step = analyzeMp4([{ start: 0, bytes: whole.subarray(0, 1000) }], whole.length);
		expect(step).toMatchObject({ kind: 'need', start: whole.length - (whole.length - whole.indexOf('moov') + 4), end: whole.length - 1 });
	});

	test('chunks are merged in any order', () => {
		const a = new Uint8Array([1, 2, 3]);
		const merged = addChunk(addChunk(addChunk([], { start: 6, bytes: a }), { start: 0, bytes: a }), { start: 2, bytes: new Uint8Array([9, 9, 9, 9]) });
		expect(merged).toEqual([{ start: 0, bytes: new Uint8Array([1, 2, 3, 9, 9, 9, 1, 2, 3]) }]);
	});
});

describe('image sniffing', () => {
	test('PNG from the emulator builder', () => {
		expect(sniffImage(png({ width: 320, height: 480 }))).toEqual({ kind: 'image', type: 'png', width: 320, height: 480 });
		expect(sniffImage(png({ width: 320, height: 480 }).subarray(0, 12))).toEqual({ kind: 'need', type: 'png', needBytes: 24 });
	});

	test('JPEG: the size marker after a large EXIF block', () => {
		const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0xff, 0xf0]), Buffer.alloc(0xfff0 - 2)]);
		const sof = Buffer.from([0xff, 0xc2, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03]);
		const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8]), app1, app1, sof, Buffer.alloc(20)]);
		expect(sniffImage(jpeg.subarray(0, 65536))).toEqual({ kind: 'need', type: 'jpeg', needBytes: 2 + 0xfff2 + 0xfff2 + 9 });
		expect(sniffImage(jpeg)).toEqual({ kind: 'image', type: 'jpeg', width: 1920, height: 1080 });
	});

	test('WebP (VP8, VP8L, VP8X), GIF, HEIC, unknown', () => {
		const riff = (chunk: string, data: Buffer) => Buffer.concat([Buffer.from('RIFF'), u32(0), Buffer.from('WEBP'), Buffer.from(chunk), u32(data.length), data]);
		const vp8 = Buffer.from([0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]);
		expect(sniffImage(riff('VP8 ', vp8))).toEqual({ kind: 'image', type: 'webp', width: 640, height: 480 });
		const bits = (800 - 1) | ((600 - 1) << 14);
		const vp8l = Buffer.from([0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff, 0, 0, 0, 0, 0]);
		expect(sniffImage(riff('VP8L', vp8l))).toEqual({ kind: 'image', type: 'webp', width: 800, height: 600 });
		const vp8x = Buffer.from([0, 0, 0, 0, 0xff, 0x0f, 0x00, 0x37, 0x04, 0x00]);
		expect(sniffImage(riff('VP8X', vp8x))).toEqual({ kind: 'image', type: 'webp', width: 4096, height: 1080 });
		expect(sniffImage(Buffer.from('GIF89a\x40\x01\xf0\x00', 'latin1'))).toEqual({ kind: 'image', type: 'gif', width: 320, height: 240 });
		expect(sniffImage(Buffer.concat([u32(24), Buffer.from('ftypheic'), Buffer.alloc(12)]))).toEqual({ kind: 'image', type: 'heic' });
		expect(sniffImage(Buffer.from('hello world, not an image'))).toEqual({ kind: 'unknown' });
	});
});
