#!/usr/bin/env node
// Entry point of the eme-compat command; the CLI itself is TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
