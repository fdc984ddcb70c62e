import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { MediaKind, MotionControlRequest, ProviderAdapter } from '../providers/types';
import { readBinaryInput } from './binaryInput';
import { TaskFailure } from './errors';
import type { TaskMeta } from './output';
import { param } from './params';
import { preflight, type PreflightMode } from './preflight';
import { eachLimited } from './schedule';
import { DEFAULTS, options } from './settings';
import type { Runtime } from './runtime';
import { uploadInput, type BinaryInput } from './upload';
import { buildRequest } from './validate';

export interface ValidRequest {
	request: MotionControlRequest;
	meta: TaskMeta;
	/** Files from earlier nodes, uploaded after the checks and put in place of the URLs. */
	binaries: Partial<Record<MediaKind, BinaryInput>>;
}

export type ReadRequest = ValidRequest | { failure: TaskFailure };

/** The motion clip's length as pre-flight read it (undefined when it was not read). */
export function clipSeconds(read: ValidRequest): number | undefined {
	const video = read.meta.extra?.motionVideo as IDataObject | undefined;
	return typeof video?.durationSeconds === 'number' ? video.durationSeconds : undefined;
}

// Header probes are small range reads of other hosts; uploads hold a file each: keep both modest.
const PREFLIGHTS_AT_ONCE = 8;
const UPLOADS_AT_ONCE = 4;

// Stands in for a file's URL until the upload: a valid URL, so the URL checks pass, never sent.
const PENDING_UPLOAD = 'https://pending-upload.invalid/';

function shortHash(text: string): string {
	let hash = 5381;
	for (const char of text) hash = ((hash * 33) ^ char.charCodeAt(0)) >>> 0;
	return hash.toString(36);
}

/** Reads and checks every item's parameters before anything is sent. */
export function readRequests(fns: IExecuteFunctions, adapter: ProviderAdapter): ReadRequest[] {
	const count = fns.getInputData().length;
	const executionId = String(fns.getExecutionId() ?? 'manual');
	const nodeKey = shortHash(fns.getNode().id ?? fns.getNode().name);
	const results: ReadRequest[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		const opts: IDataObject = options(fns, itemIndex);
		const binaries: Partial<Record<MediaKind, BinaryInput>> = {};
		let binaryFailure: TaskFailure | undefined;
		for (const kind of ['image', 'video'] as const) {
			if (param<string>(fns, `${kind}Source`, itemIndex, 'url') !== 'binary') continue;
			const input = readBinaryInput(fns, adapter, kind, itemIndex);
			if (input instanceof TaskFailure) binaryFailure ??= input;
			else binaries[kind] = input;
		}
		if (binaryFailure) {
			results.push({ failure: binaryFailure });
			continue;
		}
		const read = buildRequest(adapter, {
			imageUrl: binaries.image ? `${PENDING_UPLOAD}image` : param<unknown>(fns, 'imageUrl', itemIndex, ''),
			videoUrl: binaries.video ? `${PENDING_UPLOAD}video` : param<unknown>(fns, 'videoUrl', itemIndex, ''),
			characterOrientation: param<unknown>(fns, 'characterOrientation', itemIndex, ''),
			quality: param<unknown>(fns, 'quality', itemIndex, ''),
			prompt: param<unknown>(fns, 'prompt', itemIndex, ''),
			negativePrompt: opts.negativePrompt,
			keepOriginalSound: opts.keepOriginalSound,
			elementId: opts.elementId,
			elementFrontalImageUrl: opts.elementFrontalImageUrl,
			elementReferenceImageUrls: opts.elementReferenceImageUrls,
			watermark: opts.watermark,
			callbackUrl: opts.callbackUrl,
		});
		if ('failure' in read) {
			results.push(read);
			continue;
		}
		if (options(fns, 0).cancelOnTimeout === true) {
			// Where the provider takes a server-side deadline, it ends the task at our Timeout even if n8n is gone.
			read.request.cancelAfterSeconds = (Number(options(fns, 0).timeout) > 0 ? Number(options(fns, 0).timeout) : DEFAULTS.timeout) * 60;
		}
		if (adapter.capabilities.idempotentSubmit) {
			// Unique per execution, node and item: a re-run of this execution finds its task again.
			read.request.idempotencyKey = `n8n-${executionId}-${nodeKey}-${itemIndex}`.slice(0, 64);
		}
		results.push({
			request: read.request,
			binaries,
			meta: {
				quality: read.request.quality,
				characterOrientation: read.request.characterOrientation,
				idempotencyKey: read.request.idempotencyKey,
			},
		});
	}
	return results;
}

/**
 * Reads every item, then runs the pre-flight check (clip length and size, image, cost) and the
 * budget guard — all before the first paid call.
 */
export async function prepareRequests(rt: Runtime): Promise<ReadRequest[]> {
	const { fns, adapter } = rt;
	const requests = readRequests(fns, adapter);
	const first = options(fns, 0);
	const mode = (['off', 'on', 'strict'].includes(String(first.preflight)) ? first.preflight : 'on') as PreflightMode;
	const estimates = new Map<number, number | null>();
	const queue = requests.map((read, itemIndex) => ({ read, itemIndex })).filter(({ read }) => 'request' in read);
	await eachLimited(queue, PREFLIGHTS_AT_ONCE, async ({ read, itemIndex }) => {
		if (!('request' in read)) return;
		const outcome = await preflight(fns, adapter, read.request, mode, read.binaries);
		read.meta.extra = outcome.info;
		estimates.set(itemIndex, outcome.estimate?.estimatedCostUsd ?? null);
		if (outcome.failure) requests[itemIndex] = { failure: outcome.failure };
	});
	const guarded = budgetGuard(adapter, requests, estimates, Number(first.maxCostUsd ?? 0), mode);
	return await uploadBinaries(rt, guarded);
}

/** Uploads the files of the items that passed every check, then puts their URLs in the requests. */
async function uploadBinaries(rt: Runtime, requests: ReadRequest[]): Promise<ReadRequest[]> {
	const queue = requests
		.map((read, itemIndex) => ({ read, itemIndex }))
		.filter(({ read }) => 'request' in read && Object.keys(read.binaries).length > 0);
	await eachLimited(queue, UPLOADS_AT_ONCE, async ({ read, itemIndex }) => {
		if (!('request' in read)) return;
		const uploaded = await uploadAll(rt, read).then(
			() => undefined,
			(error: unknown) => error,
		);
		if (uploaded instanceof TaskFailure) requests[itemIndex] = { failure: uploaded };
		else if (uploaded !== undefined) {
			requests[itemIndex] = {
				failure: new TaskFailure(`Upload failed: ${String(uploaded)}`, { provider: rt.adapter.id, status: 'notSubmitted' }, 'api'),
			};
		}
	});
	return requests;
}

async function uploadAll(rt: Runtime, read: ValidRequest): Promise<void> {
	for (const input of Object.values(read.binaries)) {
		const url = await uploadInput(rt.fns, rt.adapter, rt.ctx, input);
		if (input.kind === 'image') read.request.imageUrl = url;
		else read.request.videoUrl = url;
		input.buffer = undefined;
	}
}

function budgetGuard(
	adapter: ProviderAdapter,
	requests: ReadRequest[],
	estimates: Map<number, number | null>,
	maxCostUsd: number,
	mode: PreflightMode,
): ReadRequest[] {
	if (!(maxCostUsd > 0)) return requests;
	const pending = requests.map((read, itemIndex) => ({ read, itemIndex })).filter(({ read }) => 'request' in read);
	const lines = pending.map(({ itemIndex }) => {
		const estimate = estimates.get(itemIndex);
		return `item ${itemIndex}: ${estimate === null || estimate === undefined ? 'unknown' : `$${estimate.toFixed(3)}`}`;
	});
	const total = pending.reduce((sum, { itemIndex }) => sum + (estimates.get(itemIndex) ?? 0), 0);
	const unknown = pending.some(({ itemIndex }) => estimates.get(itemIndex) === null);
	let reason: string | undefined;
	if (total > maxCostUsd) {
		reason = `The estimated cost of this run, $${total.toFixed(2)}, is over Max Cost (USD) $${maxCostUsd.toFixed(2)}: nothing was submitted.`;
	} else if (unknown && mode === 'strict') {
		reason = `Max Cost (USD) is set, pre-flight is strict, and ${adapter.displayName} publishes no price for some items: nothing was submitted.`;
	}
	if (!reason) return requests;
	const message = `${reason} Estimates per item: ${lines.join(', ')}. Raise Max Cost, or send fewer or shorter clips.`;
	return requests.map((read) =>
		'request' in read ? { failure: new TaskFailure(message, { provider: adapter.id, status: 'notSubmitted' }, 'operation') } : read,
	);
}
