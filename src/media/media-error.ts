import { SiptsError } from '../errors.js';

/**
 * A media file (pcap, pcapng, WAV, raw audio) that sipts cannot use. Binary files have no lines, so the place is
 * a byte offset: `file: byte 1234: what is wrong`, then a hint that says how to fix it.
 */
export function mediaFileError(file: string, offset: number, message: string, hint?: string): SiptsError {
  return new SiptsError('MEDIA_FILE', `${file}: byte ${offset}: ${message}`, hint);
}
