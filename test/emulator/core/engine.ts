// The emulator's provider-blind core: task store and wall-clock lifecycle, submit/poll pipelines with
// fault injection, concurrency caps, duplicate detection, callbacks, uploads and counters.
import { FaultRegistry } from './faults';
import type { Ctx } from './http';
import { resetSocket, send } from './http';
import { canonicalJson } from './schema';
import type {
	EmulatedTask,
	EmulatorOptions,
	EmulatorStats,
	PollingReport,
	ErrorShapes,
	FaultSpec,
	PollError,
	ProviderId,
	RecordedRequest,
	Reply,
	SentCallback,
	SubmitError,
	TaskStatus,
} from './types';
import { PROVIDER_IDS } from './types';
import { ids, mediaParams } from './util';

export type TaskEvent = 'start' | 'processing' | 'terminal';

export interface CallbackDelivery {
	url: string;
	body: unknown;
	headers?: Record<string, string>;
}

export interface ProviderModule {
	id: ProviderId;
	errors: ErrorShapes;
	handle(ctx: Ctx): Promise<void>;
	/** Extra URL prefixes served by this provider (EvoLink files API, fal storage). */
	prefixes?: Record<string, (ctx: Ctx) => Promise<void>>;
	/** The documented callback for a lifecycle event, or undefined when none is due. */
	callback?(task: EmulatedTask, event: TaskEvent): CallbackDelivery | undefined;
}

export interface SubmitPlan {
	provider: ProviderId;
	body: unknown;
	newId: () => string;
	imageUrl?: string;
	videoUrl?: string;
	quality: 'std' | 'pro';
	orientation: 'image' | 'video';
	callbackUrl?: string;
	/** What duplicate detection compares (default: body). */
	canonical?: unknown;
	extra?: Record<string, unknown>;
	/** How many tasks one submit creates (Oxen num_generations). */
	count?: number;
	/** The job fails when it starts running with this message (parameters checked at run time). */
	runFailure?: string;
	/** Completed-without-results polls this provider always gives (AIHubMax: 1). */
	minNoResultsPolls?: number;
	/** Whether the provider's shape has a list of outputs. */
	multiOutput?: boolean;
}

export interface Accepted {
	tasks: EmulatedTask[];
	submitError?: SubmitError;
	slowMs?: number;
}

export interface Phase {
	status: TaskStatus;
	/** Failed by the provider's own time limit (a provider that has a word for it says so). */
	timedOut?: boolean;
	startedAt?: number;
	endedAt?: number;
}

export interface Upload {
	id: string;
	provider: string;
	data: Buffer;
	contentType: string;
	fileName: string;
	createdAt: number;
}

const MAX_SECONDS = { image: 10, video: 30 } as const;

function emptyCounts(): Record<string, number> {
	return Object.fromEntries(PROVIDER_IDS.map((p) => [p, 0]));
}

export function emptyStats(): EmulatorStats {
	return {
		submitsAccepted: emptyCounts(),
		submitsRejected: emptyCounts(),
		duplicateSubmits: 0,
		statusRequests: emptyCounts(),
		listRequests: emptyCounts(),
		cancelRequests: 0,
		fileRequests: 0,
		fileRequestsWithAuthorization: 0,
		rangeRequests: 0,
		uploads: emptyCounts(),
		callbacksSent: 0,
		cdnRequestsWithAuthorization: 0,
		mediaRequests: 0,
	};
}

export class Engine {
	apiUrl = '';
	cdnUrl = '';
	jobMs: number;
	queuedMs: number | undefined;
	outputBytes: number;
	concurrencyCap: Partial<Record<ProviderId, number>>;
	readonly providers = new Map<ProviderId, ProviderModule>();
	readonly faults = new FaultRegistry();
	requests: RecordedRequest[] = [];
	callbacks: SentCallback[] = [];
	stats: EmulatorStats = emptyStats();
	/** When each status request arrived (pollingReport). */
	statusTimes: number[] = [];
	readonly uploads = new Map<string, Upload>();
	/**
	 * Presigned-upload tokens (fal, WaveSpeed's media/uploads ticket) → the upload awaiting its PUT. `size`
	 * and `headers`, when set, are what the ticket declared: the PUT must match them exactly.
	 */
	readonly pendingUploads = new Map<
		string,
		{ id: string; contentType: string; fileName: string; provider: string; size?: number; headers?: Record<string, string> }
	>();
	/** The first step of a provider's upload API answers this HTTP status instead (tests: refused / missing / 5xx). */
	uploadRefusals: Partial<Record<ProviderId, number>> = {};
	private taskList: EmulatedTask[] = [];
	private byKey = new Map<string, EmulatedTask>();
	private seenBodies = new Map<string, Set<string>>();
	private timers = new Map<EmulatedTask | 'misc', Set<NodeJS.Timeout>>();
	private waiters = new Map<EmulatedTask, Array<() => void>>();
	private closed = false;

	constructor(private readonly options: EmulatorOptions) {
		this.jobMs = options.jobMs ?? 3000;
		this.queuedMs = options.queuedMs;
		this.outputBytes = options.outputBytes ?? 64 * 1024;
		this.concurrencyCap = { ...(options.concurrencyCap ?? {}) };
	}

	register(module: ProviderModule): void {
		this.providers.set(module.id, module);
	}

	baseUrl(provider: string): string {
		return `${this.apiUrl}/${provider}`;
	}

	// ---------- lifecycle ----------

	phase(task: EmulatedTask, now = Date.now()): Phase {
		const startedAt = task.createdAt + task.queuedMs;
		const endsAt = task.createdAt + task.jobMs;
		if (task.canceledAt !== undefined && task.canceledAt <= now) {
			return { status: 'canceled', startedAt: task.canceledAt >= startedAt ? startedAt : undefined, endedAt: task.canceledAt };
		}
		if (now < startedAt) return { status: 'queued' };
		if (task.runFailure !== undefined) return { status: 'failed', startedAt, endedAt: startedAt };
		if (task.faults.stuck || now < endsAt) return { status: 'processing', startedAt };
		if (task.faults.endAs === 'canceled') return { status: 'canceled', startedAt, endedAt: endsAt };
		if (task.faults.endAs === 'timeout') return { status: 'failed', timedOut: true, startedAt, endedAt: endsAt };
		return { status: task.faults.fail ? 'failed' : 'completed', startedAt, endedAt: endsAt };
	}

	isTerminal(task: EmulatedTask, now = Date.now()): boolean {
		const s = this.phase(task, now).status;
		return s === 'completed' || s === 'failed' || s === 'canceled';
	}

	/** 0–100 while processing, by elapsed time. */
	progress(task: EmulatedTask, now = Date.now()): number {
		const p = this.phase(task, now);
		if (p.status === 'queued') return 0;
		if (p.status !== 'processing') return 100;
		const span = Math.max(1, task.jobMs - task.queuedMs);
		return Math.min(99, Math.floor(((now - task.createdAt - task.queuedMs) / span) * 100));
	}

	failMessage(task: EmulatedTask, fallback: string): string {
		if (task.runFailure !== undefined) return task.runFailure;
		return typeof task.faults.fail === 'string' ? task.faults.fail : fallback;
	}

	tasks(provider?: ProviderId): EmulatedTask[] {
		const now = Date.now();
		const list = provider ? this.taskList.filter((t) => t.provider === provider) : [...this.taskList];
		for (const t of list) t.status = this.phase(t, now).status;
		return list;
	}

	find(provider: ProviderId, id: string): EmulatedTask | undefined {
		const t = this.byKey.get(`${provider}|${id}`);
		if (t) t.status = this.phase(t).status;
		return t;
	}

	findBy(provider: ProviderId, pred: (t: EmulatedTask) => boolean): EmulatedTask | undefined {
		return this.taskList.find((t) => t.provider === provider && pred(t));
	}

	// ---------- submit pipeline ----------

	/** Count a refused submit and answer it. */
	rejectSubmit(ctx: Ctx, provider: ProviderId, reply: Reply): void {
		this.stats.submitsRejected[provider]++;
		send(ctx.res, reply);
	}

	/**
	 * Apply rate-limit faults and the concurrency cap, then create the task(s). Answers and returns
	 * undefined when the submit is refused; otherwise the caller answers through respond().
	 */
	submit(ctx: Ctx, plan: SubmitPlan): Accepted | undefined {
		const module = this.providers.get(plan.provider)!;
		const cap = this.concurrencyCap[plan.provider];
		if (cap !== undefined) {
			const now = Date.now();
			const running = this.taskList.filter((t) => t.provider === plan.provider && !this.isTerminal(t, now)).length;
			if (running + (plan.count ?? 1) > cap) {
				this.rejectSubmit(ctx, plan.provider, withRetryAfter(module.errors.throttled('concurrency')));
				return undefined;
			}
		}
		const { error: submitError, slowMs } = this.faults.nextSubmitError(plan.provider, plan.imageUrl);
		if (submitError === 429) {
			this.rejectSubmit(ctx, plan.provider, withRetryAfter(module.errors.throttled('rate')));
			return undefined;
		}
		const faults = this.faults.resolve(plan.imageUrl);
		const tasks: EmulatedTask[] = [];
		for (let i = 0; i < (plan.count ?? 1); i++) tasks.push(this.createTask(ctx, plan, faults));

		this.stats.submitsAccepted[plan.provider]++;
		const seen = this.seenBodies.get(plan.provider) ?? new Set<string>();
		this.seenBodies.set(plan.provider, seen);
		const key = `${ctx.path}|${canonicalJson(plan.canonical ?? plan.body)}`;
		if (seen.has(key)) this.stats.duplicateSubmits++;
		seen.add(key);

		for (const t of tasks) this.schedule(t);
		return { tasks, submitError, slowMs };
	}

	private createTask(ctx: Ctx, plan: SubmitPlan, faults: FaultSpec): EmulatedTask {
		const now = Date.now();
		const jobMs = faults.jobMs ?? this.jobMs;
		const queuedMs = Math.min(jobMs, this.queuedMs ?? Math.round(jobMs * 0.2));
		const media = mediaParams(plan.videoUrl);
		const reference = media.duration ?? 5;
		let runFailure = plan.runFailure;
		if (runFailure === undefined && media.duration !== undefined) {
			const max = MAX_SECONDS[plan.orientation];
			// Every provider caps the reference video at 10 s (image orientation) / 30 s (video), minimum 3 s.
			if (media.duration > max)
				runFailure = `reference video is ${media.duration}s; character_orientation "${plan.orientation}" allows at most ${max}s`;
			else if (media.duration < 3) runFailure = `reference video is ${media.duration}s; the minimum is 3s`;
		}
		const shortSide = plan.quality === 'pro' ? 1080 : 720;
		const landscape = media.width !== undefined && media.height !== undefined && media.width > media.height;
		const ratio = media.width && media.height ? Math.max(media.width, media.height) / Math.min(media.width, media.height) : 16 / 9;
		const longSide = Math.round((shortSide * ratio) / 2) * 2;
		const id = plan.newId();
		const count = plan.multiOutput ? Math.max(1, faults.outputs ?? 1) : 1;
		const outputs = Array.from(
			{ length: count },
			(_, i) => `${this.cdnUrl}/files/${plan.provider}/${id}${i === 0 ? '' : `.${i + 1}`}.mp4`, // ids never contain '.'
		);
		const task: EmulatedTask = {
			id,
			provider: plan.provider,
			body: plan.body,
			path: ctx.path,
			query: Object.fromEntries(ctx.query),
			createdAt: now,
			jobMs,
			queuedMs,
			status: 'queued',
			faults,
			outputs,
			outputSeconds: Math.min(reference, MAX_SECONDS[plan.orientation]),
			width: landscape ? longSide : shortSide,
			height: landscape ? shortSide : longSide,
			quality: plan.quality,
			orientation: plan.orientation,
			imageUrl: plan.imageUrl,
			videoUrl: plan.videoUrl,
			callbackUrl: plan.callbackUrl,
			runFailure,
			statusRequests: 0,
			noResultsLeft: Math.max(plan.minNoResultsPolls ?? 0, faults.noResultsPolls ?? 0),
			pollErrorsLeft: [...(faults.pollErrors ?? [])],
			listErrorsLeft: [...(faults.listErrors ?? [])],
			extra: { ...(plan.extra ?? {}) },
		};
		this.taskList.push(task);
		this.byKey.set(`${plan.provider}|${id}`, task);
		return task;
	}

	/** Answer an accepted submit, honouring ambiguous submit faults. */
	async respond(ctx: Ctx, accepted: Accepted, makeReply: () => Reply | Promise<Reply>): Promise<void> {
		const provider = accepted.tasks[0].provider;
		const module = this.providers.get(provider)!;
		switch (accepted.submitError) {
			case 'ambiguous500':
				send(ctx.res, module.errors.server(500));
				return;
			case 'ambiguousReset':
				resetSocket(ctx);
				return;
			case 'ambiguousSlow':
				await this.sleep(accepted.slowMs ?? 30000);
				break;
		}
		send(ctx.res, await makeReply());
	}

	// ---------- status pipeline ----------

	/** Answer a status request for a task, or the next injected poll error. */
	poll(ctx: Ctx, task: EmulatedTask, build: () => Reply): void {
		this.stats.statusRequests[task.provider]++;
		task.statusRequests++;
		const now = Date.now();
		this.statusTimes.push(now);
		const fault = task.pollErrorsLeft.shift();
		if (fault === undefined) {
			if (task.seenEndedAt === undefined && this.isTerminal(task, now)) task.seenEndedAt = now;
			send(ctx.res, build());
			return;
		}
		this.pollFault(ctx, task.provider, fault, build);
	}

	private pollFault(ctx: Ctx, provider: ProviderId, fault: PollError, build: () => Reply): void {
		const errors = this.providers.get(provider)!.errors;
		switch (fault) {
			case 429:
				send(ctx.res, withRetryAfter(errors.throttled('rate')));
				return;
			case 503:
				send(ctx.res, withRetryAfter(errors.server(503)));
				return;
			case 500:
			case 502:
				send(ctx.res, errors.server(fault));
				return;
			case 'html':
				send(ctx.res, {
					status: 502,
					contentType: 'text/html',
					body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
				});
				return;
			case 'invalidJson': {
				const text = JSON.stringify(build().body);
				send(ctx.res, { status: 200, contentType: 'application/json', body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) });
				return;
			}
			case 'reset':
				resetSocket(ctx);
				return;
		}
	}

	/** Whether this status answer must be "completed but no results yet" (consumes one). */
	takeNoResults(task: EmulatedTask): boolean {
		if (this.phase(task).status !== 'completed' || task.noResultsLeft <= 0) return false;
		task.noResultsLeft--;
		return true;
	}

	/**
	 * Answer a request to the provider's list endpoint (one request for many tasks, counted in
	 * `listRequests`), or the next list error a task of that provider carries (fault words `list500`…).
	 */
	list(ctx: Ctx, provider: ProviderId, build: () => Reply): void {
		this.stats.listRequests[provider]++;
		// A list request is a status request too, for the polling report (one for many tasks).
		this.statusTimes.push(Date.now());
		const carrier = this.taskList.find((t) => t.provider === provider && this.alive(t) && t.listErrorsLeft.length > 0);
		const fault = carrier?.listErrorsLeft.shift();
		if (fault === undefined) {
			send(ctx.res, build());
			return;
		}
		const reply = this.providers.get(provider)!.errors.server(fault);
		send(ctx.res, fault === 503 ? withRetryAfter(reply) : reply);
	}

	countStatus(provider: ProviderId): void {
		this.stats.statusRequests[provider]++;
		this.statusTimes.push(Date.now());
	}

	/**
	 * How the client polled (the benchmark's figures): status requests, their peak in any one second and
	 * mean rate, and per ended task the delay between its end and the first status answer that said so.
	 */
	pollingReport(): PollingReport {
		const times = [...this.statusTimes].sort((a, b) => a - b);
		let peak = 0;
		for (let first = 0, last = 0; last < times.length; last++) {
			while (times[last] - times[first] >= 1000) first++;
			peak = Math.max(peak, last - first + 1);
		}
		const spanSeconds = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
		const delays = this.taskList
			.filter((task) => task.seenEndedAt !== undefined)
			.map((task) => (task.seenEndedAt! - (this.phase(task, task.seenEndedAt).endedAt ?? task.seenEndedAt!)) / 1000)
			.sort((a, b) => a - b);
		return {
			statusRequests: times.length,
			peakPerSecond: peak,
			meanPerSecond: spanSeconds > 0 ? times.length / spanSeconds : times.length,
			detectionDelaySeconds: delays,
		};
	}

	// ---------- cancel ----------

	cancel(task: EmulatedTask): void {
		if (!this.alive(task) || this.isTerminal(task)) return;
		task.canceledAt = Date.now();
		task.status = 'canceled';
		this.clearTimers(task);
		this.fire(task, 'terminal');
	}

	// ---------- timers, waiting, callbacks ----------

	private schedule(task: EmulatedTask): void {
		this.fire(task, 'start');
		const at = (ms: number, event: TaskEvent): void => {
			const set = this.timers.get(task) ?? new Set();
			this.timers.set(task, set);
			const t = setTimeout(() => {
				set.delete(t);
				this.fire(task, event);
			}, Math.max(0, ms));
			t.unref();
			set.add(t);
		};
		if (task.runFailure !== undefined) {
			at(task.queuedMs, 'terminal');
			return;
		}
		if (task.queuedMs > 0 && task.queuedMs < task.jobMs) at(task.queuedMs, 'processing');
		if (!task.faults.stuck) at(task.jobMs, 'terminal');
	}

	/** False for tasks forgotten by reset(). */
	private alive(task: EmulatedTask): boolean {
		return this.byKey.get(`${task.provider}|${task.id}`) === task;
	}

	private fire(task: EmulatedTask, event: TaskEvent): void {
		if (this.closed || !this.alive(task)) return;
		task.status = this.phase(task).status;
		if (event === 'terminal') {
			for (const resolve of this.waiters.get(task) ?? []) resolve();
			this.waiters.delete(task);
		}
		const delivery = this.providers.get(task.provider)?.callback?.(task, event);
		if (delivery) void this.deliver(task, event, delivery);
	}

	private async deliver(task: EmulatedTask, event: TaskEvent, d: CallbackDelivery): Promise<void> {
		const record: SentCallback = {
			provider: task.provider,
			taskId: task.id,
			url: d.url,
			event,
			body: d.body,
			headers: { 'content-type': 'application/json', ...(d.headers ?? {}) },
			at: Date.now(),
		};
		this.callbacks.push(record);
		this.stats.callbacksSent++;
		try {
			const res = await fetch(deliveryUrl(d.url), {
				method: 'POST',
				headers: record.headers,
				body: typeof d.body === 'string' ? d.body : JSON.stringify(d.body),
				// Providers give a webhook receiver some seconds to answer (none documents less than 10 s); 30 s [I] keeps a
				// loaded CI machine (n8n main answering slowly) from turning a delivered callback into a lost one.
				signal: AbortSignal.timeout(30_000),
			});
			record.result = res.status;
			await res.arrayBuffer().catch(() => undefined);
		} catch (e) {
			record.result = (e as Error).message; // delivery errors are ignored, as documented retries are not modelled
		}
	}

	/** Resolve when the task is terminal, after maxMs, or when the emulator closes. */
	waitTerminal(task: EmulatedTask, maxMs = Number.POSITIVE_INFINITY): Promise<void> {
		if (this.isTerminal(task) || this.closed) return Promise.resolve();
		return new Promise<void>((resolve) => {
			const list = this.waiters.get(task) ?? [];
			list.push(resolve);
			this.waiters.set(task, list);
			if (Number.isFinite(maxMs)) void this.sleep(maxMs).then(resolve);
		});
	}

	sleep(ms: number): Promise<void> {
		if (this.closed) return Promise.resolve();
		return new Promise((resolve) => {
			const set = this.timers.get('misc') ?? new Set();
			this.timers.set('misc', set);
			const t = setTimeout(() => {
				set.delete(t);
				resolve();
			}, ms);
			(t as NodeJS.Timeout & { resolveEarly?: () => void }).resolveEarly = resolve;
			set.add(t);
		});
	}

	private clearTimers(task: EmulatedTask | 'misc'): void {
		for (const t of this.timers.get(task) ?? []) {
			clearTimeout(t);
			(t as NodeJS.Timeout & { resolveEarly?: () => void }).resolveEarly?.();
		}
		this.timers.delete(task);
	}

	// ---------- uploads ----------

	addUpload(provider: string, data: Buffer, contentType: string, fileName: string): Upload {
		const ext = /\.[A-Za-z0-9]{1,5}$/.exec(fileName)?.[0] ?? '';
		const upload: Upload = { id: `up_${ids.hex(8)}${ext.toLowerCase()}`, provider, data, contentType, fileName, createdAt: Date.now() };
		this.uploads.set(upload.id, upload);
		this.stats.uploads[provider] = (this.stats.uploads[provider] ?? 0) + 1;
		return upload;
	}

	uploadUrl(upload: Upload): string {
		return `${this.cdnUrl}/uploads/${upload.id}`;
	}

	// ---------- reset / close ----------

	reset(): void {
		for (const key of [...this.timers.keys()]) this.clearTimers(key);
		for (const list of this.waiters.values()) for (const r of list) r();
		this.waiters.clear();
		this.taskList = [];
		this.byKey.clear();
		this.seenBodies.clear();
		this.requests = [];
		this.callbacks = [];
		this.stats = emptyStats();
		this.statusTimes = [];
		this.faults.clear();
		this.uploads.clear();
		this.pendingUploads.clear();
		this.uploadRefusals = {};
		this.jobMs = this.options.jobMs ?? 3000;
		this.queuedMs = this.options.queuedMs;
		this.outputBytes = this.options.outputBytes ?? 64 * 1024;
		this.concurrencyCap = { ...(this.options.concurrencyCap ?? {}) };
		for (const p of this.providers.values()) (p as { reset?: () => void }).reset?.();
	}

	close(): void {
		this.reset();
		this.closed = true;
	}
}

export function withRetryAfter(reply: Reply, seconds = 1): Reply {
	return { ...reply, headers: { ...(reply.headers ?? {}), 'retry-after': String(seconds) } };
}

/** Loopback https callbacks are delivered over plain http so tests can receive them without TLS. */
function deliveryUrl(raw: string): string {
	try {
		const u = new URL(raw);
		if (u.protocol === 'https:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) u.protocol = 'http:';
		return u.toString();
	} catch {
		return raw;
	}
}
