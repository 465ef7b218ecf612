// Writes rules/README.md, the table of every rule and engine finding, from the registry of the
// built library (run through `npm run docs:rules`, which builds first). test/rules-readme.test.ts
// fails when the checked-in file differs from what this writes.
import fs from 'node:fs';
import path from 'node:path';
import { getBuiltinRules, Registry, rulesReadme } from '../dist/src/index.js';

const file = new URL('../rules/README.md', import.meta.url);
const text = rulesReadme(new Registry(getBuiltinRules()));
const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
fs.writeFileSync(file, text);
console.log(
  `${before === text ? 'unchanged' : 'wrote'} ${path.relative(process.cwd(), file.pathname)}`,
);
