/** The worker of ring.test.ts: echoes each record (payload|address, port) back through the reverse ring. */
import { workerData } from 'node:worker_threads';
import { RingConsumer, RingProducer, type RingShared } from '../../src/workers/ring.js';

const d = workerData as { ring: RingShared; back: RingShared };
const out = new RingProducer(d.back);
// A pending Atomics.waitAsync does not keep a thread alive: this does, until the inbound ring closes.
const alive = setInterval(() => undefined, 1000);
new RingConsumer(d.ring).listen(
  (bytes, start, end, address, port) => {
    out.write(`${bytes.toString('latin1', start, end)}|${address}`, '127.0.0.1', port);
    out.flush();
  },
  () => {
    out.close();
    clearInterval(alive);
  },
);
