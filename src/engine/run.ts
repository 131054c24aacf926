/** Opens the transport for a run and starts its engine. */
import { StreamTransport, type TlsFiles } from '../transport/stream.js';
import type { Transport, TransportHandler } from '../transport/transport.js';
import { TwinChannel, type TwinPlan } from '../transport/twin.js';
import { UdpTransport } from '../transport/udp-pool.js';
import { Engine, type EngineConfig } from './engine.js';
import type { EngineHooks } from './host.js';
import { MediaRuntime } from './media-runtime.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { BindError } from '../transport/transport.js';
import { asError } from '../thrown.js';

export type TransportName = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

export interface NetConfig {
  readonly transport: TransportName;
  readonly bindAddress: string;
  /** Ports to try in order. */
  readonly ports: readonly number[];
  /** A socket (UDP) or connection (streams) per call. */
  readonly perCallSocket: boolean;
  readonly socketBufferBytes: number;
  /** TLS and WSS: certificate, key and CA, read by the caller. */
  readonly tls?: TlsFiles | undefined;
  readonly maxReconnect?: number;
  readonly reconnectClose?: boolean;
  readonly reconnectSleepMs?: number;
  readonly maxSocket?: number;
}

/** The transport NetConfig names, listening; in one-connection modes connected to `remote` too. */
export function openTransport(net: NetConfig, remote: EngineConfig['remote'], handler: TransportHandler): Promise<Transport> {
  if (net.transport === 'UDP') return UdpTransport.open(net.bindAddress, net.ports, net.perCallSocket, net.socketBufferBytes, handler);
  return StreamTransport.open(
    {
      name: net.transport,
      bindAddress: net.bindAddress,
      ports: net.ports,
      perCall: net.perCallSocket,
      remote,
      tls:
        net.transport === 'TLS' || net.transport === 'WSS'
          ? (net.tls ?? { cert: undefined, key: undefined, ca: undefined, version: undefined })
          : undefined,
      maxReconnect: net.maxReconnect ?? 0,
      reconnectClose: net.reconnectClose ?? true,
      reconnectSleepMs: net.reconnectSleepMs ?? 5000,
      maxSocket: net.maxSocket ?? 50_000,
    },
    handler,
  );
}

/**
 * Binds (rejects with BindError when it cannot, ConnectError when the one connection cannot open), opens
 * the 3PCC twin channel when `twin` plans one, and starts ticking.
 */
export async function startEngine(
  config: EngineConfig,
  net: NetConfig,
  hooks: Partial<EngineHooks> = {},
  twin?: TwinPlan,
): Promise<{ engine: Engine; localPort: number }> {
  const media = await openMedia(config, hooks);
  const engine = new Engine(config, media === undefined ? hooks : { ...hooks, media });
  let transport: Transport | undefined;
  let channel: TwinChannel | undefined;
  try {
    // -rsa: the one connection of t1, l1 … goes to the outbound proxy.
    transport = await openTransport(net, config.sendTo ?? config.remote, engine.handler);
    channel = twin === undefined ? undefined : await TwinChannel.open(twin, engine);
  } catch (e) {
    media?.close();
    await transport?.close();
    throw e;
  }
  engine.start(transport, channel);
  return { engine, localPort: transport.localPort };
}

/** The run's media layer, when its scenario (or a side scenario) has media or -rtp_echo is on; else undefined. */
async function openMedia(config: EngineConfig, hooks: Partial<EngineHooks>): Promise<MediaRuntime | undefined> {
  const m = config.media;
  const scenarios = [config.scenario, config.outOfCall, config.receive?.scenario].filter((s): s is CompiledScenario => s !== undefined);
  if (m === undefined || (!m.echo && !scenarios.some((s) => s.hasMedia))) return undefined;
  try {
    return await MediaRuntime.open({
      ...m,
      autoMediaPort: scenarios.some((s) => s.usesAutoMediaPort),
      autoPortSpares: !scenarios.some((s) => s.usesMediaPortBlock),
      maxPacketBytes: Math.max(0, ...scenarios.map(maxPacketBytes)),
      log: (level, text) => {
        hooks.log?.(level, text);
      },
    });
  } catch (e) {
    throw new BindError(m.ip, m.mediaPort, asError(e), 'UDP (RTP echo)');
  }
}

/** The longest packet of a scenario's media clips (DTMF packets, made per call, are shorter than all of them). */
function maxPacketBytes(s: CompiledScenario): number {
  let max = 0;
  for (const step of [...s.steps, ...s.initSteps]) {
    for (const a of step.actions)
      if (a.kind === 'media' && (a.media.op === 'pcap' || a.media.op === 'stream' || a.media.op === 'pattern'))
        max = Math.max(max, a.media.clip.maxPacketBytes);
  }
  return max;
}

/** Starts an engine over a transport made for it (a -workers answering run's ring transport), not a socket. */
export function startEngineOn(
  config: EngineConfig,
  open: (handler: TransportHandler) => Transport,
  hooks: Partial<EngineHooks> = {},
): { engine: Engine; localPort: number } {
  const engine = new Engine(config, hooks);
  const transport = open(engine.handler);
  engine.start(transport);
  return { engine, localPort: transport.localPort };
}
