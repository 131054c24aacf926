/**
 * The interpreter's surface to the engine: what moves a call through its scenario. Each concept has its
 * own file (run-call: the run loop; send-step; receive and take: matching and taking a message;
 * receive-command: 3PCC; call-timers: timeouts, pauses, retransmissions; hang-up: ending a failed call;
 * step-flow: what every step does on its way out). They import one another directly, never this file,
 * so that the engine's imports stay one line and the files form no cycle. None throws on wire trouble:
 * a failed call is ended through host.finish with its reason.
 */
export { onTimer } from './call-timers.js';
export { hangUp } from './hang-up.js';
export { AUTO_ANSWERED, receive } from './receive.js';
export { receiveCommand } from './receive-command.js';
export { runCall, runInit } from './run-call.js';
