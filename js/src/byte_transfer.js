// Video bytes from the kernel, the last resort when no URL loads (VS Code's
// output view cannot load notebook files; Colab has no /files/).
//
// The view asks with {"type": "need_bytes", "key"?, "variant"?}; the kernel
// answers with custom messages, never a synced trait (a trait would sit in
// the widget state, and messages over ~10 MB hit the server's websocket cap):
//   {"type": "bytes_start", "transfer", "key"?, "size", "mime", "chunks"}
//   {"type": "bytes_chunk", "transfer", "key"?, "index"} + one buffer (<= 4 MB)
// or {"type": "no_bytes", "key"?, "message"} when there is nothing to send.
// A ByteReceiver puts the chunks together into one Blob.

/**
 * @typedef {{type: "bytes_start", transfer: string, key?: string, size: number, mime: string, chunks: number}} BytesStart
 * @typedef {{type: "bytes_chunk", transfer: string, key?: string, index: number}} BytesChunk
 * @typedef {{type: "no_bytes", key?: string, message?: string}} NoBytes
 */

/**
 * @typedef {object} ReceiverCallbacks
 * @property {(blob: Blob, key: string) => void} onDone
 * @property {(received: number, size: number, key: string) => void} [onProgress]
 * @property {(message: string, key: string) => void} [onError]
 */

/**
 * @typedef {object} Transfer
 * @property {string} key
 * @property {number} size
 * @property {string} mime
 * @property {number} chunks
 * @property {(BlobPart | undefined)[]} parts
 * @property {number} count
 * @property {number} received
 */

/**
 * The first buffer of a message as a Blob part (ipywidgets hands DataViews or
 * ArrayBuffers), or null.
 * @param {unknown[] | undefined} buffers
 * @returns {BlobPart | null}
 */
function firstBuffer(buffers) {
  const buffer = buffers?.[0];
  if (buffer instanceof ArrayBuffer) return buffer;
  if (ArrayBuffer.isView(buffer)) return /** @type {BlobPart} */ (buffer);
  return null;
}

export class ByteReceiver {
  /** @param {ReceiverCallbacks} callbacks */
  constructor(callbacks) {
    this.callbacks = callbacks;
    /** @type {Map<string, Transfer>} transfer id -> what has arrived */
    this.transfers = new Map();
  }

  /**
   * Take a custom message if it is about bytes.
   * @param {any} msg
   * @param {unknown[]} [buffers]
   * @returns {boolean} whether the message was a byte-transfer message
   */
  handle(msg, buffers) {
    const key = typeof msg?.key === "string" ? msg.key : "";
    switch (msg?.type) {
      case "bytes_start": {
        const chunks = Math.max(0, Math.floor(Number(msg.chunks) || 0));
        const transfer = {
          key,
          size: Number(msg.size) || 0,
          mime: String(msg.mime || "video/mp4"),
          chunks,
          parts: new Array(chunks),
          count: 0,
          received: 0,
        };
        this.transfers.set(String(msg.transfer), transfer);
        this.callbacks.onProgress?.(0, transfer.size, key);
        if (chunks === 0) this.finish(String(msg.transfer));
        return true;
      }
      case "bytes_chunk": {
        const id = String(msg.transfer);
        const transfer = this.transfers.get(id);
        const part = firstBuffer(buffers);
        const index = Number(msg.index);
        if (!transfer || !part || !(index >= 0 && index < transfer.chunks)) return true;
        if (transfer.parts[index] === undefined) {
          transfer.parts[index] = part;
          transfer.count += 1;
          transfer.received += /** @type {ArrayBuffer | ArrayBufferView} */ (part).byteLength;
        }
        this.callbacks.onProgress?.(transfer.received, transfer.size, transfer.key);
        if (transfer.count === transfer.chunks) this.finish(id);
        return true;
      }
      case "no_bytes":
        this.callbacks.onError?.(String(msg.message || "The video file is not available."), key);
        return true;
      default:
        return false;
    }
  }

  /**
   * @private
   * @param {string} id
   */
  finish(id) {
    const transfer = this.transfers.get(id);
    if (!transfer) return;
    this.transfers.delete(id);
    const blob = new Blob(/** @type {BlobPart[]} */ (transfer.parts), { type: transfer.mime });
    this.callbacks.onDone(blob, transfer.key);
  }

  /** Drop partial transfers (the view goes away). */
  dispose() {
    this.transfers.clear();
  }
}

/**
 * "12.5 of 60 MB".
 * @param {number} received  bytes
 * @param {number} size      bytes
 * @returns {string}
 */
export function formatTransfer(received, size) {
  const mb = (/** @type {number} */ n) => (n / 1e6).toFixed(n < 1e7 ? 1 : 0);
  return size > 0 ? `${mb(received)} of ${mb(size)} MB` : `${mb(received)} MB`;
}
