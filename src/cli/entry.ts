// The `gashammer` command as a program: what bin/gashammer.js does for the compiled package,
// as a source entry the Action's bundler can start from (dist/cli.js, the edges' executable).

import { processIO } from './io.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), processIO());
