// Server child: Ferry exactly as `ferry serve` builds it (createFerry(loadConfig(env))), configured by the
// environment the parent passes: FERRY_DATA_DIR, DATABASE_URL, bootstrap keys, LOG_LEVEL=warn, HOST, PORT=0.
import { loadConfig } from '../../src/config.ts';
import { createFerry } from '../../src/ferry.ts';
import { serveInChild } from '../lib/server-child.ts';

export interface FerryChildDetails {
  userId: string;
  organizationId: string;
  dialect: string;
}

await serveInChild<FerryChildDetails>(async () => {
  const ferry = await createFerry(loadConfig(process.env));
  if (!ferry.bootstrap) throw new Error('the benchmark needs an empty database so that its bootstrap keys are used');
  const url = await ferry.listen();
  return {
    url,
    details: { userId: ferry.bootstrap.userId, organizationId: ferry.bootstrap.organizationId, dialect: ferry.context.database.dialect },
    close: () => ferry.close(),
  };
});
