import { describe, expect, it } from 'vitest'
import { highlightSegments, queryTerms } from './highlight'

const marked = (segs: { text: string; match: boolean }[]) => segs.map((s) => (s.match ? `[${s.text}]` : s.text)).join('')

describe('highlightSegments', () => {
  it('highlights query terms case-insensitively', () => {
    expect(marked(highlightSegments('Postgres and pgvector: postgres rocks', 'postgres'))).toBe('[Postgres] and pgvector: [postgres] rocks')
  })

  it('prefers longer terms and handles several', () => {
    expect(marked(highlightSegments('vector search with pgvector', 'vector pgvector'))).toBe('[vector] search with [pgvector]')
  })

  it('uses <b> marks from ts_headline without rendering HTML', () => {
    expect(marked(highlightSegments('the <b>quick</b> fox <script>x</script>', 'zzz'))).toBe('the [quick] fox x')
  })

  it('escapes regex characters in the query', () => {
    expect(marked(highlightSegments('cost is $5 (approx.)', '$5 (approx.)'))).toBe('cost is [$5] ([approx.])')
    expect(marked(highlightSegments('abc a.c', 'a.c'))).toBe('abc [a.c]')
  })

  it('finds CJK terms', () => {
    expect(marked(highlightSegments('我们使用向量检索和全文检索', '全文检索'))).toBe('我们使用向量检索和[全文检索]')
  })

  it('decodes entities and returns plain text for an empty query', () => {
    expect(highlightSegments('a &lt;b&gt; &amp; c', '')).toEqual([{ text: 'a <b> & c', match: false }])
  })

  it('drops boolean operators from terms', () => {
    expect(queryTerms('cats AND dogs or "birds"')).toEqual(['birds', 'cats', 'dogs'])
  })

  it('trusts the server marks and never marks single letters inside words', () => {
    const snippet = 'Before a <b>deployment</b>: drain the <b>blue</b> pool, load balancer'
    expect(marked(highlightSegments(snippet, 'how do we roll back a blue deployment'))).toBe(
      'Before a [deployment]: drain the [blue] pool, load balancer',
    )
    expect(marked(highlightSegments('drain a load', 'a load'))).toBe('drain a [load]')
  })
})
