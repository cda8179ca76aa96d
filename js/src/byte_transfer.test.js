// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import { ByteReceiver, formatTransfer } from "./byte_transfer.js";

/** @param {number[]} bytes */
const chunk = (bytes) => new DataView(new Uint8Array(bytes).buffer);

describe("ByteReceiver", () => {
  it("puts chunks together in order, whatever order they come in", async () => {
    const onDone = vi.fn();
    const onProgress = vi.fn();
    const receiver = new ByteReceiver({ onDone, onProgress });
    expect(receiver.handle({ type: "bytes_start", transfer: "a", key: "s1", size: 5, mime: "video/webm", chunks: 3 })).toBe(true);
    receiver.handle({ type: "bytes_chunk", transfer: "a", key: "s1", index: 2 }, [chunk([5])]);
    receiver.handle({ type: "bytes_chunk", transfer: "a", key: "s1", index: 0 }, [chunk([1, 2])]);
    receiver.handle({ type: "bytes_chunk", transfer: "a", key: "s1", index: 0 }, [chunk([9, 9])]); // duplicate: ignored
    expect(onDone).not.toHaveBeenCalled();
    receiver.handle({ type: "bytes_chunk", transfer: "a", key: "s1", index: 1 }, [new Uint8Array([3, 4]).buffer]);
    expect(onDone).toHaveBeenCalledOnce();
    const [blob, key] = onDone.mock.calls[0];
    expect(key).toBe("s1");
    expect(blob.type).toBe("video/webm");
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3, 4, 5]);
    expect(onProgress.mock.calls.map((c) => c[0])).toEqual([0, 1, 3, 3, 5]);
    expect(receiver.transfers.size).toBe(0);
  });

  it("keeps two transfers apart and reports no_bytes", () => {
    const onDone = vi.fn();
    const onError = vi.fn();
    const receiver = new ByteReceiver({ onDone, onError });
    receiver.handle({ type: "bytes_start", transfer: "x", key: "a", size: 1, mime: "video/mp4", chunks: 1 });
    receiver.handle({ type: "bytes_start", transfer: "y", key: "b", size: 1, mime: "video/mp4", chunks: 1 });
    receiver.handle({ type: "bytes_chunk", transfer: "y", index: 0 }, [chunk([2])]);
    expect(onDone.mock.calls.map((c) => c[1])).toEqual(["b"]);
    receiver.handle({ type: "no_bytes", key: "a", message: "gone" });
    expect(onError).toHaveBeenCalledWith("gone", "a");
    expect(receiver.handle({ type: "cancel" })).toBe(false);
  });

  it("ignores chunks of unknown transfers, without a buffer or out of range", () => {
    const onDone = vi.fn();
    const receiver = new ByteReceiver({ onDone });
    receiver.handle({ type: "bytes_chunk", transfer: "nope", index: 0 }, [chunk([1])]);
    receiver.handle({ type: "bytes_start", transfer: "t", size: 1, chunks: 1 });
    receiver.handle({ type: "bytes_chunk", transfer: "t", index: 0 }, []);
    receiver.handle({ type: "bytes_chunk", transfer: "t", index: 5 }, [chunk([1])]);
    expect(onDone).not.toHaveBeenCalled();
  });

  it("formats progress in MB", () => {
    expect(formatTransfer(12_500_000, 60_000_000)).toBe("13 of 60 MB");
    expect(formatTransfer(1_500_000, 4_000_000)).toBe("1.5 of 4.0 MB");
  });
});
