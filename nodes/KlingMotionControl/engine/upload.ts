import type { IBinaryData, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { MediaKind, ProviderAdapter, ProviderContext, UploadFile, UploadPlan, UploadSlot } from '../providers/types';
import { apiFailure, TaskFailure } from './errors';
import { callProvider, NetworkError } from './transport';

/** A file from an earlier node, as the node found it on the input item. */
export interface BinaryInput {
	kind: MediaKind;
	itemIndex: number;
	property: string;
	meta: IBinaryData;
	file: UploadFile;
	/** Read once for pre-flight, reused for multipart/base64 uploads. */
	buffer?: Buffer;
}

const UPLOAD_TIMEOUT_MS = 10 * 60 * 1000;

function uploadFailure(adapter: ProviderAdapter, input: BinaryInput, reason: string): TaskFailure {
	return new TaskFailure(
		`Uploading the ${input.kind} "${input.file.fileName}" to ${adapter.displayName} failed: ${reason}. Nothing was submitted.`,
		{ provider: adapter.id, status: 'notSubmitted' },
		'api',
	);
}

export async function readBuffer(fns: IExecuteFunctions, input: BinaryInput): Promise<Buffer> {
	input.buffer ??= await fns.helpers.getBinaryDataBuffer(input.itemIndex, input.property);
	return input.buffer;
}

/**
 * Puts one file where the provider can read it, through the provider's own upload API, and returns
 * what to send in place of the URL. Runs before the submit: an upload costs nothing.
 */
export async function uploadInput(
	fns: IExecuteFunctions,
	adapter: ProviderAdapter,
	ctx: ProviderContext,
	input: BinaryInput,
): Promise<string> {
	let plan = adapter.buildUpload!(input.file, ctx);
	if (plan.type === 'presigned' && plan.needsSize && input.file.size === undefined) {
		// The binary metadata has no size (rare: n8n 2.x stores it): read the file once to learn it.
		input.file.size = (await readBuffer(fns, input)).length;
		plan = adapter.buildUpload!(input.file, ctx);
	}
	return await perform(fns, adapter, input, plan);
}

async function perform(fns: IExecuteFunctions, adapter: ProviderAdapter, input: BinaryInput, plan: UploadPlan): Promise<string> {
	if (plan.type === 'inlineBase64') {
		return (await readBuffer(fns, input)).toString('base64');
	}
	const during = { during: `uploading the ${input.kind}` };
	if (plan.type === 'multipart') {
		const form = new FormData();
		for (const [key, value] of Object.entries(plan.fields ?? {})) form.append(key, value);
		const bytes = await readBuffer(fns, input);
		form.append(plan.field, new Blob([bytes], { type: input.file.mimeType }), input.file.fileName);
		const response = await callProvider(fns, adapter, plan.request, UPLOAD_TIMEOUT_MS, form as unknown as IHttpRequestOptions['body']);
		if (response instanceof NetworkError) throw uploadFailure(adapter, input, response.message);
		if (response.statusCode >= 400) throw apiFailure(adapter, response.statusCode, response.body, during);
		return parsed(adapter, input, () => plan.parseUrl(response.body));
	}
	const answer = await callProvider(fns, adapter, plan.initiate, 60_000);
	if (answer instanceof NetworkError) throw uploadFailure(adapter, input, answer.message);
	// The slot endpoint is not there (older deployment, a gateway that forwards only the older path): the fallback.
	if (plan.fallback?.statuses.includes(answer.statusCode)) return await perform(fns, adapter, input, plan.fallback.plan);
	if (answer.statusCode >= 400) throw apiFailure(adapter, answer.statusCode, answer.body, during);
	const slot = parsed(adapter, input, () => plan.parseSlot(answer.body));
	await putFile(fns, adapter, input, slot);
	return slot.fileUrl;
}

/** An upload answer without the documented fields is an upload failure (nothing was submitted). */
function parsed<T>(adapter: ProviderAdapter, input: BinaryInput, read: () => T): T {
	try {
		return read();
	} catch (error) {
		throw uploadFailure(adapter, input, error instanceof Error ? error.message : String(error));
	}
}

/** The raw bytes to a signed upload URL: streamed from n8n's binary storage, no provider key. */
async function putFile(fns: IExecuteFunctions, adapter: ProviderAdapter, input: BinaryInput, slot: UploadSlot): Promise<void> {
	const body = input.buffer ?? (input.meta.id ? await fns.helpers.getBinaryStream(input.meta.id) : await readBuffer(fns, input));
	const size = input.buffer?.length ?? input.file.size;
	const outcome = await fns.helpers
		.httpRequest({
			method: 'PUT',
			url: slot.uploadUrl,
			body: body as IHttpRequestOptions['body'],
			headers: {
				...(size !== undefined ? { 'Content-Length': String(size) } : {}),
				// The provider's prescribed headers go as given (a signed URL may sign them); else the file's type.
				...(slot.headers ?? { 'Content-Type': input.file.mimeType }),
			},
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: UPLOAD_TIMEOUT_MS,
			abortSignal: fns.getExecutionCancelSignal(),
		})
		.then(
			(response) => ({ response: response as { statusCode: number } }),
			(error: unknown) => ({ error }),
		);
	if ('error' in outcome) throw uploadFailure(adapter, input, outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
	if (outcome.response.statusCode >= 400) throw uploadFailure(adapter, input, `the upload URL answered HTTP ${outcome.response.statusCode}`);
}
