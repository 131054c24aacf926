/** SIPp 3.6.1's [auto_media_port]: -mp + 4 × (call number − 1), modulo 10,000 (a port per call, from -mp up). */
export const formulaPort = (mediaPort: number, callNumber: number): number => mediaPort + ((4 * (callNumber - 1)) % 10000);
