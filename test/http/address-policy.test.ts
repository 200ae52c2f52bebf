import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress, refusalReason } from '../../src/http/address-policy.ts';
import { guardedLookup } from '../../src/http/guarded-dispatcher.ts';

test('classifies metadata, private and public addresses, including IPv4-mapped IPv6', () => {
  const cases: [string, string][] = [
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['127.0.0.1', 'private'],
    ['127.8.9.10', 'private'],
    ['::1', 'private'],
    ['::ffff:127.0.0.1', 'private'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['0.0.0.0', 'private'],
    ['fe80::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'private'],
    ['not-an-ip', 'private'],
    ['8.8.8.8', 'allowed'],
    ['172.32.0.1', 'allowed'],
    ['2606:4700::1111', 'allowed'],
  ];
  for (const [address, verdict] of cases) assert.equal(classifyAddress(address), verdict, address);
  assert.equal(refusalReason('127.0.0.1', { allowPrivate: true }), undefined);
  assert.match(refusalReason('169.254.169.254', { allowPrivate: true }) ?? '', /metadata/);
});

test('guarded lookup refuses a name when any resolved address is refused (rebinding defence)', async () => {
  const fakeResolve = ((
    _name: string,
    _options: unknown,
    callback: (error: null, addresses: { address: string; family: number }[]) => void,
  ) => {
    callback(null, [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
  }) as never;
  const lookup = guardedLookup({ allowPrivate: false }, fakeResolve);
  const outcome = await new Promise<{ error: Error | null; address: unknown }>((resolve) => {
    lookup('rebind.example', { all: true }, (error, address) => resolve({ error, address }));
  });
  assert.equal((outcome.error as { code?: string } | null)?.code, 'ERR_FERRY_FORBIDDEN_ADDRESS');
  const allowing = guardedLookup({ allowPrivate: true }, fakeResolve);
  const single = await new Promise<{ error: Error | null; address: unknown }>((resolve) => {
    allowing('rebind.example', {}, (error, address) => resolve({ error, address }));
  });
  assert.equal(single.error, null);
  assert.equal(single.address, '93.184.216.34');
});
