// First start on an empty database: a partner, its owner organization, an admin user, and keys. The guard row in
// `settings` is inserted in the same transaction, so two processes starting at once bootstrap exactly once.
import type { Clock } from '../domain/clock.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../persistence/schema.ts';
import { createRepositories } from '../persistence/repositories/index.ts';

export interface BootstrapOptions {
  partnerKey?: string;
  apiKey?: string;
  partnerName?: string;
  organizationName?: string;
  adminEmail?: string;
}

export interface BootstrapResult {
  partnerId: string;
  organizationId: string;
  userId: string;
  /** The keys' values: shown once, never stored in clear. */
  partnerKey: string;
  apiKey: string;
  /** True when the keys came from the environment (so they need not be printed). */
  keysFromEnvironment: boolean;
}

export async function bootstrapIfEmpty(
  db: Kysely<Database>,
  clock: Clock,
  options: BootstrapOptions = {},
): Promise<BootstrapResult | undefined> {
  return db.transaction().execute(async (tx) => {
    const guard = await tx
      .insertInto('settings')
      .values({ name: 'bootstrapped_at', value: clock.now().toISOString() })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst();
    if (Number(guard.numInsertedOrUpdatedRows ?? 0) !== 1) return undefined;
    const repositories = createRepositories(tx, clock);
    const partner = await repositories.partners.create(options.partnerName ?? 'Ferry');
    const organization = await repositories.organizations.create(partner.id, {
      name: options.organizationName ?? 'Default organization',
    });
    await repositories.partners.setOwnerOrganization(partner.id, organization.id);
    const user = await repositories.users.create(organization.id, {
      email: options.adminEmail ?? 'admin@localhost',
      role: 'admin',
    });
    const partnerKey = await repositories.apiKeys.create({
      kind: 'partner',
      partnerId: partner.id,
      label: 'bootstrap partner key',
      value: options.partnerKey,
    });
    const apiKey = await repositories.apiKeys.create({
      kind: 'user',
      partnerId: partner.id,
      organizationId: organization.id,
      userId: user.id,
      label: 'bootstrap admin key',
      value: options.apiKey,
    });
    return {
      partnerId: partner.id,
      organizationId: organization.id,
      userId: user.id,
      partnerKey: partnerKey.value,
      apiKey: apiKey.value,
      keysFromEnvironment: Boolean(options.partnerKey && options.apiKey),
    };
  });
}

/** Refuses to start with a key other than the one the data was sealed with. */
export async function checkSecretKeyFingerprint(db: Kysely<Database>, fingerprint: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name: 'secret_key_fingerprint', value: fingerprint })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const stored = await db
    .selectFrom('settings')
    .select('value')
    .where('name', '=', 'secret_key_fingerprint')
    .executeTakeFirstOrThrow();
  if (stored.value !== fingerprint) {
    throw new Error(
      `the secret key (fingerprint ${fingerprint}) is not the one this database's secrets were sealed with (${stored.value}); ` +
        'set FERRY_SECRET_KEY to the original key, or restore secret.key in the data dir',
    );
  }
}
