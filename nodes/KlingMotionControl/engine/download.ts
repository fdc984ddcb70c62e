import type { IBinaryData, IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ProviderAdapter, ProviderContext } from '../providers/types';
import { TaskFailure } from './errors';

const DOWNLOAD_TIMEOUT_MS = 30 * 60 * 1000;

function header(headers: IDataObject, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return typeof value === 'string' ? value : undefined;
}

async function drain(body: unknown): Promise<void> {
	const stream = body as { resume?: () => void } | undefined;
	if (stream && typeof stream.resume === 'function') stream.resume();
}

/**
 * Streams one output video into n8n's binary storage. A file host is not the provider's API, so
 * that is a plain request: the provider key never travels to a CDN.
 */
export async function downloadVideo(
	fns: IExecuteFunctions,
	adapter: ProviderAdapter,
	url: string,
	taskId: string,
	fileName: string,
	ctx: ProviderContext,
): Promise<IBinaryData> {
	const options: IHttpRequestOptions = {
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: DOWNLOAD_TIMEOUT_MS,
		abortSignal: fns.getExecutionCancelSignal(),
		sendCredentialsOnCrossOriginRedirect: false,
	};
	// Only an output on the provider's own API host (the adapter says which) gets the key; never a CDN.
	const request = adapter.downloadNeedsKey?.(url, ctx)
		? fns.helpers.httpRequestWithAuthentication.call(fns, adapter.credentialType, options)
		: fns.helpers.httpRequest(options);
	const outcome = await request
		.then(
			(response) => ({ response: response as { statusCode: number; headers: IDataObject; body: unknown } }),
			(error: unknown) => ({ error }),
		);
	if ('error' in outcome) {
		const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
		throw new TaskFailure(
			`Task ${taskId} completed, but downloading its video failed: ${reason}. The video URL is in the error details; download it before it expires.`,
			{ provider: adapter.id, taskId, status: 'completed', videoUrls: [url] },
			'api',
		);
	}
	const { response } = outcome;
	if (response.statusCode === 404 || response.statusCode === 410) {
		await drain(response.body);
		throw new TaskFailure(
			`Task ${taskId} completed, but its video is no longer available (HTTP ${response.statusCode}): ${adapter.displayName} output links expire. Run the task again, and turn on Download Video to keep the file.`,
			{ provider: adapter.id, taskId, status: 'completed', videoUrls: [url], httpCode: response.statusCode },
			'api',
		);
	}
	if (response.statusCode >= 400) {
		await drain(response.body);
		throw new TaskFailure(
			`Task ${taskId} completed, but downloading its video answered HTTP ${response.statusCode}. The video URL is in the error details.`,
			{ provider: adapter.id, taskId, status: 'completed', videoUrls: [url], httpCode: response.statusCode },
			'api',
		);
	}
	const contentType = header(response.headers, 'content-type')?.split(';')[0].trim();
	const mimeType = contentType && contentType.startsWith('video/') ? contentType : 'video/mp4';
	return await fns.helpers.prepareBinaryData(response.body as Buffer, fileName, mimeType);
}
