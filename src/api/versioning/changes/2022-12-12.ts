// 2023-04-25 → 2022-12-12, from history.md §2–3 (commit 83a18ec and SDK 0.0.1).
import type { VersionChange } from '../version-change.ts';

export const change20221212: VersionChange = {
  version: '2022-12-12',
  description:
    '2022-12-12 has the same routes as 2023-04-25. Its bulk-sync `automatically_add_new_*` settings are booleans rather than ' +
    'BulkDiscover values; the bulk-sync issue adds that conversion here.',
  rules: ['Where nothing is known of a difference, 2022-12-12 behaves like 2023-04-25.'],
  instructions: [],
};
