/**
 * The fan-out writes `next` messages framed once for many sockets: the bytes must be
 * exactly those the `ws` package writes for `socket.send(text)` on the server (no
 * compression, no mask), for every length encoding RFC 6455 has.
 */
import WebSocket from 'ws';
import { nextFrame, nextFrames } from '../../server/core/shared-subscription';

/** What ws puts on the wire for one text message sent by a server. */
function wsFrame(text: string): Buffer {
  const options = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };
  return Buffer.concat((WebSocket as unknown as { Sender: { frame(data: Buffer, o: typeof options): Buffer[] } }).Sender.frame(Buffer.from(text), options));
}

describe('nextFrames', () => {
  // Message lengths around the 7-bit (≤125), 16-bit (≤65535) and 64-bit encodings.
  const payloads = [2, 80, 90, 200, 65_400, 65_600, 200_000].map((n) => `{"data":{"x":"${'é'.repeat(Math.floor(n / 4))}${'a'.repeat(n % 7)}"}}`);

  it('frames each payload as ws frames `nextFrame(id, payload)`, one after another', () => {
    for (const id of ['1', 'a"b', '長い']) {
      const made = nextFrames(
        id,
        payloads.map((p) => Buffer.from(p)),
      );
      expect(made.equals(Buffer.concat(payloads.map((p) => wsFrame(nextFrame(id, p)))))).toBe(true);
    }
  });

  it('makes nothing of nothing', () => {
    expect(nextFrames('1', []).length).toBe(0);
  });
});
