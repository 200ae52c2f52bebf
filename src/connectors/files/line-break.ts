// Appending to a text file someone else wrote: its last line may lack the final line break, and
// the first appended record must not continue that line.
import { open } from 'node:fs/promises';

export async function endsWithLineBreak(path: string, size: number): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}
