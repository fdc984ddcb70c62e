import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { apiKeyHeader } from './authenticate';

export class KlingMcWaveSpeedApi implements ICredentialType {
	name = 'klingMcWaveSpeedApi';

	displayName = 'Kling Motion Control: WaveSpeedAI API';

	icon: Icon = { light: 'file:../icons/klingMotionControl.svg', dark: 'file:../icons/klingMotionControl.dark.svg' };

	documentationUrl = 'https://wavespeed.ai/docs/docs-api/authentication';

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
			default: 'https://api.wavespeed.ai',
			description: 'Change only for a regional host, a gateway or a proxy',
		},
	];

	authenticate = apiKeyHeader('Bearer');

	// GET /api/v3/balance returns the account balance (WaveSpeed docs).
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/api/v3/balance',
			method: 'GET',
		},
	};
}
