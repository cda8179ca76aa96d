// Where a <video> gets its bytes from: a fallback chain of URLs, then bytes
// sent by the kernel and played from a Blob URL.
//
// JupyterLab and Notebook 7 serve files under the server root at /files/...;
// VS Code's output webview cannot load such paths and Colab has no /files/,
// so there Runware's own https URL comes first while its ttl holds, and the
// last resort is to ask the kernel for the bytes (byte_transfer.js).

const SAFE_SCHEMES = new Set(["http:", "https:", "blob:"]);

/**
 * Return `url` if a browser may load it as media or a link target, else "".
 * Allowed: http(s), blob:, data:video/* and data:image/* URIs, and scheme-less
 * paths ("/files/x.mp4", "wan_media/x.mp4"). Everything else ("javascript:",
 * "file:", other data: types) is dropped, because these values come from the
 * kernel and end up in href/src attributes.
 * @param {unknown} url
 * @returns {string}
 */
export function safeMediaUrl(url) {
  if (typeof url !== "string") return "";
  const trimmed = url.trim();
  if (!trimmed) return "";
  // Control characters can hide a scheme from naive checks ("java\tscript:").
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return "";
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed);
  if (!scheme) return trimmed;
  const name = `${scheme[1].toLowerCase()}:`;
  if (SAFE_SCHEMES.has(name)) return trimmed;
  if (name === "data:" && /^data:(video|image)\/[a-z0-9.+-]+[;,]/i.test(trimmed)) return trimmed;
  return "";
}

/**
 * The Jupyter server's base URL as the page knows it ("/" or "/user/ann/").
 * JupyterLab and Notebook 7 embed it in <script id="jupyter-config-data">.
 * @param {Document} [doc]
 * @returns {string}
 */
export function jupyterBaseUrl(doc = globalThis.document) {
  try {
    const node = doc?.getElementById("jupyter-config-data");
    if (!node?.textContent) return "/";
    const base = JSON.parse(node.textContent).baseUrl;
    if (typeof base !== "string" || !base.startsWith("/")) return "/";
    return base.endsWith("/") ? base : `${base}/`;
  } catch {
    return "/";
  }
}

/**
 * Prefix a root-absolute "/files/..." URL with the server's base URL, so the
 * same path works behind JupyterHub ("/user/ann/files/...").
 * @param {string} url
 * @param {string} baseUrl
 * @returns {string}
 */
export function resolveJupyterUrl(url, baseUrl) {
  if (!url.startsWith("/files/") || !baseUrl || baseUrl === "/") return url;
  if (url.startsWith(baseUrl)) return url;
  return `${baseUrl.replace(/\/+$/, "")}${url}`;
}

/**
 * The ordered, de-duplicated, safe list of URLs to try.
 * @param {string[]} urls  in order of preference, empty ones skipped
 * @param {string} [baseUrl]
 * @returns {string[]}
 */
export function candidateUrls(urls, baseUrl = "/") {
  /** @type {string[]} */
  const out = [];
  for (const raw of urls) {
    const safe = safeMediaUrl(raw);
    if (!safe) continue;
    for (const url of [resolveJupyterUrl(safe, baseUrl), safe]) {
      if (!out.includes(url)) out.push(url);
    }
  }
  return out;
}

/** A remote URL is dropped this long before it expires (s): loading takes a while. */
export const EXPIRY_MARGIN_S = 60;

/**
 * Whether this page is JupyterLab / Notebook 7 (served by a Jupyter server,
 * so /files/ works), as opposed to VS Code, Colab and other hosts.
 * `globalThis.WAN_NOTEBOOK_HOST = "jupyter" | "other"` overrides the guess
 * (for tests, and for hosts that mimic one or the other).
 * @param {Document} [doc]
 * @returns {boolean}
 */
export function isJupyterPage(doc = globalThis.document) {
  const forced = /** @type {any} */ (globalThis).WAN_NOTEBOOK_HOST;
  if (forced === "jupyter" || forced === "other") return forced === "jupyter";
  return Boolean(doc?.getElementById("jupyter-config-data"));
}

/**
 * @typedef {object} Sources
 * @property {string} src             the server's /files/ URL (or a relative path)
 * @property {string} fallback_src    the notebook-relative path
 * @property {string} [remote_src]    the API's own (https) URL of the file
 * @property {number} [remote_expires] epoch s when it stops working; 0 = unknown
 */

/**
 * The URLs to try, best first. On a Jupyter page the server's files come
 * first (local, no download); elsewhere the remote URL, while it lives. A
 * remote URL past its ttl (minus a margin) is left out.
 * @param {Sources} sources
 * @param {{nowS: number, jupyter: boolean, baseUrl?: string}} where
 * @returns {string[]}
 */
export function sourceOrder(sources, { nowS, jupyter, baseUrl = "/" }) {
  const expires = sources.remote_expires ?? 0;
  const alive = expires <= 0 || nowS < expires - EXPIRY_MARGIN_S;
  const remote = alive && /^https?:/i.test(sources.remote_src ?? "") ? (sources.remote_src ?? "") : "";
  const local = [sources.src, sources.fallback_src];
  return candidateUrls(jupyter ? [...local, remote] : [remote, ...local], baseUrl);
}

/**
 * Bytes from the kernel (a Blob, or a DataView) as a Blob part, or null
 * when empty.
 * @param {unknown} data
 * @returns {BlobPart | null}
 */
export function bytesOf(data) {
  if (!data) return null;
  if (typeof Blob !== "undefined" && data instanceof Blob) return data.size > 0 ? data : null;
  if (data instanceof ArrayBuffer) return data.byteLength > 0 ? data : null;
  if (ArrayBuffer.isView(data)) return data.byteLength > 0 ? /** @type {BlobPart} */ (data) : null;
  return null;
}

/**
 * @typedef {object} SourceChainOptions
 * @property {() => void} [onExhausted]  every URL failed (called once per set)
 * @property {(url: string, kind: "url" | "bytes") => void} [onSource]  a source was assigned
 */

/**
 * Drives one <video> through a list of candidate URLs, advancing on `error`,
 * and can switch to bytes held in memory (Blob URL, revoked on change and
 * on dispose).
 */
export class SourceChain {
  /**
   * @param {HTMLMediaElement} video
   * @param {SourceChainOptions} [options]
   */
  constructor(video, options = {}) {
    this.video = video;
    this.options = options;
    /** @type {string[]} */
    this.candidates = [];
    this.index = -1;
    /** @type {string} */
    this.current = "";
    /** @type {"url" | "bytes" | "none"} */
    this.kind = "none";
    /** @type {string} */
    this.blobUrl = "";
    this.exhausted = false;
    this.onError = this.onError.bind(this);
    video.addEventListener("error", this.onError);
  }

  /**
   * Start over with a new list of URLs (first one is loaded at once).
   * @param {string[]} urls
   */
  setCandidates(urls) {
    this.candidates = [...urls];
    this.index = -1;
    this.exhausted = false;
    this.advance();
  }

  /**
   * Play bytes sent by the kernel. Returns false (and changes nothing) when
   * `data` is empty.
   * @param {unknown} data
   * @param {string} mime
   * @returns {boolean}
   */
  useBytes(data, mime) {
    const bytes = bytesOf(data);
    if (!bytes) return false;
    const url = URL.createObjectURL(new Blob([bytes], { type: mime || "video/mp4" }));
    this.revokeBlob();
    this.blobUrl = url;
    this.assign(url, "bytes");
    return true;
  }

  /** @private */
  advance() {
    this.index += 1;
    if (this.index < this.candidates.length) {
      this.assign(this.candidates[this.index], "url");
      return;
    }
    this.current = "";
    this.kind = "none";
    if (!this.exhausted) {
      this.exhausted = true;
      this.options.onExhausted?.();
    }
  }

  /**
   * @private
   * @param {string} url
   * @param {"url" | "bytes"} kind
   */
  assign(url, kind) {
    this.current = url;
    this.kind = kind;
    this.video.setAttribute("src", url);
    // load() restarts resource selection; needed when only the attribute changes
    // on an element that already had a source.
    this.video.load?.();
    this.options.onSource?.(url, kind);
  }

  /** @private */
  onError() {
    // An error event queued for a source we already replaced is stale.
    if (this.kind !== "url" || this.video.getAttribute("src") !== this.current) return;
    this.advance();
  }

  /** @private */
  revokeBlob() {
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = "";
  }

  dispose() {
    this.video.removeEventListener("error", this.onError);
    this.video.removeAttribute("src");
    this.video.load?.();
    this.revokeBlob();
    this.current = "";
    this.kind = "none";
  }
}
