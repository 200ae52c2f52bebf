// An undici Agent that can only connect to addresses the AddressPolicy allows. The check sits in
// the socket's DNS lookup, so the address that was checked is the address connected to: a name
// that resolves to a public address for a pre-check and to 127.0.0.1 a moment later (DNS
// rebinding) cannot slip through. Sockets for IP literals skip lookup, so callers also run
// `checkUrlHost` before dispatching (and the Agent's connector checks them again).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { isMetadataHostname, refusalReason, type AddressPolicy } from './address-policy.ts';

/** Thrown (as the connect error's cause chain) when the policy refuses an address. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_FERRY_FORBIDDEN_ADDRESS';
  readonly hostname: string;
  constructor(hostname: string, reason: string) {
    super(`refused to connect to ${hostname}: ${reason}`);
    this.name = 'ForbiddenAddressError';
    this.hostname = hostname;
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function guardedLookup(policy: AddressPolicy, resolve: typeof dnsLookup = dnsLookup) {
  return function lookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
    if (isMetadataHostname(hostname)) {
      callback(new ForbiddenAddressError(hostname, 'a cloud metadata host name') as NodeJS.ErrnoException, []);
      return;
    }
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      // Refuse the name if *any* answer is refused: the OS may pick any of them on retry.
      for (const entry of list) {
        const reason = refusalReason(entry.address, policy);
        if (reason) return callback(new ForbiddenAddressError(hostname, reason) as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/** Refuses metadata host names and disallowed IP literals before any socket is opened. */
export function checkUrlHost(url: URL, policy: AddressPolicy): ForbiddenAddressError | undefined {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isMetadataHostname(hostname)) return new ForbiddenAddressError(hostname, 'a cloud metadata host name');
  if (isIP(hostname) !== 0) {
    const reason = refusalReason(hostname, policy);
    if (reason) return new ForbiddenAddressError(hostname, reason);
  }
  return undefined;
}

export function createGuardedAgent(policy: AddressPolicy, options: { connectTimeoutMs?: number } = {}): Agent {
  const connect = buildConnector({
    lookup: guardedLookup(policy),
    timeout: options.connectTimeoutMs ?? 10_000,
  } as buildConnector.BuildOptions);
  return new Agent({
    // IP literals never reach `lookup`, so the connector checks them itself: the Agent is safe
    // whoever uses it, not only callers that remember checkUrlHost.
    connect(connectOptions, callback) {
      const hostname = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (isIP(hostname) !== 0 || isMetadataHostname(hostname)) {
        const refused = checkUrlHost(new URL(`http://${isIP(hostname) === 6 ? `[${hostname}]` : hostname}`), policy);
        if (refused) return callback(refused, null);
      }
      connect(connectOptions, callback);
    },
  });
}

/** True when `error` or anything in its cause chain is a policy refusal. */
export function findForbiddenAddress(error: unknown): ForbiddenAddressError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth += 1) {
    if (current instanceof ForbiddenAddressError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
