// Small helpers: ids, routing, auth headers, media parameters.
import { randomBytes, randomUUID } from 'node:crypto';

import type { Engine } from './engine';
import type { Ctx } from './http';
import { send } from './http';
import type { ErrorShapes, ProviderId, Reply } from './types';

export const ids = {
	hex: (bytes: number): string => randomBytes(bytes).toString('hex'),
	uuid: (): string => randomUUID(),
	/** lowercase base32-ish, like Replicate prediction ids */
	base32: (len: number): string => {
		const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
		const b = randomBytes(len);
		let s = '';
		for (let i = 0; i < len; i++) s += alphabet[b[i] % 32];
		return s;
	},
	digits: (len: number): string => {
		const b = randomBytes(len);
		let s = String(1 + (b[0] % 9));
		for (let i = 1; i < len; i++) s += String(b[i] % 10);
		return s;
	},
};

export interface RouteDef {
	method: string;
	path: RegExp;
	run: (ctx: Ctx, match: RegExpExecArray) => Promise<void> | void;
	/** A submit: refusals (auth, validation, limits) count in submitsRejected. */
	submit?: boolean;
	/** No authentication required. */
	public?: boolean;
}

export interface ServeSpec {
	provider: ProviderId;
	routes: RouteDef[];
	errors: ErrorShapes;
	/** undefined when the request is authenticated, else the provider's 401 (or similar) answer. */
	authorize(ctx: Ctx): Reply | undefined;
}

/** Route a provider request: authenticate, then run the matching route or answer the provider's 404. */
export async function serve(engine: Engine, ctx: Ctx, spec: ServeSpec): Promise<void> {
	let found: { route: RouteDef; match: RegExpExecArray } | undefined;
	for (const route of spec.routes) {
		if (route.method !== ctx.method && !(route.method === 'GET' && ctx.method === 'HEAD')) continue;
		const match = route.path.exec(ctx.path);
		if (match) {
			found = { route, match };
			break;
		}
	}
	if (!found?.route.public) {
		const denied = spec.authorize(ctx);
		if (denied) {
			if (found?.route.submit) engine.rejectSubmit(ctx, spec.provider, denied);
			else send(ctx.res, denied);
			return;
		}
	}
	if (!found) {
		send(ctx.res, spec.errors.notFound());
		return;
	}
	await found.route.run(ctx, found.match);
}

/** `Authorization: <scheme> <token>`; the scheme is case-insensitive (RFC 9110). */
export function authToken(ctx: Ctx, scheme: string): string | undefined {
	const h = ctx.req.headers.authorization;
	if (!h) return undefined;
	const m = /^(\S+)\s+(.+)$/.exec(h.trim());
	if (!m || m[1].toLowerCase() !== scheme.toLowerCase()) return undefined;
	return m[2].trim();
}

export function isoTime(ms: number): string {
	return new Date(ms).toISOString();
}

export function unixSeconds(ms: number): number {
	return Math.floor(ms / 1000);
}

/** What the emulator knows about a reference video URL (only emulator media URLs carry it). */
export function mediaParams(raw: string | undefined): { duration?: number; width?: number; height?: number } {
	if (!raw) return {};
	try {
		const u = new URL(raw);
		if (!/\/media\/[^/]+\.(mp4|mov)$/i.test(u.pathname)) return {};
		const n = (k: string): number | undefined => {
			const v = u.searchParams.get(k);
			return v !== null && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : undefined;
		};
		return { duration: n('duration'), width: n('w'), height: n('h') };
	} catch {
		return {};
	}
}

export function round(n: number, digits: number): number {
	const f = 10 ** digits;
	return Math.round(n * f) / f;
}
