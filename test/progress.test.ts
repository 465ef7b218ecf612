/**
 * The progress line (src/cli/progress.ts): never written unless stderr is a terminal, drawn
 * after a second, throttled, cleared by done() however the work ends; and the CLI's stderr is
 * unchanged when no terminal is attached.
 */
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/common.js';
import {
  CLEAR_LINE,
  startProgress,
  withProgress,
  type ProgressClock,
  type ProgressTimer,
} from '../src/cli/progress.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/** A clock that moves only when told, with intervals that fire as it passes them. */
function fakeClock() {
  let t = 0;
  const timers = new Map<ProgressTimer, { fn: () => void; ms: number; next: number }>();
  let created = 0;
  let unrefed = 0;
  const clock: ProgressClock = {
    now: () => t,
    setInterval: (fn, ms) => {
      created++;
      const handle: ProgressTimer = { unref: () => void unrefed++ };
      timers.set(handle, { fn, ms, next: t + ms });
      return handle;
    },
    clearInterval: (handle) => {
      timers.delete(handle);
    },
  };
  /** Moves the clock to `to` ms, firing intervals due on the way. */
  const advance = (by: number) => {
    const to = t + by;
    for (;;) {
      let due: { fn: () => void; ms: number; next: number } | undefined;
      for (const timer of timers.values())
        if (timer.next <= to && (!due || timer.next < due.next)) due = timer;
      if (!due) break;
      t = due.next;
      due.next += due.ms;
      due.fn();
    }
    t = to;
  };
  return {
    clock,
    advance,
    /** Moves the clock without firing timers: synchronous work the event loop cannot interrupt. */
    jump: (by: number) => {
      t += by;
    },
    running: () => timers.size,
    created: () => created,
    unrefed: () => unrefed,
  };
}

function capture(isTTY: boolean | undefined) {
  const writes: string[] = [];
  const io: CliIO = {
    stdout: () => undefined,
    stderr: (text) => {
      writes.push(text);
    },
    cwd: repoRoot,
    ...(isTTY !== undefined ? { isTTY } : {}),
  };
  return { io, writes };
}

describe('startProgress', () => {
  test.each([false, undefined])('isTTY %s: nothing is ever written and no timer starts', (tty) => {
    const fake = fakeClock();
    const { io, writes } = capture(tty);
    const p = startProgress(io, 'loading', { clock: fake.clock });
    p.update('models/a.sql');
    fake.advance(5000);
    p.update('models/b.sql');
    fake.jump(5000);
    p.update('models/c.sql');
    p.done();
    expect(writes).toEqual([]);
    expect(fake.created()).toBe(0);
  });

  test('isTTY false: note() writes the message as it is', () => {
    const { io, writes } = capture(false);
    const p = startProgress(io, 'loading', { clock: fakeClock().clock });
    p.note('dbt-steward: reading x\n');
    p.done();
    expect(writes).toEqual(['dbt-steward: reading x\n']);
  });

  test('isTTY true: the line appears after the threshold, is throttled and is cleared', () => {
    const fake = fakeClock();
    const { io, writes } = capture(true);
    const p = startProgress(io, 'loading', { clock: fake.clock });
    expect(fake.unrefed()).toBe(1);
    p.update('manifest.json');
    fake.advance(900);
    expect(writes).toEqual([]);
    fake.advance(100); // 1000 ms: the interval draws it
    expect(writes).toEqual(['\rloading: manifest.json\x1b[K']);
    fake.advance(500); // same text: not redrawn
    expect(writes).toHaveLength(1);
    fake.jump(10); // 1510: a redraw 510 ms after the last one is allowed at once
    p.update('config');
    expect(writes).toEqual(['\rloading: manifest.json\x1b[K', '\rloading: config\x1b[K']);
    fake.jump(50); // 1560: within 100 ms of the last draw, so update() waits for the interval
    p.update('selection');
    expect(writes).toHaveLength(2);
    fake.advance(50); // 1610: the interval draws the latest text
    expect(writes[2]).toBe('\rloading: selection\x1b[K');
    p.done();
    expect(writes.at(-1)).toBe(CLEAR_LINE);
    expect(CLEAR_LINE).toBe('\r\x1b[K');
    expect(fake.running()).toBe(0);
    const before = writes.length;
    p.update('late');
    fake.advance(5000);
    p.done();
    expect(writes).toHaveLength(before);
  });

  test('isTTY true: synchronous work past the threshold is shown by the next update()', () => {
    const fake = fakeClock();
    const { io, writes } = capture(true);
    const p = startProgress(io, 'loading', { clock: fake.clock });
    p.update('a');
    fake.jump(1500); // a long synchronous stretch: no timer could fire
    expect(writes).toEqual([]);
    p.update('b');
    expect(writes).toEqual(['\rloading: b\x1b[K']);
    p.done();
    expect(writes).toEqual(['\rloading: b\x1b[K', CLEAR_LINE]);
  });

  test('isTTY true: work done before the threshold writes nothing, not even a clear', () => {
    const fake = fakeClock();
    const { io, writes } = capture(true);
    const p = startProgress(io, 'loading', { clock: fake.clock });
    p.update('a');
    fake.advance(999);
    p.update('b');
    p.done();
    fake.advance(5000);
    expect(writes).toEqual([]);
    expect(fake.running()).toBe(0);
  });

  test('note() clears a visible line, writes the message and redraws', () => {
    const fake = fakeClock();
    const { io, writes } = capture(true);
    const p = startProgress(io, 'loading', { clock: fake.clock });
    p.update('a');
    fake.advance(1000);
    p.note('dbt-steward: warning: w\n');
    expect(writes).toEqual([
      '\rloading: a\x1b[K',
      CLEAR_LINE,
      'dbt-steward: warning: w\n',
      '\rloading: a\x1b[K',
    ]);
    p.done();
  });

  test('control characters are blanked and the line fits 79 columns', () => {
    const fake = fakeClock();
    const { io, writes } = capture(true);
    const p = startProgress(io, 'loading', { clock: fake.clock });
    p.update(`evil\x1b]0;title\x07${'x'.repeat(200)}`);
    fake.advance(1000);
    const line = writes[0]!;
    expect(line.startsWith('\rloading: evil ]0;title ')).toBe(true);
    expect(line.endsWith('…\x1b[K')).toBe(true);
    const body = line.slice(1, -'\x1b[K'.length);
    expect([...body]).toHaveLength(79);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u001f]/.test(body)).toBe(false);
    p.done();
  });

  test('withProgress clears the line and stops the timer when the work throws', async () => {
    const fake = fakeClock();
    const { io, writes } = capture(true);
    await expect(
      withProgress(
        io,
        'report',
        (p) => {
          fake.jump(2000);
          p.update('rules');
          throw new Error('boom');
        },
        { clock: fake.clock },
      ),
    ).rejects.toThrow('boom');
    expect(writes).toEqual(['\rreport: rules\x1b[K', CLEAR_LINE]);
    expect(fake.running()).toBe(0);
  });

  test('the real clock: a quick run writes nothing and leaves no timer behind', async () => {
    const { io, writes } = capture(true);
    const value = await withProgress(io, 'loading', (p) => {
      p.update('x');
      return 42;
    });
    expect(value).toBe(42);
    expect(writes).toEqual([]);
  });
});

describe('the CLI and the progress line', () => {
  async function run(argv: string[], isTTY: boolean | undefined) {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      cwd: repoRoot,
      env: {},
      ...(isTTY !== undefined ? { isTTY } : {}),
    });
    return { code, stdout, stderr };
  }
  // eslint-disable-next-line no-control-regex
  const withoutProgress = (s: string) => s.replace(/\r[^\r\n]*?\x1b\[K/g, '');

  test.each([
    [['report', 'owners', 'fixtures/example-mesh', '--now', '2026-06-01']],
    [['check', 'fixtures/example-mesh', '--now', '2026-06-01', '--exit-zero']],
    [['report', 'domains', 'fixtures/no-such-dir', '--now', '2026-06-01']],
  ])(
    '%j: isTTY false writes exactly what no isTTY writes; isTTY true only adds cleared lines',
    async (argv) => {
      const plain = await run(argv, undefined);
      const piped = await run(argv, false);
      expect(piped).toEqual(plain);
      expect(plain.stderr).not.toContain('\r');
      const tty = await run(argv, true);
      expect(tty.code).toBe(plain.code);
      expect(tty.stdout).toBe(plain.stdout);
      expect(withoutProgress(tty.stderr)).toBe(plain.stderr);
    },
  );
});
