import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class KlingMcProspolabsApi implements ICredentialType {
	name = 'klingMcProspolabsApi';

	displayName = 'Kling Motion Control: Prospolabs API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://prospolabs.com/models/kling/kling-3-motion-control';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.prospolabs.com',
			description: 'Change only for a regional host, a gateway or a proxy',
		},
	];

	// A function rather than a generic expression: n8n calls it directly for every request, without
	// evaluating an expression each time (hundreds of status checks in a batch).
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		requestOptions.headers = { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${String(credentials.apiKey ?? '')}` };
		return requestOptions;
	}

	// [I] Prospolabs documents no account endpoint: an empty POST /v1/generate creates nothing, and only
	// an authentication refusal (401/403) fails the test.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/generate',
			method: 'POST',
			body: {},
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{ type: 'responseCode', properties: { value: 401, message: 'The API key was refused' } },
			{ type: 'responseCode', properties: { value: 403, message: 'The API key was refused' } },
		],
	};
}
