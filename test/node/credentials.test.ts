/**
 * Each credential's `test` request, resolved and authenticated the way n8n does it, really checks
 * the key against the emulator: a good key passes, a bad key fails.
 */
import axios from 'axios';
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { ALL_PROVIDERS, credentialsFor, credentialTypes } from '../harness/kling';
import { PROVIDERS } from '../../nodes/KlingMotionControl/providers';
import { signKlingJwt } from '../../credentials/KlingMcKlingApi.credentials';

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator();
});
afterAll(async () => emu.close());

function resolve(value: unknown, credentials: ICredentialDataDecryptedObject): string {
	return String(value).replace(/^=/, '').replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key) => String(credentials[key]));
}

async function runTest(type: ICredentialType, credentials: ICredentialDataDecryptedObject): Promise<'ok' | string> {
	const test = type.test!;
	const request = test.request as IHttpRequestOptions & IDataObject;
	let options: IHttpRequestOptions = { url: request.url, method: request.method ?? 'GET', headers: {}, qs: request.qs as IDataObject };
	const auth = type.authenticate;
	if (typeof auth === 'function') options = await auth(credentials, options);
	else if (auth) {
		for (const [key, value] of Object.entries(auth.properties.headers ?? {})) options.headers![key] = resolve(value, credentials);
	}
	const url = new URL(resolve(request.baseURL, credentials) + request.url);
	for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.set(key, String(value));
	// axios, as n8n's credential test sends it (n8n-core's request helper); every status is an answer here.
	const response = await axios.request({
		url: url.toString(),
		method: options.method,
		headers: options.headers as Record<string, string>,
		data: request.body,
		validateStatus: () => true,
	});
	// As n8n 2.41's credential tester: a status rule is read only when the request fails (no ignoreHttpStatusErrors);
	// a responseSuccessBody rule is read on the JSON of an answer that did not fail (Kie.ai answers a wrong key
	// with HTTP 200 and `code: 401`).
	if (request.ignoreHttpStatusErrors || response.status < 400) {
		const body: unknown = response.data;
		for (const rule of test.rules ?? []) {
			if (rule.type !== 'responseSuccessBody') continue;
			const value = String(rule.properties.key)
				.split('.')
				.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as IDataObject)[key] : undefined), body);
			if (value === rule.properties.value) return String(rule.properties.message);
		}
		return 'ok';
	}
	for (const rule of test.rules ?? []) {
		if (rule.type === 'responseCode' && response.status === rule.properties.value) return String(rule.properties.message);
	}
	return `HTTP ${response.status}`;
}

describe.each(ALL_PROVIDERS)('%s credential', (provider) => {
	const type = () => credentialTypes[PROVIDERS[provider].credentialType];
	const good = () => credentialsFor(emu, provider)[PROVIDERS[provider].credentialType];

	it('passes with the right key', async () => {
		expect(await runTest(type(), good())).toBe('ok');
	});

	// Prospolabs documents no request that answers 2xx to a valid key without creating a paid generation, and
	// n8n's declarative test cannot tell its 401 from the 400 of a valid key: known gap, said in the README.
	(provider === 'prospolabs' ? it.failing : it)('fails with a wrong key', async () => {
		const bad = provider === 'kling' ? { ...good(), secretKey: 'nope' } : { ...good(), apiKey: 'nope' };
		expect(await runTest(type(), bad)).not.toBe('ok');
	});

	it('defaults baseUrl to the real host', () => {
		const baseUrl = type().properties.find((property) => property.name === 'baseUrl');
		const expected = {
			aiHubMax: 'https://api.aihubmax.com',
			evoLink: 'https://api.evolink.ai',
			fal: 'https://queue.fal.run',
			kie: 'https://api.kie.ai',
			kling: 'https://api-singapore.klingai.com',
			novita: 'https://api.novita.ai',
			oxen: 'https://hub.oxen.ai/api/ai',
			prospolabs: 'https://api.prospolabs.com',
			replicate: 'https://api.replicate.com',
			waveSpeed: 'https://api.wavespeed.ai',
		}[provider];
		expect(baseUrl?.default).toBe(expected);
	});
});

it('the Kling JWT is HS256 with iss = access key, exp ≈ now + 30 min, nbf ≈ now − 5 s', () => {
	const token = signKlingJwt('ak', 'sk', 1_700_000_000);
	const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
	expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
	expect(payload).toEqual({ iss: 'ak', exp: 1_700_001_800, nbf: 1_699_999_995 });
});
