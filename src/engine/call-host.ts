/**
 * The engine as the interpreter sees it (host.ts's CallHost), made of the engine's parts: sending on a call's
 * endpoint, moving its connection (<closecon>, <setdest>), its twin commands and its traces. Apart from the
 * Engine class so the interpreter reaches nothing of the engine beyond CallHost.
 */
import type { CompiledScenario } from '../scenario/compile.js';
import type { Stats } from '../stats/stats.js';
import type { Endpoint, Transport } from '../transport/transport.js';
import type { CallState, CallTimer } from './call.js';
import type { Outcome } from '../events/outcome.js';
import type { CallHost, CallSettings, EngineHooks } from './host.js';
import type { TimerWheel } from './timer-wheel.js';
import { hostPort, type TraceTaps } from './trace-taps.js';
import type { TwinCommands } from './twin-commands.js';
import type { MediaHost } from './media.js';

/** What the host is made of. */
export interface HostParts {
  readonly hooks: EngineHooks;
  readonly scenario: CompiledScenario;
  readonly stats: Stats;
  readonly wheel: TimerWheel<CallTimer>;
  readonly settings: CallSettings;
  readonly random: () => number;
  readonly extendedTwin: boolean;
  readonly taps: TraceTaps;
  readonly twin: TwinCommands;
  readonly clock: () => number;
  /** The run's transport, once started. */
  transport(): Transport | undefined;
  /** Ends a call (the engine: it is taken out of every structure and counted). */
  finish(call: CallState, outcome: Outcome): void;
}

export class EngineHost implements CallHost {
  readonly hooks: EngineHooks;
  readonly scenario: CompiledScenario;
  readonly stats: Stats;
  readonly wheel: TimerWheel<CallTimer>;
  readonly settings: CallSettings;
  readonly random: () => number;
  readonly extendedTwin: boolean;
  readonly media: MediaHost | undefined;
  private readonly taps: TraceTaps;
  private readonly twin: TwinCommands;

  constructor(private readonly parts: HostParts) {
    this.hooks = parts.hooks;
    this.scenario = parts.scenario;
    this.stats = parts.stats;
    this.wheel = parts.wheel;
    this.settings = parts.settings;
    this.random = parts.random;
    this.extendedTwin = parts.extendedTwin;
    this.media = parts.hooks.media;
    this.taps = parts.taps;
    this.twin = parts.twin;
  }

  get reliable(): boolean {
    return this.parts.transport()?.reliable ?? false;
  }

  get transportName(): string {
    return this.parts.transport()?.name ?? 'UDP';
  }

  get traceError(): TraceTaps['error'] {
    return this.taps.error;
  }

  get traceRtt(): TraceTaps['rtt'] {
    return this.taps.rtt;
  }

  get traceUnexpectedStatus(): TraceTaps['unexpectedStatus'] {
    return this.taps.unexpectedStatus;
  }

  now(): number {
    return this.parts.clock();
  }

  finish(call: CallState, outcome: Outcome): void {
    this.parts.finish(call, outcome);
  }

  send(call: CallState, raw: string): boolean {
    const taps = this.taps;
    taps.note(call, true, raw);
    if (taps.message !== undefined) taps.message(true, raw, taps.endpointName(call.endpoint), hostPort(call.sendAddress, call.sendPort));
    return call.endpoint.send(raw, call.sendPort, call.sendAddress);
  }

  sendCommand(call: CallState, peer: string, text: string): boolean {
    return this.twin.send(call, peer, text);
  }

  abortTwin(call: CallState): void {
    this.twin.abort(call);
  }

  closeConnection(call: CallState): void {
    this.reconnect(call, undefined);
  }

  redirect(call: CallState, address: string, port: number): boolean {
    if (!this.reconnect(call, { address, port })) return false;
    call.remoteAddress = address;
    call.remotePort = port;
    return true;
  }

  /** Closes the call's own connection and opens another, to `to` or the run's remote; false when it has none of its own. */
  private reconnect(call: CallState, to: { readonly address: string; readonly port: number } | undefined): boolean {
    const t = this.parts.transport();
    const old = call.endpoint;
    // Over UDP and on shared connections there is nothing of the call's own to close (SIPp drops its reference).
    if (t?.closeOwn === undefined || !t.closeOwn(old)) return false;
    old.openCalls--;
    const ready = (ep: Endpoint): void => {
      if (call.ended) {
        t.release(ep);
        return;
      }
      call.endpoint = ep;
      ep.openCalls++;
    };
    if (to === undefined || t.acquireTo === undefined) t.acquire(ready);
    else t.acquireTo(to.address, to.port, ready);
    return true;
  }
}
