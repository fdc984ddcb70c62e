// n8n 2.41 editor, as a user drives it: Debian's Chromium through playwright-core, and the selectors
// the suite relies on (found in the real editor; see README.md beside this file).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BrowserContext, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';


export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Generous: two cores shared with other n8n processes. */
export const WAIT_MS = 120_000;

export const SEL = {
	canvasNode: '[data-test-id="canvas-node"]',
	ndv: '[data-test-id="ndv"]',
	ndvClose: '[data-test-id="ndv-close-button"]',
	parameters: '[data-test-id="node-parameters"]',
	/** n8n renders `type: 'notice'` parameters as role=alert boxes (no data-test-id). */
	notice: '[data-test-id="node-parameters"] [role="alert"]',
	param: (name: string) => `[data-test-id="parameter-input-${name}"]`,
	dropdownItem: '.el-select-dropdown__item:visible',
	/** the warning icon n8n puts beside a parameter with an issue (e.g. an unsupported value) */
	issues: '[data-test-id="parameter-issues"]',
	addOption: '[data-test-id="collection-parameter-add"]',
	addOptionItem: '[data-test-id="collection-parameter-option"]:visible',
	credentialSelect: '[data-test-id="node-credentials-select"]',
	credentialItem: (id: string) => `[data-test-id="node-credentials-select-item-${id}"]`,
	credentialEdit: '[data-test-id="credential-edit-button"]',
	credentialModal: '[data-test-id="editCredential-modal"]:visible',
	credentialModalClose: '[data-test-id="editCredential-modal"]:visible .el-dialog__headerbtn',
	creatorPlus: '[data-test-id="node-creator-plus-button"]',
	creatorSearch: '[data-test-id="node-creator-search-bar"]',
	creatorItem: '[data-test-id="item-iterator-item"]',
	creatorItemName: '[data-test-id="node-creator-item-name"]',
	creatorItemDescription: '[data-test-id="node-creator-item-description"]',
	creator: '[data-test-id="node-creator"]',
	executeWorkflow: '[data-test-id="execute-workflow-button"]',
	outputPanel: '[data-test-id="output-panel"]',
	inputPanel: '[data-test-id="ndv-input-panel"]',
	binaryTab: '[data-test-id="radio-button-binary"]',
	binaryItem: '[data-test-id="ndv-binary-data_0"]',
	viewBinary: '[data-test-id="ndv-view-binary-data"]',
} as const;

export interface Browser {
	ctx: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
	const userDataDir = mkdtempSync(join(tmpdir(), 'kling-mc-chromium-'));
	const ctx = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		viewport: { width: 1440, height: 900 },
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	ctx.setDefaultTimeout(WAIT_MS);
	const page = ctx.pages()[0] ?? (await ctx.newPage());
	return {
		ctx,
		page,
		async close() {
			await ctx.close();
			rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

export async function signIn(page: Page, baseUrl: string, owner: { email: string; password: string }): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"], input[type="email"]').first().fill(owner.email);
	await page.locator('input[name="password"]').fill(owner.password);
	await page.getByRole('button', { name: /sign in/i }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: WAIT_MS });
}

export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
	mkdirSync(dir, { recursive: true });
	const file = join(dir, `${name}.png`);
	await page.screenshot({ path: file });
	return file;
}

/** Opens a saved workflow and the node's panel (double-click on the canvas node). */
export async function openNode(page: Page, baseUrl: string, workflowId: string, nodeName: string): Promise<Locator> {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	await page.locator(SEL.canvasNode).filter({ hasText: nodeName }).first().dblclick();
	const ndv = page.locator(SEL.ndv);
	await ndv.locator(SEL.parameters).waitFor();
	return ndv;
}

/** The first line of each entry of an open dropdown (the name; the description follows). */
async function dropdownNames(page: Page): Promise<string[]> {
	const items = page.locator(SEL.dropdownItem);
	await items.first().waitFor();
	// The list can be visible a moment before its entries have their text (seen on a loaded machine).
	for (let attempt = 0; ; attempt++) {
		const names = (await items.allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
		if (names.length || attempt >= 10) return names;
		await page.waitForTimeout(300);
	}
}

/** Entries of an options parameter's dropdown (opened and closed again). */
/** Another dropdown (the credential list after a credential step) may still be fading out: let it go first. */
async function noDropdownOpen(page: Page): Promise<void> {
	await page.locator(SEL.dropdownItem).first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
}

export async function optionNames(page: Page, ndv: Locator, param: string): Promise<string[]> {
	const input = ndv.locator(SEL.param(param));
	await noDropdownOpen(page);
	await input.click();
	try {
		return await dropdownNames(page);
	} finally {
		await page.keyboard.press('Escape');
		await page.locator(SEL.dropdownItem).first().waitFor({ state: 'hidden' }).catch(() => undefined);
	}
}

export async function choose(page: Page, ndv: Locator, param: string, optionName: string): Promise<void> {
	await noDropdownOpen(page);
	await ndv.locator(SEL.param(param)).click();
	const items = page.locator(SEL.dropdownItem);
	await items.first().waitFor();
	// by the whole name ("Wait for Completion" is also part of "Submit and Wait for Completion")
	const names = (await items.allInnerTexts()).map((t) => t.split('\n')[0].trim());
	const i = names.indexOf(optionName);
	if (i < 0) throw new Error(`"${optionName}" is not offered in ${param} (offered: ${names.join(', ')})`);
	await items.nth(i).click();
}

/** What "Add Option" offers (its list, opened and closed again); [] when there is no Options collection. */
export async function addOptionNames(page: Page, ndv: Locator): Promise<string[]> {
	const add = ndv.locator(SEL.addOption);
	if ((await add.count()) === 0) return [];
	await add.first().click();
	try {
		const items = page.locator(SEL.addOptionItem);
		await items.first().waitFor();
		return (await items.allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
	} finally {
		await page.keyboard.press('Escape');
	}
}

/** Labels of the parameters shown on the panel (top level and inside collections). */
export async function parameterLabels(ndv: Locator): Promise<string[]> {
	const labels = ndv.locator(`${SEL.parameters} [data-test-id="input-label"] label`);
	return (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

export async function pickCredential(page: Page, ndv: Locator, credentialId: string): Promise<void> {
	await ndv.locator(SEL.credentialSelect).click();
	await page.locator(SEL.credentialItem(credentialId)).click();
	await noDropdownOpen(page);
}

/**
 * Opens the node's credential (pen icon): n8n tests an existing credential when its dialog opens.
 * Returns the banner's text ("Connection tested successfully" / "Couldn’t connect with these settings").
 */
export async function credentialTestBanner(page: Page, ndv: Locator): Promise<string> {
	await ndv.locator(SEL.credentialEdit).click();
	const modal = page.locator(SEL.credentialModal);
	await modal.waitFor();
	const banner = modal.getByText(/Connection tested successfully|Couldn.t connect with these settings/).first();
	await banner.waitFor();
	return (await banner.innerText()).trim();
}

export async function closeCredentialModal(page: Page): Promise<void> {
	await page.locator(SEL.credentialModalClose).click();
	await page.locator(SEL.credentialModal).waitFor({ state: 'hidden' });
}
