import { describe, expect, it } from 'vitest'
import { SseParser, type SseMessage } from './sseParser'

function parseAll(chunks: string[]): { messages: SseMessage[]; parser: SseParser } {
  const parser = new SseParser()
  const messages = chunks.flatMap((c) => parser.push(c))
  return { messages, parser }
}

/** Every way of cutting `text` into two chunks, plus one char at a time. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], [...text]]
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)])
  return out
}

const STREAM =
  ': keep-alive\n' +
  'id: 1\nevent: run.started\ndata: {"seq":1,"type":"run.started"}\n\n' +
  'id: 2\r\nevent: llm.token\r\ndata: {"seq":2,\r\ndata: "type":"llm.token"}\r\n\r\n' +
  ':ping\r\r' +
  'id: 3\revent: run.completed\rdata: {"seq":3}\r\r'

describe('SseParser', () => {
  it('parses id, event and data fields', () => {
    const { messages } = parseAll(['id: 7\nevent: tool.called\ndata: {"a":1}\n\n'])
    expect(messages).toEqual([{ id: '7', event: 'tool.called', data: '{"a":1}' }])
  })

  it('defaults the event type to "message" and resets it after dispatch', () => {
    const { messages } = parseAll(['event: x\ndata: 1\n\ndata: 2\n\n'])
    expect(messages.map((m) => m.event)).toEqual(['x', 'message'])
  })

  it('joins multi-line data with newlines', () => {
    const { messages } = parseAll(['data: line one\ndata: line two\ndata:\ndata:  indented\n\n'])
    expect(messages[0]!.data).toBe('line one\nline two\n\n indented')
  })

  it('removes only one leading space from values', () => {
    const { messages } = parseAll(['data:no-space\n\ndata:   three\n\n'])
    expect(messages.map((m) => m.data)).toEqual(['no-space', '  three'])
  })

  it('ignores comments and keep-alives but counts them', () => {
    const seen: string[] = []
    const parser = new SseParser((c) => seen.push(c))
    const out = parser.push(': keep-alive\n:\n\ndata: x\n\n: another\n')
    expect(out).toEqual([{ id: null, event: 'message', data: 'x' }])
    expect(parser.comments).toBe(3)
    expect(seen).toEqual(['keep-alive', '', 'another'])
  })

  it('does not dispatch a message without data (but keeps its id)', () => {
    const { messages, parser } = parseAll(['id: 5\nevent: noop\n\ndata: after\n\n'])
    expect(messages).toEqual([{ id: '5', event: 'message', data: 'after' }])
    expect(parser.lastId).toBe('5')
  })

  it('keeps the last event id across messages and ignores ids containing NUL', () => {
    const { messages } = parseAll(['id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\ndata: c\n\n'])
    expect(messages.map((m) => m.id)).toEqual(['1', '1', '1'])
  })

  it('accepts an empty id (resets the last event id)', () => {
    const { messages } = parseAll(['id: 1\ndata: a\n\nid\ndata: b\n\n'])
    expect(messages.map((m) => m.id)).toEqual(['1', ''])
  })

  it('treats a line without a colon as a field with an empty value', () => {
    const { messages } = parseAll(['data\n\n'])
    expect(messages).toEqual([{ id: null, event: 'message', data: '' }])
  })

  it('reads retry only when it is all digits', () => {
    const p = new SseParser()
    p.push('retry: 2500\n\nretry: 1x\n\n')
    expect(p.retryMs).toBe(2500)
  })

  it('ignores unknown fields', () => {
    const { messages } = parseAll(['foo: bar\ndata: ok\n\n'])
    expect(messages).toEqual([{ id: null, event: 'message', data: 'ok' }])
  })

  it('strips a leading BOM only at the start of the stream', () => {
    const { messages } = parseAll(['\uFEFF', 'data: a\n\ndata: \uFEFFb\n\n'])
    expect(messages.map((m) => m.data)).toEqual(['a', '\uFEFFb'])
  })

  it('drops an unterminated final message', () => {
    const { messages } = parseAll(['data: complete\n\ndata: partial\n'])
    expect(messages.map((m) => m.data)).toEqual(['complete'])
  })

  it('handles LF, CRLF and CR line endings, whatever the chunk boundaries', () => {
    const expected = parseAll([STREAM]).messages
    expect(expected.map((m) => [m.id, m.event])).toEqual([
      ['1', 'run.started'],
      ['2', 'llm.token'],
      ['3', 'run.completed'],
    ])
    expect(expected[1]!.data).toBe('{"seq":2,\n"type":"llm.token"}')
    for (const chunks of splits(STREAM)) {
      expect(parseAll(chunks).messages).toEqual(expected)
    }
  })

  it('does not treat a CR at the end of a chunk followed by LF as two line ends', () => {
    const { messages } = parseAll(['data: a\r', '\n', '\r', '\ndata: b\r\n\r\n'])
    expect(messages.map((m) => m.data)).toEqual(['a', 'b'])
  })

  it('ignores empty chunks', () => {
    const p = new SseParser()
    expect(p.push('')).toEqual([])
    expect(p.push('data: x\r')).toEqual([])
    expect(p.push('')).toEqual([])
    expect(p.push('\n\n')).toEqual([{ id: null, event: 'message', data: 'x' }])
  })

  it('parses many messages in one chunk', () => {
    const text = Array.from({ length: 100 }, (_, i) => `id: ${i + 1}\ndata: ${i + 1}\n\n`).join('')
    const { messages } = parseAll([text])
    expect(messages).toHaveLength(100)
    expect(messages[99]).toEqual({ id: '100', event: 'message', data: '100' })
  })
})
