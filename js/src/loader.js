// The loader in the small `_esm` every widget model carries (bootstrap.js is
// its entry, built on its own into wan_notebook/static/bootstrap.js; Python
// fills in the bundle's version).
//
// Saved widget state holds each model's `_esm`; with the whole bundle there
// (~30 KB JS + ~9 KB CSS) an executed notebook grew by ~37 KB per widget.
// This loader is ~1.5 KB. It loads the real bundle once per page:
// 1. from the Jupyter server, which serves the package's static files at
//    {base_url}wan-notebook/static/ (the wan_notebook server extension);
// 2. else from the kernel, which answers {"type": "need_bundle"} with the
//    bundle's text (VS Code, Colab, a server without the extension);
// 3. else (a reopened notebook, no kernel, no extension) it says so in one
//    line, and the saved static preview under the view stays visible.

const VERSION = "__WAN_BUNDLE_VERSION__";
const STYLE_ID = "wan-notebook-css";
// A kernel answers comm messages only between cells: give a long cell time.
const KERNEL_TIMEOUT_MS = 60000;
const NOTE_AFTER_MS = 400;

/** @import { AnyModel } from "./types.js" */

/**
 * @typedef {object} Bundle
 * @property {{render: (props: any) => any}} default
 */

/**
 * @typedef {object} LoaderEnv
 * @property {(url: string) => Promise<Bundle>} importModule
 * @property {Document} doc
 * @property {string} version
 * @property {number} [timeoutMs]
 */

/**
 * The URL the Jupyter server serves a static file of the package at.
 * @param {Document} doc
 * @param {string} file
 * @param {string} version
 * @returns {string}
 */
export function staticUrl(doc, file, version) {
  let base = "/";
  try {
    const node = doc.getElementById("jupyter-config-data");
    const value = node?.textContent ? JSON.parse(node.textContent).baseUrl : "/";
    if (typeof value === "string" && value.startsWith("/")) base = value.endsWith("/") ? value : `${value}/`;
  } catch {
    // no config (VS Code, Colab): the root
  }
  return new URL(`${base}wan-notebook/static/${file}?v=${version}`, doc.baseURI).href;
}

/**
 * Add the bundle's stylesheet to the document once: a link, or the text.
 * @param {Document} doc
 * @param {{href?: string, text?: string}} css
 * @returns {Promise<void>} settles when a linked sheet loaded (or failed)
 */
export function addStyles(doc, css) {
  if (doc.getElementById(STYLE_ID)) return Promise.resolve();
  if (css.text !== undefined) {
    const style = doc.createElement("style");
    style.id = STYLE_ID;
    style.textContent = css.text;
    doc.head.append(style);
    return Promise.resolve();
  }
  const link = doc.createElement("link");
  link.id = STYLE_ID;
  link.rel = "stylesheet";
  link.href = css.href ?? "";
  const loaded = new Promise((resolve) => {
    link.addEventListener("load", () => resolve(undefined));
    link.addEventListener("error", () => {
      link.remove(); // let the kernel's copy in
      resolve(undefined);
    });
  });
  doc.head.append(link);
  return /** @type {Promise<void>} */ (loaded);
}

/**
 * The bundle from the Jupyter server.
 * @param {LoaderEnv} env
 * @returns {Promise<Bundle>}
 */
async function fromServer({ importModule, doc, version }) {
  const mod = await importModule(staticUrl(doc, "widgets.js", version));
  await addStyles(doc, { href: staticUrl(doc, "widgets.css", version) });
  return mod;
}

/**
 * The bundle from the kernel, over this model's comm.
 * @param {Pick<AnyModel, "on" | "off" | "send">} model
 * @param {LoaderEnv} env
 * @returns {Promise<Bundle>}
 */
export function fromKernel(model, { importModule, doc, timeoutMs = KERNEL_TIMEOUT_MS }) {
  return new Promise((resolve, reject) => {
    /** @param {{type?: string, js?: string, css?: string}} msg */
    const onMessage = (msg) => {
      if (msg?.type !== "bundle" || typeof msg.js !== "string") return;
      stop();
      const url = URL.createObjectURL(new Blob([msg.js], { type: "text/javascript" }));
      importModule(url).then(
        (mod) => {
          URL.revokeObjectURL(url);
          addStyles(doc, { text: msg.css ?? "" });
          resolve(mod);
        },
        (error) => {
          URL.revokeObjectURL(url);
          reject(error);
        },
      );
    };
    const stop = () => {
      clearTimeout(timer);
      model.off("msg:custom", onMessage);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error("no answer"));
    }, timeoutMs);
    model.on("msg:custom", onMessage);
    try {
      model.send({ type: "need_bundle" });
    } catch (error) {
      stop();
      reject(error);
    }
  });
}

// Per page, as this module is: its text (so its VERSION) is the same in every
// widget model of one bundle, and one module is made of it.
/** @type {Promise<Bundle | null> | null} the server's bundle, or null */
let fromServerOnce = null;
/** @type {Promise<Bundle> | null} the kernel's bundle (asked again after a failure) */
let fromKernelOnce = null;

/**
 * The bundle, loaded once per page.
 * @param {Pick<AnyModel, "on" | "off" | "send">} model
 * @param {LoaderEnv} env
 * @returns {Promise<Bundle>}
 */
export async function loadBundle(model, env) {
  fromServerOnce ??= fromServer(env).catch(() => null);
  const mod = await fromServerOnce;
  if (mod) return mod;
  if (!fromKernelOnce) {
    const kernel = fromKernel(model, env);
    fromKernelOnce = kernel;
    kernel.catch(() => {
      if (fromKernelOnce === kernel) fromKernelOnce = null; // the next view asks again
    });
  }
  return fromKernelOnce;
}

/** Forget what was loaded (tests). */
export function resetLoader() {
  fromServerOnce = fromKernelOnce = null;
}

/**
 * Load the bundle, then let it render the view.
 * @param {{model: AnyModel, el: HTMLElement}} props
 * @param {(url: string) => Promise<Bundle>} importModule
 * @returns {Promise<(() => void) | undefined>}
 */
export async function renderWith(props, importModule) {
  const { el } = props;
  // The note is a child: `el` carries the widget's layout (its width, set from Python, is
  // what lines a card up with its player), so its own style is left alone.
  /** @param {string} text */
  const note = (text) => {
    const line = el.ownerDocument.createElement("div");
    line.style.cssText = "font:12px sans-serif;opacity:.7";
    line.textContent = text;
    el.replaceChildren(line);
  };
  const slow = setTimeout(() => note("Loading the live view..."), NOTE_AFTER_MS);
  /** @type {Bundle} */
  let mod;
  try {
    mod = await loadBundle(props.model, {
      importModule,
      doc: el.ownerDocument,
      version: VERSION,
    });
  } catch {
    clearTimeout(slow);
    note("Live view needs a running kernel: run the cell again.");
    return undefined;
  }
  clearTimeout(slow);
  el.replaceChildren();
  return mod.default.render(props);
}
