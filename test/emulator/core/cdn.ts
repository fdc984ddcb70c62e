// The second listener (a different origin): output files, input media for pre-flight probing, uploads.
//   GET|HEAD /files/<provider>/<taskId>[.N].mp4        output videos (Range supported; .N = N-th output, N ≥ 2)
//   GET|HEAD /media/<name>.mp4|.mov?duration=&w=&h=&moov=end&norange=1&format=mov&bytes=N&status=N
//   GET|HEAD /media/<name>.png?w=&h=
//   GET|HEAD /uploads/<id>                             uploaded bytes, byte-exact
//   PUT      /falUpload/<token>                        fal presigned upload target (no auth)
//   PUT      /wsUpload/<token>                         WaveSpeed media/uploads target (no auth; size and ticket headers must match)
import type { IncomingMessage, ServerResponse } from 'node:http';

import { mp4File, png } from '../mp4';
import type { Engine } from './engine';
import { bufferFile, send, serveFile } from './http';
import type { ProviderId, RecordedRequest } from './types';
import { PROVIDER_IDS } from './types';

const pngCache = new Map<string, Buffer>();

function notFound(res: ServerResponse, what = 'Not Found'): void {
	send(res, { status: 404, contentType: 'text/plain', body: what });
}

export async function handleCdn(engine: Engine, req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://cdn.local');
	const method = req.method ?? 'GET';
	const record: RecordedRequest = {
		provider: 'cdn',
		method,
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		headers: req.headers,
		body: undefined,
		bodyBytes: rawBody.length,
		at: Date.now(),
	};
	engine.requests.push(record);
	const stats = engine.stats;
	if (req.headers.authorization) stats.cdnRequestsWithAuthorization++;
	if (req.headers.range) stats.rangeRequests++;
	const read = method === 'GET' || method === 'HEAD';

	let m = /^\/files\/([A-Za-z]+)\/([A-Za-z0-9_-]+)(?:\.(\d+))?\.mp4$/.exec(url.pathname);
	if (m && read) {
		stats.fileRequests++;
		if (req.headers.authorization) stats.fileRequestsWithAuthorization++;
		const provider = m[1] as ProviderId;
		if (!PROVIDER_IDS.includes(provider)) return notFound(res);
		const task = engine.find(provider, m[2]);
		const index = m[3] ? Number(m[3]) - 1 : 0;
		if (!task || index >= task.outputs.length || engine.phase(task).status !== 'completed') return notFound(res);
		if (task.faults.expired) {
			// Prospolabs documents 410 {code:"output_expired"} after 7 days; other CDNs just lose the object.
			if (provider === 'prospolabs') return send(res, { status: 410, body: { code: 'output_expired' } });
			return notFound(res);
		}
		const file = mp4File({
			durationSeconds: task.outputSeconds,
			width: task.width,
			height: task.height,
			totalBytes: task.faults.outputBytes ?? engine.outputBytes,
		});
		return serveFile(req, res, file);
	}

	m = /^\/media\/([^/]+)\.(mp4|mov|png)$/i.exec(url.pathname);
	if (m && read) {
		stats.mediaRequests++;
		const q = url.searchParams;
		const num = (k: string, d: number): number => {
			const v = Number(q.get(k));
			return q.get(k) !== null && Number.isFinite(v) && v > 0 ? v : d;
		};
		if (q.get('status')) return send(res, { status: num('status', 404), contentType: 'text/plain', body: 'emulated media error' });
		if (m[2].toLowerCase() === 'png') {
			const key = `${num('w', 768)}x${num('h', 1024)}`;
			let data = pngCache.get(key);
			if (!data) {
				data = png({ width: num('w', 768), height: num('h', 1024) });
				if (pngCache.size > 32) pngCache.clear();
				pngCache.set(key, data);
			}
			return serveFile(req, res, bufferFile(data, 'image/png'), { rangeSupport: q.get('norange') !== '1' });
		}
		const mov = q.get('format') === 'mov' || m[2].toLowerCase() === 'mov';
		const file = mp4File({
			durationSeconds: num('duration', 5),
			width: num('w', 720),
			height: num('h', 1280),
			moovAtEnd: q.get('moov') === 'end',
			brand: mov ? 'qt  ' : 'mp42',
			totalBytes: q.get('bytes') ? num('bytes', 0) : 32 * 1024,
		});
		return serveFile(req, res, file, { rangeSupport: q.get('norange') !== '1' });
	}

	m = /^\/uploads\/([A-Za-z0-9_.-]+)$/.exec(url.pathname);
	if (m && read) {
		const upload = engine.uploads.get(m[1]);
		if (!upload) return notFound(res);
		return serveFile(req, res, bufferFile(upload.data, upload.contentType));
	}

	m = /^\/(?:falUpload|wsUpload)\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
	if (m && method === 'PUT') {
		const pending = engine.pendingUploads.get(m[1]);
		if (!pending) return send(res, { status: 403, contentType: 'text/plain', body: 'upload URL is invalid or already used' });
		// A signed URL: an API key has no business here, the declared size and the prescribed headers must match.
		if (req.headers.authorization) return send(res, { status: 400, contentType: 'text/plain', body: 'Authorization header not allowed on a signed upload URL' });
		if (pending.size !== undefined && rawBody.length !== pending.size)
			return send(res, { status: 400, contentType: 'text/plain', body: `body is ${rawBody.length} bytes; the ticket declared ${pending.size}` });
		for (const [name, value] of Object.entries(pending.headers ?? {})) {
			if (req.headers[name.toLowerCase()] !== value)
				return send(res, { status: 403, contentType: 'text/plain', body: `header ${name} must be ${JSON.stringify(value)} (signed)` });
		}
		engine.pendingUploads.delete(m[1]);
		const contentType = req.headers['content-type'] ?? pending.contentType;
		engine.uploads.set(pending.id, {
			id: pending.id,
			provider: pending.provider,
			data: rawBody,
			contentType,
			fileName: pending.fileName,
			createdAt: Date.now(),
		});
		engine.stats.uploads[pending.provider] = (engine.stats.uploads[pending.provider] ?? 0) + 1;
		return send(res, { status: 200, contentType: 'text/plain', body: '' });
	}

	notFound(res);
}
