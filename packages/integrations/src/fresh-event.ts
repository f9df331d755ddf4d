/**
 * A Lambda event its builder made afresh for this one invocation and hands
 * over: an in-process handler gets `event` itself instead of the JSON copy an
 * invoker otherwise makes (the copy exists so a handler never shares gateway
 * state, which a fresh, JSON-shaped object does not), and a remote function
 * gets it serialised as usual. The builder promises plain JSON values only (no
 * `undefined`, functions, class instances or objects it keeps). For hot paths
 * such as WebSocket MESSAGE events (§14.6).
 * @example
 * await invoke(fn, new FreshEvent({ body: 'hi', isBase64Encoded: false }), 29_000)
 */
export class FreshEvent {
  /** The event, owned by the invocation from now on. */
  readonly event: unknown

  constructor(event: unknown) {
    this.event = event
  }
}
