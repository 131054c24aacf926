/** Binding and closing node:dgram sockets for the media modules, as promises and without throwing. */
import type dgram from 'node:dgram';

export function bindSocket(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

export function closeSocket(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // Closed already (or never bound): nothing to release.
  }
}
