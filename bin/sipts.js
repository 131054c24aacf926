#!/usr/bin/env -S node --max-semi-space-size=8 --single-threaded-gc --heap-growing-percent=100 --no-allocation-site-pretenuring
// Node options for a load generator:
// - the young generation is capped at 8 MiB a semi-space (V8's default grows to 16 on 64-bit): with 50,000
//   calls open it is about 14 MiB of resident memory less, for about 2% more instructions per call;
// - garbage is collected on the main thread only: V8's helper threads cost more instructions in all than they
//   save here (2-5% less CPU per call in an A/B against SIPp), and they took the core a peer on the same
//   machine runs on;
// - after a full collection the old generation may grow to twice what survived before the next one (V8's own
//   factor, from its speed estimates, was about 1.4 here): a UAS keeps each call 4 s after its BYE and a
//   tombstone of it 33 s, and was marked every 2 s, 9% of its CPU; now every 7-16 s (README, "Memory");
// - no pretenuring by allocation site: when the first second's calls live long (a busy machine, cold code), V8
//   allocates the call timers' literal, and others, in the old generation for the rest of the run; an ended call
//   is then kept by its dead old timers and promoted with its messages at every scavenge (README, "Memory").
// SIPp compat: USR1 is a soft stop and USR2 dumps the screens (src/cli/main.ts handles them during a run).
// Without a listener from the first moment, Node opens its inspector on USR1 and dies on USR2: these hold
// both signals while the CLI loads, which is why the CLI is imported after them.
const held = () => undefined;
process.on('SIGUSR1', held);
process.on('SIGUSR2', held);
await import('../dist/src/cli/main.js');
