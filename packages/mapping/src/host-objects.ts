import type { Node } from './ir.js'

/**
 * The only non-data objects a template can hold. They are class instances,
 * so the data paths of render.ts (own properties of plain objects) never
 * apply to them; each member a template can reach is listed in methods.ts.
 */

/** `$input` (§4.1). Reads the render's body and parameters. */
export class InputHost {}

/** `$util` (§4.4). `extensions` adds `$util.toJson` (not an AWS function, §4.4 note). */
export class UtilHost {
  readonly extensions: boolean
  constructor(extensions: boolean) {
    this.extensions = extensions
  }
}

/** `$foreach` inside a loop: `index`, `count`, `hasNext`, `first`, `last`. */
export class ForeachHost {
  index = 0
  count = 0
  hasNext = false
  first = true
  last = false
}

/** A `#define($x)...#end` block: rendered each time `$x` prints. */
export class DefineHost {
  readonly body: readonly Node[]
  constructor(body: readonly Node[]) {
    this.body = body
  }
}

/** Shared `$input` and `$util` instances (stateless: the render state is passed alongside). */
export const INPUT = new InputHost()
export const UTIL = new UtilHost(false)
export const UTIL_EXTENDED = new UtilHost(true)
