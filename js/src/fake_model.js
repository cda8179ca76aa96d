// A stand-in for the anywidget front-end model (AFM) in unit tests:
// get/set/on/off/save_changes/send plus emit() and a record of what was sent.
// Not part of the bundle (index.js does not import it). fakeTile: a grid tile.

export class FakeModel {
  /** @param {Record<string, any>} state */
  constructor(state = {}) {
    /** @type {Record<string, any>} */
    this.state = { ...state };
    /** @type {Map<string, Set<(...args: any[]) => void>>} */
    this.listeners = new Map();
    /** @type {any[]} messages sent with send() */
    this.sent = [];
    /** @type {Record<string, any>[]} snapshots taken at each save_changes() */
    this.saved = [];
  }

  /** @param {string} key */
  get(key) {
    return this.state[key];
  }

  /**
   * Like Backbone: set fires change:<key> at once when the value changed.
   * @param {string} key
   * @param {any} value
   */
  set(key, value) {
    const old = this.state[key];
    this.state[key] = value;
    if (old !== value) this.emit(`change:${key}`, value);
  }

  /**
   * @param {string} event
   * @param {(...args: any[]) => void} cb
   */
  on(event, cb) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(cb);
  }

  /**
   * @param {string} event
   * @param {(...args: any[]) => void} [cb]
   */
  off(event, cb) {
    if (!cb) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(cb);
  }

  save_changes() {
    this.saved.push({ ...this.state });
  }

  /** @param {any} content */
  send(content) {
    this.sent.push(content);
  }

  /**
   * Fire an event as the host would (e.g. "msg:custom").
   * @param {string} event
   * @param {...any} args
   */
  emit(event, ...args) {
    for (const cb of [...(this.listeners.get(event) ?? [])]) cb(...args);
  }

  /**
   * What a kernel-side change looks like: set several traits.
   * @param {Record<string, any>} patch
   */
  update(patch) {
    for (const [k, v] of Object.entries(patch)) this.set(k, v);
  }

  /** Number of live listeners (to check cleanup). */
  listenerCount() {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

/**
 * A finished grid tile as grid.py sends it; `extra` overrides any field.
 * @param {string} key
 * @param {Record<string, any>} [extra]
 * @returns {import("./types.js").Tile}
 */
export const fakeTile = (key, extra = {}) => ({
  key,
  seed: Number(key.replace(/\D/g, "")) || null,
  prompt: "a red fox",
  status: "done",
  progress: 1,
  cost: 0.25,
  src: `/files/${key}.mp4`,
  fallback_src: "",
  remote_src: "",
  remote_expires: 0,
  mime: "video/mp4",
  error: "",
  row: 0,
  col: 0,
  ...extra,
});
