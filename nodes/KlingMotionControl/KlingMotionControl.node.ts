import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { withToolParameters } from './actions/toolDescriptions';
import { properties } from './description';
import { PROVIDERS } from './providers';

export class KlingMotionControl implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling Motion Control',
		name: 'klingMotionControl',
		icon: { light: 'file:klingMotionControl.svg', dark: 'file:klingMotionControl.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["authentication"]}}',
		description:
			'Animate a character image with the motion of a reference video (Kling 3.0 Motion Control)',
		defaults: { name: 'Kling Motion Control' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: Object.values(PROVIDERS).map((adapter) => ({
			name: adapter.credentialType,
			required: true,
			displayOptions: { show: { authentication: [adapter.id] } },
		})),
		properties: withToolParameters(properties),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
