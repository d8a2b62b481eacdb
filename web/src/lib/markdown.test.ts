import { describe, expect, it } from 'vitest'
import { inline, markdownBlocks, plainText } from './markdown'

const RUN_ENTRY = `# Task

Alpha or Beta?

# Decision (lead)

Go with **Alpha**.
Because it has users.

# Key evidence

- **researcher** (completed): Alpha has \`3\` users.
- **critic** (failed): model down

Run: run_1`

describe('markdownBlocks', () => {
  it('reads a team run entry: headings, paragraphs, one list', () => {
    const blocks = markdownBlocks(RUN_ENTRY)
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'heading', 'paragraph', 'heading', 'list', 'paragraph'])
    expect(blocks[3]).toEqual({ kind: 'paragraph', inline: [{ text: 'Go with ' }, { text: 'Alpha', bold: true }, { text: '.\nBecause it has users.' }] })
    const list = blocks[5]!
    expect(list.kind === 'list' && list.items.length).toBe(2)
    expect(list.kind === 'list' && list.items[0]).toEqual([{ text: 'researcher', bold: true }, { text: ' (completed): Alpha has ' }, { text: '3', code: true }, { text: ' users.' }])
  })

  it('keeps markup it does not know as text (nothing becomes HTML)', () => {
    expect(markdownBlocks('<img src=x onerror=alert(1)> *one* _two_')).toEqual([{ kind: 'paragraph', inline: [{ text: '<img src=x onerror=alert(1)> *one* _two_' }] }])
  })

  it('gives an empty text no blocks', () => {
    expect(markdownBlocks('\n\n')).toEqual([])
    expect(inline('')).toEqual([{ text: '' }])
  })
})

describe('plainText', () => {
  it('drops the marks for a one-line preview', () => {
    expect(plainText(RUN_ENTRY)).toBe('Task Alpha or Beta? Decision (lead) Go with Alpha. Because it has users. Key evidence · researcher (completed): Alpha has 3 users. · critic (failed): model down Run: run_1')
  })
})
