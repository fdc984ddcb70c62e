// Provider emulator: one local HTTP server speaking each provider's documented wire protocol, plus a
// second listener (another origin) acting as the CDN for outputs, input media and uploads.
// See README.md beside this file.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { handleCdn } from './core/cdn';
import { Engine } from './core/engine';
import type { Ctx } from './core/http';
import { parseJsonBody, queryObject, readBody, send } from './core/http';
import type {
	EmulatedTask,
	EmulatorOptions,
	EmulatorStats,
	PollingReport,
	FaultSpec,
	ProviderId,
	RecordedRequest,
	SentCallback,
} from './core/types';
import { EMULATOR_KEYS, PROVIDER_IDS } from './core/types';
import { aiHubMax } from './providers/aiHubMax';
import { evoLink } from './providers/evoLink';
import { fal } from './providers/fal';
import { kie } from './providers/kie';
import { kling } from './providers/kling';
import { novita } from './providers/novita';
import { oxen } from './providers/oxen';
import { prospolabs } from './providers/prospolabs';
import { replicate } from './providers/replicate';
import { waveSpeed } from './providers/waveSpeed';

export type {
	EmulatedTask,
	EmulatorOptions,
	EmulatorStats,
	FaultSpec,
	PollError,
	ProviderId,
	RecordedRequest,
	SentCallback,
	SubmitError,
	TaskStatus,
} from './core/types';
export { EMULATOR_KEYS, EMULATOR_WEBHOOK_SECRETS, PROVIDER_IDS } from './core/types';
export { faultsFromUrl } from './core/faults';
export { klingJwt } from './providers/kling';
export { mp4, mp4File, png, probeMp4, probePng } from './mp4';
export type { Mp4Info, Mp4Options } from './mp4';

export interface Emulator {
	/** http://127.0.0.1:PORT — the API listener. */
	url: string;
	/** A second listener (different origin) serving output files, input media and uploads. */
	cdnUrl: string;
	/** What the node's credential `baseUrl` must be set to, e.g. `${url}/waveSpeed`. */
	baseUrl(provider: ProviderId): string;
	/** `${url}/falStorage` (fal credential `storageBaseUrl`). */
	falStorageBaseUrl: string;
	/** `${url}/evoLinkFiles` (stands in for https://files-api.evolink.ai). */
	evoLinkFilesBaseUrl: string;
	keys: typeof EMULATOR_KEYS;
	/** Every request to both listeners, in arrival order. */
	readonly requests: RecordedRequest[];
	/** Every callback/webhook the emulator sent. */
	readonly callbacks: SentCallback[];
	stats(): EmulatorStats;
	/** Status request timing and detection delays (see Engine.pollingReport). */
	pollingReport(): PollingReport;
	tasks(provider?: ProviderId): EmulatedTask[];
	/** Faults for tasks whose submitted image URL contains `match`. */
	setFault(match: string, fault: FaultSpec): void;
	/** Forget tasks, requests, counters, faults and uploads; restore the start options. */
	reset(): void;
	close(): Promise<void>;
	/** Time from submit to completion for tasks submitted from now on. */
	jobMs: number;
	/** Queued time for new tasks (undefined = 20% of their jobMs). */
	queuedMs: number | undefined;
	/** Default output MP4 size in bytes. */
	outputBytes: number;
	/** Non-terminal tasks per provider before submits get the provider's 429. */
	concurrencyCap: Partial<Record<ProviderId, number>>;
	/**
	 * The first step of a provider's upload API answers this HTTP status in the provider's error shape
	 * (WaveSpeed: the media/uploads ticket; the legacy binary upload keeps working). Cleared by reset().
	 */
	uploadRefusals: Partial<Record<ProviderId, number>>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

function closeServer(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
	const engine = new Engine(opts);
	for (const make of [waveSpeed, oxen, evoLink, aiHubMax, prospolabs, fal, kling, replicate, kie, novita]) engine.register(make(engine));

	const handlers = new Map<string, (ctx: Ctx) => Promise<void>>();
	for (const module of engine.providers.values()) {
		handlers.set(module.id, (ctx) => module.handle(ctx));
		for (const [prefix, handler] of Object.entries(module.prefixes ?? {})) handlers.set(prefix, handler);
	}

	const onError = (res: ServerResponse, e: unknown): void => {
		// An emulator bug or a test typo (e.g. an unknown fault word): say so loudly, never as a provider answer.
		console.error('[emulator]', e);
		send(res, { status: 500, body: { emulatorError: (e as Error).message } });
	};

	async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://api.local');
		const prefix = url.pathname.split('/')[1] ?? '';
		const handler = handlers.get(prefix);
		const path = url.pathname.slice(prefix.length + 1) || '/';
		const rawBody = await readBody(req);
		const parsed = parseJsonBody(rawBody, req.headers['content-type']);
		const record: RecordedRequest = {
			provider: handler ? prefix : 'unknown',
			method: req.method ?? 'GET',
			path: handler ? path : url.pathname,
			query: queryObject(url.searchParams),
			headers: req.headers,
			body: parsed.json,
			bodyBytes: rawBody.length,
			at: Date.now(),
		};
		engine.requests.push(record);
		if (!handler) {
			send(res, { status: 404, body: { emulatorError: `unknown provider prefix "/${prefix}"`, prefixes: [...handlers.keys()] } });
			return;
		}
		const ctx: Ctx = {
			req,
			res,
			method: record.method,
			path,
			query: url.searchParams,
			rawBody,
			json: parsed.json,
			jsonError: parsed.error ?? (rawBody.length === 0 ? 'empty body' : undefined),
			record,
		};
		await handler(ctx);
	}

	const host = opts.host ?? '127.0.0.1';
	const api = createServer((req, res) => void handleApi(req, res).catch((e) => onError(res, e)));
	const cdn = createServer((req, res) => {
		void readBody(req)
			.then((raw) => handleCdn(engine, req, res, raw))
			.catch((e) => onError(res, e));
	});
	const apiPort = await listen(api, opts.port ?? 0, host);
	const cdnPort = await listen(cdn, opts.cdnPort ?? (opts.port ? opts.port + 1 : 0), host);
	const urlHost = host.includes(':') ? `[${host}]` : host;
	engine.apiUrl = `http://${urlHost}:${apiPort}`;
	engine.cdnUrl = `http://${urlHost}:${cdnPort}`;

	return {
		url: engine.apiUrl,
		cdnUrl: engine.cdnUrl,
		baseUrl: (provider) => {
			if (!PROVIDER_IDS.includes(provider)) throw new Error(`unknown provider ${provider}`);
			return engine.baseUrl(provider);
		},
		falStorageBaseUrl: engine.baseUrl('falStorage'),
		evoLinkFilesBaseUrl: engine.baseUrl('evoLinkFiles'),
		keys: EMULATOR_KEYS,
		get requests() {
			return engine.requests;
		},
		get callbacks() {
			return engine.callbacks;
		},
		stats: () => JSON.parse(JSON.stringify(engine.stats)) as EmulatorStats,
		pollingReport: () => engine.pollingReport(),
		tasks: (provider) => engine.tasks(provider),
		setFault: (match, fault) => engine.faults.set(match, fault),
		reset: () => engine.reset(),
		close: async () => {
			engine.close();
			await Promise.all([closeServer(api), closeServer(cdn)]);
		},
		get jobMs() {
			return engine.jobMs;
		},
		set jobMs(v: number) {
			engine.jobMs = v;
		},
		get queuedMs() {
			return engine.queuedMs;
		},
		set queuedMs(v: number | undefined) {
			engine.queuedMs = v;
		},
		get outputBytes() {
			return engine.outputBytes;
		},
		set outputBytes(v: number) {
			engine.outputBytes = v;
		},
		get concurrencyCap() {
			return engine.concurrencyCap;
		},
		set concurrencyCap(v: Partial<Record<ProviderId, number>>) {
			engine.concurrencyCap = v;
		},
		get uploadRefusals() {
			return engine.uploadRefusals;
		},
		set uploadRefusals(v: Partial<Record<ProviderId, number>>) {
			engine.uploadRefusals = v;
		},
	};
}
