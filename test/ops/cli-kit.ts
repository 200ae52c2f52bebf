// Runs the `ferry` bin as a user would, against a server reached over HTTP, and collects its output and exit code.
// Every child is awaited (or killed) before the helper returns, so no test leaves a process behind.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ferryBin = join(process.cwd(), 'bin/ferry.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What a test can do to a running command while watching its output. */
interface CliControl {
  write(input: string): void;
  signal(name: NodeJS.Signals): void;
}

export type OutputWatcher = (stdout: string, control: CliControl) => void;

export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; onOutput?: OutputWatcher } = {},
): Promise<CliRun> {
  return runProcess(process.execPath, [ferryBin, ...args], env, options.timeoutMs ?? 60_000, options.onOutput);
}

/** The command inside a pseudo-terminal (util-linux `script`), so the CLI sees a TTY on stdin and stdout. */
export function runCliInTerminal(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; onOutput?: OutputWatcher } = {},
): Promise<CliRun> {
  const quoted = [process.execPath, ferryBin, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  return runProcess(
    'script',
    ['-qefc', `stty cols 200; exec ${quoted}`, '/dev/null'],
    env,
    options.timeoutMs ?? 60_000,
    options.onOutput,
  );
}

function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  onOutput?: OutputWatcher,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not end within ${timeoutMs} ms; output: ${stdout} ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onOutput?.(stdout, { write: (input) => child.stdin.write(input), signal: (name) => child.kill(name) });
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (!onOutput) child.stdin.end();
  });
}
