// Test helpers for pre-flight: hand-built ISO-BMFF boxes (for what the emulator's builder does not
// write: version-1 headers, rotation, audio-first tracks, fragments) and range fetchers.
import type { FetchedRange, RangeFetcher } from '../../nodes/KlingMotionControl/preflight/probe';
import type { Mp4File } from '../emulator/mp4';

export function u32(n: number): Buffer {
	const b = Buffer.alloc(4);
	b.writeUInt32BE(n >>> 0);
	return b;
}
export function u64(n: number): Buffer {
	const b = Buffer.alloc(8);
	b.writeBigUInt64BE(BigInt(n));
	return b;
}
export function box(type: string, ...payload: Buffer[]): Buffer {
	const body = Buffer.concat(payload);
	return Buffer.concat([u32(body.length + 8), Buffer.from(type, 'latin1'), body]);
}
export function fullBox(type: string, version: number, ...payload: Buffer[]): Buffer {
	return box(type, u32((version & 0xff) << 24), ...payload);
}
/** A 3×3 16.16 matrix rotating by the given angle (QuickTime/ISO convention). */
export function matrix(rotation: 0 | 90 | 180 | 270): Buffer {
	const one = 0x10000;
	const [a, b, c, d] = { 0: [one, 0, 0, one], 90: [0, one, -one, 0], 180: [-one, 0, 0, -one], 270: [0, -one, one, 0] }[rotation];
	return Buffer.concat([a, b, 0, c, d, 0, 0, 0, 0x40000000].map(u32));
}
export function mvhd(version: 0 | 1, timescale: number, duration: number): Buffer {
	const times = version === 1 ? [u64(0), u64(0), u32(timescale), u64(duration)] : [u32(0), u32(0), u32(timescale), u32(duration)];
	return fullBox('mvhd', version, ...times, u32(0x10000), Buffer.alloc(2 + 10), matrix(0), Buffer.alloc(24), u32(3));
}
export function tkhd(version: 0 | 1, width: number, height: number, rotation: 0 | 90 | 180 | 270 = 0): Buffer {
	const times = version === 1 ? [u64(0), u64(0), u32(1), u32(0), u64(0)] : [u32(0), u32(0), u32(1), u32(0), u32(0)];
	return fullBox('tkhd', version, ...times, Buffer.alloc(16), matrix(rotation), u32(width * 65536), u32(height * 65536));
}
export function trak(handler: 'vide' | 'soun', tk: Buffer, minfBytes = 64): Buffer {
	const hdlr = fullBox('hdlr', 0, u32(0), Buffer.from(handler), Buffer.alloc(12), Buffer.from('Handler\0'));
	return box('trak', tk, box('mdia', fullBox('mdhd', 0, Buffer.alloc(20)), hdlr, box('minf', Buffer.alloc(minfBytes))));
}
export function ftyp(brand = 'isom'): Buffer {
	return box('ftyp', Buffer.from(brand), u32(0), Buffer.from(brand));
}

/** A RangeFetcher over an in-memory/virtual file, recording every range asked for. */
export function fileFetcher(file: Pick<Mp4File, 'size' | 'read'>, opts: { status?: number; fail?: Error } = {}): RangeFetcher & { calls: Array<{ start: number; end: number } | undefined> } {
	const calls: Array<{ start: number; end: number } | undefined> = [];
	const fetcher = async (_url: string, range: { start: number; end: number } | undefined): Promise<FetchedRange> => {
		calls.push(range);
		if (opts.fail) throw opts.fail;
		if (opts.status) return { status: opts.status, headers: {}, body: new Uint8Array(0) };
		const start = range?.start ?? 0;
		if (start >= file.size) return { status: 416, headers: { 'Content-Range': `bytes */${file.size}` }, body: new Uint8Array(0) };
		const end = Math.min(range?.end ?? file.size - 1, file.size - 1);
		const body = Buffer.concat([...file.read(start, end)]);
		return { status: 206, headers: { 'Content-Range': `bytes ${start}-${end}/${file.size}` }, body };
	};
	return Object.assign(fetcher, { calls });
}

export function bufferFile(buf: Buffer): Pick<Mp4File, 'size' | 'read'> {
	return { size: buf.length, *read(start: number, end: number) { yield buf.subarray(start, end + 1); } };
}

/**
 * Plain fetch as the injected fetcher, the way a careful adapter should be: it reads at most the
 * requested length and drops the body of a 200 (no range support) without downloading it.
 */
export const plainFetch: RangeFetcher = async (url, range) => {
	const res = await fetch(url, { headers: range ? { range: `bytes=${range.start}-${range.end}` } : {} });
	const headers: Record<string, string> = {};
	res.headers.forEach((v, k) => (headers[k] = v));
	const limit = res.status === 206 && range ? range.end - range.start + 1 : 0;
	const parts: Uint8Array[] = [];
	let got = 0;
	const reader = res.body?.getReader();
	while (reader && got < limit) {
		const { done, value } = await reader.read();
		if (done) break;
		parts.push(value);
		got += value.length;
	}
	await reader?.cancel();
	return { status: res.status, headers, body: Buffer.concat(parts).subarray(0, limit) };
};
