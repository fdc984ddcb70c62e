import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

export class KlingMcNovitaApi implements ICredentialType {
	name = 'klingMcNovitaApi';

	displayName = 'Kling Motion Control: Novita AI API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://novita.ai/docs/api-reference/basic-authentication';

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
			default: 'https://api.novita.ai',
			description: 'Change only for a regional host, a gateway or a proxy',
		},
	];

	authenticate = apiKeyHeader('Bearer');

	// GET /v3/user (user info and credit balance, novita.ai/docs/api-reference/basic-get-user-info)
	// costs nothing; a wrong key is refused (INVALID_API_KEY, HTTP 403).
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v3/user',
			method: 'GET',
		},
	};
}
