import { sleep } from 'n8n-workflow';

import type { TaskHandle, TaskState } from '../providers/types';
import { CanceledError, pause } from './schedule';
import type { HttpOutcome } from './status';

/**
 * The run's status budget when neither the user (Status Requests per Second) nor the provider (its
 * documented limit) says otherwise: at most this many status requests per second for the whole run,
 * evenly spaced. 200 tasks that end together are all seen within 8 s.
 */
export const DEFAULT_STATUS_RATE = 25;

/** A task's first check comes this soon after its submit, at most (fast jobs come back fast). */
export const FIRST_CHECK_MS = 2000;

/** The run's scouts together check at most once per this interval while nothing has ended yet. */
const SCOUT_SPACING_MS = 1000;

/**
 * While a task is far from its expected end (or nothing has ended yet and it is not a scout) it is
 * still checked now and then, in case it ends early: first this many poll intervals after its
 * submit, then at doubling intervals.
 */
const SAFETY_INTERVALS = 12;

/** Two checks of one task are never closer than this (except retries the provider asks for). */
const MIN_GAP_MS = 1000;

/** The pump looks at its schedule again at least this often. */
const MAX_DOZE_MS = 1000;

export type PollOutcome = HttpOutcome | { kind: 'deadline' };

/** One task waiting for its end, as the poller sees it. */
export interface PolledTask {
	readonly handle: TaskHandle;
	readonly startedAt: number;
	readonly deadline: number;
	/** The motion clip's length (pre-flight), to scale what the run has learned. */
	readonly clipSeconds?: number;
	/** The last state the provider reported. */
	state?: TaskState;
	/** When the last status request of this task was sent (undefined: never). */
	lastCheckAt?: number;
	/** A transient error asked for a retry at this time (backoff, Retry-After). */
	retryAt?: number;
	/** The list left this task out (or without its outputs): its next check is its own request. */
	single?: boolean;
	deliver?: (outcome: PollOutcome) => void;
	reject?: (error: unknown) => void;
}

export interface PollerSettings {
	pollIntervalMs: number;
	/** Status requests per second for the whole run. */
	perSecond: number;
	signal: AbortSignal | undefined;
	check(handle: TaskHandle): Promise<HttpOutcome>;
	/** The provider's documented list endpoint: states by task id, or undefined when the request failed. */
	list?: { maxTasks: number; run(handles: TaskHandle[]): Promise<Map<string, TaskState> | undefined> };
}

/** After this many failed list requests in a run, every task is checked on its own. */
const LIST_FAILURES_MAX = 3;

/**
 * Every status check of one run goes through here: one rate limit for the run (evenly spaced slots,
 * no bursts), and a schedule that learns from the run itself.
 *
 * - Until a task of the run has completed, a few scouts (the shortest clips, then the earliest submits) check for everyone: each
 *   at most every Poll Interval, together about once a second at first, less often as the wait grows.
 *   The other tasks only make rare safety checks.
 * - Once a task has completed, every task is expected to end after about as long (scaled down for a
 *   shorter clip): it is checked at its expected end, then every Poll Interval — and only rarely
 *   before it.
 *
 * In the common case (tasks of one run take similar times) a task is seen ending within about one
 * Poll Interval of when plain polling would see it, with a fraction of the requests.
 */
export class Poller {
	private readonly tasks = new Set<PolledTask>();
	private readonly spacingMs: number;
	private readonly scouts: number;
	private nextSlotAt = 0;
	private scoutNextAt = 0;
	/** The shortest completion seen in this run (an upper bound: start to the check that saw it). */
	private learned: { ms: number; clipSeconds?: number } | undefined;
	private pumping = false;
	private doze: AbortController | undefined;
	private dozeUntil = 0;
	private listFailures = 0;
	/** The scouts of the current set of tasks (recomputed when a task comes or goes). */
	private scoutCache: Set<PolledTask> | undefined;

	constructor(private readonly settings: PollerSettings) {
		this.spacingMs = 1000 / Math.max(0.01, settings.perSecond);
		this.scouts = Math.max(1, Math.ceil(settings.pollIntervalMs / SCOUT_SPACING_MS));
	}

	track(handle: TaskHandle, deadline: number, state?: TaskState, clipSeconds?: number): PolledTask {
		const task: PolledTask = { handle, startedAt: Date.now(), deadline, state, clipSeconds };
		this.tasks.add(task);
		this.scoutCache = undefined;
		return task;
	}

	untrack(task: PolledTask): void {
		this.tasks.delete(task);
		this.scoutCache = undefined;
	}

	/** Waits for this task's next status check (run when the schedule and the budget allow it). */
	async next(task: PolledTask): Promise<PollOutcome> {
		const outcome = new Promise<PollOutcome>((resolve, reject) => {
			task.deliver = resolve;
			task.reject = reject;
		});
		this.kick(task);
		return await outcome;
	}

	/** One status request outside any wait (Get Status), still within the run's budget. */
	async slot(): Promise<void> {
		const now = Date.now();
		const at = Math.max(now, this.nextSlotAt);
		this.nextSlotAt = at + this.spacingMs;
		await pause(at - now, this.settings.signal);
	}

	/** When this task should be checked next. */
	dueAt(task: PolledTask, scout: boolean): number {
		const p = this.settings.pollIntervalMs;
		const due = this.plannedAt(task, scout, p);
		if (due < task.deadline) return due;
		// One last look just before the Timeout, then the deadline itself.
		const last = task.lastCheckAt ?? task.startedAt;
		const final = task.deadline - MIN_GAP_MS;
		return final > last + MIN_GAP_MS ? final : task.deadline;
	}

	private plannedAt(task: PolledTask, scout: boolean, p: number): number {
		if (task.retryAt !== undefined) return task.retryAt;
		const last = task.lastCheckAt ?? task.startedAt;
		// The provider said completed without a video: look again soon (the engine bounds how often).
		if (task.state?.awaitingOutput) return last + p;
		const expected = this.expectedEnd(task);
		if (expected !== undefined) {
			if (task.lastCheckAt !== undefined && last >= expected) return last + this.hinted(task, p);
			return Math.min(Math.max(expected, last + MIN_GAP_MS), last + this.safetyGap(task, last));
		}
		if (!scout) return last + this.safetyGap(task, last);
		const own = task.lastCheckAt === undefined ? task.startedAt + Math.min(p, FIRST_CHECK_MS) : last + this.hinted(task, p);
		return Math.max(own, this.scoutNextAt);
	}

	/** The poll interval, stretched by the provider's own hints (an ETA, a deep queue). */
	private hinted(task: PolledTask, p: number): number {
		const state = task.state;
		if (!state) return p;
		return nextDelay(p, state, (task.lastCheckAt ?? task.startedAt) - task.startedAt);
	}

	private safetyGap(task: PolledTask, last: number): number {
		return Math.max(SAFETY_INTERVALS * this.settings.pollIntervalMs, last - task.startedAt);
	}

	/** When this task should end, by what the run has seen (undefined before the first completion). */
	expectedEnd(task: PolledTask): number | undefined {
		const learned = this.learned;
		if (!learned) return undefined;
		let ms = learned.ms;
		// A shorter clip is expected sooner; a longer one is only expected no sooner (never later: a
		// late guess would delay seeing it, an early one only costs a check).
		if (learned.clipSeconds && task.clipSeconds && task.clipSeconds < learned.clipSeconds) {
			ms = (ms * task.clipSeconds) / learned.clipSeconds;
		}
		return task.startedAt + ms;
	}

	private learn(task: PolledTask, checkedAt: number, outcome: HttpOutcome): void {
		if (outcome.kind !== 'state' || outcome.state.status !== 'completed' || outcome.state.videoUrls.length === 0) return;
		const ms = checkedAt - task.startedAt;
		if (this.learned && this.learned.ms <= ms) return;
		this.learned = { ms, clipSeconds: task.clipSeconds };
	}

	/** Starts the pump, or wakes it when this task may be due before the pump would look again. */
	private kick(task: PolledTask): void {
		if (!this.pumping) void this.pump();
		// The earliest this task can be due is as a scout; waking costs an abort (an error object).
		else if (this.doze && this.dueAt(task, true) < this.dozeUntil) this.doze.abort();
	}

	/** The one loop that sends the run's status checks, in order of when they are due. */
	private async pump(): Promise<void> {
		this.pumping = true;
		try {
			for (;;) {
				if (this.settings.signal?.aborted) throw new CanceledError();
				const now = Date.now();
				const next = this.pick();
				if (!next) return;
				const at = next.dueAt >= next.task.deadline ? next.dueAt : Math.max(next.dueAt, this.nextSlotAt);
				if (at > now) {
					// Woken early by a newly waiting task; at most MAX_DOZE_MS where sleep() ignores signals (older n8n).
					await this.sleep(Math.min(at - now, MAX_DOZE_MS)).catch(() => undefined);
					continue;
				}
				const { task } = next;
				const deliver = task.deliver!;
				const reject = task.reject!;
				task.deliver = undefined;
				task.reject = undefined;
				if (next.dueAt >= task.deadline) {
					deliver({ kind: 'deadline' });
					continue;
				}
				this.nextSlotAt = now + this.spacingMs;
				if (next.scout && !this.learned) this.scoutNextAt = now + this.scoutGap(now);
				const wave = this.listWave(task, now);
				if (wave) {
					task.deliver = deliver;
					task.reject = reject;
					this.sendList(wave, now);
					continue;
				}
				task.lastCheckAt = now;
				task.retryAt = undefined;
				task.single = undefined;
				void this.settings.check(task.handle).then(
					(outcome) => {
						if (outcome.kind === 'state') task.state = outcome.state;
						this.learn(task, now, outcome);
						deliver(outcome);
					},
					(error: unknown) => (error instanceof CanceledError ? reject(error) : deliver({ kind: 'transient', reason: String(error) })),
				);
			}
		} catch (error) {
			for (const task of this.tasks) task.reject?.(error);
		} finally {
			this.pumping = false;
		}
	}

	/**
	 * Where the provider documents a list endpoint, the task due now brings every waiting task along:
	 * one request answers the whole wave (at least two tasks; one is asked on its own).
	 */
	private listWave(first: PolledTask, now: number): PolledTask[] | undefined {
		const list = this.settings.list;
		if (!list || first.single || this.listFailures >= LIST_FAILURES_MAX) return undefined;
		const wave = [first];
		for (const task of this.tasks) {
			if (wave.length >= list.maxTasks) break;
			if (task !== first && task.deliver && !task.single && task.deadline > now) wave.push(task);
		}
		return wave.length >= 2 ? wave : undefined;
	}

	private sendList(wave: PolledTask[], now: number): void {
		const waiting = wave.map((task) => ({ task, deliver: task.deliver!, reject: task.reject! }));
		for (const task of wave) {
			task.deliver = undefined;
			task.reject = undefined;
			task.retryAt = undefined;
		}
		void this.settings.list!.run(wave.map((task) => task.handle)).then(
			(states) => {
				if (!states) this.listFailures++;
				let fellBack: PolledTask | undefined;
				for (const { task, deliver, reject } of waiting) {
					const state = states?.get(task.handle.taskId);
					// Left out, or ended without its outputs in the list: its own request, at once.
					if (!state || (state.status === 'completed' && state.videoUrls.length === 0)) {
						task.single = true;
						task.retryAt = Date.now();
						task.deliver = deliver;
						task.reject = reject;
						fellBack = task;
						continue;
					}
					task.lastCheckAt = now;
					task.state = state;
					this.learn(task, now, { kind: 'state', state });
					deliver({ kind: 'state', state });
				}
				if (fellBack) this.kick(fellBack);
			},
			(error: unknown) => {
				for (const { reject } of waiting) reject(error);
			},
		);
	}

	/** The waiting task due first (the pump runs this for every check: no allocation per task). */
	private pick(): { task: PolledTask; dueAt: number; scout: boolean } | undefined {
		let best: PolledTask | undefined;
		let bestDue = Infinity;
		let bestScout = false;
		const scouts = this.learned ? undefined : this.scoutSet();
		for (const task of this.tasks) {
			if (!task.deliver) continue;
			const scout = scouts?.has(task) ?? false;
			const dueAt = this.dueAt(task, scout);
			if (!best || dueAt < bestDue || (dueAt === bestDue && (task.lastCheckAt ?? 0) < (best.lastCheckAt ?? 0))) {
				best = task;
				bestDue = dueAt;
				bestScout = scout;
			}
		}
		return best && { task: best, dueAt: bestDue, scout: bestScout };
	}

	/** The tasks expected to end first: the shortest clips (pre-flight), then the earliest submits. */
	private scoutSet(): Set<PolledTask> {
		if (this.scoutCache) return this.scoutCache;
		const tasks = [...this.tasks];
		if (tasks.some((task) => task.clipSeconds !== undefined)) {
			tasks.sort((a, b) => (a.clipSeconds ?? Infinity) - (b.clipSeconds ?? Infinity) || a.startedAt - b.startedAt);
		}
		this.scoutCache = new Set(tasks.slice(0, this.scouts));
		return this.scoutCache;
	}

	/** The scouts' shared cadence: about once a second at first, stretching to the Poll Interval. */
	private scoutGap(now: number): number {
		const p = this.settings.pollIntervalMs;
		const first = this.tasks.values().next().value as PolledTask | undefined;
		const elapsed = first ? now - first.startedAt : 0;
		return Math.min(p, Math.max(p / this.scouts, elapsed / 60));
	}

	/**
	 * sleep() that "Stop execution" and a newly due task can end early. The execution's signal is
	 * listened to only while dozing: a listener left on it would keep the poller until the execution ends.
	 */
	private async sleep(ms: number): Promise<void> {
		const doze = new AbortController();
		const stop = () => doze.abort();
		const signal = this.settings.signal;
		this.doze = doze;
		this.dozeUntil = Date.now() + ms;
		if (signal?.aborted) doze.abort();
		else signal?.addEventListener('abort', stop, { once: true });
		try {
			await sleep(ms, doze.signal);
		} finally {
			signal?.removeEventListener('abort', stop);
			if (this.doze === doze) this.doze = undefined;
		}
	}
}

/**
 * After a check: the poll interval, stretched (at most 4×) while the provider's own estimate (an
 * ETA) says the task is far from done, or while it waits deep in a queue.
 */
export function nextDelay(pollIntervalMs: number, state: TaskState, elapsedMs: number): number {
	let delay = pollIntervalMs;
	if (state.estimatedSeconds !== undefined && (state.progress ?? 0) < 100) {
		const remaining = state.estimatedSeconds * 1000 - elapsedMs;
		if (remaining > pollIntervalMs) delay = Math.min(remaining * 0.8, pollIntervalMs * 4);
	} else if (state.queuePosition !== undefined && state.queuePosition > 5) {
		delay = Math.min(pollIntervalMs * (1 + state.queuePosition / 10), pollIntervalMs * 4);
	}
	return Math.max(pollIntervalMs, delay);
}
