// Reads scripts/project.json (the one place a fork sets its repository and author) and derives the
// package.json fields and documentation URLs from it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');

export interface Project {
	githubRepository: string;
	author: { name: string; email?: string };
	singlePackagePrefix: string;
}

export function readProject(): Project {
	return JSON.parse(readFileSync(join(ROOT, 'scripts', 'project.json'), 'utf8')) as Project;
}

export function projectUrls(project: Project) {
	const web = `https://github.com/${project.githubRepository}`;
	return {
		homepage: `${web}#readme`,
		repository: { type: 'git', url: `git+${web}.git` },
		bugs: { url: `${web}/issues` },
		readme: `${web}#readme`,
		providersDoc: `${web}#providers`,
		installDoc: `${web}#install-in-n8n`,
	};
}

/** The package.json fields that come from project.json, in package.json's own order. */
export function packageFields(project: Project) {
	const urls = projectUrls(project);
	return { author: project.author, homepage: urls.homepage, bugs: urls.bugs, repository: urls.repository };
}
