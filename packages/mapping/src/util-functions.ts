/**
 * The `$util` functions of aws-semantics §4.4, as pure functions.
 */

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0')
}

/**
 * Java commons-lang `escapeJavaScript` (§4.4, §18.20): `\` → `\\`, `"` → `\"`,
 * `'` → `\'` (the AWS quirk that yields invalid JSON), `/` → `\/`,
 * `\b \f \n \r \t`, other control characters and every UTF-16 unit above
 * 0x7E as `\uXXXX` (uppercase hex). `null` stays null.
 */
export function escapeJavaScript(input: string | null): string | null {
  if (input === null) return null
  let out = ''
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i)
    if (code > 0x7e) {
      out += `\\u${hex4(code)}`
      continue
    }
    switch (code) {
      case 0x08:
        out += '\\b'
        break
      case 0x09:
        out += '\\t'
        break
      case 0x0a:
        out += '\\n'
        break
      case 0x0c:
        out += '\\f'
        break
      case 0x0d:
        out += '\\r'
        break
      case 0x22:
        out += '\\"'
        break
      case 0x27:
        out += "\\'"
        break
      case 0x2f:
        out += '\\/'
        break
      case 0x5c:
        out += '\\\\'
        break
      default:
        out += code < 0x20 ? `\\u${hex4(code)}` : input[i]
    }
  }
  return out
}

const FORM_EXTRA = /[!'()~]/g
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Java `URLEncoder.encode(s, "UTF-8")`, i.e. form encoding (§4.4, §18.21):
 * keeps `A-Z a-z 0-9 . - * _`, space → `+`, everything else `%XX` of the
 * UTF-8 bytes. A lone surrogate becomes `?` as Java's encoder does.
 * @example urlEncode('{"some": "value"}') // '%7B%22some%22%3A+%22value%22%7D'
 */
export function urlEncode(input: string): string {
  return encodeURIComponent(input.replace(LONE_SURROGATE, '?'))
    .replace(FORM_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

const PLUS = /\+/g

/**
 * Java `URLDecoder.decode(s, "UTF-8")` (§4.4): `+` → space, `%XX` as UTF-8.
 * Malformed escapes give null (Java throws; the template sees nothing).
 */
export function urlDecode(input: string): string | null {
  try {
    return decodeURIComponent(input.replace(PLUS, ' '))
  } catch {
    return null
  }
}

/** UTF-8 bytes → standard base64 with padding (§4.4). */
export function base64Encode(input: string): string {
  return Buffer.from(input, 'utf8').toString('base64')
}

/** Standard base64 → bytes → UTF-8 string (§4.4). */
export function base64Decode(input: string): string {
  return Buffer.from(input, 'base64').toString('utf8')
}
