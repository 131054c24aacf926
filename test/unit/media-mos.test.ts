// The E-model MOS estimate against G.107's anchor and values worked by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delayImpairment, estimateMos, lossImpairment, mosFromR, rFactor } from '../../src/media/mos.js';

const close = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} ± ${tolerance}`);

test("G.107's anchor: the default parameters give R = 93.2 and MOS 4.41", () => {
  // 1 + 0.035 * 93.2 + 93.2 * 33.2 * 6.8 * 7e-6 = 1 + 3.262 + 0.147286 = 4.409286.
  assert.equal(rFactor({ lossPercent: 0, oneWayDelayMs: 0 }), 93.2);
  close(estimateMos({ lossPercent: 0, oneWayDelayMs: 0 }), 4.409286, 1e-6, 'MOS(93.2)');
  assert.equal(Number(estimateMos({ lossPercent: 0, oneWayDelayMs: 0 }).toFixed(2)), 4.41);
});

test('loss and delay points computed by hand', () => {
  // 1% random loss, no PLC: Ie-eff = 95 * 1 / (1 / 1 + 4.3) = 95 / 5.3 = 17.924528; R = 75.275472;
  // MOS = 1 + 2.634641 + 75.275472 * 15.275472 * 24.724528 * 7e-6 = 1 + 2.634641 + 0.199010 = 3.833651.
  close(lossImpairment(1), 17.924528, 1e-6, 'Ie-eff(1%)');
  close(estimateMos({ lossPercent: 1, oneWayDelayMs: 0 }), 3.833651, 1e-6, 'MOS(1%, 0 ms)');
  // 200 ms one way: Id = 0.024 * 200 + 0.11 * (200 - 177.3) = 4.8 + 2.497 = 7.297; R = 85.903;
  // MOS = 1 + 3.006605 + 85.903 * 25.903 * 14.097 * 7e-6 = 1 + 3.006605 + 0.219575 = 4.226180.
  close(delayImpairment(200), 7.297, 1e-9, 'Id(200)');
  close(estimateMos({ lossPercent: 0, oneWayDelayMs: 200 }), 4.22618, 1e-6, 'MOS(0%, 200 ms)');
  // Under 177.3 ms only the linear term: Id(100) = 2.4.
  close(delayImpairment(100), 2.4, 1e-12, 'Id(100)');
  // 2% loss with PLC (Bpl 25.1), 100 ms: Ie-eff = 190 / 27.1 = 7.011070; R = 93.2 - 2.4 - 7.011070 = 83.788930;
  // MOS = 1 + 2.932613 + 83.788930 * 23.788930 * 16.211070 * 7e-6 = 4.158801.
  close(rFactor({ lossPercent: 2, oneWayDelayMs: 100, plc: true }), 83.78893, 1e-6, 'R(2%, 100 ms, PLC)');
  close(estimateMos({ lossPercent: 2, oneWayDelayMs: 100, plc: true }), 4.158801, 1e-6, 'MOS(2%, 100 ms, PLC)');
  // 3% bursty loss (BurstR 2) with PLC: Ie-eff = 95 * 3 / (3 / 2 + 25.1) = 285 / 26.6 = 10.714286; MOS 4.114392.
  close(lossImpairment(3, true, 2), 10.714286, 1e-6, 'Ie-eff(3%, PLC, BurstR 2)');
  close(estimateMos({ lossPercent: 3, oneWayDelayMs: 0, plc: true, burstRatio: 2 }), 4.114392, 1e-6, 'MOS(3%, BurstR 2)');
  // 5% loss, 150 ms: Ie-eff = 475 / 9.3 = 51.075269; R = 93.2 - 3.6 - 51.075269 = 38.524731; MOS 1.992344.
  close(estimateMos({ lossPercent: 5, oneWayDelayMs: 150 }), 1.992344, 1e-6, 'MOS(5%, 150 ms)');
});

test('the MOS scale ends: 1 at and below R = 0 (and where the cubic dips under 1), 4.5 at R = 100 and above', () => {
  // 20% loss and 400 ms: R = 93.2 - 34.097 - 78.189300 < 0.
  assert.equal(estimateMos({ lossPercent: 20, oneWayDelayMs: 400 }), 1);
  assert.equal(mosFromR(-5), 1);
  // R = 5: 1 + 0.175 + 5 * -55 * 95 * 7e-6 = 0.992125, held at the floor.
  assert.equal(mosFromR(5), 1);
  assert.equal(mosFromR(100), 4.5);
  assert.equal(mosFromR(120), 4.5);
  // Worse loss or delay never raises the estimate.
  let previous = Infinity;
  for (let loss = 0; loss <= 30; loss += 0.5) {
    const m = estimateMos({ lossPercent: loss, oneWayDelayMs: 50 });
    assert.ok(m <= previous, `MOS rose at ${loss}%`);
    previous = m;
  }
});
