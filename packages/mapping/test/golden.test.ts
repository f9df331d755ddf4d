import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileTemplate } from '@gw/mapping'
import { vars } from './helpers.js'

const BODY = JSON.stringify({
  a: 'x',
  o: { k: [1, 2] },
  things: [1, 2, 3],
  list: [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 }
  ],
  foo: 'bar',
  'weird key': 'w',
  emptyList: [],
  n: null,
  s: `it's "q" a/b\\c`,
  ctl: 'l1\nl2\tend',
  uni: 'é€',
  errorMessage: '{"key1":"v","key2":{"arr":["first","second"]}}',
  num: 7,
  csv: 'a,b,,c,,'
})

/** [name citing §, template, body, expected output] */
type Row = [string, string, string, string]

const rows: Row[] = [
  // §4.1 $input
  ['§4.1 $input.body is the raw payload', String.raw`$input.body`, '{"a": 1}', '{"a": 1}'],
  ['§4.1 empty payload: $input.body is {}', String.raw`$input.body`, '', '{}'],
  ['§4.1 $input.json of a string is a quoted JSON string', String.raw`$input.json('$.a')`, BODY, '"x"'],
  ['§4.1 $input.json of an object is compact JSON', String.raw`$input.json('$.o')`, BODY, '{"k":[1,2]}'],
  ['§4.1 $input.json of a missing path is ""', String.raw`$input.json('$.missing')`, BODY, '""'],
  ['§4.1 $input.json on a non-JSON body is ""', String.raw`$input.json('$.a')`, 'not json', '""'],
  ['§4.1 $input.json of a number', String.raw`$input.json('$.num')`, BODY, '7'],
  ["§4.1 $input.json('$') of an empty body is {}", String.raw`$input.json('$')`, '', '{}'],
  ['§4.1 $input.path scalar prints raw', String.raw`$input.path('$.a')`, BODY, 'x'],
  ['§4.1 $input.path list is navigable (.size())', String.raw`$input.path('$.things').size()`, BODY, '3'],
  ["§4.1/§18.22 $input.path('$') of an object prints a Java map", String.raw`$input.path('$')`, '{"foo":"bar"}', '{foo=bar}'],
  ['§4.1 map entries separated by ", "', String.raw`$input.path('$')`, '{"foo":"bar","n":1}', '{foo=bar, n=1}'],
  ['§4.1/§18.22 an array prints as compact JSON', String.raw`$input.path('$')`, '[{"foo":"bar"}]', '[{"foo":"bar"}]'],
  ['§4.1/§18.22 nested array inside a map prints as JSON', String.raw`$input.path('$')`, '{"foo":[{"nested":"bar"}]}', '{foo=[{"nested":"bar"}]}'],
  ['§4.1 missing path → null → empty', String.raw`[$input.path('$.missing')]`, BODY, '[]'],
  ['§4.1 JSONPath index', String.raw`$input.path('$.list[0].sku')`, BODY, 'A'],
  ['§4.1 JSONPath negative index', String.raw`$input.path('$.list[-1].sku')`, BODY, 'B'],
  ['§4.1 JSONPath wildcard: several matches → list', String.raw`$input.path('$.list[*].sku')`, BODY, '["A","B"]'],
  ['§4.1 JSONPath recursive descent', String.raw`$input.json('$..sku')`, BODY, '["A","B"]'],
  ["§4.1 JSONPath bracket notation $['a']", String.raw`$input.path("$['weird key']")`, BODY, 'w'],
  ['§4.1 JSONPath one wildcard match → the element', String.raw`$input.path('$.o.*').size()`, BODY, '2'],
  ['§4.1 navigate $input.path results with properties', String.raw`$input.path('$').list[1].qty`, BODY, '1'],
  ["§4.1 $input.params('x') searches path first", String.raw`$input.params('shared')`, BODY, 'from-path'],
  ["§4.1 $input.params('x') then querystring", String.raw`$input.params('q')|$input.params('only')`, BODY, 'search|qs'],
  ["§4.1 $input.params('x') then header", String.raw`$input.params('X-H')`, BODY, 'hv'],
  ["§4.1 $input.params('x') absent → ''", String.raw`[$input.params('nope')]`, BODY, '[]'],
  ['§4.1 $input.params() has path, querystring, header', String.raw`$input.params().path.id $input.params().querystring.q $input.params().header.get('X-H')`, BODY, 'p-1 search hv'],
  ['§4.1 iterate $input.params().querystring', String.raw`#foreach($k in $input.params().querystring.keySet())$k=$input.params().querystring.get($k)#if($foreach.hasNext)&#end#end`, BODY, 'q=search&shared=from-query&only=qs'],
  // §4.2 null and missing values
  ['§4.2 null reference renders empty: {"body": $result}', String.raw`{"body": $result}`, BODY, '{"body": }'],
  ['§4.2 missing stage variable renders ""', String.raw`"$stageVariables.noStageVar"`, BODY, '""'],
  ['§4.2 #if($x == $null) true for missing', String.raw`#if($x == $null)null#end`, BODY, 'null'],
  ['§4.2 #if($x == "") also true for null', String.raw`#if($x == "")empty#end`, BODY, 'empty'],
  ['§4.2 JSON null renders empty', String.raw`[$input.path('$.n')]`, BODY, '[]'],
  ['§4.2 an empty list prints []', String.raw`$input.path('$.emptyList')`, BODY, '[]'],
  ['§4.2 an empty list is neither null nor ""', String.raw`#if($input.path('$.emptyList') == "")eq#end#if($input.path('$.emptyList') != $null)notnull#end`, BODY, 'notnull'],
  ['§4.2 quiet reference $!x', String.raw`[$!missing]`, BODY, '[]'],
  ['§4.2 method on null renders empty', String.raw`[$missing.length()]`, BODY, '[]'],
  // §4.3 $context, $stageVariables
  ['§4.3 $context.requestId', String.raw`$context.requestId`, BODY, 'req-123'],
  ['§4.3 $context.identity.sourceIp', String.raw`$context.identity.sourceIp`, BODY, '203.0.113.9'],
  ['§4.3 $context.authorizer.principalId', String.raw`$context.authorizer.principalId`, BODY, 'user-1'],
  ["§4.3 $context.authorizer.claims['custom:role']", String.raw`$context.authorizer.claims['custom:role']`, BODY, 'admin'],
  ['§4.3 $stageVariables.name', String.raw`$stageVariables.name`, BODY, 'blue'],
  ["§4.3 $stageVariables['name']", String.raw`$stageVariables['name']`, BODY, 'blue'],
  ["§4.3 ${stageVariables['name']}", '${stageVariables[\'name\']}', BODY, 'blue'],
  // §4.4 $util
  ["§4.4/§18.20 escapeJavaScript escapes ' as \\'", String.raw`$util.escapeJavaScript("it's")`, BODY, String.raw`it\'s`],
  ['§4.4 escapeJavaScript: quote, slash, backslash', String.raw`$util.escapeJavaScript($input.path('$.s'))`, BODY, String.raw`it\'s \"q\" a\/b\\c`],
  ['§4.4 escapeJavaScript: \\n \\t', String.raw`$util.escapeJavaScript($input.path('$.ctl'))`, BODY, String.raw`l1\nl2\tend`],
  ['§4.4 escapeJavaScript: > 0x7E as uppercase \\uXXXX', String.raw`$util.escapeJavaScript($input.path('$.uni'))`, BODY, String.raw`\u00E9\u20AC`],
  ['§4.4/§18.20 the documented .replaceAll("\\\\\'","\'") fix', String.raw`$util.escapeJavaScript("it's").replaceAll("\\'","'")`, BODY, "it's"],
  ['§4.4 escapeJavaScript(null) is null', String.raw`[$util.escapeJavaScript($missing)]`, BODY, '[]'],
  ['§4.4 parseJson then navigate (documented example)', String.raw`$util.parseJson($input.path('$.errorMessage')).key2.arr[0]`, BODY, 'first'],
  ['§4.4/§18.21 urlEncode is form encoding', String.raw`$util.urlEncode('{"some": "value"}')`, BODY, '%7B%22some%22%3A+%22value%22%7D'],
  ['§4.4 urlEncode x=a+b', String.raw`$util.urlEncode('x=a+b')`, BODY, 'x%3Da%2Bb'],
  ['§4.4 urlEncode keeps . - * _ only', String.raw`$util.urlEncode("a.b-c*d_e~f!g'h(i)")`, BODY, 'a.b-c*d_e%7Ef%21g%27h%28i%29'],
  ['§4.4 urlEncode UTF-8 bytes', String.raw`$util.urlEncode('é')`, BODY, '%C3%A9'],
  ['§4.4 urlDecode x=a+b → "x=a b"', String.raw`$util.urlDecode('x=a+b')`, BODY, 'x=a b'],
  ['§4.4 urlDecode %XX as UTF-8', String.raw`$util.urlDecode('%7B%22some%22%3A+%22value%22%7D')`, BODY, '{"some": "value"}'],
  ['§4.4 base64Encode of UTF-8', String.raw`$util.base64Encode('héllo')`, BODY, 'aMOpbGxv'],
  ['§4.4 base64Decode', String.raw`$util.base64Decode('aMOpbGxv')`, BODY, 'héllo'],
  ['§4.4 no $util.toJson in AWS', String.raw`[$util.toJson($input.path('$.o'))]`, BODY, '[]'],
  // §4 Java String / List / Map methods
  ['§4 String.length()', String.raw`$input.path('$.a').length()`, BODY, '1'],
  ['§4 String.substring(a,b)', String.raw`#set($s = "abcdef")$s.substring(1,3)`, BODY, 'bc'],
  ['§4 String.replaceAll(regex, repl) with groups', String.raw`#set($s = "a1b22")$s.replaceAll("([0-9]+)","<$1>")`, BODY, 'a<1>b<22>'],
  ['§4 String.replace is literal', String.raw`#set($s = "a.b.c")$s.replace(".","-")`, BODY, 'a-b-c'],
  ['§4 String.split drops trailing empty strings', String.raw`$input.path('$.csv').split(",").size()`, BODY, '4'],
  ['§4 String.matches is anchored', String.raw`#set($s = "abc")$s.matches("a.c") $s.matches("b")`, BODY, 'true false'],
  ['§4 String.toLowerCase/toUpperCase/trim', String.raw`#set($s = " Ab ")[$s.trim().toUpperCase()][$s.toLowerCase()]`, BODY, '[AB][ ab ]'],
  ['§4 String.contains/equals', String.raw`#set($s = "abc")$s.contains("b") $s.equals("abc")`, BODY, 'true true'],
  ['§4 List.get/isEmpty', String.raw`$input.path('$.things').get(1) $input.path('$.things').isEmpty()`, BODY, '2 false'],
  ['§4 Map.keySet/containsKey/get/size', String.raw`#set($m = $input.path('$.o'))$m.keySet() $m.containsKey('k') $m.get('k') $m.size()`, BODY, '[k] true [1,2] 1'],
  // VTL directives (§4)
  ['§4 #foreach with $foreach.hasNext', String.raw`[#foreach($t in $input.path('$.things'))$t#if($foreach.hasNext),#end#end]`, BODY, '[1,2,3]'],
  ['§4 #foreach over a range', String.raw`#foreach($i in [1..3])$i#end`, BODY, '123'],
  ['§4 #break ends the loop', String.raw`#foreach($i in [1..5])#if($i == 3)#break#end$i#end`, BODY, '12'],
  ['§4 #if/#elseif/#else', String.raw`#set($n = $input.path('$.num'))#if($n > 10)big#elseif($n > 5)mid#else small#end`, BODY, 'mid'],
  ['§4 ## and #* *# comments', 'a## line comment\nb#* block *#c', BODY, 'abc'],
  ['§4 #set map and list literals print as Java objects', String.raw`#set($m = {"a": 1, "b": "x"})#set($l = [1, "b"])$m $l`, BODY, '{a=1, b=x} [1, b]'],
  ['§4 #set interpolates double-quoted strings only', String.raw`#set($a = "v-$input.path('$.a')")#set($b = 'v-$a')$a $b`, BODY, 'v-x v-$a'],
  ['§4 #macro', String.raw`#macro(tag $n)<$n/>#end#tag("a")#tag("b")`, BODY, '<a/><b/>'],
  ['§4 integer arithmetic', String.raw`#set($x = 7 / 2)#set($y = $x * 3 + 1)$x $y`, BODY, '3 10'],
  ['§4 templates are trimmed', '  \n  $input.path(\'$.a\')  \n ', BODY, 'x'],
  ['§4 Map.put then print', String.raw`#set($m = {})#set($ignore = $m.put("k", "v"))$m`, BODY, '{k=v}']
]

describe('golden mapping templates (aws-semantics §4)', () => {
  it.each(rows)('%s', (_name, template, body, expected) => {
    expect(compileTemplate(template).render(vars(body)).output).toBe(expected)
  })

  it('has at least 60 golden rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60)
  })
})

describe('§4.9 worked example: JSON client ⇄ SOAP/XML backend', () => {
  // The two templates of §4.9, verbatim (shared with bench-entries/mapping.mjs).
  const request = compileTemplate(readFileSync(new URL('fixtures/soap-request.vtl', import.meta.url), 'utf8'))
  const response = compileTemplate(readFileSync(new URL('fixtures/soap-response.vtl', import.meta.url), 'utf8'))

  it('§4.9 request template builds the envelope with one <ord:Line> per line', () => {
    const out = request.render(vars('{"customerId":"C-7","lines":[{"sku":"A1","qty":2}]}')).output
    expect(out).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ord="urn:orders">
  <soapenv:Header/>
  <soapenv:Body>
    <ord:PlaceOrder>
      <ord:CustomerId>C-7</ord:CustomerId>
      <ord:RequestId>req-123</ord:RequestId>
      <ord:Lines>
        <ord:Line sku="A1" qty="2"/>
      </ord:Lines>
    </ord:PlaceOrder>
  </soapenv:Body>
</soapenv:Envelope>`)
  })

  it('§4.9 the .replace chain escapes &, <, > in the customer id', () => {
    const out = request.render(vars('{"customerId":"A&B<C>","lines":[]}')).output
    expect(out).toContain('<ord:CustomerId>A&amp;B&lt;C&gt;</ord:CustomerId>')
    expect(out).not.toContain('<ord:Line ')
  })

  it('§4.9 response template extracts the order id from the XML as a string', () => {
    const xml = '<soap:Envelope><soap:Body><ord:PlaceOrderResponse><ord:OrderId>O-991</ord:OrderId></ord:PlaceOrderResponse></soap:Body></soap:Envelope>'
    expect(JSON.parse(response.render(vars(xml)).output)).toEqual({ orderId: 'O-991', requestId: 'req-123' })
  })
})
