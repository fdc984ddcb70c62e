import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

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

	authenticate = apiKeyHeader('Bearer');

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
