import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { checkClip, checkImage } from '../preflight/limits';
import { estimateCost, maxCost, type CostEstimate } from '../preflight/pricing';
import {
	probeImageBytes,
	probeImageUrl,
	probeVideoBytes,
	probeVideoUrl,
	type FetchedRange,
	type RangeFetcher,
	type VideoProbeResult,
} from '../preflight/probe';
import type { MediaKind, MotionControlRequest, ProviderAdapter } from '../providers/types';
import { TaskFailure } from './errors';
import { readBuffer, type BinaryInput } from './upload';

const BINARY_HEAD_BYTES = 1024 * 1024;

export type PreflightMode = 'off' | 'on' | 'strict';

export interface PreflightOutcome {
	failure?: TaskFailure;
	/** Added to the item's output json: what was found and the cost estimate. */
	info: IDataObject;
	estimate?: CostEstimate;
}

type ByteStream = AsyncIterable<Uint8Array> & {
	destroy?: () => void;
	on?: (event: string, listener: (value?: unknown) => void) => unknown;
	off?: (event: string, listener: (value?: unknown) => void) => unknown;
};

function joinChunks(chunks: Uint8Array[], total: number, limit: number): Uint8Array {
	const size = Math.min(total, limit);
	// One chunk (the usual range answer) needs no copy.
	if (chunks.length === 1) return chunks[0].subarray(0, size);
	const body = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		const part = chunk.subarray(0, size - offset);
		body.set(part, offset);
		offset += part.length;
		if (offset >= size) break;
	}
	return body;
}

/**
 * The first `limit` bytes of a stream, then the stream is closed (plain events: cheaper than
 * for-await). Only this reader's own listeners are taken off: n8n's request helper (axios) listens
 * for the stream's end to release the request, and the execution's cancel signal keeps every
 * request whose release never ran — its socket and read buffers — until the execution ends.
 */
async function readAtMost(stream: ByteStream, limit: number): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	let total = 0;
	if (typeof stream.on !== 'function' || typeof stream.off !== 'function') {
		for await (const chunk of stream) {
			chunks.push(chunk);
			total += chunk.length;
			if (total >= limit) break;
		}
		stream.destroy?.();
		return joinChunks(chunks, total, limit);
	}
	const on = stream.on.bind(stream);
	const off = stream.off.bind(stream);
	await new Promise<void>((resolve, reject) => {
		const onData = (chunk?: unknown) => {
			chunks.push(chunk as Uint8Array);
			total += (chunk as Uint8Array).length;
			if (total >= limit) finish();
		};
		const onEnd = () => finish();
		const onError = (error?: unknown) => finish(error ?? new Error('read failed'));
		// Errors after the stream is closed on purpose are of no interest.
		const ignore = () => {};
		let done = false;
		const finish = (error?: unknown) => {
			if (done) return;
			done = true;
			off('data', onData);
			off('end', onEnd);
			off('close', onEnd);
			off('error', onError);
			on('error', ignore);
			stream.destroy?.();
			if (error) reject(error instanceof Error ? error : new Error(String(error)));
			else resolve();
		};
		on('data', onData);
		on('end', onEnd);
		on('close', onEnd);
		on('error', onError);
	});
	return joinChunks(chunks, total, limit);
}

/**
 * Range reads through n8n's request helper, without the provider's credential (the media host is
 * not the provider). A host that ignores Range (200) is not read at all: the probe gives up.
 */
function rangeFetcher(fns: IExecuteFunctions): RangeFetcher {
	return async (url, range): Promise<FetchedRange> => {
		const response = (await fns.helpers.httpRequest({
			method: 'GET',
			url,
			headers: range ? { Range: `bytes=${range.start}-${range.end}` } : {},
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 15_000,
			abortSignal: fns.getExecutionCancelSignal(),
		})) as { statusCode: number; headers: Record<string, string | undefined>; body: ByteStream };
		const limit = response.statusCode === 206 && range ? range.end - range.start + 1 : 0;
		const body = limit > 0 ? await readAtMost(response.body, limit) : new Uint8Array(0);
		if (limit === 0) response.body.destroy?.();
		return { status: response.statusCode, headers: response.headers ?? {}, body };
	};
}

/**
 * A stored clip is read as a stream and only its first MiB is kept (enough when `moov` comes first);
 * an inline one is already in memory.
 */
async function probeBinaryVideo(fns: IExecuteFunctions, input: BinaryInput): Promise<VideoProbeResult> {
	if (input.meta.id) {
		const stream = (await fns.helpers.getBinaryStream(input.meta.id)) as unknown as ByteStream;
		const head = await readAtMost(stream, BINARY_HEAD_BYTES);
		return probeVideoBytes(head, input.file.size ?? head.length);
	}
	return probeVideoBytes(await readBuffer(fns, input));
}

/**
 * Probe results of this execution by URL: a batch often animates many characters with one motion
 * clip, which is read once per execution. The results are kept, not the bytes read: a batch of
 * distinct images would otherwise hold each image's first 64 KiB until the execution ends.
 */
const probeCache = new WeakMap<IExecuteFunctions, Map<string, Promise<unknown>>>();

function cachedProbe<T>(fns: IExecuteFunctions, key: string, probe: () => Promise<T>): Promise<T> {
	let cache = probeCache.get(fns);
	if (!cache) probeCache.set(fns, (cache = new Map()));
	let pending = cache.get(key) as Promise<T> | undefined;
	if (!pending) cache.set(key, (pending = probe()));
	return pending;
}

function costInfo(estimate: CostEstimate): IDataObject {
	if (estimate.estimatedCostUsd === null) return { estimatedCostUsd: null, costNote: estimate.reason };
	return {
		estimatedCostUsd: estimate.estimatedCostUsd,
		billedSeconds: estimate.billedSeconds,
		costRatePerSecondUsd: estimate.ratePerSecondUsd,
		costRule: estimate.rule,
		costSource: estimate.source,
		...(estimate.inferred ? { costInferred: true } : {}),
	};
}

/** The clip's and the image's headers, from their URLs (range reads) or the files of earlier nodes. */
async function probeInputs(fns: IExecuteFunctions, request: MotionControlRequest, binaries: Partial<Record<MediaKind, BinaryInput>>) {
	const fetcher = rangeFetcher(fns);
	const failed = (error: unknown) => ({ probed: false as const, reason: String(error), requests: 0, bytesRead: 0 });
	return await Promise.all([
		(binaries.video
			? probeBinaryVideo(fns, binaries.video)
			: cachedProbe(fns, `video ${request.videoUrl}`, async () => await probeVideoUrl(request.videoUrl, fetcher))
		).catch(failed),
		(binaries.image
			? readBuffer(fns, binaries.image).then((bytes) => probeImageBytes(bytes))
			: cachedProbe(fns, `image ${request.imageUrl}`, async () => await probeImageUrl(request.imageUrl, fetcher))
		).catch(failed),
	]);
}

type Probed = Awaited<ReturnType<typeof probeInputs>>;

/** What the headers say against the provider's documented limits: problems refuse, notes say what was not checked. */
function checkInputs(adapter: ProviderAdapter, request: MotionControlRequest, video: Probed[0], image: Probed[1]) {
	const info: IDataObject = {};
	const problems: string[] = [];
	const notes: string[] = [];
	if (video.probed) {
		info.motionVideo = {
			durationSeconds: Math.round(video.durationSeconds * 100) / 100,
			width: video.width,
			height: video.height,
			...(video.fileSize !== undefined ? { fileSize: video.fileSize } : {}),
		};
		problems.push(
			...checkClip(adapter, request.characterOrientation, {
				durationSeconds: video.durationSeconds,
				width: video.width,
				height: video.height,
				fileSize: video.fileSize,
			}).map((problem) => problem.message),
		);
	} else {
		notes.push(`motion video not checked: ${video.reason}`);
	}
	if (image.probed) {
		problems.push(
			...checkImage(adapter, { type: image.type, width: image.width, height: image.height, fileSize: image.fileSize }).map(
				(problem) => problem.message,
			),
		);
	} else {
		notes.push(`image not checked: ${image.reason}`);
	}
	return { info, problems, notes };
}

/**
 * Looks at the motion clip and the image before anything is paid: duration and size from the
 * MP4/MOV header (a few small range reads), the provider's documented limits, and the cost.
 */
export async function preflight(
	fns: IExecuteFunctions,
	adapter: ProviderAdapter,
	request: MotionControlRequest,
	mode: PreflightMode,
	binaries: Partial<Record<MediaKind, BinaryInput>> = {},
): Promise<PreflightOutcome> {
	if (mode === 'off') {
		const estimate = maxCost(adapter.priceKey, request.quality, request.characterOrientation);
		return { info: { preflight: 'off', ...costInfo(estimate), costIsUpperBound: true }, estimate };
	}
	const [video, image] = await probeInputs(fns, request, binaries);
	const { info, problems, notes } = checkInputs(adapter, request, video, image);
	const estimate = video.probed
		? estimateCost(adapter.priceKey, request.quality, request.characterOrientation, video.durationSeconds)
		: maxCost(adapter.priceKey, request.quality, request.characterOrientation);
	Object.assign(info, costInfo(estimate), video.probed ? {} : { costIsUpperBound: true });
	info.preflight = notes.length ? `partial (${notes.join('; ')})` : 'passed';

	if (problems.length) {
		return { info, estimate, failure: new TaskFailure(problems.join(' '), { provider: adapter.id, status: 'notSubmitted' }, 'operation') };
	}
	if (mode === 'strict' && notes.length) {
		return {
			info,
			estimate,
			failure: new TaskFailure(
				`Pre-flight is strict and the input could not be checked (${notes.join('; ')}). Host the file where HTTP range requests work, or set Pre-Flight Check to "On".`,
				{ provider: adapter.id, status: 'notSubmitted' },
				'operation',
			),
		};
	}
	return { info, estimate };
}
