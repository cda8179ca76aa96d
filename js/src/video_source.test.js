// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EXPIRY_MARGIN_S,
  SourceChain,
  bytesOf,
  candidateUrls,
  isJupyterPage,
  jupyterBaseUrl,
  resolveJupyterUrl,
  safeMediaUrl,
  sourceOrder,
} from "./video_source.js";

describe("safeMediaUrl", () => {
  it.each([
    ["/files/wan_media/a.mp4", "/files/wan_media/a.mp4"],
    ["wan_media/a.mp4", "wan_media/a.mp4"],
    ["https://cdn.example/a.mp4", "https://cdn.example/a.mp4"],
    ["blob:http://x/1234", "blob:http://x/1234"],
    ["data:image/png;base64,AAAA", "data:image/png;base64,AAAA"],
    ["  /files/a.mp4 ", "/files/a.mp4"],
    ["javascript:alert(1)", ""],
    ["JavaScript:alert(1)", ""],
    ["java\tscript:alert(1)", ""],
    ["data:text/html,<script>", ""],
    ["file:///etc/passwd", ""],
    ["", ""],
    [null, ""],
    [42, ""],
  ])("%j -> %j", (url, expected) => expect(safeMediaUrl(url)).toBe(expected));
});

describe("Jupyter base URL", () => {
  afterEach(() => document.getElementById("jupyter-config-data")?.remove());

  it("defaults to / and reads the page config", () => {
    expect(jupyterBaseUrl()).toBe("/");
    const script = document.createElement("script");
    script.id = "jupyter-config-data";
    script.type = "application/json";
    script.textContent = JSON.stringify({ baseUrl: "/user/ann" });
    document.body.append(script);
    expect(jupyterBaseUrl()).toBe("/user/ann/");
  });

  it("prefixes /files/ paths only", () => {
    expect(resolveJupyterUrl("/files/a.mp4", "/user/ann/")).toBe("/user/ann/files/a.mp4");
    expect(resolveJupyterUrl("/files/a.mp4", "/")).toBe("/files/a.mp4");
    expect(resolveJupyterUrl("https://x/files/a.mp4", "/user/ann/")).toBe("https://x/files/a.mp4");
  });

  it("lists safe, unique candidates in order", () => {
    expect(candidateUrls(["/files/a.mp4", "", "a.mp4", "a.mp4", "javascript:x"], "/u/")).toEqual([
      "/u/files/a.mp4",
      "/files/a.mp4",
      "a.mp4",
    ]);
  });
});

describe("SourceChain", () => {
  it("walks the list on errors and reports exhaustion once", () => {
    const video = document.createElement("video");
    const onExhausted = vi.fn();
    const chain = new SourceChain(video, { onExhausted });
    chain.setCandidates(["/files/a.mp4", "a.mp4"]);
    expect(video.getAttribute("src")).toBe("/files/a.mp4");
    video.dispatchEvent(new Event("error"));
    expect(video.getAttribute("src")).toBe("a.mp4");
    video.dispatchEvent(new Event("error"));
    expect(onExhausted).toHaveBeenCalledTimes(1);
    video.dispatchEvent(new Event("error"));
    expect(onExhausted).toHaveBeenCalledTimes(1);
    expect(chain.current).toBe("");
  });

  it("reports exhaustion at once for an empty list", () => {
    const onExhausted = vi.fn();
    new SourceChain(document.createElement("video"), { onExhausted }).setCandidates([]);
    expect(onExhausted).toHaveBeenCalledTimes(1);
  });

  it("plays bytes from a Blob URL and revokes it on dispose", () => {
    const video = document.createElement("video");
    const create = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:fake-1");
    const revoke = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const chain = new SourceChain(video);
    expect(chain.useBytes(new DataView(new ArrayBuffer(0)), "video/mp4")).toBe(false);
    expect(chain.useBytes(new DataView(new Uint8Array([1, 2, 3]).buffer), "video/webm")).toBe(true);
    expect(create).toHaveBeenCalledTimes(1);
    expect(/** @type {Blob} */ (create.mock.calls[0][0]).type).toBe("video/webm");
    expect(video.getAttribute("src")).toBe("blob:fake-1");
    expect(chain.kind).toBe("bytes");
    chain.dispose();
    expect(revoke).toHaveBeenCalledWith("blob:fake-1");
    expect(video.hasAttribute("src")).toBe(false);
    create.mockRestore();
    revoke.mockRestore();
  });

  it("accepts the byte containers a kernel can send", () => {
    expect(bytesOf(new Uint8Array([1]))).not.toBeNull();
    expect(bytesOf(new ArrayBuffer(2))).not.toBeNull();
    expect(bytesOf(new ArrayBuffer(0))).toBeNull();
    expect(bytesOf("abc")).toBeNull();
    expect(bytesOf(null)).toBeNull();
  });
});

describe("sourceOrder", () => {
  const sources = {
    src: "/files/wan_media/a.mp4",
    fallback_src: "wan_media/a.mp4",
    remote_src: "https://vm.runware.ai/video/a.mp4",
    remote_expires: 10_000,
  };

  it("on a Jupyter page: the server's file, the relative path, then the remote URL", () => {
    expect(sourceOrder(sources, { nowS: 5000, jupyter: true })).toEqual([
      "/files/wan_media/a.mp4",
      "wan_media/a.mp4",
      "https://vm.runware.ai/video/a.mp4",
    ]);
  });

  it("elsewhere (VS Code, Colab): the remote URL first while its ttl holds", () => {
    expect(sourceOrder(sources, { nowS: 5000, jupyter: false })[0]).toBe("https://vm.runware.ai/video/a.mp4");
    const late = sourceOrder(sources, { nowS: 10_000 - EXPIRY_MARGIN_S, jupyter: false });
    expect(late).toEqual(["/files/wan_media/a.mp4", "wan_media/a.mp4"]);
    const unknown = sourceOrder({ ...sources, remote_expires: 0 }, { nowS: 1e9, jupyter: false });
    expect(unknown[0]).toBe(sources.remote_src);
  });

  it("keeps only web URLs in the remote slot and prefixes the base URL", () => {
    const odd = { ...sources, remote_src: "javascript:alert(1)" };
    expect(sourceOrder(odd, { nowS: 0, jupyter: false, baseUrl: "/user/ann/" })).toEqual([
      "/user/ann/files/wan_media/a.mp4",
      "/files/wan_media/a.mp4",
      "wan_media/a.mp4",
    ]);
  });

  it("tells a Jupyter page by its config, unless told", () => {
    expect(isJupyterPage()).toBe(false);
    const node = document.createElement("script");
    node.id = "jupyter-config-data";
    document.body.append(node);
    expect(isJupyterPage()).toBe(true);
    /** @type {any} */ (globalThis).WAN_NOTEBOOK_HOST = "other";
    expect(isJupyterPage()).toBe(false);
    delete (/** @type {any} */ (globalThis).WAN_NOTEBOOK_HOST);
    node.remove();
  });
});
