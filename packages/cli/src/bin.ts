#!/usr/bin/env node
import { inspect } from 'node:util';
import { redactText, secretValues } from '@dgt/core';
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a user error: keep the stack so it can be reported.
    console.error(redactText(inspect(error), secretValues(process.env)));
    process.exitCode = 1;
  },
);
