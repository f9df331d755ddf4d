// The package ships no types: the shape parse-prometheus-text-format returns (samples keep the text values). Shared with @gw/cli's tests (its tsconfig includes this file).
declare module 'parse-prometheus-text-format' {
  interface ParsedSample {
    labels?: Record<string, string>
    value?: string
    buckets?: Record<string, string>
    count?: string
    sum?: string
  }
  interface ParsedFamily {
    name: string
    help: string
    type: string
    metrics: ParsedSample[]
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[]
}
