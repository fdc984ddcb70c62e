import type { IExecuteFunctions } from 'n8n-workflow';

type StaticEntry = { fixed: false } | { fixed: true; value?: unknown; read: boolean };
const paramCache = new WeakMap<IExecuteFunctions, Map<string, StaticEntry>>();

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/**
 * getNodeParameter, resolved once per execution when the parameter holds no expression: a batch of
 * hundreds would otherwise run n8n's parameter resolution hundreds of times for one fixed value.
 * A parameter with an expression anywhere in it is resolved per item, as usual.
 */
export function param<T>(fns: IExecuteFunctions, name: string, itemIndex: number, fallback: T): T {
	let cache = paramCache.get(fns);
	if (!cache) {
		cache = new Map();
		paramCache.set(fns, cache);
	}
	let entry = cache.get(name);
	if (!entry) {
		entry = hasExpression(fns.getNode().parameters[name]) ? { fixed: false } : { fixed: true, read: false };
		cache.set(name, entry);
	}
	if (!entry.fixed) return fns.getNodeParameter(name, itemIndex, fallback) as T;
	if (!entry.read) {
		entry.value = fns.getNodeParameter(name, itemIndex, fallback);
		entry.read = true;
	}
	return entry.value as T;
}
