#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigurationError } from '../lib/config/environments';
import { buildPlatform } from '../lib/platform';

try {
  buildPlatform(new App());
} catch (error) {
  if (!(error instanceof ConfigurationError)) {
    throw error;
  }
  console.error(error.message);
  process.exitCode = 1;
}
