import type { IDataObject } from 'n8n-workflow';

import type { ProviderError, TaskStatus } from './types';

/** Response bodies are untyped JSON; these helpers read them defensively at the boundary. */
export function asObject(value: unknown): IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: {};
}

export function asString(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

export function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
		return Number(value);
	}
	return undefined;
}

export function urlList(value: unknown): string[] {
	if (typeof value === 'string' && value) return [value];
	if (Array.isArray(value)) {
		return value
			.map((entry) => (typeof entry === 'string' ? entry : asString(asObject(entry).url)))
			.filter((entry): entry is string => typeof entry === 'string' && entry.length > 0);
	}
	return [];
}

export function mapStatus(
	table: Record<string, TaskStatus>,
	providerStatus: string | undefined,
): TaskStatus {
	// An unknown word is treated as still running: the timeout then names the task, nothing is lost.
	return (providerStatus !== undefined && table[providerStatus]) || 'processing';
}

export function joinUrl(baseUrl: string, path: string): string {
	return baseUrl.replace(/\/+$/, '') + path;
}

/** Thrown when a 2xx response does not have the documented shape. */
export class ResponseShapeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ResponseShapeError';
	}
}

export function requireString(value: unknown, what: string): string {
	const text = asString(value);
	if (!text) throw new ResponseShapeError(`the response has no ${what}`);
	return text;
}

/** Error bodies: `{error:{message,code}}`, `{message}`, `{detail}`, `{title,detail}` … */
export function genericError(statusCode: number, body: unknown): ProviderError {
	const object = asObject(body);
	const nested = asObject(object.error);
	const detail = object.detail;
	let detailText: string | undefined;
	if (typeof detail === 'string') detailText = detail;
	else if (Array.isArray(detail)) {
		detailText = detail
			.map((entry) => {
				const item = asObject(entry);
				const loc = Array.isArray(item.loc) ? item.loc.join('.') : '';
				return [loc, asString(item.msg)].filter(Boolean).join(': ');
			})
			.join('; ');
	}
	const message =
		asString(nested.message) ??
		asString(nested.detail) ??
		detailText ??
		asString(object.message) ??
		asString(object.status_message) ??
		asString(object.title) ??
		(typeof object.error === 'string' ? object.error : undefined) ??
		(typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : undefined) ??
		`HTTP ${statusCode}`;
	const code =
		asString(nested.code) ??
		asString(nested.type) ??
		asString(object.code) ??
		asString(object.error_type);
	return { message, code };
}
