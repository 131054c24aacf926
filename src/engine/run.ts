/** Opens the transport for a run and starts its engine. */
import { UdpTransport } from '../transport/udp-pool.js';
import { Engine, type EngineConfig } from './engine.js';
import type { EngineHooks } from './host.js';

export interface NetConfig {
  readonly bindAddress: string;
  /** Ports to try in order. */
  readonly ports: readonly number[];
  readonly perCallSocket: boolean;
  readonly socketBufferBytes: number;
}

/** Binds (rejects with BindError when it cannot) and starts ticking. */
export async function startEngine(config: EngineConfig, net: NetConfig, hooks: Partial<EngineHooks> = {}): Promise<{ engine: Engine; localPort: number }> {
  const engine = new Engine(config, hooks);
  const transport = await UdpTransport.open(net.bindAddress, net.ports, net.perCallSocket, net.socketBufferBytes, engine.handler);
  engine.start(transport);
  return { engine, localPort: transport.main.localPort };
}
