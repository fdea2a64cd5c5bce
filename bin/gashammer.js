#!/usr/bin/env node
// Entry point of the `gashammer` command: runs the compiled CLI and exits with its code.
import { main } from '../build/src/cli/main.js';
import { processIO } from '../build/src/cli/io.js';

process.exitCode = await main(process.argv.slice(2), processIO());
