// PostgreSQL log sequence numbers (`16/B374D848`: two 32-bit hex halves) as bigints, for comparing and for the
// replication protocol's 64-bit fields. An LSN is the change-capture position this connector hands the engine.

export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a PostgreSQL LSN`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

export function isLsn(text: string): boolean {
  return /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(text);
}

/** The later of two LSNs (Math.max takes no bigints). */
export function laterLsn(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
