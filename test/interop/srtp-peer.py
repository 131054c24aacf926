#!/usr/bin/python3
"""SRTP media peer over libsrtp (Debian's python3-pylibsrtp), the independent side of test/interop/media-srtp.test.ts.

Usage: srtp-peer.py SUITE RX_KEY TX_KEY SEND_COUNT FIRST_SEQ

Binds 127.0.0.1 on a free UDP port and prints "port N". Every datagram that arrives is unprotected with RX_KEY
(the base64 inline: key sipts sent in its SDP); once the first one has arrived, SEND_COUNT PCMA packets of its
own (20 ms each, one SSRC, sequence numbers from FIRST_SEQ, so that 65535 -> 0 can be crossed) are protected with
TX_KEY and sent back to where sipts's packets came from, 5 ms apart. When nothing has arrived for 1.5 s after
that, it prints one JSON line: what it received (count, authentication failures, SSRCs, sequence gaps, payload
octets) and sent, then exits. Exits 2 after 30 s in any case.
"""
import base64
import json
import socket
import sys
import time

import pylibsrtp

PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
}


def session(key_b64, direction, profile):
    policy = pylibsrtp.Policy(key=base64.b64decode(key_b64), ssrc_type=direction, srtp_profile=profile)
    return pylibsrtp.Session(policy=policy)


def main():
    suite, rx_key, tx_key, send_count, first_seq = sys.argv[1:6]
    profile = PROFILES[suite]
    rx = session(rx_key, pylibsrtp.Policy.SSRC_ANY_INBOUND, profile)
    tx = session(tx_key, pylibsrtp.Policy.SSRC_ANY_OUTBOUND, profile)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.005)
    print("port %d" % sock.getsockname()[1], flush=True)

    received = failures = gaps = payload_octets = 0
    ssrcs = set()
    last_seq = None
    sender = None
    sent = 0
    seq = int(first_seq)
    ts = 0
    started = time.monotonic()
    last_arrival = None
    next_send = 0.0
    while True:
        now = time.monotonic()
        if now - started > 30:
            print(json.dumps({"error": "timeout"}), flush=True)
            sys.exit(2)
        if last_arrival is not None and now - last_arrival > 1.5 and sent >= int(send_count):
            break
        if sender is not None and sent < int(send_count) and now >= next_send:
            header = bytes([0x80, 0x08]) + seq.to_bytes(2, "big") + ts.to_bytes(4, "big") + (0x5EED5EED).to_bytes(4, "big")
            payload = bytes((i * 7) & 0xFF for i in range(160))
            sock.sendto(tx.protect(header + payload), sender)
            sent += 1
            seq = (seq + 1) & 0xFFFF
            ts = (ts + 160) & 0xFFFFFFFF
            next_send = now + 0.005
        try:
            data, addr = sock.recvfrom(2048)
        except socket.timeout:
            continue
        last_arrival = time.monotonic()
        if sender is None:
            sender = addr
        try:
            packet = rx.unprotect(data)
        except pylibsrtp.Error:
            failures += 1
            continue
        received += 1
        s = int.from_bytes(packet[2:4], "big")
        ssrcs.add(int.from_bytes(packet[8:12], "big"))
        if last_seq is not None and s != (last_seq + 1) & 0xFFFF:
            gaps += 1
        last_seq = s
        payload_octets += len(packet) - 12
    print(json.dumps({"received": received, "failures": failures, "ssrcs": len(ssrcs), "gaps": gaps,
                      "payloadOctets": payload_octets, "sent": sent}), flush=True)


if __name__ == "__main__":
    main()
