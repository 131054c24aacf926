/**
 * 3PCC: the commands a call sends its twin instance (<sendCmd>), SIPp's abort notice, and the commands the twin
 * sends, routed by Call-ID as messages are. One module, since a command is another input of the engine beside
 * the transport's messages.
 */
import type { Scheduler } from '../load/scheduler.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { detach } from '../sip/message.js';
import { abortCommand, parseCommand, type TwinCommand } from '../sip/twin-command.js';
import { Counter, type Stats } from '../stats/stats.js';
import type { Transport } from '../transport/transport.js';
import type { CommandChannel, CommandHandler } from '../transport/twin.js';
import type { CallState } from './call.js';
import type { CallFactory } from './call-factory.js';
import type { EngineHooks } from './host.js';
import type { CallRegistry } from './registry.js';
import type { TraceTaps } from './trace-taps.js';

/** What 3PCC needs of the engine that owns it. */
export interface TwinContext {
  readonly scenario: CompiledScenario;
  readonly stats: Stats;
  readonly registry: CallRegistry;
  readonly scheduler: Scheduler;
  readonly factory: CallFactory;
  readonly taps: TraceTaps;
  /** Where a call a command creates is placed (the run's remote host). */
  readonly remote: { readonly address: string; readonly port: number } | undefined;
  /** Extended 3PCC (-master/-slave): commands name their sender; there is no abort notice. */
  readonly extendedTwin: boolean;
  readonly log: EngineHooks['log'];
  transport(): Transport | undefined;
  /** Neither stopping nor ended: new calls may start. */
  accepting(): boolean;
  /** Gives a command to its call (the interpreter). */
  receiveCommand(call: CallState, cmd: TwinCommand): void;
  stopGracefully(): void;
}

export class TwinCommands implements CommandHandler {
  /** The 3PCC twin channel, when the run has one (given at start). */
  channel: CommandChannel | undefined;

  constructor(private readonly ctx: TwinContext) {}

  /** <sendCmd>: `peer` is the instance named by dest=, '' for the one twin; false when it was not sent. */
  send(call: CallState, peer: string, text: string): boolean {
    this.ctx.taps.note(call, true, text);
    this.ctx.taps.command?.(true, text);
    return this.channel?.send(peer, text) ?? false;
  }

  /** SIPp compat: classic 3PCC tells the twin that this call was aborted (its `3pcc_abort` message). */
  abort(call: CallState): void {
    if (this.channel === undefined || this.ctx.extendedTwin) return;
    const text = abortCommand(call.callId);
    this.ctx.taps.command?.(true, text);
    this.channel.send('', text);
  }

  /**
   * A 3PCC command, routed by its Call-ID as a message is: to its call; absorbed when the call has ended;
   * else, when the scenario starts with a <recvCmd>, it creates a call placed at the remote host (SIPp's
   * 3pcc-C-B role, counted against -m as server-mode calls are).
   */
  onCommand(text: string): void {
    const { registry, stats, taps } = this.ctx;
    taps.command?.(false, text);
    const cmd = parseCommand(text);
    const call = registry.get(cmd.callId);
    if (call !== undefined) {
      taps.note(call, false, text);
      this.ctx.receiveCommand(call, cmd);
      return;
    }
    if (cmd.callId !== '' && registry.isDead(cmd.callId)) {
      stats.count(Counter.DeadCallMsgs);
      taps.error?.(`Dead call ${cmd.callId}, received twin command '${cmd.text}'`);
      return;
    }
    const remote = this.ctx.remote;
    const transport = this.ctx.transport();
    const scheduler = this.ctx.scheduler;
    if (
      cmd.callId !== '' &&
      cmd.internal === '' &&
      this.ctx.scenario.twin.commandCreatesCalls &&
      remote !== undefined &&
      transport !== undefined &&
      this.ctx.accepting() &&
      !scheduler.exhausted
    ) {
      scheduler.noteCreated();
      const factory = this.ctx.factory;
      const number = factory.nextNumber();
      const callId = detach(cmd.callId);
      transport.acquire((ep) => {
        const created = factory.startCall(number, callId, false, ep, remote.address, remote.port);
        taps.note(created, false, text);
        this.ctx.receiveCommand(created, cmd);
      });
      return;
    }
    stats.count(Counter.OutOfCallMsgs);
    taps.error?.(`Discarding twin command which can't be mapped to a known call (Call-ID '${cmd.callId}'): '${cmd.text}'`);
  }

  /** SIPp compat: a twin that ends ends this run too; here its open calls may still end (a graceful stop). */
  onTwinLost(what: string): void {
    if (!this.ctx.accepting()) return;
    this.ctx.log('warning', `${what}: stopping`);
    this.ctx.stopGracefully();
  }
}
