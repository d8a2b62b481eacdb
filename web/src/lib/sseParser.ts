/**
 * Incremental Server-Sent Events parser, following the WHATWG "event stream
 * interpretation" rules:
 *
 * - lines end in CRLF, LF or CR, and a chunk may end anywhere (mid-field, mid-CRLF);
 * - a leading BOM is dropped; lines starting with `:` are comments (keep-alives);
 * - `data:` lines accumulate, joined by "\n"; a blank line dispatches the message;
 * - `id:` persists across messages (it is the stream's "last event ID"); an id containing
 *   NUL is ignored; `retry:` takes digits only;
 * - a message with no data is not dispatched; an unterminated message at end of stream
 *   is dropped (the caller simply never calls `push` again).
 */

export interface SseMessage {
  /** The last event ID in effect when this message was dispatched. */
  id: string | null
  /** `event:` field, or "message" by default. */
  event: string
  data: string
}

export class SseParser {
  private buffer = ''
  private started = false
  private skipLeadingLF = false
  private dataLines: string[] = []
  private hasData = false
  private eventType = ''
  private lastEventId: string | null = null

  /** Reconnection delay the server asked for with `retry:`, if any. */
  retryMs: number | null = null
  /** Number of comment lines seen (keep-alives), for liveness checks. */
  comments = 0

  constructor(private readonly onComment?: (text: string) => void) {}

  /** Feed a decoded text chunk; returns the messages completed by it. */
  push(chunk: string): SseMessage[] {
    if (chunk.length === 0) return []
    if (!this.started) {
      this.started = true
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
    }
    if (this.skipLeadingLF) {
      this.skipLeadingLF = false
      if (chunk[0] === '\n') chunk = chunk.slice(1)
    }
    const buf = this.buffer + chunk
    const out: SseMessage[] = []
    let start = 0
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]
      if (c !== '\n' && c !== '\r') continue
      const line = buf.slice(start, i)
      if (c === '\r') {
        if (i + 1 < buf.length) {
          if (buf[i + 1] === '\n') i++
        } else {
          // CR at the very end of the chunk: a following LF belongs to this line end.
          this.skipLeadingLF = true
        }
      }
      start = i + 1
      this.processLine(line, out)
    }
    this.buffer = buf.slice(start)
    return out
  }

  /** The id a reconnect should send as `Last-Event-ID`. */
  get lastId(): string | null {
    return this.lastEventId
  }

  private processLine(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.dispatch(out)
      return
    }
    if (line[0] === ':') {
      this.comments++
      this.onComment?.(line.slice(1).trimStart())
      return
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value[0] === ' ') value = value.slice(1)
    switch (field) {
      case 'data':
        this.dataLines.push(value)
        this.hasData = true
        break
      case 'event':
        this.eventType = value
        break
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value
        break
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value)
        break
      default:
        // Unknown fields are ignored.
        break
    }
  }

  private dispatch(out: SseMessage[]): void {
    if (this.hasData) {
      out.push({
        id: this.lastEventId,
        event: this.eventType || 'message',
        data: this.dataLines.join('\n'),
      })
    }
    this.dataLines = []
    this.hasData = false
    this.eventType = ''
  }
}
