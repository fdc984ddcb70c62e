import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { TaskFailure } from '../engine/errors';
import type { TaskMeta } from '../engine/output';
import { buildRequest } from '../engine/validate';
import type { MotionControlRequest, ProviderAdapter } from '../providers/types';
import { options } from './context';

export type ReadRequest = { request: MotionControlRequest; meta: TaskMeta } | { failure: TaskFailure };

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
		const read = buildRequest(adapter, {
			imageUrl: fns.getNodeParameter('imageUrl', itemIndex, ''),
			videoUrl: fns.getNodeParameter('videoUrl', itemIndex, ''),
			characterOrientation: fns.getNodeParameter('characterOrientation', itemIndex, ''),
			quality: fns.getNodeParameter('quality', itemIndex, ''),
			prompt: fns.getNodeParameter('prompt', itemIndex, ''),
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
		if (adapter.capabilities.idempotentSubmit) {
			// Unique per execution, node and item: a re-run of this execution finds its task again.
			read.request.idempotencyKey = `n8n-${executionId}-${nodeKey}-${itemIndex}`.slice(0, 64);
		}
		results.push({
			request: read.request,
			meta: {
				quality: read.request.quality,
				characterOrientation: read.request.characterOrientation,
				idempotencyKey: read.request.idempotencyKey,
			},
		});
	}
	return results;
}
