import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
} from 'n8n-workflow';

import type { ProviderAdapter, ProviderContext, RequestSpec } from '../providers/types';

export interface HttpResult {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
	/** The body was not valid JSON (an HTML error page, a truncated answer…). */
	invalidJson: boolean;
}

export type NetworkFailure = 'aborted' | 'notSent' | 'unknown';

/** A request that got no HTTP answer. `notSent` means it provably never reached the provider. */
export class NetworkError extends Error {
	constructor(
		message: string,
		readonly failure: NetworkFailure,
		readonly code?: string,
	) {
		super(message);
		this.name = 'NetworkError';
	}
}

// Errors raised before a single byte left the machine: safe to send again.
const NOT_SENT_CODES = new Set([
	'EAI_AGAIN',
	'ECONNREFUSED',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'ERR_INVALID_URL',
]);

function findCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const object = current as { code?: unknown; cause?: unknown; errorResponse?: unknown };
		if (typeof object.code === 'string' && /^[A-Z_]+$/.test(object.code)) return object.code;
		current = object.cause ?? object.errorResponse;
	}
	return undefined;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

// The credential is resolved once per execution and handed to n8n's request helper with every call,
// instead of n8n resolving it again per request (hundreds of polls in a batch).
const resolvedCredentials = new WeakMap<IExecuteFunctions, ICredentialDataDecryptedObject>();

export async function getProviderContext(
	fns: IExecuteFunctions,
	adapter: ProviderAdapter,
): Promise<ProviderContext> {
	const credentials = await fns.getCredentials(adapter.credentialType);
	resolvedCredentials.set(fns, credentials);
	const baseUrl = String(credentials.baseUrl ?? '').trim();
	const storageBaseUrl =
		typeof credentials.storageBaseUrl === 'string' ? credentials.storageBaseUrl.trim() : undefined;
	return { baseUrl, storageBaseUrl };
}

function parseBody(text: unknown): { body: unknown; invalidJson: boolean } {
	if (typeof text !== 'string') return { body: text, invalidJson: false };
	if (text.trim() === '') return { body: undefined, invalidJson: false };
	try {
		return { body: JSON.parse(text), invalidJson: false };
	} catch (error) {
		// Kept as text: an HTML error page or a truncated answer is reported, never parsed further.
		return { body: text, invalidJson: error instanceof SyntaxError };
	}
}

/**
 * The one place that talks to a provider. Every call carries the user's credential through
 * n8n's own helper (proxies, credential injection, SSRF rules) and never throws for an HTTP
 * status: the caller decides what a 429 or a 503 means for a submit versus a poll.
 */
export async function callProvider(
	fns: IExecuteFunctions,
	adapter: ProviderAdapter,
	spec: RequestSpec,
	timeoutMs: number,
	/** A non-JSON body (multipart form data for uploads). */
	rawBody?: IHttpRequestOptions['body'],
): Promise<HttpResult | NetworkError> {
	const options: IHttpRequestOptions = {
		method: spec.method,
		url: spec.url,
		qs: spec.qs,
		headers: spec.headers,
		body: rawBody ?? spec.body,
		json: true,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: Math.max(1000, Math.round(timeoutMs)),
		// Never let a redirect carry the provider key to another host.
		sendCredentialsOnCrossOriginRedirect: false,
	};
	const signal = fns.getExecutionCancelSignal();
	const data = resolvedCredentials.get(fns);
	const outcome = await fns.helpers.httpRequestWithAuthentication
		.call(
			fns,
			adapter.credentialType,
			options,
			data
				? { credentialsDecrypted: { id: '', name: adapter.credentialType, type: adapter.credentialType, data: { ...data } } }
				: undefined,
		)
		.then(
			(response) => ({ response: response as { statusCode: number; headers: IDataObject; body: unknown } }),
			(error: unknown) => ({ error }),
		);
	if ('error' in outcome) {
		// No HTTP answer at all: say whether the request provably never left (safe to send again).
		if (signal?.aborted) return new NetworkError('The execution was stopped', 'aborted');
		const code = findCode(outcome.error);
		const failure: NetworkFailure = code && NOT_SENT_CODES.has(code) ? 'notSent' : 'unknown';
		return new NetworkError(messageOf(outcome.error), failure, code);
	}
	const { response } = outcome;
	const { body, invalidJson } = parseBody(response.body);
	// Kie.ai reports most errors as HTTP 200 with the status in the envelope: act on that one.
	const statusCode =
		adapter.envelopeStatus && !invalidJson ? adapter.envelopeStatus(response.statusCode, body) : response.statusCode;
	return { statusCode, headers: response.headers ?? {}, body, invalidJson };
}

/** Retry-After in milliseconds (seconds or an HTTP date), if the response carries one. */
export function retryAfterMs(headers: IDataObject, now: number): number | undefined {
	const raw = headers['retry-after'] ?? headers['Retry-After'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
