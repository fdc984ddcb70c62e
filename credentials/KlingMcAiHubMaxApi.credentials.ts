import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

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

	authenticate = apiKeyHeader('Bearer');

	// [I] /v1/account/credits ("Get Credits Usage") is listed in AIHubMax's OpenAPI catalog; its response shape is not published.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/account/credits',
			method: 'GET',
		},
	};
}
