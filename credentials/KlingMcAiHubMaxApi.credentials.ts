import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class KlingMcAiHubMaxApi implements ICredentialType {
	name = 'klingMcAiHubMaxApi';

	displayName = 'Kling Motion Control: AIHubMax API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://docs.aihubmax.com/pages/en/api-manual/video-series/kling/kling-v3-motion-control';

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
			default: 'https://api.aihubmax.com',
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

	// [I] /v1/account/credits ("Get Credits Usage") is listed in AIHubMax's OpenAPI catalog; its response shape is not published.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/account/credits',
			method: 'GET',
		},
	};
}
