// The I/O side of pre-flight: a few bounded HTTP range reads drive the pure parsers in mp4.ts.
// The fetch function is injected, so the node can plug in n8n's httpRequest and tests plain fetch.
import type { ImageType, Mp4Info, VideoContainer } from './mp4';
import { DEFAULT_READ_AHEAD, Mp4Prober, parseMp4, sniffImage } from './mp4';

export interface FetchedRange {
	status: number;
	headers: Record<string, string | undefined>;
	body: Uint8Array;
}

/**
 * GET url with `Range: bytes=start-end` (no Range header when range is undefined). It should stop
 * reading after end-start+1 bytes, and on an answer without range support (200) read little or
 * nothing: that answer is the whole file, and the probe does not use it.
 */
export type RangeFetcher = (url: string, range: { start: number; end: number } | undefined) => Promise<FetchedRange>;

export interface ProbeOptions {
	/** Total bytes read over all requests; default 1 MiB. */
	maxBytes?: number;
	/** Range requests at most; default 4 (moov at start: 1, moov at end: 2). */
	maxRequests?: number;
	/** Read-ahead per request; default 64 KiB. */
	chunkBytes?: number;
}

interface Budget {
	maxBytes: number;
	maxRequests: number;
	chunkBytes: number;
}

export interface ProbeStats {
	requests: number;
	bytesRead: number;
}

export type VideoProbeResult =
	| ({
			probed: true;
			durationSeconds: number;
			width: number;
			height: number;
			rotation: Mp4Info['rotation'];
			fileSize?: number;
			container: VideoContainer;
	  } & ProbeStats)
	| ({ probed: false; reason: string; fileSize?: number } & ProbeStats);

export type ImageProbeResult =
	| ({ probed: true; type: ImageType; width?: number; height?: number; fileSize?: number } & ProbeStats)
	| ({ probed: false; reason: string; fileSize?: number } & ProbeStats);

const MIB = 1024 * 1024;

function budgetOf(options: ProbeOptions = {}): Budget {
	return {
		maxBytes: options.maxBytes ?? MIB,
		maxRequests: options.maxRequests ?? 4,
		chunkBytes: options.chunkBytes ?? DEFAULT_READ_AHEAD,
	};
}

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	return key === undefined ? undefined : headers[key];
}

/** `bytes 0-65535/1234567` → start and total (total undefined for `*`). */
export function parseContentRange(value: string | undefined): { start: number; end: number; total?: number } | undefined {
	const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec((value ?? '').trim());
	if (!m) return undefined;
	return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

type ReadOutcome = { ok: true; start: number; bytes: Uint8Array; fileSize?: number } | { ok: false; reason: string; fileSize?: number };

/** One range read, judged: only a 206 with a matching Content-Range counts as data. */
async function readRange(fetcher: RangeFetcher, url: string, start: number, end: number): Promise<ReadOutcome> {
	let res: FetchedRange;
	try {
		res = await fetcher(url, { start, end });
	} catch (error) {
		return { ok: false, reason: `the file could not be read (${error instanceof Error ? error.message : String(error)})` };
	}
	const range = parseContentRange(header(res.headers, 'content-range'));
	if (res.status === 416) return { ok: false, reason: 'the file is shorter than its headers say (HTTP 416)', fileSize: range?.total };
	if (res.status === 200) {
		// The host ignored Range: reading on would download the whole clip.
		return { ok: false, reason: 'the host does not support HTTP range requests (it answered 200 instead of 206)' };
	}
	if (res.status !== 206) return { ok: false, reason: `the host answered HTTP ${res.status}` };
	if (!range || range.start > start) return { ok: false, reason: 'the host answered 206 without a usable Content-Range' };
	// Keep only what was asked for, whatever the fetcher returned.
	const bytes = res.body.subarray(start - range.start, start - range.start + (end - start + 1));
	return { ok: true, start, bytes, fileSize: range.total };
}

/**
 * Duration and size of an MP4/MOV behind a URL, from its moov box, reading at most
 * options.maxRequests ranges and options.maxBytes bytes. Never throws: an unprobeable clip
 * is `{ probed: false, reason }` and should be submitted as before.
 */
export async function probeVideoUrl(url: string, fetcher: RangeFetcher, options?: ProbeOptions): Promise<VideoProbeResult> {
	const budget = budgetOf(options);
	const prober = new Mp4Prober(undefined, budget.chunkBytes);
	let bytesRead = 0;
	let requests = 0;
	let previous = '';
	for (;;) {
		const step = prober.next();
		if (step.kind === 'done') {
			const { durationSeconds, width, height, rotation, container } = step.info;
			const fileSize = prober.fileSize;
			return { probed: true, durationSeconds, width, height, rotation, container, ...(fileSize !== undefined ? { fileSize } : {}), requests, bytesRead };
		}
		const base = { probed: false as const, fileSize: prober.fileSize, requests, bytesRead };
		if (step.kind === 'fail') return { ...base, reason: step.reason };
		const left = budget.maxBytes - bytesRead;
		const end = Math.min(step.end, step.start + left - 1);
		if (requests >= budget.maxRequests || end < step.minEnd) {
			return { ...base, reason: `the movie header was not found within ${budget.maxRequests} reads of at most ${budget.maxBytes} bytes in all` };
		}
		// The same request twice means the host returned less than asked: stop rather than loop.
		const key = `${step.start}-${end}`;
		if (key === previous) return { ...base, reason: `the host returned fewer bytes than asked at byte ${step.start}` };
		previous = key;
		requests++;
		const read = await readRange(fetcher, url, step.start, end);
		if (!read.ok) return { ...base, requests, fileSize: read.fileSize ?? prober.fileSize, reason: read.reason };
		bytesRead += read.bytes.length;
		prober.feed(read.start, read.bytes, read.fileSize);
	}
}

/** Same result shape for a clip already in memory (n8n binary input): no reads, no limits. */
export function probeVideoBytes(bytes: Uint8Array, fileSize = bytes.length): VideoProbeResult {
	const step = parseMp4(bytes, fileSize);
	const base = { requests: 0, bytesRead: bytes.length, fileSize };
	if (step.kind === 'done') {
		const { durationSeconds, width, height, rotation, container } = step.info;
		return { probed: true, durationSeconds, width, height, rotation, container, ...base };
	}
	const reason = step.kind === 'fail' ? step.reason : 'the movie header lies beyond the bytes given';
	return { probed: false, reason, ...base };
}

/** Type and pixel size of an image behind a URL: its first 64 KiB, a second read for a late JPEG size marker. */
export async function probeImageUrl(url: string, fetcher: RangeFetcher, options?: ProbeOptions): Promise<ImageProbeResult> {
	const budget = budgetOf(options);
	let held: Uint8Array = new Uint8Array(0);
	let fileSize: number | undefined;
	let requests = 0;
	let wanted = Math.min(budget.chunkBytes, budget.maxBytes);
	while (requests < budget.maxRequests) {
		requests++;
		const read = await readRange(fetcher, url, held.length, wanted - 1);
		if (!read.ok) return { probed: false, reason: read.reason, fileSize: read.fileSize ?? fileSize, requests, bytesRead: held.length };
		fileSize = read.fileSize ?? fileSize;
		held = concat(held, read.bytes);
		const sniff = sniffImage(held);
		const base = { requests, bytesRead: held.length, ...(fileSize !== undefined ? { fileSize } : {}) };
		if (sniff.kind === 'image') return { probed: true, type: sniff.type, width: sniff.width, height: sniff.height, ...base };
		if (sniff.kind === 'unknown') return { probed: false, reason: 'the file is not a PNG, JPEG, WebP, GIF, HEIC or AVIF image', ...base };
		const complete = read.bytes.length < wanted - read.start || (fileSize !== undefined && held.length >= fileSize);
		if (complete || sniff.needBytes > budget.maxBytes) return { probed: false, reason: `the ${sniff.type.toUpperCase()} size marker was not found`, ...base };
		wanted = Math.min(budget.maxBytes, Math.max(sniff.needBytes, held.length + budget.chunkBytes));
	}
	return { probed: false, reason: `the image size was not found within ${budget.maxRequests} reads`, requests, bytesRead: held.length };
}

/** Same for an image already in memory (n8n binary input). */
export function probeImageBytes(bytes: Uint8Array, fileSize = bytes.length): ImageProbeResult {
	const sniff = sniffImage(bytes);
	const base = { requests: 0, bytesRead: bytes.length, fileSize };
	if (sniff.kind === 'image') return { probed: true, type: sniff.type, width: sniff.width, height: sniff.height, ...base };
	if (sniff.kind === 'need') return { probed: false, reason: `the ${sniff.type.toUpperCase()} size marker was not found`, ...base };
	return { probed: false, reason: 'the file is not a PNG, JPEG, WebP, GIF, HEIC or AVIF image', ...base };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
	if (a.length === 0) return b;
	const out = new Uint8Array(a.length + b.length);
	out.set(a, 0);
	out.set(b, a.length);
	return out;
}
