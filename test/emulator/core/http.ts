// HTTP plumbing shared by both listeners: request context, JSON replies, multipart, byte ranges.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

import type { RecordedRequest, Reply } from './types';

export interface Ctx {
	req: IncomingMessage;
	res: ServerResponse;
	method: string;
	/** Path below the provider prefix, without query. */
	path: string;
	query: URLSearchParams;
	rawBody: Buffer;
	/** Parsed JSON body; undefined when absent or unparsable (see jsonError). */
	json: unknown;
	jsonError?: string;
	record: RecordedRequest;
}

const MAX_BODY = 512 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const b = chunk as Buffer;
		size += b.length;
		if (size > MAX_BODY) throw new Error('body too large');
		chunks.push(b);
	}
	return Buffer.concat(chunks);
}

export function parseJsonBody(raw: Buffer, contentType: string | undefined): { json?: unknown; error?: string } {
	if (raw.length === 0) return {};
	if (contentType && /multipart\/form-data/i.test(contentType)) return {};
	const text = raw.toString('utf8');
	try {
		return { json: JSON.parse(text) };
	} catch (e) {
		return { error: (e as Error).message };
	}
}

export function queryObject(q: URLSearchParams): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of q) out[k] = v;
	return out;
}

export function isOpen(res: ServerResponse): boolean {
	return !res.writableEnded && !res.destroyed;
}

export function send(res: ServerResponse, reply: Reply): void {
	if (!isOpen(res)) return;
	const contentType = reply.contentType ?? 'application/json';
	const text =
		typeof reply.body === 'string' || Buffer.isBuffer(reply.body)
			? reply.body
			: reply.body === undefined
				? ''
				: JSON.stringify(reply.body);
	res.writeHead(reply.status, {
		'content-type': contentType.includes('charset') || !contentType.includes('json') ? contentType : `${contentType}; charset=utf-8`,
		'content-length': Buffer.byteLength(text),
		...(reply.headers ?? {}),
	});
	res.end(text);
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

/** Destroy the connection without an answer (a reset as the client sees it). */
export function resetSocket(ctx: Ctx): void {
	ctx.req.socket.destroy();
}

// ---------- multipart/form-data ----------

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export function parseMultipart(raw: Buffer, contentType: string | undefined): MultipartPart[] | undefined {
	const m = contentType && /multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!m) return undefined;
	const boundary = Buffer.from(`--${(m[1] ?? m[2]).trim()}`);
	const parts: MultipartPart[] = [];
	let pos = raw.indexOf(boundary);
	if (pos < 0) return undefined;
	for (;;) {
		pos += boundary.length;
		if (raw.slice(pos, pos + 2).toString() === '--') break; // closing boundary
		if (raw.slice(pos, pos + 2).toString() === '\r\n') pos += 2;
		const headerEnd = raw.indexOf('\r\n\r\n', pos);
		if (headerEnd < 0) return undefined;
		const headerText = raw.slice(pos, headerEnd).toString('utf8');
		const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4);
		if (next < 0) return undefined;
		const data = raw.slice(headerEnd + 4, next);
		const disposition = /content-disposition:([^\r\n]*)/i.exec(headerText)?.[1] ?? '';
		const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
		const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
		const type = /content-type:\s*([^\r\n]*)/i.exec(headerText)?.[1]?.trim();
		if (name !== undefined) parts.push({ name, filename, contentType: type, data });
		pos = next + 2;
	}
	return parts;
}

// ---------- virtual files with byte ranges ----------

/** A file whose bytes are produced on demand, so large files are streamed and never allocated. */
export interface VirtualFile {
	size: number;
	contentType: string;
	/** Bytes [start, end] inclusive, as chunks. */
	read(start: number, end: number): Iterable<Buffer>;
	etag?: string;
}

export function bufferFile(data: Buffer, contentType: string): VirtualFile {
	return {
		size: data.length,
		contentType,
		*read(start: number, end: number) {
			yield data.subarray(start, end + 1);
		},
	};
}

type RangeResult = { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

export function parseRange(header: string | undefined, size: number): RangeResult {
	if (!header) return { kind: 'none' };
	const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' }; // multi-range or junk: send it all
	if (m[1] === '') {
		const n = Number(m[2]);
		if (n === 0) return { kind: 'unsatisfiable' };
		return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
	}
	const start = Number(m[1]);
	const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
	if (start >= size || end < start) return { kind: 'unsatisfiable' };
	return { kind: 'range', start, end };
}

/** Serve a virtual file: HEAD, Range (206/416) unless `rangeSupport` is false. Returns whether Range was honoured. */
export function serveFile(
	req: IncomingMessage,
	res: ServerResponse,
	file: VirtualFile,
	opts: { rangeSupport?: boolean; headers?: Record<string, string> } = {},
): void {
	const rangeSupport = opts.rangeSupport !== false;
	const range = rangeSupport ? parseRange(req.headers.range, file.size) : ({ kind: 'none' } as RangeResult);
	const common: Record<string, string | number> = {
		'content-type': file.contentType,
		...(rangeSupport ? { 'accept-ranges': 'bytes' } : { 'accept-ranges': 'none' }),
		...(file.etag ? { etag: file.etag } : {}),
		...(opts.headers ?? {}),
	};
	if (range.kind === 'unsatisfiable') {
		res.writeHead(416, { ...common, 'content-range': `bytes */${file.size}`, 'content-length': 0 });
		res.end();
		return;
	}
	let start = 0;
	let end = file.size - 1;
	if (range.kind === 'range') {
		start = range.start;
		end = range.end;
		res.writeHead(206, { ...common, 'content-range': `bytes ${start}-${end}/${file.size}`, 'content-length': end - start + 1 });
	} else {
		res.writeHead(200, { ...common, 'content-length': file.size });
	}
	if (req.method === 'HEAD' || file.size === 0) {
		res.end();
		return;
	}
	const stream = Readable.from(file.read(start, end), { objectMode: false });
	stream.on('error', () => res.destroy());
	res.on('close', () => stream.destroy());
	stream.pipe(res);
}
