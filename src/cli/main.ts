#!/usr/bin/env node
// The `s3gan` executable: see program.ts for the commands.
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
