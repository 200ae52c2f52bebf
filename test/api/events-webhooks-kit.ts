// A webhook receiver on 127.0.0.1 that checks each event delivery the way Polytomic's events guide tells receivers
// to (Polytomic-Signature: the hex HMAC-SHA256 of the raw body under the webhook's secret), and also verifies the
// Standard Webhooks headers with the standardwebhooks library. It can be told to fail the next answers.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ReadBack } from '../kit/read-back.ts';

export interface EventReceiver {
  url: string;
  /** Deliveries whose both signatures verified, in arrival order. */
  events: ReadBack[];
  /** Requests that failed a signature check. */
  unverified: number;
  /** Requests received, answered or not. */
  received: number;
  /** Answer the next this-many requests with this status (then 200). */
  failNext: { count: number; status: number };
  waitFor(predicate: (events: ReadBack[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEventReceiver(secret: string): Promise<EventReceiver> {
  const standard = new Webhook(secret, { format: 'raw' });
  const receiver: EventReceiver = {
    url: '',
    events: [],
    unverified: 0,
    received: 0,
    failNext: { count: 0, status: 503 },
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver.events)) {
        if (Date.now() > deadline)
          throw new Error(`receiver: still waiting; got ${JSON.stringify(receiver.events.map((event) => event.type))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    receiver.received += 1;
    const expected = createHmac('sha256', secret).update(body).digest('hex');
    let verified = request.headers['polytomic-signature'] === expected;
    try {
      standard.verify(body.toString('utf8'), request.headers as Record<string, string>);
    } catch {
      verified = false;
    }
    if (!verified || request.headers['content-type'] !== 'application/json') {
      receiver.unverified += 1;
      response.writeHead(401).end();
      return;
    }
    if (receiver.failNext.count > 0) {
      receiver.failNext.count -= 1;
      response.writeHead(receiver.failNext.status).end('not now');
      return;
    }
    receiver.events.push(JSON.parse(body.toString('utf8')));
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
