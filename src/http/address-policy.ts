// Which upstream addresses outbound HTTP may reach (SSRF defence). Cloud metadata endpoints are
// refused always: they hand out instance credentials. Private, loopback, link-local and other
// non-public ranges are refused unless the operator allows them (self-hosters calling their own
// network, tests on 127.0.0.1). The check runs on resolved addresses, not names.
import { BlockList, isIP } from 'node:net';

export const AddressVerdict = { allowed: 'allowed', metadata: 'metadata', private: 'private' } as const;
export type AddressVerdict = (typeof AddressVerdict)[keyof typeof AddressVerdict];

// AWS/GCP/Azure/OCI IMDS (169.254.169.254), AWS IMDS over IPv6, ECS task metadata, Alibaba Cloud.
const metadataAddresses = ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '169.254.170.23', '100.100.100.200'];

/** Names that resolve to metadata services inside clouds; refused before any lookup. */
const metadataHostnames = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
]);

const metadata = new BlockList();
for (const address of metadataAddresses) metadata.addAddress(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

// RFC 6890 special-purpose ranges that are not globally reachable, plus multicast and reserved.
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches localhost on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4], // includes 255.255.255.255
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIPv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match) return match[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export function classifyAddress(address: string): AddressVerdict {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return AddressVerdict.private; // not an address: refuse rather than guess
  const mapped = family === 6 ? embeddedIPv4(bare) : undefined;
  if (mapped) return classifyAddress(mapped);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (metadata.check(bare, type)) return AddressVerdict.metadata;
  if (nonPublic.check(bare, type)) return AddressVerdict.private;
  return AddressVerdict.allowed;
}

export function isMetadataHostname(hostname: string): boolean {
  return metadataHostnames.has(hostname.toLowerCase().replace(/\.$/, ''));
}

export interface AddressPolicy {
  allowPrivate: boolean;
}

/** Undefined when the address may be reached, else why not. */
export function refusalReason(address: string, policy: AddressPolicy): string | undefined {
  const verdict = classifyAddress(address);
  if (verdict === AddressVerdict.metadata) return `${address} is a cloud metadata address`;
  if (verdict === AddressVerdict.private && !policy.allowPrivate)
    return `${address} is a private, loopback or link-local address`;
  return undefined;
}
