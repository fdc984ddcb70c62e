const path = require('path');
const { task, src, dest, parallel } = require('gulp');

// Icons (and the codex JSON) are not TypeScript: copy them next to the compiled files in dist/.
function copyNodeAssets() {
	return src(['nodes/**/*.{png,svg,json}']).pipe(dest(path.resolve('dist', 'nodes')));
}

function copySharedIcons() {
	return src(['icons/*.{png,svg}']).pipe(dest(path.resolve('dist', 'icons')));
}

task('build:icons', parallel(copyNodeAssets, copySharedIcons));
