// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { addStyles, fromKernel, loadBundle, renderWith, resetLoader, staticUrl } from "./loader.js";
import { FakeModel } from "./fake_model.js";

const bundle = { default: { render: () => () => {} } };

/** @param {string} [baseUrl] */
function setConfig(baseUrl) {
  document.getElementById("jupyter-config-data")?.remove();
  if (baseUrl === undefined) return;
  const node = document.createElement("script");
  node.id = "jupyter-config-data";
  node.type = "application/json";
  node.textContent = JSON.stringify({ baseUrl });
  document.body.append(node);
}

/**
 * A model whose kernel answers need_bundle (or stays silent).
 * @param {boolean} answers
 */
function kernelModel(answers) {
  const model = new FakeModel();
  model.send = (content) => {
    model.sent.push(content);
    if (answers && content.type === "need_bundle") {
      queueMicrotask(() => model.emit("msg:custom", { type: "bundle", js: "export default {}", css: ".x{}" }));
    }
  };
  return model;
}

afterEach(() => {
  resetLoader();
  setConfig(undefined);
  document.head.replaceChildren();
});

describe("bootstrap", () => {
  it("finds the static files under the server's base URL", () => {
    setConfig("/user/ann/");
    expect(staticUrl(document, "widgets.js", "abc")).toMatch(/^https?:\/\/[^/]+\/user\/ann\/wan-notebook\/static\/widgets\.js\?v=abc$/);
    setConfig(undefined);
    expect(new URL(staticUrl(document, "widgets.css", "1")).pathname).toBe("/wan-notebook/static/widgets.css");
  });

  it("loads from the server once per page and adds the stylesheet link", async () => {
    const importModule = vi.fn(async (/** @type {string} */ _url) => bundle);
    const env = { importModule, doc: document, version: "v1" };
    const append = vi.spyOn(document.head, "append");
    const loads = [loadBundle(new FakeModel(), env), loadBundle(new FakeModel(), env)];
    expect(await Promise.all(loads)).toEqual([bundle, bundle]);
    expect(importModule).toHaveBeenCalledTimes(1);
    expect(importModule.mock.calls[0][0]).toContain("/wan-notebook/static/widgets.js?v=v1");
    const links = append.mock.calls.map((c) => /** @type {HTMLLinkElement} */ (c[0]));
    expect(links.map((l) => [l.id, l.rel])).toEqual([["wan-notebook-css", "stylesheet"]]);
    expect(links[0].href).toContain("/wan-notebook/static/widgets.css?v=v1");
  });

  it("asks the kernel when the server does not serve the bundle", async () => {
    const importModule = vi.fn(async (/** @type {string} */ url) => {
      if (url.startsWith("http")) throw new TypeError("Failed to fetch dynamically imported module");
      return bundle;
    });
    const model = kernelModel(true);
    const mod = await loadBundle(model, { importModule, doc: document, version: "v2" });
    expect(mod).toBe(bundle);
    expect(model.sent).toEqual([{ type: "need_bundle" }]);
    expect(importModule.mock.calls.map((c) => c[0].slice(0, 5))).toEqual(["http:", "blob:"]);
    expect(document.getElementById("wan-notebook-css")?.textContent).toBe(".x{}");
    expect(model.listenerCount()).toBe(0);
  });

  it("gives up when no kernel answers, and asks again for the next view", async () => {
    const importModule = vi.fn(async (/** @type {string} */ _url) => {
      if (_url) throw new TypeError("404");
      return bundle;
    });
    const env = { importModule, doc: document, version: "v3", timeoutMs: 20 };
    const silent = kernelModel(false);
    await expect(loadBundle(silent, env)).rejects.toThrow("no answer");
    expect(silent.listenerCount()).toBe(0);
    const live = kernelModel(true);
    importModule.mockImplementation(async (/** @type {string} */ url) => {
      if (url.startsWith("blob:")) return bundle;
      throw new TypeError("404");
    });
    expect(await loadBundle(live, env)).toBe(bundle);
  });

  it("a send that throws (closed comm) fails at once", async () => {
    const model = new FakeModel();
    model.send = () => {
      throw new Error("Comm is closed");
    };
    const env = { importModule: async () => bundle, doc: document, version: "v4" };
    await expect(fromKernel(model, env)).rejects.toThrow("Comm is closed");
  });

  it("adds the styles once", async () => {
    await addStyles(document, { text: "a{}" });
    await addStyles(document, { text: "b{}" });
    expect(document.querySelectorAll("style").length).toBe(1);
  });

  it("keeps the layout Python set on the view's element (a card's width) while loading and after", async () => {
    const el = document.createElement("div");
    el.style.width = "360px";
    /** @type {(value: any) => void} */
    let release = () => {};
    const late = new Promise((resolve) => {
      release = resolve;
    });
    const rendered = vi.fn();
    const importModule = vi.fn(async () => {
      await late;
      return { default: { render: rendered } };
    });
    const done = renderWith({ model: new FakeModel(), el }, importModule);
    await new Promise((resolve) => setTimeout(resolve, 450)); // past the "loading" note
    expect(el.textContent).toContain("Loading the live view");
    expect(el.style.width).toBe("360px");
    release(undefined);
    await done;
    expect(rendered).toHaveBeenCalledOnce();
    expect(el.childElementCount).toBe(0);
    expect(el.style.width).toBe("360px");
    expect(el.style.font).toBe("");
  });
});
