// The connections service of a running test server, for checks that go below the HTTP surface.
import { connectionsService } from '../../src/services/connections-service.ts';
import type { TestFerry } from '../kit/ferry-server.ts';

export function createFerryConnectionsService(server: TestFerry) {
  return connectionsService(server.ferry.context);
}
