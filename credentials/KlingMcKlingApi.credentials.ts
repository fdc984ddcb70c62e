import { createHmac } from 'node:crypto';
import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

function base64Url(input: string | Buffer): string {
	return Buffer.from(input).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Kling's HS256 JWT: iss = access key, valid from 5 s ago for 30 min, signed with the secret key. */
export function signKlingJwt(accessKey: string, secretKey: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
	const header = base64Url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const payload = base64Url(JSON.stringify({ iss: accessKey, exp: nowSeconds + 1800, nbf: nowSeconds - 5 }));
	const signature = base64Url(createHmac('sha256', secretKey).update(`${header}.${payload}`).digest());
	return `${header}.${payload}.${signature}`;
}

export class KlingMcKlingApi implements ICredentialType {
	name = 'klingMcKlingApi';

	displayName = 'Kling Motion Control: Kling AI API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://app.klingai.com/global/dev/document-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Kling\'s newer sign-in ("API Key" in the Kling developer console). When filled, it is used and the access/secret key pair below is ignored.',
		},
		{
			displayName: 'Access Key',
			name: 'accessKey',
			type: 'string',
			default: '',
			description: 'Legacy sign-in (still supported): the access key of an access/secret key pair. Leave empty when you use an API key.',
		},
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The secret key that belongs to the access key. Leave empty when you use an API key.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api-singapore.klingai.com',
			description:
				'Singapore (global) https://api-singapore.klingai.com, Beijing (China) https://api-beijing.klingai.com, legacy https://api.klingai.com, or a gateway/proxy',
		},
	];

	// A fresh token for every request, signed here so the secret never enters the workflow (API key: sent as is).
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const apiKey = String(credentials.apiKey ?? '').trim();
		// The API key is itself the Bearer token; otherwise a fresh JWT from the legacy key pair.
		const token = apiKey || signKlingJwt(String(credentials.accessKey ?? ''), String(credentials.secretKey ?? ''));
		requestOptions.headers = { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${token}` };
		return requestOptions;
	}

	// The motion-control task list (documented, free) needs a valid token.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/videos/motion-control',
			method: 'GET',
			qs: { pageNum: 1, pageSize: 1 },
		},
	};
}
