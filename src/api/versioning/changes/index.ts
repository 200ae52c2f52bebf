// Every version change, newest first. A request at version V passes through the changes from V up to the newest.
import type { VersionChange } from '../version-change.ts';
import { change20240208 } from './2024-02-08.ts';
import { change20230425 } from './2023-04-25.ts';
import { change20221212 } from './2022-12-12.ts';
import { change20210523 } from './2021-05-23.ts';

export const versionChanges: readonly VersionChange[] = [
  change20240208,
  change20230425,
  change20221212,
  change20210523,
];
