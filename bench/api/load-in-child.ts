// HTTP load from autocannon's command line in a child process (50 connections), for scripts that measure the server
// in their own process: the load generator must not share that process's event loop or its CPU figures.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** Loads `url` for `seconds` and answers how many requests completed; any non-2xx response rejects. */
export function loadInChild(url: string, headers: Record<string, string>, seconds: number): Promise<number> {
  const args = ['-c', '50', '-d', String(seconds), '-j'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  return new Promise((resolve, reject) => {
    execFile(
      join(process.cwd(), 'node_modules/.bin/autocannon'),
      [...args, url],
      { maxBuffer: 1 << 24 },
      (error, stdout) => {
        if (error) return reject(error);
        const result = JSON.parse(stdout) as { requests: { total: number }; non2xx: number };
        if (result.non2xx > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx responses`));
        resolve(result.requests.total);
      },
    );
  });
}
