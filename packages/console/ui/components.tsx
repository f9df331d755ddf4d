import type { ComponentChildren } from 'preact'
import { createContext } from 'preact'
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'

/** A value loaded from the management API, with its loading and error states. */
export interface Loaded<T> {
  data: T | undefined
  error: string | undefined
  loading: boolean
  reload: () => void
}

/** Runs `load` when `deps` change (and on `reload()`); the last answer wins. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (err: unknown) => live && setState({ data: undefined, error: err instanceof Error ? err.message : String(err), loading: false })
    )
    return () => {
      live = false
    }
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { ...state, reload }
}

/** Loading and error lines for a {@link Loaded} value (text only). */
export function Status({ value, what }: { value: { error: string | undefined; loading: boolean; data: unknown }; what: string }): preact.JSX.Element | null {
  if (value.error !== undefined) return <p class="error" role="alert">Could not load {what}: {value.error}</p>
  if (value.loading && value.data === undefined) return <p class="muted" aria-live="polite">Loading {what}…</p>
  return null
}

/** The outcome line of an action (success or the API's error), announced to screen readers. */
export function Outcome({ text, error }: { text: string | undefined; error: string | undefined }): preact.JSX.Element | null {
  if (error !== undefined) return <p class="error" role="alert">{error}</p>
  if (text !== undefined) return <p class="ok" role="status">{text}</p>
  return null
}

interface Question {
  text: string
  confirmLabel: string
  danger: boolean
  testId: string | undefined
  onConfirm: () => void | Promise<void>
}

const AskContext = createContext<(q: Question) => void>(() => undefined)

/**
 * The one modal <dialog> every {@link ConfirmButton} asks through (keyboard: Escape cancels, focus stays inside);
 * never `window.confirm`. One dialog for the page keeps long tables (1,000 keys) light.
 */
export function ConfirmProvider({ children }: { children: ComponentChildren }): preact.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null)
  const [question, setQuestion] = useState<Question | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const ask = useCallback((q: Question) => {
    setQuestion(q)
    dialog.current?.showModal()
  }, [])
  const close = (): void => dialog.current?.close()
  const confirm = async (): Promise<void> => {
    if (question === undefined) return
    setBusy(true)
    try {
      await question.onConfirm()
    } finally {
      setBusy(false)
      close()
    }
  }
  return (
    <AskContext.Provider value={ask}>
      {children}
      <dialog ref={dialog} class="confirm" aria-label="Confirm">
        <p>{question?.text ?? ''}</p>
        <div class="row">
          <button type="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="button" class={question?.danger === true ? 'danger' : 'primary'} onClick={() => void confirm()} disabled={busy} data-testid={question?.testId === undefined ? undefined : `${question.testId}-confirm`}>
            {question?.confirmLabel ?? 'Confirm'}
          </button>
        </div>
      </dialog>
    </AskContext.Provider>
  )
}

/** A button that asks in the page's confirm dialog before it acts; `onConfirm` runs once confirmed. */
export function ConfirmButton(props: { label: string; question: string; confirmLabel?: string; danger?: boolean; disabled?: boolean; onConfirm: () => void | Promise<void>; testId?: string }): preact.JSX.Element {
  const ask = useContext(AskContext)
  return (
    <button
      type="button"
      class={props.danger === true ? 'danger' : ''}
      disabled={props.disabled === true}
      data-testid={props.testId}
      onClick={() => ask({ text: props.question, confirmLabel: props.confirmLabel ?? props.label, danger: props.danger === true, testId: props.testId, onConfirm: props.onConfirm })}
    >
      {props.label}
    </button>
  )
}

/** A section with a heading. */
export function Card({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }): preact.JSX.Element {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  )
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777']

/** A uPlot time-series chart: `x` in epoch seconds, one line per series; resizes with its container. */
export function Chart({ x, series, title, unit, bars }: { x: number[]; series: { label: string; values: (number | null)[] }[]; title: string; unit?: string; bars?: boolean }): preact.JSX.Element {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const shape = series.map((s) => s.label).join('\u0000')
  useEffect(() => {
    const el = box.current
    if (el === null) return
    const width = Math.max(280, el.clientWidth)
    const opts: uPlot.Options = {
      title,
      width,
      height: 220,
      scales: { x: { time: true } },
      axes: [{}, { label: unit ?? '', size: 60 }],
      series: [
        {},
        ...series.map((s, i): uPlot.Series => {
          const color = COLORS[i % COLORS.length] ?? '#2563eb'
          const out: uPlot.Series = { label: s.label, stroke: color, width: 2, points: { show: true } }
          const barPaths = bars === true ? uPlot.paths.bars?.({ size: [0.6, 40] }) : undefined
          if (barPaths !== undefined) {
            out.paths = barPaths
            out.fill = `${color}55`
          }
          return out
        })
      ]
    }
    const chart = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el)
    plot.current = chart
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(280, el.clientWidth), height: 220 }))
    observer.observe(el)
    return () => {
      observer.disconnect()
      chart.destroy()
      plot.current = null
    }
    // the chart is rebuilt when its series change; new values only update the data
  }, [shape, title, bars])
  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData)
  }, [x, series])
  return <div class="chart" ref={box} role="img" aria-label={title} />
}
