/**
 * `npm run smoke -- --provider <id>`: a free live check of real keys before a paid batch. Spends
 * nothing: (1) the credential's own test request, (2) a submit with an empty body, which every
 * provider refuses before creating anything, parsed by the adapter's error reader, (3) one status
 * request for a task id that does not exist. Prints what was sent and what came back (keys
 * redacted) and whether each answer had the shape the adapter expects.
 *
 * Keys from the environment: KLING_MC_API_KEY (Kling: KLING_MC_API_KEY, or KLING_MC_ACCESS_KEY +
 * KLING_MC_SECRET_KEY), optional KLING_MC_BASE_URL. `--emulator` runs every check against the bundled
 * provider emulator, as if it were the real host (CI does: `npm run smoke -- --provider all --emulator`),
 * and fails if any paid task was created.
 */
import axios from 'axios';
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { ADAPTERS, getProvider } from '../nodes/KlingMotionControl/providers';
import type { ProviderAdapter, RequestSpec } from '../nodes/KlingMotionControl/providers/types';
import { startEmulator, type Emulator } from '../test/emulator';
import { credentialsFor, credentialTypes } from '../test/harness/kling';

const args = process.argv.slice(2);
const arg = (name: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : undefined;
};
const UNKNOWN_TASK = '00000000-0000-4000-8000-000000000000';

function resolve(value: unknown, credentials: ICredentialDataDecryptedObject): string {
	return String(value).replace(/^=/, '').replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key) => String(credentials[key] ?? ''));
}

function secretsOf(credentials: ICredentialDataDecryptedObject): string[] {
	return Object.entries(credentials)
		.filter(([key, value]) => typeof value === 'string' && value.length >= 6 && !/url/i.test(key))
		.map(([, value]) => String(value));
}

function redact(text: string, secrets: string[]): string {
	let out = text.replace(/(Bearer|Key|Token)\s+[\w.:-]+/g, '$1 ***');
	for (const secret of secrets) out = out.split(secret).join('***');
	return out;
}

async function send(type: ICredentialType, credentials: ICredentialDataDecryptedObject, spec: RequestSpec) {
	let options: IHttpRequestOptions = { url: spec.url, method: spec.method, headers: { ...(spec.headers ?? {}) }, qs: spec.qs };
	const auth = type.authenticate;
	if (typeof auth === 'function') options = await auth(credentials, options);
	else if (auth) for (const [key, value] of Object.entries(auth.properties.headers ?? {})) options.headers![key] = resolve(value, credentials);
	const response = await axios.request({
		url: spec.url,
		method: spec.method,
		params: spec.qs,
		headers: options.headers as Record<string, string>,
		data: spec.body,
		validateStatus: () => true,
		timeout: 30_000,
		transformResponse: (data: unknown) => data,
	});
	let body: unknown = response.data;
	try {
		body = JSON.parse(String(response.data));
	} catch {
		// kept as text
	}
	return { status: response.status, body, headers: options.headers as Record<string, string> };
}

/** The status the engine acts on: some providers put the real one in an HTTP 200 envelope. */
function effective(adapter: ProviderAdapter, answer: { status: number; body: unknown }): number {
	return adapter.envelopeStatus?.(answer.status, answer.body) ?? answer.status;
}

async function check(adapter: ProviderAdapter, credentials: ICredentialDataDecryptedObject): Promise<boolean> {
	const type = credentialTypes[adapter.credentialType];
	const secrets = secretsOf(credentials);
	const ctx = { baseUrl: String(credentials.baseUrl ?? ''), storageBaseUrl: credentials.storageBaseUrl as string | undefined };
	let ok = true;
	const line = (pass: boolean, what: string, detail: string) => {
		ok &&= pass;
		console.log(`${pass ? 'OK  ' : 'FAIL'} ${adapter.id.padEnd(11)} ${what}: ${redact(detail, secrets)}`);
	};
	// 1. The credential's own test.
	const test = type.test?.request as (IHttpRequestOptions & IDataObject) | undefined;
	if (test) {
		const url = resolve(test.baseURL, credentials) + test.url;
		const answer = await send(type, credentials, { method: (test.method ?? 'GET') as RequestSpec['method'], url, qs: test.qs as Record<string, string>, body: test.body as IDataObject });
		const refused = effective(adapter, answer) === 401 || effective(adapter, answer) === 403 || adapter.parseError(answer.status, answer.body).message.match(/refused|unauthori|invalid.*key|authentication/i);
		line(!refused, `credential test ${test.method ?? 'GET'} ${url}`, `HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}`);
	}
	// 2. A submit with an empty body: refused by the provider's schema, nothing created.
	const submit = adapter.buildSubmit({ imageUrl: '', videoUrl: '', characterOrientation: 'image', quality: adapter.capabilities.qualities[0] }, ctx, 'submitOnly');
	const refusedSubmit = await send(type, credentials, { ...submit, body: {} });
	const code = effective(adapter, refusedSubmit);
	const error = adapter.parseError(code, refusedSubmit.body);
	line(
		code >= 400 && code < 500 && code !== 401 && code !== 403 && !/^HTTP \d+$/.test(error.message),
		`invalid submit ${submit.method} ${submit.url} {}`,
		`HTTP ${refusedSubmit.status} → the adapter reads: "${error.message.slice(0, 160)}"`,
	);
	// 3. The status of a task that does not exist.
	const status = adapter.buildStatus({ taskId: UNKNOWN_TASK }, ctx);
	const unknown = await send(type, credentials, status);
	const unknownCode = effective(adapter, unknown);
	const unknownError = adapter.parseError(unknownCode, unknown.body);
	line(unknownCode !== 401 && unknownCode !== 403, `unknown task ${status.method} ${status.url}`, `HTTP ${unknown.status} → "${unknownError.message.slice(0, 160)}"`);
	return ok;
}

function liveCredentials(adapter: ProviderAdapter): ICredentialDataDecryptedObject {
	const env = process.env;
	const type = credentialTypes[adapter.credentialType];
	const data: ICredentialDataDecryptedObject = {};
	for (const property of type.properties) if (property.default !== undefined && property.default !== '') data[property.name] = property.default as string;
	if (env.KLING_MC_API_KEY) data.apiKey = env.KLING_MC_API_KEY;
	if (env.KLING_MC_ACCESS_KEY) data.accessKey = env.KLING_MC_ACCESS_KEY;
	if (env.KLING_MC_SECRET_KEY) data.secretKey = env.KLING_MC_SECRET_KEY;
	if (env.KLING_MC_BASE_URL) data.baseUrl = env.KLING_MC_BASE_URL;
	if (!data.apiKey && !data.accessKey) throw new Error('Set KLING_MC_API_KEY (Kling: or KLING_MC_ACCESS_KEY + KLING_MC_SECRET_KEY), or pass --emulator');
	return data;
}

async function main() {
	const which = arg('provider') ?? 'all';
	const adapters = which === 'all' ? [...ADAPTERS] : [getProvider(which)].filter((a): a is ProviderAdapter => !!a);
	if (!adapters.length) throw new Error(`--provider must be one of: all, ${ADAPTERS.map((a) => a.id).join(', ')}`);
	const emulated = args.includes('--emulator');
	let emu: Emulator | undefined;
	if (emulated) emu = await startEmulator();
	let ok = true;
	try {
		for (const adapter of adapters) {
			const credentials = emu ? credentialsFor(emu, adapter.id as never)[adapter.credentialType] : liveCredentials(adapter);
			ok = (await check(adapter, credentials)) && ok;
		}
		if (emu) {
			const accepted = Object.values(emu.stats().submitsAccepted).reduce((a, b) => a + (b ?? 0), 0);
			console.log(`${accepted === 0 ? 'OK  ' : 'FAIL'} spent nothing: ${accepted} task(s) created at the emulator`);
			ok &&= accepted === 0;
		}
	} finally {
		await emu?.close();
	}
	process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
