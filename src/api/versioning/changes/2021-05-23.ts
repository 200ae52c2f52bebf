// 2022-12-12 → 2021-05-23. No SDK was ever typed 2021-05-23, so nothing is known of a difference.
import type { VersionChange } from '../version-change.ts';

export const change20210523: VersionChange = {
  version: '2021-05-23',
  description: 'Nothing is known of 2021-05-23 beyond its name, so it behaves exactly like 2022-12-12.',
  rules: [
    '2021-05-23 behaves exactly like 2022-12-12 (spec README: "where nothing is known about a version, it behaves like the next newer version").',
  ],
  instructions: [],
};
