#!/usr/bin/env node
// The package's `ferry` command. Ferry ships TypeScript and has no build step: tsx is registered in this same
// process (so signals reach the server directly), then src/main.ts runs.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
