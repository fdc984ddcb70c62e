import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

/**
 * `Authorization: <scheme> <apiKey>`, as a function rather than a generic expression: n8n calls it
 * directly for every request instead of evaluating an expression each time (hundreds of status
 * checks in a batch).
 */
export function apiKeyHeader(scheme: 'Bearer' | 'Key') {
	return async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		requestOptions.headers = {
			...(requestOptions.headers ?? {}),
			Authorization: `${scheme} ${String(credentials.apiKey ?? '')}`,
		};
		return requestOptions;
	};
}
