/** Reading manifests: whole files in one Buffer, in this thread or in the background. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { readFileChunked, readFileInBackground } from '../src/load/read-file.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-read-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readFileInBackground', () => {
  test('gives the same bytes as reading in this thread', async () => {
    const file = path.join(dir, 'manifest.json');
    const text = JSON.stringify({
      nodes: Object.fromEntries([...Array(5000).keys()].map((i) => [`n${i}`, 'é'.repeat(i % 7)])),
    });
    fs.writeFileSync(file, text);
    const pending = readFileInBackground(file);
    const buf = await pending;
    expect(buf).not.toBeNull();
    expect(buf!.equals(readFileChunked(file))).toBe(true);
    expect(buf!.toString('utf8')).toBe(text);
  });

  test('an empty file is an empty buffer', async () => {
    const file = path.join(dir, 'empty.json');
    fs.writeFileSync(file, '');
    expect((await readFileInBackground(file))?.length).toBe(0);
  });

  test('what it cannot read gives null, and the usual read reports why', async () => {
    const missing = path.join(dir, 'missing.json');
    expect(await readFileInBackground(missing)).toBeNull();
    expect(() => readFileChunked(missing)).toThrow(InputError);
    expect(await readFileInBackground(dir)).toBeNull();
    expect(() => readFileChunked(dir)).toThrow(/is a directory/);
  });
});
