/** Opens the transport for a run and starts its engine. */
import { UdpTransport } from '../transport/udp-pool.js';
import { Engine, type EngineConfig } from './engine.js';

export interface NetConfig {
  readonly bindAddress: string;
  /** Ports to try in order. */
  readonly ports: readonly number[];
  readonly perCallSocket: boolean;
}

/** Binds (rejects with BindError when it cannot) and starts ticking. */
export async function startEngine(config: EngineConfig, net: NetConfig): Promise<{ engine: Engine; localPort: number }> {
  const engine = new Engine(config);
  const transport = await UdpTransport.open(net.bindAddress, net.ports, net.perCallSocket, engine.handler);
  engine.start(transport);
  return { engine, localPort: transport.main.localPort };
}
