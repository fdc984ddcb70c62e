// A tiny strict schema checker: each provider module writes its documented body as a table of these.
// Unknown fields are always rejected (the emulator is stricter than most real gateways on purpose).

export type Path = Array<string | number>;

export type IssueCode =
	| 'missing'
	| 'unknown_field'
	| 'type'
	| 'enum'
	| 'format'
	| 'too_long'
	| 'too_few'
	| 'too_many'
	| 'range'
	| 'rule';

export interface Issue {
	path: Path;
	code: IssueCode;
	message: string;
}

export type UrlFormat =
	/** http(s) URL */
	| 'url'
	/** https URL only */
	| 'https'
	/** http(s) URL or a data: URI */
	| 'url-or-data'
	/** http(s) URL or raw base64 without a data: prefix (Kling image_url) */
	| 'url-or-base64';

interface Base {
	required?: boolean;
}
export interface StringSpec extends Base {
	kind: 'string';
	enum?: readonly string[];
	format?: UrlFormat;
	maxLength?: number;
}
export interface BooleanSpec extends Base {
	kind: 'boolean';
}
export interface IntegerSpec extends Base {
	kind: 'integer';
	/** A Java `long`: a JSON integer, or — only beyond 2^53, which JSON numbers in JS cannot carry — a digit string (Jackson coerces it) [I]. */
	orDigitString?: boolean;
	min?: number;
	max?: number;
}
export interface ArraySpec extends Base {
	kind: 'array';
	items: Spec;
	minItems?: number;
	maxItems?: number;
}
export interface ObjectSpec extends Base {
	kind: 'object';
	fields: Record<string, Spec>;
}
/** A value that may be one thing or a list of it (EvoLink `image_urls: string | string[]`). */
export interface OneOrManySpec extends Base {
	kind: 'oneOrMany';
	items: Spec;
	minItems?: number;
	maxItems?: number;
}
export type Spec = StringSpec | BooleanSpec | IntegerSpec | ArraySpec | ObjectSpec | OneOrManySpec;

// ---------- builders, so schemas read like the docs' tables ----------
type Opt<T> = Omit<T, 'kind'>;
export const str = (o: Opt<StringSpec> = {}): StringSpec => ({ kind: 'string', ...o });
export const url = (o: Opt<StringSpec> = {}): StringSpec => ({ kind: 'string', format: 'url', ...o });
export const bool = (o: Opt<BooleanSpec> = {}): BooleanSpec => ({ kind: 'boolean', ...o });
export const int = (o: Opt<IntegerSpec> = {}): IntegerSpec => ({ kind: 'integer', ...o });
export const arr = (items: Spec, o: Omit<Opt<ArraySpec>, 'items'> = {}): ArraySpec => ({ kind: 'array', items, ...o });
export const obj = (fields: Record<string, Spec>, o: Omit<Opt<ObjectSpec>, 'fields'> = {}): ObjectSpec => ({
	kind: 'object',
	fields,
	...o,
});
export const oneOrMany = (items: Spec, o: Omit<Opt<OneOrManySpec>, 'items'> = {}): OneOrManySpec => ({
	kind: 'oneOrMany',
	items,
	...o,
});
export const required = <T extends Spec>(s: T): T => ({ ...s, required: true });

export const ORIENTATIONS = ['image', 'video'] as const;

export function pathText(path: Path): string {
	return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function typeName(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'array';
	return typeof v;
}

export function isHttpUrl(v: string, httpsOnly = false): boolean {
	try {
		const u = new URL(v);
		return (u.protocol === 'https:' || (!httpsOnly && u.protocol === 'http:')) && u.hostname.length > 0;
	} catch {
		return false;
	}
}

function checkFormat(v: string, format: UrlFormat): string | undefined {
	switch (format) {
		case 'url':
			return isHttpUrl(v) ? undefined : 'must be an http(s) URL';
		case 'https':
			return isHttpUrl(v, true) ? undefined : 'must be an https URL';
		case 'url-or-data':
			return isHttpUrl(v) || /^data:[\w.+-]+\/[\w.+-]+(;[\w=.+-]+)*;base64,[A-Za-z0-9+/=]+$/.test(v)
				? undefined
				: 'must be an http(s) URL or a data: URI';
		case 'url-or-base64':
			if (isHttpUrl(v)) return undefined;
			if (v.startsWith('data:')) return 'must be a URL or raw base64 without a data: prefix';
			return /^[A-Za-z0-9+/]+={0,2}$/.test(v.replace(/\s/g, '')) && v.length >= 16
				? undefined
				: 'must be an http(s) URL or base64 data';
	}
}

/** All issues of `value` against `spec`, depth first, in field order. */
export function validate(spec: Spec, value: unknown, path: Path = []): Issue[] {
	const name = pathText(path) || 'body';
	const issue = (code: IssueCode, message: string): Issue[] => [{ path, code, message: `${name} ${message}` }];
	switch (spec.kind) {
		case 'string': {
			if (typeof value !== 'string') return issue('type', `must be a string (got ${typeName(value)})`);
			if (spec.enum && !spec.enum.includes(value))
				return issue('enum', `must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')} (got ${JSON.stringify(value)})`);
			if (spec.maxLength !== undefined && value.length > spec.maxLength)
				return issue('too_long', `must be at most ${spec.maxLength} characters (got ${value.length})`);
			const bad = spec.format && checkFormat(value, spec.format);
			return bad ? issue('format', bad) : [];
		}
		case 'boolean':
			return typeof value === 'boolean' ? [] : issue('type', `must be a boolean (got ${typeName(value)})`);
		case 'integer':
			// Only where a JSON number cannot carry it exactly: a small id as a string is still a type error.
			if (spec.orDigitString && typeof value === 'string' && /^\d{16,19}$/.test(value) && !Number.isSafeInteger(Number(value))) return [];
			if (typeof value !== 'number' || !Number.isInteger(value)) return issue('type', `must be an integer (got ${typeName(value)})`);
			if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
				return issue('range', `must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'} (got ${value})`);
			return [];
		case 'array':
		case 'oneOrMany': {
			if (spec.kind === 'oneOrMany' && !Array.isArray(value)) return validate(spec.items, value, path);
			if (!Array.isArray(value)) return issue('type', `must be an array (got ${typeName(value)})`);
			if (spec.minItems !== undefined && value.length < spec.minItems)
				return issue('too_few', `must have at least ${spec.minItems} item(s) (got ${value.length})`);
			if (spec.maxItems !== undefined && value.length > spec.maxItems)
				return issue('too_many', `must have at most ${spec.maxItems} item(s) (got ${value.length})`);
			return value.flatMap((v, i) => validate(spec.items, v, [...path, i]));
		}
		case 'object': {
			if (typeof value !== 'object' || value === null || Array.isArray(value))
				return issue('type', `must be an object (got ${typeName(value)})`);
			const rec = value as Record<string, unknown>;
			const out: Issue[] = [];
			for (const [key, fieldSpec] of Object.entries(spec.fields)) {
				if (rec[key] === undefined) {
					if (fieldSpec.required) {
						const p = [...path, key];
						out.push({ path: p, code: 'missing', message: `${pathText(p)} is required` });
					}
					continue;
				}
				out.push(...validate(fieldSpec, rec[key], [...path, key]));
			}
			for (const key of Object.keys(rec)) {
				if (!(key in spec.fields)) {
					const p = [...path, key];
					out.push({ path: p, code: 'unknown_field', message: `${pathText(p)} is not a documented field` });
				}
			}
			return out;
		}
	}
}

export function rule(path: Path, message: string): Issue {
	return { path, code: 'rule', message };
}

/** Read a nested value (for cross-field rules). */
export function at(value: unknown, ...path: string[]): unknown {
	let v: unknown = value;
	for (const p of path) {
		if (typeof v !== 'object' || v === null) return undefined;
		v = (v as Record<string, unknown>)[p];
	}
	return v;
}

/** Stable JSON with sorted keys, for duplicate detection. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const rec = value as Record<string, unknown>;
		return `{${Object.keys(rec)
			.sort()
			.filter((k) => rec[k] !== undefined)
			.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}
