import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

export class KlingMcKieApi implements ICredentialType {
	name = 'klingMcKieApi';

	displayName = 'Kling Motion Control: Kie.ai API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://docs.kie.ai';

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
			default: 'https://api.kie.ai',
			description: 'Change only for a regional host, a gateway or a proxy',
		},
	];

	authenticate = apiKeyHeader('Bearer');

	// GET /api/v1/chat/credit ("Get Remaining Credits", docs.kie.ai/common-api) costs nothing. Kie
	// answers errors with HTTP 200 and the status in `code`, so a wrong key is caught by the rule.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/api/v1/chat/credit',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 401, message: 'Kie.ai refused the API key (code 401): check it' },
			},
		],
	};
}
