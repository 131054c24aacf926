/**
 * How 3PCC commands travel on the twin TCP stream: each ends with one ESC byte (0x1b). SIPp frames
 * commands by that byte, not by Content-Length (SIPp 3.6.1 socket.cpp check_for_message, CFM_CONTROL).
 */

/** The byte that ends every command on the twin stream. */
export const COMMAND_END = '\x1b';

/** A command as written on the twin stream. */
export function frameCommand(text: string): string {
  return text + COMMAND_END;
}

/**
 * Cuts the commands out of what a twin stream delivered so far. `pending` is what was left of the
 * previous chunk (a command cut in two by TCP); the new leftover is returned with the whole commands.
 */
export function splitCommands(pending: string, chunk: string): { readonly commands: readonly string[]; readonly rest: string } {
  let buffer = pending + chunk;
  const commands: string[] = [];
  let end = buffer.indexOf(COMMAND_END);
  while (end >= 0) {
    commands.push(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    end = buffer.indexOf(COMMAND_END);
  }
  return { commands, rest: buffer };
}
