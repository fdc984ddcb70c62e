// Pure MP4/MOV (ISO/IEC 14496-12, QuickTime) header reading and image header sniffing.
// No I/O: the caller feeds byte ranges and asks which range is needed next, so a URL can be probed
// with a few small HTTP range reads wherever the movie header (`moov`) sits — start or end.

export type VideoContainer = 'mp4' | 'mov';

export interface ByteRange {
	/** First byte, inclusive. */
	start: number;
	/** Last byte, inclusive. */
	end: number;
}

export interface ByteChunk {
	start: number;
	bytes: Uint8Array;
}

export interface Mp4Info {
	container: VideoContainer;
	/** ftyp major brand ('' when the file has no ftyp, as in old QuickTime files). */
	brand: string;
	durationSeconds: number;
	timescale: number;
	/** Displayed size: the first video track's tkhd size, swapped when its matrix rotates by 90°/270°. */
	width: number;
	height: number;
	rotation: 0 | 90 | 180 | 270;
	moovOffset: number;
	moovSize: number;
}

/** What the prober needs next: bytes start..minEnd are required, up to end is useful read-ahead. */
export interface Mp4Need extends ByteRange {
	kind: 'need';
	minEnd: number;
}
export type Mp4Step = Mp4Need | { kind: 'done'; info: Mp4Info } | { kind: 'fail'; reason: string };

/** First read: 64 KiB holds ftyp + moov of a short "faststart" clip, or tells where mdat ends. */
export const DEFAULT_READ_AHEAD = 64 * 1024;

// Bounds against corrupt or hostile files: loops stop, and box reads stay small.
const MAX_BOXES = 10_000;
const SMALL_BOX_PREFIX = 128;
const TWO_POW_32 = 0x1_0000_0000;

// ---------- byte helpers ----------

function u16(b: Uint8Array, o: number): number {
	return (b[o] << 8) | b[o + 1];
}
function u32(b: Uint8Array, o: number): number {
	return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}
function s32(b: Uint8Array, o: number): number {
	return u32(b, o) | 0;
}
/** A 64-bit value, or NaN when it exceeds 2^53 (no real file is that large). */
function u64(b: Uint8Array, o: number): number {
	const hi = u32(b, o);
	return hi >= 0x20_0000 ? NaN : hi * TWO_POW_32 + u32(b, o + 4);
}
function le16(b: Uint8Array, o: number): number {
	return b[o] | (b[o + 1] << 8);
}
function le24(b: Uint8Array, o: number): number {
	return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
}
function ascii(b: Uint8Array, o: number, n: number): string {
	let s = '';
	for (let i = 0; i < n; i++) s += String.fromCharCode(b[o + i]);
	return s;
}
function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
	if (b.length < at + sig.length) return false;
	return sig.every((v, i) => b[at + i] === v);
}

/** Sorted, merged chunks, so any covered range lies within one chunk. */
export function addChunk(chunks: readonly ByteChunk[], chunk: ByteChunk): ByteChunk[] {
	const all = [...chunks, chunk].filter((c) => c.bytes.length > 0).sort((a, b) => a.start - b.start);
	const merged: ByteChunk[] = [];
	for (const c of all) {
		const last = merged[merged.length - 1];
		const lastEnd = last ? last.start + last.bytes.length : -1;
		if (!last || c.start > lastEnd) {
			merged.push(c);
			continue;
		}
		const end = Math.max(lastEnd, c.start + c.bytes.length);
		if (end === lastEnd) continue;
		const joined = new Uint8Array(end - last.start);
		joined.set(last.bytes, 0);
		joined.set(c.bytes.subarray(lastEnd - c.start), lastEnd - last.start);
		merged[merged.length - 1] = { start: last.start, bytes: joined };
	}
	return merged;
}

/** The bytes offset..offset+length-1, or undefined when not (fully) held. */
function view(chunks: readonly ByteChunk[], offset: number, length: number): Uint8Array | undefined {
	for (const c of chunks) {
		if (offset >= c.start && offset + length <= c.start + c.bytes.length) {
			return c.bytes.subarray(offset - c.start, offset - c.start + length);
		}
	}
	return undefined;
}

// ---------- box walking ----------

interface Walk {
	chunks: readonly ByteChunk[];
	fileSize?: number;
	readAhead: number;
}

interface Box {
	type: string;
	start: number;
	headerSize: number;
	/** Exclusive end; undefined for a size-0 box ("runs to the end of the file") of unknown file size. */
	end: number | undefined;
}

function need(w: Walk, start: number, minLength: number, limitEnd: number | undefined): Mp4Need {
	const cap = Math.min(limitEnd ?? Infinity, w.fileSize ?? Infinity);
	const end = Math.min(cap, start + Math.max(w.readAhead, minLength)) - 1;
	return { kind: 'need', start, end: Math.max(end, start), minEnd: Math.min(start + minLength, cap) - 1 };
}

function fail(reason: string): { kind: 'fail'; reason: string } {
	return { kind: 'fail', reason };
}

// Printable ASCII, plus QuickTime's '©' (0xA9) that starts its metadata atom names.
function isFourCc(type: string): boolean {
	return /^[\x20-\x7e\xa9]{4}$/.test(type);
}

/** The box header at pos within [.., limitEnd), or what is needed to read it. */
function readBox(w: Walk, pos: number, limitEnd: number | undefined): Box | Mp4Step {
	const head = view(w.chunks, pos, 8);
	if (!head) {
		if (w.fileSize !== undefined && pos + 8 > w.fileSize) return fail(`the file is cut short at byte ${pos}`);
		return need(w, pos, 16, limitEnd);
	}
	const size32 = u32(head, 0);
	const type = ascii(head, 4, 4);
	if (!isFourCc(type)) return fail(`byte ${pos} does not start an MP4/MOV box`);
	let size = size32;
	let headerSize = 8;
	if (size32 === 1) {
		const large = view(w.chunks, pos, 16);
		if (!large) return need(w, pos, 16, limitEnd);
		size = u64(large, 8);
		headerSize = 16;
		if (Number.isNaN(size)) return fail(`the "${type}" box at byte ${pos} claims an impossible size`);
	}
	if (size32 === 0) {
		const end = limitEnd ?? w.fileSize;
		return { type, start: pos, headerSize, end };
	}
	if (size < headerSize) return fail(`the "${type}" box at byte ${pos} has an invalid size (${size})`);
	const end = pos + size;
	if (limitEnd !== undefined && end > limitEnd) return fail(`the "${type}" box at byte ${pos} overruns its parent`);
	return { type, start: pos, headerSize, end };
}

function isStep(x: Box | Mp4Step | object): x is Mp4Step {
	return 'kind' in x;
}

/** The first bytes of a (small) box: its header plus up to SMALL_BOX_PREFIX bytes. */
function boxPrefix(w: Walk, box: Box): Uint8Array | Mp4Need {
	const total = (box.end ?? box.start + SMALL_BOX_PREFIX) - box.start;
	const length = Math.min(total, box.headerSize + SMALL_BOX_PREFIX);
	return view(w.chunks, box.start, length) ?? need(w, box.start, length, box.end);
}

// mvhd: version 0 has 32-bit times and duration, version 1 has 64-bit ones.
function parseMvhd(b: Uint8Array, h: number): { timescale: number; duration: number } {
	return b[h] === 1
		? { timescale: u32(b, h + 20), duration: u64(b, h + 24) }
		: { timescale: u32(b, h + 12), duration: u32(b, h + 16) };
}

/** mvex/mehd: the whole length of a fragmented file, in mvhd timescale units. */
function parseMehd(b: Uint8Array, h: number): number {
	return b[h] === 1 ? u64(b, h + 4) : u32(b, h + 4);
}

function parseTkhd(b: Uint8Array, h: number): { width: number; height: number; rotation: Mp4Info['rotation'] } {
	const body = h + 4 + (b[h] === 1 ? 32 : 20) + 16; // full-box fields, times/id/duration, reserved/layer/volume
	const [a, bb, c, d] = [s32(b, body), s32(b, body + 4), s32(b, body + 12), s32(b, body + 16)];
	// Phones store portrait video as landscape plus a rotation matrix; report what a viewer shows.
	let rotation: Mp4Info['rotation'] = 0;
	if (a === 0 && d === 0) rotation = bb > 0 && c < 0 ? 90 : 270;
	else if (a < 0 && d < 0) rotation = 180;
	const w = Math.round(u32(b, body + 36) / 65536);
	const hgt = Math.round(u32(b, body + 40) / 65536);
	return rotation === 90 || rotation === 270 ? { width: hgt, height: w, rotation } : { width: w, height: hgt, rotation };
}

function minimumBoxLength(type: string, version: number, headerSize: number): number {
	const v1 = version === 1;
	const body: Record<string, number> = { mvhd: v1 ? 32 : 20, tkhd: v1 ? 96 : 84, hdlr: 12, mehd: v1 ? 12 : 8 };
	return headerSize + (body[type] ?? 0);
}

/** A small full box's bytes, checked long enough for its fields. */
function smallBox(w: Walk, box: Box): Uint8Array | Mp4Step {
	const b = boxPrefix(w, box);
	if (!(b instanceof Uint8Array)) return b;
	if (b.length < box.headerSize + 4 || b.length < minimumBoxLength(box.type, b[box.headerSize], box.headerSize)) {
		return fail(`the "${box.type}" box at byte ${box.start} is too short`);
	}
	return b;
}

type TrakResult = { video: false } | { video: true; width: number; height: number; rotation: Mp4Info['rotation'] };

/** Walk a container's children until visit() returns a step (need/fail) or done() holds. */
function eachChild(w: Walk, parent: Box, done: () => boolean, visit: (box: Box) => Mp4Step | undefined): Mp4Step | undefined {
	let pos = parent.start + parent.headerSize;
	for (let i = 0; i < MAX_BOXES && parent.end !== undefined && pos + 8 <= parent.end && !done(); i++) {
		const box = readBox(w, pos, parent.end);
		if (isStep(box)) return box;
		const step = visit(box);
		if (step) return step;
		pos = box.end ?? parent.end;
	}
	return undefined;
}

/** A trak's tkhd and its mdia/hdlr handler; minf (the big sample tables) is never read. */
function walkTrak(w: Walk, trak: Box): TrakResult | Mp4Step {
	let tkhd: ReturnType<typeof parseTkhd> | undefined;
	let handler: string | undefined;
	const step = eachChild(w, trak, () => tkhd !== undefined && handler !== undefined, (box) => {
		if (box.type === 'tkhd') {
			const b = smallBox(w, box);
			if (isStep(b)) return b;
			tkhd = parseTkhd(b, box.headerSize);
		}
		if (box.type !== 'mdia') return undefined;
		return eachChild(w, box, () => handler !== undefined, (inner) => {
			if (inner.type !== 'hdlr') return undefined;
			const b = smallBox(w, inner);
			if (isStep(b)) return b;
			handler = ascii(b, inner.headerSize + 8, 4);
			return undefined;
		});
	});
	if (step) return step;
	return handler === 'vide' && tkhd ? { video: true, ...tkhd } : { video: false };
}

function durationOf(mvhd: { timescale: number; duration: number }, fragmentDuration?: number): number | undefined {
	// All-ones means "unknown"; 0 is what fragmented files write, with the real length in mvex/mehd.
	const unknown = (d: number) => !Number.isFinite(d) || d === 0 || d === 0xffffffff;
	const units = unknown(mvhd.duration) ? fragmentDuration : mvhd.duration;
	if (units === undefined || unknown(units) || mvhd.timescale === 0) return undefined;
	return Math.round((units / mvhd.timescale) * 1000) / 1000;
}

function walkMoov(w: Walk, moov: Box, container: VideoContainer, brand: string): Mp4Step {
	if (moov.end === undefined) return fail('the movie header runs to an unknown end of file');
	let mvhd: { timescale: number; duration: number } | undefined;
	let fragmentDuration: number | undefined;
	let video: Extract<TrakResult, { video: true }> | undefined;
	// Stop as soon as the length and the picture size are known: the rest of moov is never read.
	const known = () => mvhd !== undefined && video !== undefined && durationOf(mvhd) !== undefined;
	const step = eachChild(w, moov, known, (box) => {
		if (box.type === 'cmov') return fail('the movie header is compressed (cmov), which is not supported');
		if (box.type === 'mvhd') {
			const b = smallBox(w, box);
			if (isStep(b)) return b;
			mvhd = parseMvhd(b, box.headerSize);
		}
		if (box.type === 'trak' && !video) {
			const t = walkTrak(w, box);
			if (isStep(t)) return t;
			if (t.video) video = t;
		}
		if (box.type !== 'mvex') return undefined;
		return eachChild(w, box, () => fragmentDuration !== undefined, (inner) => {
			if (inner.type !== 'mehd') return undefined;
			const b = smallBox(w, inner);
			if (isStep(b)) return b;
			fragmentDuration = parseMehd(b, inner.headerSize);
			return undefined;
		});
	});
	if (step) return step;
	if (!mvhd) return fail('the movie header has no mvhd box');
	if (!video) return fail('the file has no video track');
	const durationSeconds = durationOf(mvhd, fragmentDuration);
	if (durationSeconds === undefined) return fail('the movie header does not state a duration');
	return {
		kind: 'done',
		info: {
			container,
			brand,
			durationSeconds,
			timescale: mvhd.timescale,
			width: video.width,
			height: video.height,
			rotation: video.rotation,
			moovOffset: moov.start,
			moovSize: moov.end - moov.start,
		},
	};
}

// Top-level boxes a real MP4/MOV may start with; anything else is not one.
const FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'junk', 'styp', 'sidx']);

/** Names a few common non-MP4 video containers for a clearer message. */
function otherContainer(b: Uint8Array): string | undefined {
	if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])) return 'WebM/Matroska';
	if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && b.length >= 12 && ascii(b, 8, 4) === 'AVI ') return 'AVI';
	if (startsWith(b, [0x46, 0x4c, 0x56])) return 'FLV';
	if (b.length >= 189 && b[0] === 0x47 && b[188] === 0x47) return 'MPEG-TS';
	if (startsWith(b, [0x3c])) return 'HTML/XML text (an error page?)';
	return undefined;
}

/**
 * The pure core: given the bytes held so far, the movie info, a failure, or the next range to read.
 * Re-walks from byte 0 on every call: a handful of boxes, so cheap, and no hidden state to get wrong.
 */
export function analyzeMp4(chunks: readonly ByteChunk[], fileSize?: number, readAhead = DEFAULT_READ_AHEAD): Mp4Step {
	const w: Walk = { chunks, fileSize, readAhead };
	const first = view(chunks, 0, Math.min(16, fileSize ?? 16));
	if (!first) return need(w, 0, 16, undefined);
	const other = otherContainer(view(chunks, 0, 189) ?? first);
	if (other) return fail(`the file is not MP4/MOV (it looks like ${other})`);
	let brand = '';
	let pos = 0;
	for (let i = 0; i < MAX_BOXES; i++) {
		if (fileSize !== undefined && pos >= fileSize) return fail('the file has no movie header (moov box)');
		const box = readBox(w, pos, fileSize);
		if (isStep(box)) return box;
		if (i === 0 && !FIRST_BOXES.has(box.type)) return fail('the file is not MP4/MOV (unknown first box)');
		if (box.type === 'ftyp') {
			const b = view(chunks, pos, box.headerSize + 4);
			if (!b) return need(w, pos, box.headerSize + 4, box.end);
			brand = ascii(b, box.headerSize, 4);
		}
		// Old QuickTime files have no ftyp; 'qt  ' is QuickTime's brand.
		const container: VideoContainer = brand === '' || brand === 'qt  ' ? 'mov' : 'mp4';
		if (box.type === 'moov') return walkMoov(w, box, container, brand);
		if (box.end === undefined) return fail(`the "${box.type}" box runs to the end of the file and no movie header precedes it`);
		if (box.type === 'moof') return fail('the file is a fragmented MP4 whose movie header was not found first');
		pos = box.end;
	}
	return fail('too many boxes before the movie header');
}

/** The first range to read. */
export function planProbe(fileSize?: number, readAhead = DEFAULT_READ_AHEAD): ByteRange {
	const end = Math.min(readAhead, fileSize ?? readAhead) - 1;
	return { start: 0, end: Math.max(end, 0) };
}

/** A small state machine around analyzeMp4: ask next(), fetch it, feed() it, repeat until done/fail. */
export class Mp4Prober {
	private chunks: ByteChunk[] = [];
	private size: number | undefined;

	constructor(
		fileSize?: number,
		private readonly readAhead = DEFAULT_READ_AHEAD,
	) {
		this.size = fileSize;
	}

	get fileSize(): number | undefined {
		return this.size;
	}

	/** Bytes held in memory (bounded by what the driver chose to read). */
	get bytesHeld(): number {
		return this.chunks.reduce((n, c) => n + c.bytes.length, 0);
	}

	next(): Mp4Step {
		return analyzeMp4(this.chunks, this.size, this.readAhead);
	}

	feed(start: number, bytes: Uint8Array, fileSize?: number): void {
		if (fileSize !== undefined) this.size = fileSize;
		this.chunks = addChunk(this.chunks, { start, bytes });
	}
}

/** A whole file (or its first bytes) already in memory, e.g. n8n binary data. */
export function parseMp4(bytes: Uint8Array, fileSize = bytes.length): Mp4Step {
	return analyzeMp4([{ start: 0, bytes }], fileSize);
}

// ---------- images ----------

export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif' | 'heic' | 'avif';

export type ImageSniff =
	| { kind: 'image'; type: ImageType; width?: number; height?: number }
	/** A JPEG whose size marker lies beyond the given bytes (large EXIF/ICC data first). */
	| { kind: 'need'; type: ImageType; needBytes: number }
	| { kind: 'unknown' };

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function sniffJpeg(b: Uint8Array): ImageSniff {
	let pos = 2;
	for (let i = 0; i < MAX_BOXES; i++) {
		if (pos + 9 > b.length) return { kind: 'need', type: 'jpeg', needBytes: pos + 9 };
		if (b[pos] !== 0xff) return { kind: 'image', type: 'jpeg' };
		const marker = b[pos + 1];
		if (marker === 0xff) {
			pos += 1; // fill byte
			continue;
		}
		// SOF0..SOF15 carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { kind: 'image', type: 'jpeg', height: u16(b, pos + 5), width: u16(b, pos + 7) };
		}
		if (marker === 0xda || marker === 0xd9) return { kind: 'image', type: 'jpeg' };
		const standalone = marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
		pos += standalone ? 2 : 2 + u16(b, pos + 2);
	}
	return { kind: 'image', type: 'jpeg' };
}

function sniffWebp(b: Uint8Array): ImageSniff {
	if (b.length < 30) return { kind: 'need', type: 'webp', needBytes: 30 };
	const chunk = ascii(b, 12, 4);
	if (chunk === 'VP8X') return { kind: 'image', type: 'webp', width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
	if (chunk === 'VP8L' && b[20] === 0x2f) {
		const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
		return { kind: 'image', type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8 ' && startsWith(b, [0x9d, 0x01, 0x2a], 23)) {
		return { kind: 'image', type: 'webp', width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
	}
	return { kind: 'image', type: 'webp' };
}

/** Image type and pixel size from the first bytes (PNG 24, WebP 30, JPEG up to its SOF marker). */
export function sniffImage(b: Uint8Array): ImageSniff {
	if (startsWith(b, PNG_SIG)) {
		if (b.length < 24) return { kind: 'need', type: 'png', needBytes: 24 };
		return { kind: 'image', type: 'png', width: u32(b, 16), height: u32(b, 20) };
	}
	if (startsWith(b, [0xff, 0xd8, 0xff])) return sniffJpeg(b);
	if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && b.length >= 12 && ascii(b, 8, 4) === 'WEBP') return sniffWebp(b);
	if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
		return { kind: 'image', type: 'gif', width: le16(b, 6), height: le16(b, 8) };
	}
	// HEIC/AVIF are ISO-BMFF too: ftyp with an image brand (iPhone photos are HEIC).
	if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
		const brand = ascii(b, 8, 4);
		if (['heic', 'heix', 'heim', 'heis', 'mif1'].includes(brand)) return { kind: 'image', type: 'heic' };
		if (brand === 'avif' || brand === 'avis') return { kind: 'image', type: 'avif' };
	}
	return { kind: 'unknown' };
}
