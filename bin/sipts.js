#!/usr/bin/env -S node --max-semi-space-size=8
// The young generation is capped at 8 MiB a semi-space (V8's default grows to 16 on this class of machine):
// with 50,000 calls open it is about 14 MiB of resident memory less, for about 2% more instructions per call.
import '../dist/src/cli/main.js';
