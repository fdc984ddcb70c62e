// Queue-mode end-to-end scenario on the real n8n application (see README.md beside this file).
//   node -r ts-node/register/transpile-only test/e2e-queue/run.ts [--skip-build] [--only A,B,C]
// PostgreSQL + Redis (Debian packages, on loopback), n8n main + 2 workers (concurrency 2) in queue
// mode with the package installed as a community package in each, the provider emulator in-process.
// Prints one line per check and the figures; exits 1 when anything failed.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Emulator } from '../emulator';
import { klingJwt, startEmulator } from '../emulator';
import type { ApiExecution, Item } from '../e2e-shared';
import { buildAndPack, Check, credentials, ensureTargets, flag, freePort, log, media, only, outputOf, PKG, Results, ROOT, runError, runMain, secs, sleep, stopOnSignals, targetOf } from '../e2e-shared';
import { QueueCluster } from './cluster';
import { ensurePackages, Postgres, Redis } from './services';
import { batch, crash, parked, PATHS, QIDS, recover } from './workflows';

// The same n8n the single-instance suite installs (same spec → the cached install is reused).
const TARGET = targetOf('2.x');
const WORKERS = 2;
const CONCURRENCY = 2;
const SLOTS = WORKERS * CONCURRENCY;

const A_ITEMS = Number(process.env.E2EQ_A_ITEMS ?? 100);
const A_JOB_MS = Number(process.env.E2EQ_A_JOB_MS ?? 4000);
const A_POLL_S = 2;
const B_EXECUTIONS = Number(process.env.E2EQ_B_EXECUTIONS ?? 40);
const B_JOB_MS = Number(process.env.E2EQ_B_JOB_MS ?? 15000);
const C_JOB_MS = Number(process.env.E2EQ_C_JOB_MS ?? 30000);
// Bull's lock and stalled-check timings: n8n's defaults (60 s, 30 s) unless E2EQ_LOCK_MS / E2EQ_STALLED_MS
// shorten them (a killed worker's job is noticed after about lock + stalled interval).
const BULL: NodeJS.ProcessEnv = {
	...(process.env.E2EQ_LOCK_MS ? { QUEUE_WORKER_LOCK_DURATION: process.env.E2EQ_LOCK_MS, QUEUE_WORKER_LOCK_RENEW_TIME: String(Math.floor(Number(process.env.E2EQ_LOCK_MS) / 4)) } : {}),
	...(process.env.E2EQ_STALLED_MS ? { QUEUE_WORKER_STALLED_INTERVAL: process.env.E2EQ_STALLED_MS } : {}),
};
const C_NOTICE_LIMIT_MS = 180_000;

// Outside the repository, so the installed package resolves n8n-workflow from the n8n under test
// (as in a real install), not from the project's node_modules.
const Q = join(tmpdir(), 'kling-mc-e2e-queue');

const results = new Results({ detailBelow: true });
const scenario = (name: string, fn: () => Promise<string>): Promise<void> => results.scenario(name, fn);
const figures: Record<string, unknown> = {};

// ---------- helpers ----------

interface Exec extends ApiExecution {
	startedAt?: string;
	createdAt?: string;
}

async function post(url: string, body: unknown): Promise<number> {
	const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	await r.text();
	return r.status;
}

const pairedIndex = (item: Item): number | undefined => (Array.isArray(item.pairedItem) ? item.pairedItem[0]?.item : item.pairedItem?.item);
const rowOf = (url: string | undefined): string | undefined => /[?&]row=([\w-]+)/.exec(url ?? '')?.[1];
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

async function executionStatuses(pg: Postgres, workflowId: string): Promise<Record<string, number>> {
	const rows = await pg.sql(`SELECT status, count(*) FROM execution_entity WHERE "workflowId" = '${workflowId}' GROUP BY status`);
	return Object.fromEntries(rows.map(([s, n]) => [s, Number(n)]));
}

async function bullCounts(redis: Redis): Promise<{ active: number; wait: number; failed: number }> {
	const [active, wait, failed] = await Promise.all([redis.cmd('LLEN', 'bull:jobs:active'), redis.cmd('LLEN', 'bull:jobs:wait'), redis.cmd('ZCARD', 'bull:jobs:failed')]);
	return { active: Number(active), wait: Number(wait), failed: Number(failed) };
}

/**
 * The workflow's first execution in a final state, read from the database, then fetched by id with its
 * data through the public API (the API's list can leave out executions main still counts as running).
 */
async function waitForExecution(pg: Postgres, cluster: QueueCluster, workflowId: string, timeoutMs: number): Promise<Exec> {
	const start = Date.now();
	for (;;) {
		const rows = await pg.sql(`SELECT id, status FROM execution_entity WHERE "workflowId" = '${workflowId}' AND status NOT IN ('new', 'running', 'waiting') ORDER BY id LIMIT 1`);
		if (rows.length) return cluster.api.api<Exec>('GET', `/executions/${rows[0][0]}?includeData=true`);
		if (Date.now() - start > timeoutMs) throw new Error(`no finished execution of ${workflowId} after ${timeoutMs / 1000} s: ${JSON.stringify(await executionStatuses(pg, workflowId))}`);
		await sleep(300);
	}
}

async function binaryRows(pg: Postgres, executionId: string): Promise<{ count: number; bytes: number }> {
	const [[count, bytes]] = await pg.sql(`SELECT count(*), coalesce(sum("fileSize"), 0) FROM binary_data WHERE "sourceType" = 'execution' AND "sourceId" = '${executionId}'`);
	return { count: Number(count), bytes: Number(bytes) };
}

// ---------- scenarios ----------

interface Ctx {
	cluster: QueueCluster;
	emu: Emulator;
	pg: Postgres;
	redis: Redis;
}

/** A: one execution, 100 items, Submit and Wait + Download Video, on a worker. */
async function scenarioA({ cluster, emu, pg }: Ctx): Promise<string> {
	const c: Check = new Check('A batch');
	emu.reset();
	emu.jobMs = A_JOB_MS;
	const m = media(emu);
	const rows = Array.from({ length: A_ITEMS }, (_, i) => ({ image: m.image(`row=${i}`), video: m.video(5) }));
	const start = Date.now();
	c.eq(await post(`${cluster.baseUrl}/webhook/${PATHS.batch}`, { rows }), 200, 'webhook answer');
	const exec = await waitForExecution(pg, cluster, QIDS.batch, 300_000);
	const wall = (Date.parse(exec.stoppedAt ?? '') - start) / 1000;
	c.eq(exec.status, 'success', `execution ${exec.id} status${runError(exec.data) ? ` (${runError(exec.data)})` : ''}`);
	const worker = cluster.workerRunning(String(exec.id));
	c.ok(worker, `no worker log says it ran execution ${exec.id}`);
	c.ok(!/Worker started execution/.test(cluster.main.logText()), 'main ran an execution itself');

	const out = outputOf(exec.data, 'Kling Motion Control');
	c.eq(out.length, A_ITEMS, 'output items');
	const tasks = new Map(emu.tasks('waveSpeed').map((t) => [t.id, t]));
	c.eq(tasks.size, A_ITEMS, 'tasks at the provider');
	const storedAs = new Set<string>();
	for (let i = 0; i < out.length; i++) {
		const j = out[i].json;
		c.eq(pairedIndex(out[i]), i, `item ${i} pairedItem`);
		c.eq(j.status, 'completed', `item ${i} status`);
		const task = tasks.get(String(j.taskId));
		c.ok(task, `item ${i}: task ${String(j.taskId)} unknown to the provider`);
		c.eq(rowOf(task.imageUrl), String(i), `item ${i}: its task's image row (output order)`);
		const bin = out[i].binary?.data;
		if (!bin?.id) throw new Error(`A batch: item ${i} has no stored binary: ${JSON.stringify(bin)}`);
		c.eq(bin.mimeType, 'video/mp4', `item ${i} binary mimeType`);
		storedAs.add(bin.id.split(':')[0]);
	}
	c.eq([...storedAs], ['database'], 'binary storage mode of the outputs');
	const read = outputOf(exec.data, 'Read binaries').map((x) => x.json);
	c.eq(read.length, A_ITEMS, 'binaries read back by the next node');
	const served = Number((await fetch(String(out[0].json.videoUrl), { method: 'HEAD' })).headers.get('content-length'));
	for (let i = 0; i < read.length; i++) {
		c.eq(read[i].taskId, out[i].json.taskId, `read-back item ${i} task id`);
		c.eq(read[i].magic, 'ftyp', `read-back item ${i} MP4 signature`);
		c.eq(read[i].size, served, `read-back item ${i} size vs the provider's file`);
	}
	const db = await binaryRows(pg, String(exec.id));
	c.eq(db.count, A_ITEMS, `rows in binary_data for execution ${exec.id}`);
	const s = emu.stats();
	c.eq(s.duplicateSubmits, 0, 'duplicate submits');
	c.eq(s.submitsAccepted.waveSpeed, A_ITEMS, 'submits accepted');
	c.eq(s.fileRequestsWithAuthorization, 0, 'downloads that carried the provider key');
	const statusPerTask = (s.statusRequests.waveSpeed ?? 0) / A_ITEMS;
	Object.assign(figures, {
		A_items: A_ITEMS,
		A_jobSeconds: A_JOB_MS / 1000,
		A_wallSeconds: wall,
		A_wallOverJob: wall / (A_JOB_MS / 1000),
		A_statusRequestsPerTask: statusPerTask,
		A_binaryRows: db.count,
		A_binaryBytes: db.bytes,
		A_worker: worker.name,
	});
	return [
		`execution ${exec.id} on ${worker.name}: ${A_ITEMS} items, job time T = ${A_JOB_MS / 1000} s, poll ${A_POLL_S} s → webhook to finished ${wall.toFixed(1)} s (${(wall / (A_JOB_MS / 1000)).toFixed(2)} × T)`,
		`outputs in input order (pairedItem i = task of row i), all completed; ${statusPerTask.toFixed(1)} status reads per task; 0 duplicate submits`,
		`binaries: ${db.count} rows / ${(db.bytes / 1024 / 1024).toFixed(1)} MiB in PostgreSQL table binary_data (ids "database:…"), read back by the next Code node on the worker`,
	].join('\n');
}

/** B: 40 executions parked on a Wait node until the provider's callback, on 4 worker slots. */
async function scenarioB({ cluster, emu, pg, redis }: Ctx): Promise<string> {
	const c: Check = new Check('B parked');
	emu.reset();
	emu.jobMs = B_JOB_MS;
	const m = media(emu);
	const before = cluster.startedPerWorker();
	const start = Date.now();
	const answers = await Promise.all(Array.from({ length: B_EXECUTIONS }, (_, i) => post(`${cluster.baseUrl}/webhook/${PATHS.parked}`, { image: m.image(`row=b${i}`), video: m.video(5) })));
	const posted = (Date.now() - start) / 1000;
	c.eq(
		answers.filter((a) => a !== 200),
		[],
		'webhook answers other than 200',
	);
	let peakWaiting = 0;
	let peakRunning = 0;
	let peakActiveJobs = 0;
	let allWaitingAt: number | undefined;
	let activeWhenAllWaiting: number | undefined;
	const deadline = start + B_JOB_MS * 3 + 180_000;
	let st: Record<string, number> = {};
	for (;;) {
		const [s, bull] = await Promise.all([executionStatuses(pg, QIDS.parked), bullCounts(redis)]);
		st = s;
		peakWaiting = Math.max(peakWaiting, s.waiting ?? 0);
		peakRunning = Math.max(peakRunning, s.running ?? 0);
		peakActiveJobs = Math.max(peakActiveJobs, bull.active);
		if (allWaitingAt === undefined && (s.waiting ?? 0) === B_EXECUTIONS) {
			allWaitingAt = (Date.now() - start) / 1000;
			activeWhenAllWaiting = bull.active;
		}
		const done = (s.success ?? 0) + (s.error ?? 0) + (s.crashed ?? 0) + (s.canceled ?? 0);
		if (done >= B_EXECUTIONS) break;
		if (Date.now() > deadline) throw new Error(`B parked: not all ${B_EXECUTIONS} finished after ${secs(start)}: ${JSON.stringify(s)}`);
		await sleep(250);
	}
	c.eq(st.success ?? 0, B_EXECUTIONS, `successful executions (${JSON.stringify(st)})`);
	const ids = (await pg.sql(`SELECT id FROM execution_entity WHERE "workflowId" = '${QIDS.parked}' ORDER BY id`)).map(([id]) => id);
	c.eq(ids.length, B_EXECUTIONS, 'executions in the database');
	const storedAs = new Set<string>();
	const taskIds = new Set<string>();
	const stops: number[] = [];
	for (const id of ids) {
		const e = await cluster.api.api<Exec>('GET', `/executions/${id}?includeData=true`);
		const full = e;
		stops.push(Date.parse(e.stoppedAt ?? ''));
		const submitted = outputOf(full.data, 'Submit')[0].json;
		const got = outputOf(full.data, 'Get Status')[0];
		c.eq(got.json.taskId, submitted.taskId, `execution ${e.id}: Get Status task id`);
		c.eq(got.json.status, 'completed', `execution ${e.id}: Get Status status`);
		const binId = got.binary?.data?.id;
		if (!binId) throw new Error(`B parked: execution ${e.id}: no stored binary`);
		storedAs.add(binId.split(':')[0]);
		taskIds.add(String(submitted.taskId));
		const cb = emu.callbacks.filter((x) => x.taskId === submitted.taskId);
		c.eq(cb.length, 1, `execution ${e.id}: callbacks for task ${String(submitted.taskId)}`);
		c.ok(cb[0].url.startsWith(`${cluster.baseUrl}/webhook-waiting/${e.id}?signature=`), `execution ${e.id}: callback URL ${cb[0].url}`);
		c.eq(cb[0].result, 200, `execution ${e.id}: n8n's answer to the callback`);
	}
	c.eq(taskIds.size, B_EXECUTIONS, 'distinct tasks');
	const total = (Math.max(...stops) - start) / 1000;
	// n8n observation, not a check: the public API's list leaves out what main's in-memory bookkeeping
	// still holds as running; n8n 2.41.1 sometimes never clears a resumed execution there
	const listed = new Set((await cluster.api.api<{ data: Exec[] }>('GET', `/executions?workflowId=${QIDS.parked}&limit=250`)).data.map((e) => String(e.id)));
	const hidden = ids.filter((id) => !listed.has(id));
	c.eq([...storedAs], ['database'], 'binary storage mode');
	const s = emu.stats();
	c.eq(s.duplicateSubmits, 0, 'duplicate submits');
	c.eq(s.submitsAccepted.fal, B_EXECUTIONS, 'submits accepted');
	c.ok(peakWaiting > SLOTS, `at most ${peakWaiting} executions were waiting at once (slots: ${SLOTS})`);
	const after = cluster.startedPerWorker();
	const perWorker = Object.entries(after).map(([w, n]) => `${w} ${n - (before[w] ?? 0)}`);
	const heldBound = Math.ceil(B_EXECUTIONS / SLOTS) * (B_JOB_MS / 1000);
	Object.assign(figures, {
		B_executions: B_EXECUTIONS,
		B_slots: SLOTS,
		B_jobSeconds: B_JOB_MS / 1000,
		B_postSeconds: posted,
		B_allWaitingAfterSeconds: allWaitingAt,
		B_peakWaiting: peakWaiting,
		B_peakRunning: peakRunning,
		B_peakActiveBullJobs: peakActiveJobs,
		B_activeBullJobsWhenAllWaiting: activeWhenAllWaiting,
		B_totalSeconds: total,
		B_totalOverJob: total / (B_JOB_MS / 1000),
		B_lowerBoundIfWaitHeldSlotsSeconds: heldBound,
		B_jobStartsPerWorker: perWorker.join(', '),
		B_hiddenFromPublicApiList: hidden.length,
	});
	return [
		`${B_EXECUTIONS} webhook calls in ${posted.toFixed(1)} s; ${SLOTS} worker slots (${WORKERS} workers × concurrency ${CONCURRENCY}); provider job time ${B_JOB_MS / 1000} s`,
		`all ${B_EXECUTIONS} parked (status waiting) ${allWaitingAt?.toFixed(1) ?? '—'} s after the first call, with ${activeWhenAllWaiting ?? '—'} Bull jobs active; peak ${peakWaiting} waiting, ${peakRunning} running, ${peakActiveJobs} active jobs`,
		`all ${B_EXECUTIONS} completed ${total.toFixed(1)} s after the first call = ${(total / (B_JOB_MS / 1000)).toFixed(2)} × the job time (if waiting held a slot: ≥ ${heldBound} s)`,
		`each: 1 callback → /webhook-waiting/<id>?signature=… answered 200, Get Status completed, MP4 in database mode; job starts per worker (start + resume): ${perWorker.join(', ')}`,
		...(hidden.length
			? [`n8n: GET /api/v1/executions leaves out ${hidden.length} of the 40 finished executions (${hidden.join(', ')}): main still counts them as running (GET /executions/<id> shows them "success")`]
			: []),
	].join('\n');
}

/** C: the worker running a polling Submit and Wait is killed (SIGKILL). */
async function scenarioC({ cluster, emu, pg }: Ctx): Promise<string> {
	const c: Check = new Check('C worker killed');
	emu.reset();
	emu.jobMs = C_JOB_MS;
	const m = media(emu);
	const lines: string[] = [];
	const start = Date.now();
	c.eq(await post(`${cluster.baseUrl}/webhook/${PATHS.crash}`, { image: m.image('row=crash'), video: m.video(5) }), 200, 'webhook answer');
	// wait for the submit and a first status read: the node is now polling inside a worker
	let task: ReturnType<Emulator['tasks']>[number] | undefined;
	for (;;) {
		task = emu.tasks('kling')[0];
		if (task && emu.requests.some((r) => r.provider === 'kling' && r.method === 'GET' && r.path.includes(task!.id))) break;
		if (Date.now() - start > 60_000) throw new Error('C: no Kling submit + status read within 60 s');
		await sleep(200);
	}
	const external = String((task.body as Record<string, unknown>).external_task_id ?? '');
	const execId = /^n8n-(\d+)-/.exec(external)?.[1];
	c.ok(execId, `external_task_id "${external}" does not carry the execution id`);
	const worker = cluster.workerRunning(execId);
	c.ok(worker, `no worker log says it runs execution ${execId}`);
	const killedAt = Date.now();
	await worker.kill();
	lines.push(`execution ${execId} polling task ${task.id} (external_task_id ${external}) on ${worker.name}; ${worker.name} SIGKILLed ${((killedAt - start) / 1000).toFixed(1)} s after the trigger`);

	// what n8n does on its own (main and the other worker keep running): Bull's lock on the job expires
	// (QUEUE_WORKER_LOCK_DURATION), the other worker's stalled check (QUEUE_WORKER_STALLED_INTERVAL) fails the
	// job (n8n sets maxStalledCount 0: never re-run elsewhere), and main, which awaits the job, records the error.
	const statusReads = (): number => emu.requests.filter((r) => r.provider === 'kling' && r.method === 'GET' && r.path.includes(task!.id)).length;
	const readsAtKill = statusReads();
	let endedAt: number | undefined;
	let status = '';
	for (;;) {
		const [[s]] = await pg.sql(`SELECT status FROM execution_entity WHERE id = ${execId}`);
		status = s;
		if (s !== 'running' && s !== 'new') {
			endedAt = Date.now();
			break;
		}
		if (Date.now() - killedAt > C_NOTICE_LIMIT_MS) break;
		await sleep(500);
	}
	if (!endedAt) throw new Error(`C: execution ${execId} still "${status}" ${C_NOTICE_LIMIT_MS / 1000} s after its worker was killed`);
	const full = await cluster.api.api<Exec>('GET', `/executions/${execId}?includeData=true`);
	const text = JSON.stringify(full.data ?? {});
	const idInN8n = text.includes(task.id);
	const externalInN8n = text.includes(external);
	const lock = BULL.QUEUE_WORKER_LOCK_DURATION ?? '60000';
	const stalled = BULL.QUEUE_WORKER_STALLED_INTERVAL ?? '30000';
	lines.push(
		`n8n marked execution ${execId} "${status}" ${((endedAt - killedAt) / 1000).toFixed(1)} s after the kill (Bull lock ${lock} ms + stalled check every ${stalled} ms): "${runError(full.data) ?? 'no error message'}"`,
		`execution data holds the task id: ${idInN8n ? 'yes' : 'no'}; the external_task_id: ${externalInN8n ? 'yes' : 'no'}; nodes that ran: ${Object.keys(full.data?.resultData.runData ?? {}).join(', ') || 'none'}`,
	);
	figures.C_noticedAfterSeconds = (endedAt - killedAt) / 1000;
	figures.C_markedAs = status;
	figures.C_taskIdInExecutionData = idInN8n;

	// the paid task: it keeps running at the provider and finishes without anyone collecting it
	const readsAfterKill = statusReads() - readsAtKill;
	for (;;) {
		const t = emu.tasks('kling').find((x) => x.id === task!.id)!;
		if (t.status !== 'queued' && t.status !== 'processing') {
			task = t;
			break;
		}
		await sleep(500);
	}
	c.eq(task.status, 'completed', 'the task at the provider');
	lines.push(`at the provider: task ${task.id} went on to "${task.status}" (${C_JOB_MS / 1000} s job); status reads after the kill: ${readsAfterKill}`);

	// recovery, as a user would: find the task by the external_task_id prefix n8n-<execution id>- (Kling's task list / dashboard) …
	const listed = await fetch(`${emu.baseUrl('kling')}/v1/videos/motion-control?pageNum=1&pageSize=50`, { headers: { authorization: `Bearer ${klingJwt()}` } });
	const listBody = (await listed.json()) as { data?: Array<{ task_id: string; task_info?: { external_task_id?: string } }> };
	const found = (listBody.data ?? []).find((t) => t.task_info?.external_task_id?.startsWith(`n8n-${execId}-`));
	c.ok(found, `the Kling task list shows no external_task_id n8n-${execId}-…: ${JSON.stringify(listBody).slice(0, 500)}`);
	c.eq(found.task_id, task.id, 'task found by external_task_id');
	// … and collect it with Wait for Completion (no new submit)
	const submitsBefore = sum(emu.stats().submitsAccepted);
	c.eq(await post(`${cluster.baseUrl}/webhook/${PATHS.recover}`, { taskId: found.task_id }), 200, 'recovery webhook answer');
	const rec = await waitForExecution(pg, cluster, QIDS.recover, 120_000);
	c.eq(rec.status, 'success', `recovery execution ${rec.id} status${runError(rec.data) ? ` (${runError(rec.data)})` : ''}`);
	const got = outputOf(rec.data, 'Wait for Completion')[0];
	c.eq(got.json.taskId, task.id, 'recovered task id');
	c.eq(got.json.status, 'completed', 'recovered status');
	c.ok(got.binary?.data?.id?.startsWith('database:'), `recovered MP4 not in database mode: ${JSON.stringify(got.binary?.data)}`);
	c.eq(sum(emu.stats().submitsAccepted), submitsBefore, 'submits during recovery');
	c.eq(emu.stats().duplicateSubmits, 0, 'duplicate submits');
	lines.push(`recovered: Kling task list → external_task_id ${found.task_info?.external_task_id} → Wait for Completion (execution ${rec.id}) → completed, MP4 in database mode, no new submit`);
	// restore the killed worker so the cluster ends as it started
	await worker.start();
	return lines.join('\n');
}

// ---------- main ----------

async function main(): Promise<void> {
	const wanted = only('E2EQ_ONLY') ?? ['A', 'B', 'C'];
	log(`e2e-queue: ${PKG.name}@${PKG.version} on n8n ${TARGET.version}, queue mode (main + ${WORKERS} workers × concurrency ${CONCURRENCY}), cache ${Q}`);
	let t = Date.now();
	log(`  packages: ${ensurePackages()} (${secs(t)})`);
	t = Date.now();
	const { installs, fresh } = await ensureTargets([TARGET]);
	if (installs[0].status === 'rejected') throw installs[0].reason;
	const installed = installs[0].value;
	log(`  n8n: ${fresh ? 'installed' : 'reused'} ${installed.dir.replace(`${ROOT}/`, '')} (${secs(t)})`);
	t = Date.now();
	const tarball = buildAndPack({ outDir: join(Q, 'pack'), skipBuild: flag('skip-build') });
	log(`  build + pack: ${tarball.replace(`${ROOT}/`, '')} (${secs(t)})`);

	const pg = new Postgres(join(Q, 'postgres'), await freePort());
	const redis = new Redis(join(Q, 'redis'), await freePort());
	let emu: Emulator | undefined;
	let cluster: QueueCluster | undefined;
	try {
		t = Date.now();
		const [pgSecs, redisSecs] = await Promise.all([pg.start(), redis.start()]);
		log(`  ${pg.version} on 127.0.0.1:${pg.port} (${pgSecs.toFixed(1)} s), ${redis.version} on 127.0.0.1:${redis.port} (${redisSecs.toFixed(1)} s)`);
		emu = await startEmulator({ jobMs: A_JOB_MS });
		for (const name of ['main', ...Array.from({ length: WORKERS }, (_, i) => `worker-${i + 1}`)]) rmSync(join(Q, name), { recursive: true, force: true });
		cluster = new QueueCluster({ install: installed, dir: Q, pg, redis, workers: WORKERS, concurrency: CONCURRENCY, tarball, env: BULL });
		await cluster.prepare();
		t = Date.now();
		const credSecs = await cluster.importCredentials(credentials(emu));
		const wfSecs = await cluster.importWorkflows([batch('waveSpeed', A_ITEMS, A_POLL_S), parked('fal'), crash('kling'), recover('kling')]);
		log(`  imported 8 credentials (${credSecs.toFixed(1)} s, incl. n8n's migrations on a fresh database) and 4 workflows (${wfSecs.toFixed(1)} s)`);
		const started = await cluster.start();
		await cluster.api.setupPublicApi();
		for (const id of Object.values(QIDS)) await cluster.api.api('POST', `/workflows/${id}/activate`);
		log(`  main ready in ${started.main.toFixed(1)} s, workers in ${started.workers.map((s) => s.toFixed(1)).join(' / ')} s; owner, API key, 4 workflows published (${secs(t)})`);
		const ctx: Ctx = { cluster, emu, pg, redis };
		log('');
		if (wanted.includes('A')) await scenario(`A  batch: 1 execution × ${A_ITEMS} items, Submit and Wait + Download Video, on a worker`, () => scenarioA(ctx));
		if (wanted.includes('B')) await scenario(`B  parked: ${B_EXECUTIONS} executions Submit → Wait (On Webhook Call) → Get Status on ${SLOTS} slots`, () => scenarioB(ctx));
		if (wanted.includes('C')) await scenario('C  worker killed during a polling Submit and Wait', () => scenarioC(ctx));
	} catch (e) {
		results.fail('setup', (e as Error).message, { print: String((e as Error).stack) });
	} finally {
		t = Date.now();
		const took = await cluster?.stop().catch((e: Error) => log(`  (stopping n8n: ${e.message})`));
		await emu?.close();
		await Promise.all([pg.stop(), redis.stop()]);
		const each = took ? Object.entries(took).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ') : '';
		log(`  stopped n8n (${each}), emulator, PostgreSQL, Redis (${secs(t)})`);
	}
	log(`\nfigures: ${JSON.stringify(figures, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(2)) : v))}`);
	results.finish('e2e-queue', join(Q, 'results.json'), { figures });
}

// Ctrl-C: the servers run in their own process groups; stopOnSignals stops n8n first, then PostgreSQL and Redis
stopOnSignals(log);
runMain(main);
