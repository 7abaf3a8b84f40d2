#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a user error: keep the stack so it can be reported.
    console.error(error);
    process.exitCode = 1;
  },
);
