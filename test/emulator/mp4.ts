// Real, structurally valid MP4/MOV and PNG bytes built from scratch (ISO/IEC 14496-12 boxes, PNG spec).
// The MP4 has ftyp, moov (mvhd, one video trak: tkhd, mdia/mdhd/hdlr/minf/vmhd/dinf/stbl) and an mdat
// whose payload is a deterministic byte pattern (one "sample"), so any size can be streamed without
// allocating it.
import { deflateSync } from 'node:zlib';

import type { VirtualFile } from './core/http';

export interface Mp4Options {
	durationSeconds: number;
	width: number;
	height: number;
	/** Put moov after mdat (a "non-faststart" file). */
	moovAtEnd?: boolean;
	/** 'mp42' (MP4, default) or 'qt  ' (QuickTime MOV). */
	brand?: 'mp42' | 'qt  ';
	/** Exact file size; the mdat payload is sized to reach it (minimum: the boxes themselves). */
	totalBytes?: number;
}

export interface Mp4File extends VirtualFile {
	moovOffset: number;
	mdatOffset: number;
	payloadOffset: number;
	payloadBytes: number;
}

const TIMESCALE = 1000;
const PATTERN_PERIOD = 251;
const PATTERN = (() => {
	const b = Buffer.alloc(PATTERN_PERIOD * 256);
	for (let i = 0; i < b.length; i++) b[i] = i % PATTERN_PERIOD;
	return b;
})();

function u32(n: number): Buffer {
	const b = Buffer.alloc(4);
	b.writeUInt32BE(n >>> 0);
	return b;
}
function u16(n: number): Buffer {
	const b = Buffer.alloc(2);
	b.writeUInt16BE(n & 0xffff);
	return b;
}
function box(type: string, ...payload: Buffer[]): Buffer {
	const body = Buffer.concat(payload);
	return Buffer.concat([u32(body.length + 8), Buffer.from(type, 'latin1'), body]);
}
function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
	return box(type, u32(((version & 0xff) << 24) | (flags & 0xffffff)), ...payload);
}
const MATRIX = Buffer.concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));

function ftyp(brand: 'mp42' | 'qt  '): Buffer {
	return brand === 'qt  '
		? box('ftyp', Buffer.from('qt  '), u32(0x20050300), Buffer.from('qt  '))
		: box('ftyp', Buffer.from('mp42'), u32(0), Buffer.from('mp42isomavc1'));
}

function moov(o: { durationUnits: number; width: number; height: number; sampleSize: number; chunkOffset: number }): Buffer {
	const mvhd = fullBox(
		'mvhd', 0, 0,
		u32(0), u32(0), u32(TIMESCALE), u32(o.durationUnits),
		u32(0x00010000), u16(0x0100), Buffer.alloc(10), MATRIX, Buffer.alloc(24), u32(2),
	);
	const tkhd = fullBox(
		'tkhd', 0, 0x000003,
		u32(0), u32(0), u32(1), u32(0), u32(o.durationUnits), Buffer.alloc(8),
		u16(0), u16(0), u16(0), u16(0), MATRIX,
		u32(Math.round(o.width * 65536)), u32(Math.round(o.height * 65536)), // 16.16 fixed point
	);
	const mdhd = fullBox('mdhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(o.durationUnits), u16(0x55c4 /* und */), u16(0));
	const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide'), Buffer.alloc(12), Buffer.from('VideoHandler\0'));
	const vmhd = fullBox('vmhd', 0, 1, u16(0), Buffer.alloc(6));
	const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
	const avcC = box('avcC', Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe0, 0x00]));
	const compressor = Buffer.alloc(32);
	const avc1 = box(
		'avc1',
		Buffer.alloc(6), u16(1), // reserved, data_reference_index
		u16(0), u16(0), Buffer.alloc(12),
		u16(Math.min(o.width, 0xffff)), u16(Math.min(o.height, 0xffff)),
		u32(0x00480000), u32(0x00480000), u32(0), u16(1), compressor, u16(0x0018), u16(0xffff),
		avcC,
	);
	const stbl = box(
		'stbl',
		fullBox('stsd', 0, 0, u32(1), avc1),
		fullBox('stts', 0, 0, u32(1), u32(1), u32(o.durationUnits)),
		fullBox('stsc', 0, 0, u32(1), u32(1), u32(1), u32(1)),
		fullBox('stsz', 0, 0, u32(0), u32(1), u32(Math.min(o.sampleSize, 0xffffffff))),
		fullBox('stco', 0, 0, u32(1), u32(o.chunkOffset)),
	);
	const minf = box('minf', vmhd, dinf, stbl);
	const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, minf));
	return box('moov', mvhd, trak);
}

function mdatHeader(payload: number): Buffer {
	if (payload + 8 <= 0xffffffff) return Buffer.concat([u32(payload + 8), Buffer.from('mdat')]);
	const b = Buffer.alloc(16);
	b.writeUInt32BE(1, 0);
	b.write('mdat', 4, 'latin1');
	b.writeBigUInt64BE(BigInt(payload + 16), 8);
	return b;
}

/** Pattern bytes of the mdat payload, payload-relative [start, end] inclusive. */
function* patternBytes(start: number, end: number): Iterable<Buffer> {
	let pos = start;
	while (pos <= end) {
		const phase = pos % PATTERN_PERIOD;
		const len = Math.min(end - pos + 1, PATTERN.length - phase);
		yield PATTERN.subarray(phase, phase + len);
		pos += len;
	}
}

/** Describe an MP4/MOV file without materializing its payload. */
export function mp4File(opts: Mp4Options): Mp4File {
	const brand = opts.brand ?? 'mp42';
	const width = Math.max(1, Math.round(opts.width));
	const height = Math.max(1, Math.round(opts.height));
	const durationUnits = Math.max(1, Math.round(opts.durationSeconds * TIMESCALE));
	const head = ftyp(brand);
	const moovSize = moov({ durationUnits, width, height, sampleSize: 0, chunkOffset: 0 }).length;
	let headerLen = 8;
	let payload = Math.max(0, (opts.totalBytes ?? 0) - head.length - moovSize - headerLen);
	if (payload + 8 > 0xffffffff) {
		headerLen = 16;
		payload = Math.max(0, (opts.totalBytes ?? 0) - head.length - moovSize - headerLen);
	}
	if (!opts.totalBytes) payload = 1024;
	const mdatHead = mdatHeader(payload);
	const mdatOffset = opts.moovAtEnd ? head.length : head.length + moovSize;
	const payloadOffset = mdatOffset + mdatHead.length;
	const moovBox = moov({ durationUnits, width, height, sampleSize: payload, chunkOffset: payloadOffset });
	const moovOffset = opts.moovAtEnd ? payloadOffset + payload : head.length;
	const segments: Array<{ offset: number; size: number; bytes?: Buffer }> = opts.moovAtEnd
		? [
				{ offset: 0, size: head.length, bytes: head },
				{ offset: mdatOffset, size: mdatHead.length, bytes: mdatHead },
				{ offset: payloadOffset, size: payload },
				{ offset: moovOffset, size: moovBox.length, bytes: moovBox },
			]
		: [
				{ offset: 0, size: head.length, bytes: head },
				{ offset: moovOffset, size: moovBox.length, bytes: moovBox },
				{ offset: mdatOffset, size: mdatHead.length, bytes: mdatHead },
				{ offset: payloadOffset, size: payload },
			];
	const size = segments.reduce((n, s) => n + s.size, 0);
	return {
		size,
		contentType: brand === 'qt  ' ? 'video/quicktime' : 'video/mp4',
		etag: `"mp4-${brand.trim()}-${durationUnits}-${width}x${height}-${size}-${opts.moovAtEnd ? 'e' : 's'}"`,
		moovOffset,
		mdatOffset,
		payloadOffset,
		payloadBytes: payload,
		*read(start: number, end: number) {
			for (const seg of segments) {
				const a = Math.max(start, seg.offset);
				const b = Math.min(end, seg.offset + seg.size - 1);
				if (a > b) continue;
				if (seg.bytes) yield seg.bytes.subarray(a - seg.offset, b - seg.offset + 1);
				else yield* patternBytes(a - seg.offset, b - seg.offset);
			}
		},
	};
}

/** The whole MP4/MOV as a Buffer (for small files). */
export function mp4(opts: Mp4Options): Buffer {
	const f = mp4File(opts);
	return Buffer.concat([...f.read(0, f.size - 1)]);
}

export interface Mp4Info {
	brand: string;
	timescale: number;
	durationSeconds: number;
	width: number;
	height: number;
	moovOffset: number;
	mdatOffset: number;
}

/** Read back what mp4File wrote (top-level boxes, mvhd, tkhd). Used by the self-test. */
export function probeMp4(buf: Buffer): Mp4Info {
	const info: Partial<Mp4Info> = {};
	const walk = (start: number, end: number, depth: number): void => {
		let pos = start;
		while (pos + 8 <= end) {
			let size = buf.readUInt32BE(pos);
			const type = buf.toString('latin1', pos + 4, pos + 8);
			let header = 8;
			if (size === 1) {
				size = Number(buf.readBigUInt64BE(pos + 8));
				header = 16;
			}
			if (size < header) throw new Error(`bad box size at ${pos}`);
			if (depth === 0 && type === 'ftyp') info.brand = buf.toString('latin1', pos + 8, pos + 12);
			if (depth === 0 && type === 'moov') info.moovOffset = pos;
			if (depth === 0 && type === 'mdat') info.mdatOffset = pos;
			if (type === 'mvhd') {
				info.timescale = buf.readUInt32BE(pos + 20);
				info.durationSeconds = buf.readUInt32BE(pos + 24) / info.timescale;
			}
			if (type === 'tkhd') {
				info.width = buf.readUInt32BE(pos + 84) / 65536;
				info.height = buf.readUInt32BE(pos + 88) / 65536;
			}
			if (['moov', 'trak', 'mdia', 'minf', 'stbl'].includes(type)) walk(pos + header, Math.min(end, pos + size), depth + 1);
			pos += size;
		}
	};
	walk(0, buf.length, 0);
	if (info.brand === undefined || info.timescale === undefined || info.width === undefined) throw new Error('not an MP4 with moov');
	return info as Mp4Info;
}

// ---------- PNG ----------

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

function crc32(buf: Buffer): number {
	let c = 0xffffffff;
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
	const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	return Buffer.concat([u32(data.length), typed, u32(crc32(typed))]);
}

/** A valid RGB PNG (IHDR + IDAT + IEND) with a simple gradient. */
export function png(opts: { width: number; height: number }): Buffer {
	const width = Math.max(1, Math.round(opts.width));
	const height = Math.max(1, Math.round(opts.height));
	const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
	const row = Buffer.alloc(1 + width * 3);
	const rows: Buffer[] = [];
	for (let y = 0; y < height; y++) {
		row[0] = 0;
		for (let x = 0; x < width; x++) {
			row[1 + x * 3] = (x * 255) / width;
			row[2 + x * 3] = (y * 255) / height;
			row[3 + x * 3] = 128;
		}
		rows.push(Buffer.from(row));
	}
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Buffer.concat([
		signature,
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(Buffer.concat(rows))),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

export function probePng(buf: Buffer): { width: number; height: number } {
	if (buf.readUInt32BE(0) !== 0x89504e47 || buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
	return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
