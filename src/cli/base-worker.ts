/**
 * The base side of `check --base`, computed in a worker thread while the main thread loads
 * and checks the head: on a 2-core CI runner the two loads and rule runs overlap. The
 * protocol (see base.ts, startBaseWorker): workerData names the base; the worker loads it,
 * then waits for the run's configuration (known only once the head is loaded), runs the
 * rules and posts the base project's parts and its findings back. An input error is posted
 * as such, so that the CLI reports it as it would without the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  getBuiltinRules,
  InputError,
  loadConfig,
  runRules,
  type CheckResult,
  type Project,
} from '../index.js';
import { loadBase, type BaseSpec, type BaseWorkerConfig, type BaseWorkerReply } from './base.js';

interface Input {
  specs: BaseSpec[];
  cwd: string;
  vars?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const input = workerData as Input;
  const configMessage = new Promise<BaseWorkerConfig>((resolve) =>
    port.once('message', (m: BaseWorkerConfig) => resolve(m)),
  );
  let reply: BaseWorkerReply;
  try {
    const base: Project = await loadBase(input.specs, input.cwd, input.vars);
    const c = await configMessage;
    const config = await loadConfig({
      cwd: input.cwd,
      ...(c.file !== null ? { configFile: c.file } : {}),
      startDirs: c.startDirs,
      rules: getBuiltinRules(),
    });
    if (c.domainProjects) config.engine.domains.projects = c.domainProjects;
    const result: CheckResult = runRules(base, {
      registry: config.registry,
      config: config.engine,
      ...(c.now !== null ? { now: new Date(c.now) } : {}),
      baseline: c.baseline,
      continueOnRuleError: c.continueOnRuleError,
    });
    reply = {
      ok: true,
      projects: base.projects,
      resources: [...base.resources.values()],
      groups: [...base.groups.values()],
      warnings: base.warnings,
      diagnostics: base.diagnostics,
      findings: result.findings,
    };
  } catch (err) {
    reply = {
      ok: false,
      input: err instanceof InputError,
      message: err instanceof Error ? err.message : String(err),
      ...(err instanceof InputError && err.file !== undefined ? { file: err.file } : {}),
    };
  }
  port.postMessage(reply);
}

void main();
