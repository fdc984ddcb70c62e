import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class KlingMcOxenApi implements ICredentialType {
	name = 'klingMcOxenApi';

	displayName = 'Kling Motion Control: Oxen.ai API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://docs.oxen.ai/inference-api/reference/models/kling-video-v3-pro-motion-control';

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
			default: 'https://hub.oxen.ai/api/ai',
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

	// GET /queue lists the authenticated user's generations (Oxen docs, async_queue.mdx).
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/queue',
			method: 'GET',
		},
	};
}
