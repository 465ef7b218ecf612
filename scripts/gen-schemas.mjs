// Writes the published JSON Schemas (schemas/*.json) from the zod schemas in the built library.
import fs from 'node:fs';
import path from 'node:path';
import { configJsonSchema } from '../dist/src/config/schema.js';
import { outputJsonSchemas } from '../dist/src/report/schemas.js';

const dir = new URL('../schemas/', import.meta.url);
fs.mkdirSync(dir, { recursive: true });
const schemas = { ...outputJsonSchemas(), 'config.schema.json': configJsonSchema() };
for (const [name, schema] of Object.entries(schemas)) {
  const file = new URL(name, dir);
  fs.writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), file.pathname)}`);
}
