#!/usr/bin/env -S node --max-semi-space-size=8 --single-threaded-gc
// Node options for a load generator:
// - the young generation is capped at 8 MiB a semi-space (V8's default grows to 16 on 64-bit): with 50,000
//   calls open it is about 14 MiB of resident memory less, for about 2% more instructions per call;
// - garbage is collected on the main thread only: V8's helper threads cost more instructions in all than they
//   save here (2-5% less CPU per call in an A/B against SIPp), and they took the core a peer on the same
//   machine runs on.
import '../dist/src/cli/main.js';
