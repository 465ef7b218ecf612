/** Throwaway git repositories for tests of git-ref bases and changed files. */
import { execFileSync } from 'node:child_process';

/** Whether git and tar (for `git archive` bases) can run here. */
export const hasGitAndTar: boolean = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs git in `root` and returns its standard output. */
export type Git = (...args: string[]) => string;

/** Makes `root` a repository with one commit of everything in it; returns a git runner. */
export function commitAll(root: string, message = 'initial'): Git {
  const git: Git = (...args) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  git('config', 'commit.gpgsign', 'false');
  git('add', '.');
  git('commit', '-q', '-m', message);
  return git;
}
