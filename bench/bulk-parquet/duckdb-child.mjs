// The baseline's DuckDB, in its own process, plain JavaScript so that no tsx loads before the clock's work: runs the
// one statement it is given (argv[2]), whose /dev/stdin or /dev/stdout is the shell pipe to psql (a real pipe: Node's
// own child pipes are sockets, which /dev/stdin cannot open). Exits 1 with the error on stderr when it fails.
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
try {
  await connection.run(process.argv[2]);
} catch (caught) {
  console.error(caught instanceof Error ? caught.message : String(caught));
  process.exitCode = 1;
}
connection.closeSync();
